""""Stuur herinnering": the preview, sending, at most one a week per learner, bad input, mail failure."""
import datetime
import re
import threading

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from centres.models import Enrollment
from dashboards import services
from dashboards.models import Reminder


@pytest.fixture
def setting(build_course, centre_factory, centre_staff_factory, cohort_factory, user_factory, slide_views):
    """Quiet for 10 days: Ilse (began) and Joost (never began, enrolled 12 days ago).
    Active yesterday: Karin. Finished: Lars (certificate). Withdrawn and quiet: Mia."""
    from progress.models import Certificate

    module = build_course(sections=1, slides=3, questions=1)
    centre = centre_factory(name="Ondernemershuis Delta")
    trainer = centre_staff_factory(role="trainer", centre=centre, name="Tineke Trainer", email="tineke@example.org")
    cohort = cohort_factory(centre=centre, module=module, trainers=[trainer], name="Najaar")
    long_ago = timezone.now() - datetime.timedelta(days=12)
    people = {}
    for key, name, status in [
        ("ilse", "Ilse Ijsselmuiden", "active"),
        ("joost", "Joost Jansen", "active"),
        ("karin", "Karin Kok", "active"),
        ("lars", "Lars Lammers", "active"),
        ("mia", "Mia Mol", "withdrawn"),
    ]:
        people[key] = user_factory(name=name, email=f"{key}@example.org")
        Enrollment.objects.create(cohort=cohort, user=people[key], status=status, enrolled_at=long_ago)
    slide_views(people["ilse"], module, count=2, days_ago=10)
    slide_views(people["karin"], module, count=1, days_ago=1)
    slide_views(people["lars"], module, count=3, days_ago=10)
    slide_views(people["mia"], module, count=1, days_ago=10)
    Certificate.objects.create(user=people["lars"], module=module, issued_at=long_ago, learner_name="Lars",
                               module_title=module.title)
    return {"module": module, "cohort": cohort, "trainer": trainer, **people}


def reminder_url(cohort, days=None):
    url = reverse("dashboards:reminder", args=[cohort.pk])
    return f"{url}?dagen={days}" if days is not None else url


def recipients(html):
    section = html.split('id="ontvangers"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<th scope="row">([^<]+)<', section)


def test_the_preview_lists_who_gets_a_reminder_and_shows_the_mail_without_sending(client, setting):
    client.force_login(setting["trainer"])
    response = client.get(reminder_url(setting["cohort"]))
    assert response.status_code == 200
    html = response.content.decode()
    # Default 7 days; never-began first (counted from enrollment), then the least recent.
    assert 'value="7"' in html
    assert recipients(html) == ["Joost Jansen", "Ilse Ijsselmuiden"]
    assert "2 deelnemers krijgen een herinnering" in html
    # The mail itself, both versions, as it will go out.
    assert "Onderwerp" in html and "Ga verder met" in html
    assert "Beste Joost," in html and "nog niet begonnen" in html
    assert "Beste Ilse," in html and "Je hebt 50% afgerond" in html  # 2 of 3 slides read, quiz not passed: 2 of 4 items
    assert "Tineke Trainer" in html and "Ondernemershuis Delta" in html and "tineke@example.org" in html
    assert "Verstuur 2 herinneringen" in html
    assert mail.outbox == [] and not Reminder.objects.exists()


def test_a_longer_quiet_period_narrows_the_list(client, setting):
    client.force_login(setting["trainer"])
    html = client.get(reminder_url(setting["cohort"], 11)).content.decode()
    assert recipients(html) == ["Joost Jansen"]
    html = client.get(reminder_url(setting["cohort"], 30)).content.decode()
    assert "Niemand om te herinneren" in html and "Verstuur" not in html


@pytest.mark.parametrize("days", ["0", "-3", "abc", "366", ""])
def test_bad_numbers_of_days_get_a_form_error(client, setting, days):
    client.force_login(setting["trainer"])
    response = client.get(reminder_url(setting["cohort"], days))
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    response = client.post(reminder_url(setting["cohort"]), {"dagen": days})
    assert response.status_code == 400
    assert mail.outbox == [] and not Reminder.objects.exists()


