"""Bulk enrolment by a pasted list or a CSV file, the per-row report, invitations and
what happens with files that are not what they should be."""
import datetime
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from centres import bulk
from centres.models import Enrollment, EnrollmentBatch, Invitation

pytestmark = pytest.mark.usefixtures("clear_cache")


@pytest.fixture
def setup(centre_factory, centre_staff_factory, cohort_factory):
    centre = centre_factory(name="Ondernemerscentrum Noord")
    manager = centre_staff_factory(role="manager", centre=centre)
    trainer = centre_staff_factory(role="trainer", centre=centre)
    cohort = cohort_factory(centre=centre, name="Voorjaar", trainers=[trainer])
    return {"centre": centre, "manager": manager, "trainer": trainer, "cohort": cohort}


def bulk_url(cohort):
    return reverse("centres:bulk_enroll", args=[cohort.pk])


def upload(client, cohort, content: bytes, name="deelnemers.csv"):
    return client.post(bulk_url(cohort), {"csv_file": SimpleUploadedFile(name, content, content_type="text/csv")})


def report_of(response):
    batch = EnrollmentBatch.objects.latest("created_at")
    assert response.status_code == 302
    assert response["Location"] == reverse("centres:batch_report", args=[batch.cohort_id, batch.pk])
    rows = {}
    for row in batch.rows:  # the first row of each address
        rows.setdefault(row["email"].lower(), (row["outcome"], row["reason"]))
    return batch, rows


def test_csv_with_good_and_bad_rows_gives_a_report_per_row(client, setup, user_factory):
    existing = user_factory(email="bestaat@example.org")
    client.force_login(setup["manager"])
    csv = (
        "e-mail;naam;bedrijf\n"
        "bestaat@example.org;Bea Bestaat;Bakkerij Bea\n"
        "nieuw@example.org;Nico Nieuw;Nieuw BV\n"
        "geen-adres;Fout Persoon;Fout BV\n"
        "NIEUW@example.org;Nico Nogmaals;Nieuw BV\n"
        "\n"
    ).encode("utf-8-sig")
    batch, rows = report_of(upload(client, setup["cohort"], csv))
    # Consent (issue 13): an existing account is invited like an unknown address, with the same words.
    assert rows["bestaat@example.org"] == ("invited", "")
    assert rows["nieuw@example.org"] == ("invited", "")
    assert rows["geen-adres"] == ("rejected", "bad_address")
    assert [r["outcome"] for r in batch.rows] == ["invited", "invited", "rejected", "rejected"]
    assert batch.rows[3]["reason"] == "duplicate"
    assert [r["line"] for r in batch.rows] == [2, 3, 4, 5]
    assert not Enrollment.objects.filter(cohort=setup["cohort"], user=existing).exists()
    assert Invitation.objects.filter(cohort=setup["cohort"], email="bestaat@example.org").exists()
    invitation = Invitation.objects.get(cohort=setup["cohort"], email="nieuw@example.org")
    assert (invitation.email, invitation.name, invitation.company_name) == ("nieuw@example.org", "Nico Nieuw", "Nieuw BV")
    assert sorted(m.to[0] for m in mail.outbox) == ["bestaat@example.org", "nieuw@example.org"]
    page = client.get(reverse("centres:batch_report", args=[setup["cohort"].pk, batch.pk])).content.decode()
    for text in ["uitnodiging verstuurd", "afgewezen", "ongeldig e-mailadres", "dubbele regel", "Regel"]:
        assert text in page


def test_running_the_same_list_twice_changes_nothing(client, setup, user_factory):
    user_factory(email="bestaat@example.org")
    client.force_login(setup["trainer"])  # the cohort's trainer may enrol too
    text = "bestaat@example.org\nnieuw@example.org, Nico Nieuw, Nieuw BV\n"
    client.post(bulk_url(setup["cohort"]), {"addresses": text})
    state = (Enrollment.objects.count(), Invitation.objects.count(), len(mail.outbox))
    token_hash = Invitation.objects.get(email="nieuw@example.org").token_hash
    _batch, rows = report_of(client.post(bulk_url(setup["cohort"]), {"addresses": text}))
    assert rows == {"bestaat@example.org": ("already_invited", ""), "nieuw@example.org": ("already_invited", "")}
    assert (Enrollment.objects.count(), Invitation.objects.count(), len(mail.outbox)) == state
    assert Invitation.objects.get(email="nieuw@example.org").token_hash == token_hash  # the first link still works


