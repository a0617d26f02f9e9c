"""History of quizzes in the admin: every change to a quiz, a question and its choices is kept
by django-reversion, with who and when; a trainer compares an earlier version with now and
restores it (``QuizHistoryAdmin``, the base of the quiz and question admins).

What a version holds: a quiz its own settings; a question its text, kind, slide and position
*with its choices*, so restoring a question brings its answers back as they were.

Restoring must not damage what learners recorded:

* A choice that exists now but not in the old version would be deleted by the restore. If a
  learner ever picked it, their answer would lose it: such a restore is refused, with the
  choices named. (Trainers can't delete choices either, for the same reason.)
* Old positions may be held by other questions or choices now: while a restore writes them
  back, the quiz's questions and the questions' choices are lifted out of the way, and
  numbered 1..n again afterwards (only when the restore is saved; looking changes nothing).
* Attempts keep their own score and their answers' "right or wrong", so a restored key never
  rewrites a learner's result.
"""
import reversion
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from reversion.models import Version

from sections.admin import ContentVersionAdmin, _diff_html

from .models import Answer, Choice, Question, Quiz

reversion.register(Quiz)
reversion.register(Question, follow=["choices"])
reversion.register(Choice)


def _versions_of(revision, model):
    return [v for v in revision.version_set.all() if v.content_type.model_class() is model]


def _field_dicts(versions):
    result = []
    for version in versions:
        try:
            result.append((int(version.object_id), version.field_dict))
        except Exception:  # an unreadable old version: reversion reports it when restoring
            continue
    return result


def _affected(revision) -> tuple[set[int], set[int]]:
    """The quizzes whose question numbers, and the questions whose choice numbers, a restore writes."""
    questions = _field_dicts(_versions_of(revision, Question))
    choices = _field_dicts(_versions_of(revision, Choice))
    question_ids = {pk for pk, _ in questions} | {fields.get("question_id") for _, fields in choices}
    quiz_ids = {fields.get("quiz_id") for _, fields in questions}
    quiz_ids |= set(Question.objects.filter(pk__in=[pk for pk, _ in questions]).values_list("quiz_id", flat=True))
    return {q for q in quiz_ids if q}, {q for q in question_ids if q}


def answered_choices_a_restore_would_delete(revision) -> list[Choice]:
    """Choices of the revision's questions that are not in it (a restore deletes them) and that learners picked."""
    question_ids = [pk for pk, _ in _field_dicts(_versions_of(revision, Question))]
    kept = [pk for pk, _ in _field_dicts(_versions_of(revision, Choice))]
    doomed = Choice.objects.filter(question_id__in=question_ids).exclude(pk__in=kept)
    picked = Answer.choices.through.objects.filter(choice_id__in=doomed.values("pk")).values("choice_id")
    return list(doomed.filter(pk__in=picked).select_related("question"))


# Above any real position (a quiz has tens of questions, a question a few choices), and lifted
# twice still far below the 32767 a PositiveSmallInteger holds.
LIFT = 1_000


def _lift(*, quiz_ids, question_ids) -> None:
    Question.objects.filter(quiz_id__in=quiz_ids).update(position=F("position") + LIFT)
    Choice.objects.filter(question_id__in=question_ids).update(position=F("position") + LIFT)


def _renumber(queryset, *, restored: set[int]) -> None:
    """Number the rows 1..n: each where its position puts it, a lifted row counting as where it
    was, a restored row before a lifted one with the same number (lifted first, so no clash)."""
    rows = sorted(queryset, key=lambda row: (row.position % LIFT, row.pk not in restored, row.pk))
    if [row.position for row in rows] == list(range(1, len(rows) + 1)):
        return
    # Adding more than the highest number in use: no row lands on one another row still holds,
    # even where the database checks uniqueness row by row (SQLite).
    queryset.update(position=F("position") + max(row.position for row in rows))
    for number, row in enumerate(rows, 1):
        row.position = number
    queryset.model.objects.bulk_update(rows, ["position"])


def _renumber_all(*, revision, quiz_ids, question_ids) -> None:
    restored = {pk for pk, _ in _field_dicts(_versions_of(revision, Question))}
    restored |= {pk for pk, _ in _field_dicts(_versions_of(revision, Choice))}
    for quiz_id in sorted(quiz_ids):
        _renumber(Question.objects.filter(quiz_id=quiz_id), restored=restored)
    for question_id in sorted(question_ids):
        _renumber(Choice.objects.filter(question_id=question_id), restored=restored)


class QuizHistoryAdmin(ContentVersionAdmin):
    """History, compare and restore for quizzes and questions, safe for learners' answers."""

    revision_form_template = "reversion/quizzes/revision_form.html"

    class Media:
        css = {"all": ["sections/admin/authoring.css"]}  # the colours of "Verschil met nu"

    def revision_view(self, request, object_id, version_id, extra_context=None):
        version = get_object_or_404(Version, pk=version_id, object_id=object_id)
        opts = self.model._meta
        # Compared before the positions are lifted for the restore (ContentVersionAdmin would compare after).
        current = self.model._default_manager.filter(pk=object_id).first()
        extra_context = {**(extra_context or {}), "version_differences": self._differences(current, version)}
        return self._restore(
            request,
            version,
            refused=redirect(f"admin:{opts.app_label}_{opts.model_name}_history", object_id),
            view=lambda: super(QuizHistoryAdmin, self).revision_view(request, object_id, version_id, extra_context),
        )

    def recover_view(self, request, version_id, extra_context=None):
        version = get_object_or_404(Version, pk=version_id)
        opts = self.model._meta
        return self._restore(
            request,
            version,
            refused=redirect(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
            view=lambda: super(QuizHistoryAdmin, self).recover_view(request, version_id, extra_context),
        )

    def _restore(self, request, version, *, refused, view):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        answered = answered_choices_a_restore_would_delete(version.revision)
        if answered:
            messages.error(request, format_html(
                "{} {}",
                gettext(
                    "Deze versie kan niet worden teruggezet: dan verdwijnen antwoordkeuzes die deelnemers al "
                    "kozen, en daarmee hun antwoorden. Pas de vraag liever aan, of kies een latere versie."
                ),
                "; ".join(f"“{choice.text}” ({choice.question.position}. {choice.question.text[:60]})" for choice in answered),
            ))
            return refused
        quiz_ids, question_ids = _affected(version.revision)
        with transaction.atomic():
            _lift(quiz_ids=quiz_ids, question_ids=question_ids)
            response = view()
            if request.method == "POST" and response.status_code == 302:
                _renumber_all(revision=version.revision, quiz_ids=quiz_ids, question_ids=question_ids)
            else:
                # Looking at a version, or a form sent back with errors: nothing may change.
                transaction.set_rollback(True)
        return response

    def _differences(self, current, version):
        rows = super()._differences(current, version)
        if isinstance(current, Question):
            before = self._choice_lines(
                fields for _, fields in _field_dicts(_versions_of(version.revision, Choice))
                if fields.get("question_id") == current.pk
            )
            now = self._choice_lines(current.choices.values("position", "text", "is_correct"))
            if before != now:
                rows.append((_("antwoordkeuzes"), _diff_html(now, before)))
        return rows

    @staticmethod
    def _choice_lines(choices) -> str:
        right = gettext("juist")
        return "\n".join(
            f"{c['position']}. {c['text']}" + (f" ({right})" if c["is_correct"] else "")
            for c in sorted(choices, key=lambda c: c["position"])
        )
