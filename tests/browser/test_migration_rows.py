"""Every browser test starts with the rows the data migrations made, also after others opened pages.

Playwright runs the tests in contexts where Django hands out new connection objects; the serialised
rows must still be found there (tests/browser/conftest.py), or the "Trainers" group and its rights
are gone after the first browser test's flush.
"""
import pytest
from django.contrib.auth.models import Group
from django.db import connection

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("turn", [1, 2])
def test_the_trainers_group_is_there_for_every_browser_test(page, live_server, turn):
    page.goto(live_server.url + "/healthz")
    assert hasattr(connection, "_test_serialized_contents")
    trainers = Group.objects.get(name="Trainers")
    assert trainers.permissions.filter(codename="change_slide").exists()
    Group.objects.all().delete()  # the flush after this test takes the rest; the next one gets them back