def test_cohort_full_rows_are_rejected_once_the_places_are_taken(client, setup):
    cohort = setup["cohort"]
    cohort.capacity = 2
    cohort.save()
    client.force_login(setup["manager"])
    _batch, rows = report_of(client.post(bulk_url(cohort), {"addresses": "a@example.org\nb@example.org\nc@example.org"}))
    assert rows["a@example.org"][0] == rows["b@example.org"][0] == "invited"
    assert rows["c@example.org"] == ("rejected", "full")
    assert Invitation.objects.count() == 2


def test_withdrawn_learner_in_the_list_is_reported_not_reactivated(client, setup, enrollment_factory, user_factory):
    withdrawn = enrollment_factory(cohort=setup["cohort"], user=user_factory(email="weg@example.org"), status="withdrawn")
    client.force_login(setup["manager"])
    _batch, rows = report_of(client.post(bulk_url(setup["cohort"]), {"addresses": "weg@example.org"}))
    assert rows["weg@example.org"] == ("already_enrolled", "withdrawn")
    withdrawn.refresh_from_db()
    assert withdrawn.status == "withdrawn"


def test_expired_invitation_is_sent_again(client, setup):
    client.force_login(setup["manager"])
    client.post(bulk_url(setup["cohort"]), {"addresses": "laat@example.org"})
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    _batch, rows = report_of(client.post(bulk_url(setup["cohort"]), {"addresses": "laat@example.org"}))
    assert rows["laat@example.org"] == ("invited", "")
    assert Invitation.objects.get().expires_at > timezone.now()
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(
    "content, message",
    [
        (b"naam,bedrijf\nAn,Bakkerij\n", "geen kolom 'e-mail'"),
        (b"email,naam,telefoon\nan@example.org,An,0612345678\n", "Onbekende kolom"),
        (b"an@example.org,An,Bakkerij\n", "kopregel"),
        ("e-mail,naam\nan@example.org,Jürgen Müller\n".encode("cp1252"), "niet in UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "geen tekstbestand"),
        (b"", "leeg"),
        (b"e-mail,naam,bedrijf\n", "alleen een kopregel"),
        (b"e-mail\n" + b"".join(f"p{i}@example.org\n".encode() for i in range(bulk.MAX_ROWS + 1)), "het maximum is 2000"),
    ],
    ids=["no-email-column", "unknown-column", "no-header", "cp1252", "binary", "empty", "header-only", "too-many-rows"],
)
def test_malformed_files_get_a_clear_form_error_and_change_nothing(client, setup, content, message):
    client.force_login(setup["manager"])
    response = upload(client, setup["cohort"], content)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get("csv_file", []) + response.context["form"].non_field_errors())
    assert message in errors, errors
    assert not EnrollmentBatch.objects.exists() and not Invitation.objects.exists() and not mail.outbox


def test_a_file_over_1_mb_is_refused_before_it_is_read(client, setup):
    client.force_login(setup["manager"])
    junk = b"x" * (10 * 1024 * 1024)  # 10 MB of junk
    response = upload(client, setup["cohort"], junk, name="junk.csv")
    assert response.status_code == 200
    assert "te groot" in response.context["form"].errors["csv_file"][0]
    assert not EnrollmentBatch.objects.exists()


def test_paste_and_file_together_or_neither_is_an_error(client, setup):
    client.force_login(setup["manager"])
    neither = client.post(bulk_url(setup["cohort"]), {"addresses": "  "})
    assert "Plak een lijst" in neither.content.decode()
    both = client.post(
        bulk_url(setup["cohort"]),
        {"addresses": "a@example.org", "csv_file": SimpleUploadedFile("a.csv", b"e-mail\nb@example.org\n")},
    )
    assert "niet allebei" in both.content.decode()
    assert not EnrollmentBatch.objects.exists()


