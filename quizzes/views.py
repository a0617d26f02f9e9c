"""The quiz pages: start page, the attempt form, the result. Thin views over selectors and services.

Every page is the learner's own: an attempt of someone else is as missing as
one that never existed (404). Starting and submitting are POSTs, followed by a
redirect; the attempt and result pages are never stored, so the back button
after submitting shows the result instead of a stale form. The start page is
private and revalidated but not ``no-store``, so the back/forward cache may keep it.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_http_methods, require_POST

from courses.selectors import module_get
from progress import services as progress_services
from progress.selectors import may_get_certificate, module_progress

from . import scoring, selectors, services
from .forms import AttemptForm


def _quiz(module_slug, number):
    module = module_get(slug=module_slug)
    return module, selectors.quiz_for_section(module=module, number=number)


def _result_url(quiz, attempt_id):
    return reverse(
        "quizzes:result",
        kwargs={"module_slug": quiz.section.module.slug, "number": quiz.section.number, "attempt_id": attempt_id},
    )


def _render_quiz_page(request, module, quiz, *, error=None, status=200):
    overview = selectors.quiz_overview(quiz=quiz, user=request.user)
    return render(
        request,
        "quizzes/quiz_detail.html",
        {
            "module": module,
            "section": quiz.section,
            "quiz": quiz,
            "overview": overview,
            "needed": scoring.questions_needed(question_count=overview.asked_count, pass_mark=quiz.pass_mark),
            "error": error,
            "may_certify": may_get_certificate(user=request.user, module=module),
        },
        status=status,
    )


@login_required
@cache_control(private=True, no_cache=True)
def quiz_detail(request, module_slug, number):
    """The quiz's start page. ``private, no-cache`` rather than ``no-store``: asked again on every
    visit, yet the browser may keep it in its back/forward cache (a ``no-store`` page is not kept),
    so "back" from the attempt is instant. The answer form and the result stay ``no-store``."""
    module, quiz = _quiz(module_slug, number)
    return _render_quiz_page(request, module, quiz)


@require_POST
@login_required
def attempt_start(request, module_slug, number):
    module, quiz = _quiz(module_slug, number)
    try:
        attempt, _created = progress_services.quiz_attempt_start(quiz=quiz, user=request.user)
    except services.AttemptLimitReached:
        return _render_quiz_page(
            request, module, quiz, status=403,
            error=_("Je hebt al je pogingen voor deze quiz gebruikt. Er is geen nieuwe poging gestart."),
        )
    except services.AttemptNotYetOpen:
        # The quiz page says why and from when (the same window, read again).
        return _render_quiz_page(
            request, module, quiz, status=429,
            error=_("Je volgende poging is nog niet open. Hieronder staat vanaf wanneer je opnieuw kunt beginnen."),
        )
    except services.QuizHasNoQuestions:
        return _render_quiz_page(
            request, module, quiz, status=409, error=_("Deze quiz heeft nog geen vragen. Probeer het later opnieuw.")
        )
    attempt.quiz = quiz
    return redirect(attempt.get_absolute_url())


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def attempt_take(request, module_slug, number, attempt_id):
    module, quiz = _quiz(module_slug, number)
    attempt = selectors.attempt_for_learner(quiz=quiz, attempt_id=attempt_id, user=request.user)
    if attempt.is_submitted:
        if request.method == "POST":
            messages.warning(request, _("Deze poging was al ingeleverd. Er is niets gewijzigd."))
        return redirect(attempt.get_absolute_url())
    questions = selectors.attempt_questions(attempt=attempt)
    status = 200
    if request.method == "POST":
        form = AttemptForm(request.POST, questions=questions)
        if form.is_valid():
            try:
                progress_services.quiz_attempt_submit(attempt=attempt, user=request.user, selections=form.selections)
            except services.AttemptAlreadySubmitted:
                messages.warning(request, _("Deze poging was al ingeleverd. Er is niets gewijzigd."))
                return redirect(_result_url(quiz, attempt.pk))
            except services.InvalidSubmission:
                form.add_error(None, _("De quiz is gewijzigd terwijl je bezig was. Kijk je antwoorden na en lever opnieuw in."))
            else:
                return redirect(_result_url(quiz, attempt.pk))
        status = 400
    else:
        form = AttemptForm(questions=questions)
    return render(
        request,
        "quizzes/attempt.html",
        {"module": module, "section": quiz.section, "quiz": quiz, "attempt": attempt, "form": form,
         "question_count": len(questions)},
        status=status,
    )


@login_required
@never_cache
def attempt_result(request, module_slug, number, attempt_id):
    module, quiz = _quiz(module_slug, number)
    attempt = selectors.attempt_for_learner(quiz=quiz, attempt_id=attempt_id, user=request.user)
    if not attempt.is_submitted:
        return redirect(attempt.get_absolute_url())
    overview = selectors.quiz_overview(quiz=quiz, user=request.user)
    review = selectors.attempt_review(attempt=attempt, reveal=overview.reveals_key)
    progress = module_progress(user=request.user, module=module)
    section_progress = progress.for_section(quiz.section.pk)
    next_section = next((s for s in progress.sections if s.section.number > quiz.section.number), None)
    return render(
        request,
        "quizzes/result.html",
        {
            "module": module,
            "section": quiz.section,
            "quiz": quiz,
            "attempt": attempt,
            "review": review,
            "wrong": [item for item in review if not item.is_correct],
            "overview": overview,
            "progress": progress,
            "section_progress": section_progress,
            "next_section": next_section,
        },
    )
