"""The first-attempt answers (``FirstAttemptAnswer``) that are missing, filled in from the answers.

A submission writes its own (``services.attempt_submit``). This is for the answers that came another
way: those of before the table (the migration that created it calls this with its historical models,
so it takes the model classes as arguments) and attempts loaded in bulk or written by hand, after which
the progress recount calls it (``services.first_attempt_answers_fill``). One ``INSERT … SELECT`` of the
answers of submitted first attempts (number 1) that have no row yet. A row is never rewritten: an
answer and its attempt never change once submitted, and a row goes when its answer goes.
"""
from django.db import connections
from django.db.models import Exists, OuterRef

COLUMNS = ("answer", "user", "quiz", "question", "submitted_at", "is_correct")


def fill(*, Answer, FirstAttemptAnswer, module_ids=None, user_ids=None, using: str = "default") -> int:
    """Write the missing rows (of the quizzes of ``module_ids`` and the learners ``user_ids``, if given);
    returns how many."""
    missing = Answer.objects.using(using).filter(attempt__number=1, attempt__submitted_at__isnull=False).filter(
        ~Exists(FirstAttemptAnswer.objects.using(using).filter(answer_id=OuterRef("pk")))
    )
    if module_ids is not None:
        missing = missing.filter(attempt__quiz__section__module_id__in=module_ids)
    if user_ids is not None:
        missing = missing.filter(attempt__user_id__in=user_ids)
    rows = missing.order_by().values_list(
        "pk", "attempt__user_id", "attempt__quiz_id", "question_id", "attempt__submitted_at", "is_correct"
    )
    connection = connections[using]
    select, params = rows.query.get_compiler(using=using).as_sql()
    meta, quote = FirstAttemptAnswer._meta, connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in COLUMNS)
    with connection.cursor() as cursor:
        # Names from the model, values as parameters (the SELECT is the ORM's).
        cursor.execute(f"INSERT INTO {quote(meta.db_table)} ({columns}) {select}", params)  # nosec B608
        return cursor.rowcount