def test_pasted_lists_in_the_shapes_people_copy_them():
    rows = bulk.parse_pasted(
        "an@example.org\n"
        "\n"
        "Bert <bert@Example.ORG>; Carla Cools <carla@example.org>\n"
        "dirk@example.org, Dirk Dekker, Dekker Bouw\n"
        "e@example.org,f@example.org\n"
        "niet-goed@\n"
    )
    got = [(r.line, r.email, r.name, r.company, r.error) for r in rows]
    assert got == [
        (1, "an@example.org", "", "", ""),
        (3, "bert@example.org", "Bert", "", ""),
        (3, "carla@example.org", "Carla Cools", "", ""),
        (4, "dirk@example.org", "Dirk Dekker", "Dekker Bouw", ""),
        (5, "e@example.org", "", "", ""),
        (5, "f@example.org", "", "", ""),
        (6, "niet-goed@", "", "", "bad_address"),
    ]


def test_csv_in_the_shapes_spreadsheets_write_it():
    semicolon_bom = "\ufeffE-mailadres;Naam;Bedrijfsnaam\r\nan@example.org;An;\"Bakkerij; De Vries\"\r\n".encode("utf-8")
    [row] = bulk.parse_csv(semicolon_bom)
    assert (row.email, row.name, row.company) == ("an@example.org", "An", "Bakkerij; De Vries")
    reordered = b"company,email\nBouw BV,bo@example.org\n"
    [row] = bulk.parse_csv(reordered)
    assert (row.email, row.company, row.line) == ("bo@example.org", "Bouw BV", 2)
    short_row = b"email,name,company\ncy@example.org\n"
    [row] = bulk.parse_csv(short_row)
    assert (row.email, row.name) == ("cy@example.org", "")


# --- invitations ----------------------------------------------------------------------


def invite(client, setup, line="nieuw@example.org, Nico Nieuw, Nieuw BV"):
    client.force_login(setup["manager"])
    client.post(bulk_url(setup["cohort"]), {"addresses": line})
    client.logout()
    [message] = [m for m in mail.outbox if "Uitnodiging" in m.subject]
    return re.search(r"http://testserver(/uitnodiging/\S+/)", message.body).group(1)


def test_invitation_link_completes_sign_up_and_enrollment(client, setup):
    link = invite(client, setup)
    page = client.get(link)
    assert page.status_code == 200
    assert "nieuw@example.org" in page.content.decode()
    assert page.context["form"].initial == {"name": "Nico Nieuw", "company_name": "Nieuw BV"}
    response = client.post(
        link, {"name": "Nico Nieuw", "company_name": "Nieuw BV", "password1": "Lang-en-sterk-2026", "password2": "Lang-en-sterk-2026"}
    )
    enrollment = Enrollment.objects.get(cohort=setup["cohort"])
    assert response["Location"] == reverse("centres:enrollment", args=[enrollment.pk])
    user = enrollment.user
    assert (user.email, user.name, user.company_name) == ("nieuw@example.org", "Nico Nieuw", "Nieuw BV")
    assert user.emailaddress_set.get().verified  # the link proved the address
    assert client.get(reverse("dashboard")).status_code == 200  # logged in
    assert Invitation.objects.get().accepted_by == user
    # The link can't be used again to make a second account.
    client.logout()
    assert "al gebruikt" in client.get(link).content.decode()
    assert client.login(email="nieuw@example.org", password="Lang-en-sterk-2026")


