"""History of quizzes in the admin: every change to a quiz, a question and its choices is kept
by django-reversion, with who and when; a trainer compares an earlier version with now and
restores it (``QuizHistoryAdmin``, the base of the quiz and question admins).

What a version holds: a quiz its own settings; a question its text, kind, slide and position
*with its choices*, so restoring a question brings its answers back as they were.

Restoring must not damage what learners recorded:

* A choice that exists now but not in the old version would be deleted by the restore. If a
  learner ever picked it, their answer would lose it: such a restore is refused, with the
  choices named. (Trainers can't delete choices either, for the same reason.)
* Old positions may be held by other questions or choices now: the restore parks them
  (``courses.history.parked_for_restore``), so a restored question or choice goes back to the
  place it had in that version and the others shift around it (only when the restore is saved;
  looking changes nothing).
* Attempts keep their own score and their answers' "right or wrong", so a restored key never
  rewrites a learner's result.
"""
import reversion
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from reversion.models import Version

from courses.history import ContentVersionAdmin, diff_html, versions_of

from .models import Answer, Choice, Question, Quiz

reversion.register(Quiz)
reversion.register(Question, follow=["choices"])
reversion.register(Choice)


def answered_choices_a_restore_would_delete(revision) -> list[Choice]:
    """Choices of the revision's questions that are not in it (a restore deletes them) and that learners picked."""
    question_ids = [pk for pk, _ in versions_of(revision, Question)]
    kept = [pk for pk, _ in versions_of(revision, Choice)]
    doomed = Choice.objects.filter(question_id__in=question_ids).exclude(pk__in=kept)
    picked = Answer.choices.through.objects.filter(choice_id__in=doomed.values("pk")).values("choice_id")
    return list(doomed.filter(pk__in=picked).select_related("question"))


class QuizHistoryAdmin(ContentVersionAdmin):
    """History, compare and restore for quizzes and questions, safe for learners' answers."""

    revision_form_template = "reversion/quizzes/revision_form.html"

    class Media:
        css = {"all": ["sections/admin/authoring.css"]}  # the colours of "Verschil met nu"

    def revision_view(self, request, object_id, version_id, extra_context=None):
        version = get_object_or_404(Version, pk=version_id, object_id=object_id)
        opts = self.model._meta
        refused = self._refuse(request, version, redirect(f"admin:{opts.app_label}_{opts.model_name}_history", object_id))
        return refused or super().revision_view(request, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        version = get_object_or_404(Version, pk=version_id)
        opts = self.model._meta
        refused = self._refuse(request, version, redirect(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        return refused or super().recover_view(request, version_id, extra_context)

    def _refuse(self, request, version, response):
        """``response`` (after a message) if restoring ``version`` would take answers from learners."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        answered = answered_choices_a_restore_would_delete(version.revision)
        if not answered:
            return None
        messages.error(request, format_html(
            "{} {}",
            gettext(
                "Deze versie kan niet worden teruggezet: dan verdwijnen antwoordkeuzes die deelnemers al "
                "kozen, en daarmee hun antwoorden. Pas de vraag liever aan, of kies een latere versie."
            ),
            "; ".join(f"“{choice.text}” ({choice.question.position}. {choice.question.text[:60]})" for choice in answered),
        ))
        return response

    def _differences(self, current, version):
        rows = super()._differences(current, version)
        if isinstance(current, Question):
            before = self._choice_lines(
                fields for _, fields in versions_of(version.revision, Choice)
                if fields.get("question_id") == current.pk
            )
            now = self._choice_lines(current.choices.values("position", "text", "is_correct"))
            if before != now:
                rows.append((_("antwoordkeuzes"), diff_html(now, before)))
        return rows

    @staticmethod
    def _choice_lines(choices) -> str:
        right = gettext("juist")
        return "\n".join(
            f"{c['position']}. {c['text']}" + (f" ({right})" if c["is_correct"] else "")
            for c in sorted(choices, key=lambda c: c["position"])
        )
