from django.db import migrations


def backfill(apps, schema_editor):
    """A row for every answer of a submitted first attempt so far (``quizzes.first_attempts.fill`` with
    the historical models: what a submission writes, and what the progress recount fills in)."""
    from quizzes import first_attempts

    first_attempts.fill(
        Answer=apps.get_model("quizzes", "Answer"),
        FirstAttemptAnswer=apps.get_model("quizzes", "FirstAttemptAnswer"),
        using=schema_editor.connection.alias,
    )


class Migration(migrations.Migration):

    dependencies = [("quizzes", "0005_first_attempt_answers")]

    # Emptying the table is the way back: the rows are only ever a copy of answers.
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
