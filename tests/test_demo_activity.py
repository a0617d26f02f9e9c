"""Issue 9.12: the demo cohort shows the product. ``load_demo_activity`` (run by ``make run``)
gives "Voorjaar 2026" about twelve learners at every stage, through the site's services; twice
changes nothing."""
import pytest
from django.core.management import call_command

from centres.models import Cohort
from dashboards import selectors
from dashboards.models import Reminder
from progress.models import Certificate, SlideView
from quizzes.models import Attempt

pytestmark = pytest.mark.usefixtures("clear_cache")


def snapshot():
    return (SlideView.objects.count(), Attempt.objects.count(), Certificate.objects.count(), Reminder.objects.count())


def test_the_demo_cohort_has_learners_at_every_stage_and_loading_twice_changes_nothing(db):
    call_command("loaddata", "module6", "module6_quizzes", "demo", verbosity=0)
    call_command("load_demo_activity", verbosity=0)
    cohort = Cohort.objects.get(join_code="DEMO2026")
    dashboard = selectors.cohort_dashboard(cohort=cohort)
    totals = dashboard.totals
    assert totals.enrolled >= 12
    assert totals.completed == 2 and Certificate.objects.valid().count() == 2
    assert totals.stuck >= 3 and totals.not_started >= 2
    assert totals.started - totals.completed - totals.stuck >= 3  # half-way, active lately
    assert Attempt.objects.filter(passed=False).count() >= 5  # failed attempts to learn from
    assert any(q.needs_attention for block in selectors.item_analysis(cohort=cohort, sections=dashboard.sections)
               for q in block.questions)
    assert Reminder.objects.count() == 1
    before = snapshot()
    call_command("load_demo_activity", verbosity=0)
    assert snapshot() == before
