"""How a quiz is marked. Pure functions, so the rule stated on the page is the rule tested.

Multiple choice is marked all-or-nothing: a question counts as right only when
exactly the right answers are ticked, none missing and none extra. We chose
this over partial credit because it is one sentence a learner can read and
trust, because "tick everything" can never score, and because a trainer can
explain any result in a group without a formula. The score is the share of
questions answered right, rounded down to a whole percentage, so a learner
never sees a score at or above the pass mark on a failed attempt.
"""
from collections.abc import Iterable


def answer_is_correct(*, selected: Iterable[int], correct: Iterable[int]) -> bool:
    """All-or-nothing: the ticked choices are exactly the correct ones."""
    return set(selected) == set(correct)


def score_percent(*, correct_count: int, question_count: int) -> int:
    if question_count <= 0:
        return 0
    return (100 * correct_count) // question_count


def has_passed(*, correct_count: int, question_count: int, pass_mark: int) -> bool:
    # Compared without rounding: 100 * right >= pass mark * total.
    return question_count > 0 and 100 * correct_count >= pass_mark * question_count


def questions_needed(*, question_count: int, pass_mark: int) -> int:
    """The fewest right answers that pass (shown on the quiz page: "je hebt er 5 van de 6 nodig")."""
    return -(-pass_mark * question_count // 100)
