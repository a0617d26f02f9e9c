"""The one ordering rule (courses.ordering), pinned once for every ordered model: slides in a section,
questions in a quiz, choices in a question. The suite runs on SQLite and on PostgreSQL (CI), whose
unique constraints are checked at different moments; both must end with 1..n and no clash.
"""
from dataclasses import dataclass

import pytest
import reversion
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from reversion.models import Version

from courses import ordering
from courses.history import parked_for_restore
from quizzes.models import Choice, Question, Quiz
from sections.models import Slide

LABELS = "ABCD"


@dataclass
class Family:
    """Four rows A, B, C, D at 1..4 under one parent, whatever the model."""

    model: type
    group_by: str
    parent_id: int
    label_field: str
    make_row: object

    def rows(self):
        return self.model.objects.filter(**{self.group_by: self.parent_id})

    def order(self) -> str:
        return "".join(self.rows().order_by("position").values_list(self.label_field, flat=True))

    def positions(self) -> list[int]:
        return list(self.rows().order_by("position").values_list("position", flat=True))

    def pk(self, label: str):
        return self.rows().get(**{self.label_field: label}).pk

    def move(self, label: str, position: int) -> None:
        """Put ``label`` at ``position`` by the rule (as a trainer's typed number would)."""
        ordering.renumber(self.rows(), requested={self.pk(label): position})


@pytest.fixture(params=["slide", "question", "choice"])
def family(request, section_factory, slide_factory):
    section = section_factory()
    if request.param == "slide":
        for label in LABELS:
            slide_factory(section=section, title=label, slug=label.lower())

        def make_row(label, position, parent_id=section.pk):
            return Slide.objects.create(section_id=parent_id, position=position, title=label, slug=label.lower(),
                                        body="Tekst.", kind="content")

        return Family(Slide, "section_id", section.pk, "title", make_row)
    slide = slide_factory(section=section)
    quiz = Quiz.objects.create(section=section)
    if request.param == "question":
        def make_row(label, position, parent_id=quiz.pk):
            question = Question.objects.create(quiz_id=parent_id, position=position, slug=label.lower(), text=label,
                                               kind="single")
            question.slides.add(slide)
            return question

        for i, label in enumerate(LABELS, 1):
            make_row(label, i)
        return Family(Question, "quiz_id", quiz.pk, "text", make_row)
    question = Question.objects.create(quiz=quiz, position=1, slug="v", text="Vraag?", kind="single")
    question.slides.add(slide)

    def make_row(label, position, parent_id=question.pk):
        return Choice.objects.create(question_id=parent_id, position=position, text=label, is_correct=label == "A")

    for i, label in enumerate(LABELS, 1):
        make_row(label, i)
    return Family(Choice, "question_id", question.pk, "text", make_row)


# --- renumber: "move to n" as in any list -------------------------------------------------------------


@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        ({"D": 1}, "DABC"),  # to the first place
        ({"A": 4}, "BCDA"),  # to the last place
        ({"A": 3}, "BCAD"),  # to the middle
        ({"D": 2}, "ADBC"),
        ({"A": 99}, "BCDA"),  # beyond the end: last
        ({"B": None}, "ACDB"),  # no place given: last
        ({"C": 1, "D": 1}, "CDAB"),  # two requests for the same place: in their old order
        ({"D": 2, "B": 2}, "ABDC"),
        ({"A": 2, "B": 1}, "BACD"),
        ({}, "ABCD"),
    ],
)
def test_renumber_puts_a_row_at_the_place_asked_and_shifts_the_others(family, requested, expected):
    ordering.renumber(family.rows(), requested={family.pk(label): place for label, place in requested.items()})
    assert family.order() == expected
    assert family.positions() == [1, 2, 3, 4]


def test_renumber_closes_gaps_and_writes_nothing_when_all_is_in_order(family):
    family.rows().get(pk=family.pk("B")).delete()
    ordering.renumber(family.rows())
    assert family.order() == "ACD" and family.positions() == [1, 2, 3]
    with CaptureQueriesContext(connection) as queries:
        ordering.renumber(family.rows())
    assert not [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]


def test_the_rule_without_a_database():
    @dataclass
    class Row:
        pk: int
        position: int

    rows = [Row(1, 1), Row(2, 2), Row(3, 3)]
    assert [r.pk for r in ordering.order_with(rows, requested={3: 1})] == [3, 1, 2]
    assert [r.pk for r in ordering.order_with(rows, requested={1: 0})] == [1, 2, 3]  # 0 and below: first


# --- parked: writes that put back old positions (restore, import) ------------------------------------


def restore(family, positions: dict[str, int]):
    """Inside ``parked``, write old positions as a restore does."""
    highest = max(positions.values())
    with transaction.atomic(), ordering.parked(family.rows(), group_by=family.group_by, reserve=highest):
        for label, position in positions.items():
            family.model.objects.filter(pk=family.pk(label)).update(position=position)


def test_a_restored_row_goes_back_to_its_place_in_a_full_parent(family):
    family.move("A", 4)
    assert family.order() == "BCDA"
    restore(family, {"A": 1})
    assert family.order() == "ABCD" and family.positions() == [1, 2, 3, 4]


def test_a_restored_row_goes_to_the_middle_and_the_others_shift(family):
    restore(family, {"D": 2})
    assert family.order() == "ADBC" and family.positions() == [1, 2, 3, 4]


def test_a_restored_row_whose_place_no_longer_exists_stays_where_it_is(family):
    family.rows().get(pk=family.pk("D")).delete()  # three rows left: A B C
    restore(family, {"B": 4})  # its version had place 4
    assert family.order() == "ABC" and family.positions() == [1, 2, 3]


def test_a_recovered_row_beyond_the_end_comes_last_and_at_its_place_otherwise(family):
    with transaction.atomic(), ordering.parked(family.rows(), group_by=family.group_by, reserve=9):
        family.make_row("E", 9)  # its version had place 9: lifted rows sit above that, nothing clashes
    assert family.order() == "ABCDE"
    with transaction.atomic(), ordering.parked(family.rows(), group_by=family.group_by, reserve=2):
        family.make_row("F", 2)
    assert family.order() == "AFBCDE" and family.positions() == [1, 2, 3, 4, 5, 6]


def test_several_restored_rows_each_get_their_place(family):
    family.move("A", 4)
    family.move("B", 4)
    assert family.order() == "CDAB"
    restore(family, {"A": 1, "B": 2})
    assert family.order() == "ABCD" and family.positions() == [1, 2, 3, 4]


def test_a_block_that_fails_is_rolled_back_whole(family):
    with pytest.raises(RuntimeError), transaction.atomic(), ordering.parked(family.rows(), group_by=family.group_by):
        family.model.objects.filter(pk=family.pk("D")).update(position=1)
        raise RuntimeError("the restore was refused")
    assert family.order() == "ABCD" and family.positions() == [1, 2, 3, 4]


# --- through django-reversion, as the admin restores ---------------------------------------------------


def test_restoring_a_version_keeps_the_row_at_that_versions_place(family):
    row = family.rows().get(pk=family.pk("B"))
    with reversion.create_revision():
        row.save()
    version = Version.objects.get_for_object(row).first()
    family.move("B", 4)
    family.move("D", 1)
    assert family.order() == "DACB"
    with transaction.atomic(), parked_for_restore(version.revision):
        version.revision.revert()
    assert family.rows().get(pk=row.pk).position == 2  # where it was in that version
    assert family.order() == "DBAC" and family.positions() == [1, 2, 3, 4]