def test_sending_mails_each_learner_once_and_reports_it(client, setting):
    client.force_login(setting["trainer"])
    response = client.post(reminder_url(setting["cohort"]), {"dagen": "7"})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboards:cohort", args=[setting["cohort"].pk])
    assert sorted(m.to[0] for m in mail.outbox) == ["ilse@example.org", "joost@example.org"]
    joost = next(m for m in mail.outbox if m.to == ["joost@example.org"])
    assert joost.reply_to == ["tineke@example.org"]
    assert joost.subject.startswith("Ga verder met")
    assert "http://testserver" + setting["module"].get_absolute_url() in joost.body
    assert set(Reminder.objects.values_list("learner__email", "cohort", "sent_by", "inactive_days")) == {
        ("ilse@example.org", setting["cohort"].pk, setting["trainer"].pk, 7),
        ("joost@example.org", setting["cohort"].pk, setting["trainer"].pk, 7),
    }
    page = client.get(response["Location"]).content.decode()
    assert "2 herinneringen verstuurd." in page


def test_a_second_send_in_the_same_week_skips_them(client, setting):
    client.force_login(setting["trainer"])
    client.post(reminder_url(setting["cohort"]), {"dagen": "7"})
    mail.outbox.clear()
    html = client.get(reminder_url(setting["cohort"])).content.decode()
    assert "0 deelnemers krijgen een herinnering" in html
    assert "Overgeslagen: 2 deelnemers kregen de afgelopen 7 dagen al een herinnering" in html
    response = client.post(reminder_url(setting["cohort"]), {"dagen": "7"}, follow=True)
    assert mail.outbox == []
    assert "0 herinneringen verstuurd. 2 deelnemers overgeslagen: kregen de afgelopen 7 dagen al een herinnering." in response.content.decode()
    assert Reminder.objects.count() == 2


def test_a_week_later_they_can_be_reminded_again(client, setting):
    client.force_login(setting["trainer"])
    client.post(reminder_url(setting["cohort"]), {"dagen": "7"})
    eight_days_ago = timezone.now() - datetime.timedelta(days=8)
    Reminder.objects.update(sent_at=eight_days_ago, week_start=services.week_start(eight_days_ago))
    mail.outbox.clear()
    client.post(reminder_url(setting["cohort"]), {"dagen": "7"})
    assert len(mail.outbox) == 2 and Reminder.objects.count() == 4


def test_the_weekly_limit_holds_across_cohorts(client, setting, cohort_factory, centre_staff_factory):
    """The inbox is the learner's: a second cohort's trainer can't remind them again this week."""
    other_trainer = centre_staff_factory(role="trainer")
    other = cohort_factory(module=setting["module"], trainers=[other_trainer])
    Enrollment.objects.create(cohort=other, user=setting["joost"], enrolled_at=timezone.now() - datetime.timedelta(days=12))
    client.force_login(setting["trainer"])
    client.post(reminder_url(setting["cohort"]), {"dagen": "7"})
    mail.outbox.clear()
    client.force_login(other_trainer)
    client.post(reminder_url(other), {"dagen": "7"})
    assert mail.outbox == []


def test_the_database_refuses_a_second_reminder_in_the_same_week(setting):
    now = timezone.now()
    kwargs = {"learner": setting["joost"], "cohort": setting["cohort"], "inactive_days": 7, "week_start": services.week_start(now)}
    Reminder.objects.create(sent_at=now, **kwargs)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(sent_at=now + datetime.timedelta(hours=1), **kwargs)


def test_week_start_is_the_utc_monday_and_seven_days_apart_never_share_a_week():
    sunday_late = datetime.datetime(2026, 10, 25, 23, 30, tzinfo=datetime.UTC)  # the night winter time starts
    assert services.week_start(sunday_late) == datetime.date(2026, 10, 19)
    for hours in range(0, 24 * 7, 5):
        moment = sunday_late + datetime.timedelta(hours=hours)
        assert services.week_start(moment) != services.week_start(moment + datetime.timedelta(days=7))


def test_when_the_mail_server_refuses_nothing_is_recorded(client, setting, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    def refuse(self, messages):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    client.force_login(setting["trainer"])
    response = client.post(reminder_url(setting["cohort"]), {"dagen": "7"}, follow=True)
    assert "konden niet worden verstuurd" in response.content.decode()
    assert not Reminder.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite serialises writes")
@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_remind_each_learner_once(setting):
    barrier = threading.Barrier(2)
    results = []

    def send():
        try:
            barrier.wait(timeout=10)
            results.append(
                services.send_reminders(cohort=setting["cohort"], days=7, by=setting["trainer"], build_url=lambda p: p)
            )
        except Exception as exc:  # noqa: BLE001 - inspected below
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted((r.sent, r.skipped) for r in results) == [(0, 2), (2, 0)], results
    assert len(mail.outbox) == 2 and Reminder.objects.count() == 2