def test_invitation_form_errors_save_nothing(client, setup):
    link = invite(client, setup)
    response = client.post(link, {"name": "Nico", "password1": "kort", "password2": "anders"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Enrollment.objects.exists()
    from accounts.models import User

    assert not User.objects.filter(email="nieuw@example.org").exists()


def test_unknown_expired_and_someone_elses_invitation(client, setup, user_factory):
    assert client.get(reverse("centres:invitation", args=["onzin"])).status_code == 404
    link = invite(client, setup)
    client.force_login(user_factory(email="ander@example.org"))
    response = client.get(link)
    assert response.status_code == 403 and "voor iemand anders" in response.content.decode()
    assert client.post(link, {"name": "x"}).status_code == 403
    client.logout()
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(link)
    assert response.status_code == 410 and "verlopen" in response.content.decode()
    assert not Enrollment.objects.exists()


def test_invitee_who_made_an_account_meanwhile_logs_in_to_accept(client, setup, user_factory):
    link = invite(client, setup)
    invitee = user_factory(email="nieuw@example.org")
    page = client.get(link)
    assert "Log in om de uitnodiging aan te nemen" in page.content.decode()
    assert client.post(link).status_code == 200  # nothing happens without logging in
    assert not Enrollment.objects.exists()
    client.force_login(invitee)
    assert "Uitnodiging aannemen" in client.get(link).content.decode()
    client.post(link)
    assert Enrollment.objects.filter(user=invitee, cohort=setup["cohort"]).exists()


def test_invited_then_joined_by_link_uses_the_invitation(client, setup, user_factory):
    invite(client, setup)
    invitee = user_factory(email="nieuw@example.org")
    client.force_login(invitee)
    client.post(reverse("centres:join", args=[setup["cohort"].join_code]))
    assert Invitation.objects.get().accepted_by == invitee


def test_staff_resend_an_invitation_with_a_fresh_link(client, setup):
    old_link = invite(client, setup)
    invitation = Invitation.objects.get()
    client.force_login(setup["trainer"])
    url = reverse("centres:invitation_resend", args=[setup["cohort"].pk, invitation.pk])
    response = client.post(url, follow=True)
    assert "opnieuw verstuurd" in response.content.decode()
    new_mail = mail.outbox[-1]
    new_link = re.search(r"http://testserver(/uitnodiging/\S+/)", new_mail.body).group(1)
    assert new_link != old_link
    client.logout()
    assert client.get(old_link).status_code == 404  # the old link no longer works
    assert client.get(new_link).status_code == 200
    assert Invitation.objects.count() == 1


def test_resending_an_accepted_invitation_is_refused(client, setup, user_factory):
    invite(client, setup)
    invitation = Invitation.objects.get()
    invitation.accepted_at = timezone.now()
    invitation.save()
    sent = len(mail.outbox)
    client.force_login(setup["manager"])
    response = client.post(reverse("centres:invitation_resend", args=[setup["cohort"].pk, invitation.pk]), follow=True)
    assert "al aangenomen" in response.content.decode()
    assert len(mail.outbox) == sent


def test_resending_an_expired_invitation_needs_a_free_place(client, setup, enrollment_factory):
    cohort = setup["cohort"]
    invite(client, setup)
    invitation = Invitation.objects.get()
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(days=1))
    cohort.capacity = 1
    cohort.save()
    enrollment_factory(cohort=cohort)
    client.force_login(setup["manager"])
    response = client.post(reverse("centres:invitation_resend", args=[cohort.pk, invitation.pk]), follow=True)
    assert "Dit cohort is vol" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.is_expired()


def test_when_the_mail_server_fails_the_enrollments_stand_and_staff_are_told(client, setup, user_factory, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    def refuse(self, messages):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    user_factory(email="bestaat@example.org")
    client.force_login(setup["manager"])
    response = client.post(bulk_url(setup["cohort"]), {"addresses": "bestaat@example.org\nnieuw@example.org"}, follow=True)
    assert response.status_code == 200
    assert "konden niet worden verstuurd" in response.content.decode()
    assert Enrollment.objects.filter(cohort=setup["cohort"]).count() == 0
    assert Invitation.objects.filter(cohort=setup["cohort"]).count() == 2


@pytest.mark.parametrize(
    "line",
    ["<script>alert(1)</script>", "Jan <a@x.nl> <b@y.nl>", "<>", "Jan <>", "a@x.nl, <b@y.nl> <c@z.nl>",
     "Piet <piet@x.nl>, Jan <a@x.nl> <b@y.nl>"],
)
def test_odd_lines_each_get_a_rejected_row_not_a_crash(client, setup, line):
    """Finding 5 of issue 13: the address parser returned two addresses (or none) for such a line: a 500."""
    rows = bulk.parse_pasted(f"goed@example.org\n{line}\n")
    assert rows[0].email == "goed@example.org" and not rows[0].error
    odd = [r for r in rows if r.line == 2]
    assert odd and any(r.error == "bad_address" for r in odd)
    client.force_login(setup["trainer"])
    response = client.post(bulk_url(setup["cohort"]), {"addresses": f"goed@example.org\n{line}\n"})
    batch, _rows = report_of(response)
    assert any(r["line"] == 2 and r["reason"] == "bad_address" for r in batch.rows)
    page = client.get(response["Location"]).content.decode()
    assert "ongeldig e-mailadres" in page
    assert "<script>alert(1)</script>" not in page
