"""Rules a question's choices must follow, shared by the admin and the content tests."""
from django.utils.translation import gettext as _


def question_problems(*, kind: str, choices: list[tuple[str, bool]]) -> list[str]:
    """What is wrong with a question of ``kind`` with these (text, is_correct) choices; empty if nothing."""
    from .models import Question

    problems = []
    correct = sum(1 for _text, is_correct in choices if is_correct)
    if kind == Question.Kind.TRUE_FALSE:
        if len(choices) != 2:
            problems.append(_("Een waar-of-niet-waarvraag heeft precies twee antwoorden: Waar en Niet waar."))
        if correct != 1:
            problems.append(_("Een waar-of-niet-waarvraag heeft precies één juist antwoord."))
    elif kind == Question.Kind.SINGLE:
        if len(choices) < 2:
            problems.append(_("Een vraag heeft minstens twee antwoorden."))
        if correct != 1:
            problems.append(_("Een vraag met één juist antwoord heeft precies één juist antwoord."))
    elif kind == Question.Kind.MULTIPLE:
        if len(choices) < 3:
            problems.append(_("Een vraag met meerdere juiste antwoorden heeft minstens drie antwoorden."))
        if correct < 1:
            problems.append(_("Een vraag met meerdere juiste antwoorden heeft minstens één juist antwoord."))
    return problems
