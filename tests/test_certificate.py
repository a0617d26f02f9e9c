"""The certificate: issued by completing the module, a Dutch PDF, a public check, revocation by site staff."""
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from centres.models import Enrollment
from progress import services
from progress.models import Certificate, normalise_code
from progress.pdf import render_certificate_pdf
from quizzes import services as quiz_services


def slide_url(module, number, position):
    return reverse("sections:slide", kwargs={"module_slug": module.slug, "number": number, "position": position})


def pass_quiz(user, module, number):
    quiz = module.sections.get(number=number).quiz
    attempt, _ = quiz_services.attempt_start(quiz=quiz, user=user)
    selections = {
        q.pk: {c.pk for c in q.choices.all() if c.is_correct} for q in quiz.questions.prefetch_related("choices")
    }
    return services.quiz_attempt_submit(attempt=attempt, user=user, selections=selections)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def course(build_course):
    return build_course(sections=2, slides=2, questions=2)


@pytest.fixture
def enroll(course, cohort_factory, enrollment_factory):
    """Give ``user`` a place in a cohort of the course: the certificate is the centre's."""
    cohort = cohort_factory(module=course, name="Voorjaar 2026")

    def make(user):
        return enrollment_factory(cohort=cohort, user=user)

    return make


# --- issuing -------------------------------------------------------------------------------


def test_passing_the_last_quiz_issues_the_certificate(course, learner, enroll, slide_views):
    enroll(learner)
    slide_views(learner, course)
    pass_quiz(learner, course, 1)
    assert not Certificate.objects.exists()
    pass_quiz(learner, course, 2)
    certificate = Certificate.objects.get()
    assert (certificate.user, certificate.module) == (learner, course)
    assert certificate.learner_name == "Lotte de Leerling"
    assert certificate.module_title == course.title
    assert len(certificate.code) == 12 and certificate.revoked_at is None


def test_reading_the_last_slide_issues_the_certificate(client, course, learner, enroll):
    enroll(learner)
    pass_quiz(learner, course, 1)
    pass_quiz(learner, course, 2)
    client.force_login(learner)
    for number in (1, 2):
        for position in (1, 2):
            assert not Certificate.objects.exists()
            client.get(slide_url(course, number, position))
    assert Certificate.objects.filter(user=learner, module=course).count() == 1
    html = client.get(course.get_absolute_url()).content.decode()
    assert "Je hebt de module afgerond" in html
    assert "Download je certificaat (PDF)" in html
    assert "Verder waar je gebleven was" not in html and "Je certificaat en wat nu" in html  # issue 9.5


def test_a_failed_last_quiz_issues_nothing(course, learner, enroll, slide_views):
    enroll(learner)
    slide_views(learner, course)
    pass_quiz(learner, course, 1)
    quiz = course.sections.get(number=2).quiz
    attempt, _ = quiz_services.attempt_start(quiz=quiz, user=learner)
    wrong = {q.pk: {q.choices.filter(is_correct=False).first().pk} for q in quiz.questions.all()}
    quiz_services.attempt_submit(attempt=attempt, user=learner, selections=wrong)
    assert not Certificate.objects.exists()


def test_the_certificate_is_issued_inside_the_completing_transaction(course, learner, monkeypatch, enroll, slide_views):
    """If issuing fails, the passing attempt is not saved either: all or nothing."""
    enroll(learner)
    slide_views(learner, course)
    pass_quiz(learner, course, 1)

    def broken(**kwargs):
        raise RuntimeError("PDF server on fire")

    monkeypatch.setattr(services, "certificate_issue", broken)
    quiz = course.sections.get(number=2).quiz
    with pytest.raises(RuntimeError):
        pass_quiz(learner, course, 2)
    assert not quiz.attempts.filter(submitted_at__isnull=False).exists()
    assert not Certificate.objects.exists()


def test_completing_twice_keeps_one_certificate(course, learner, enroll, slide_views):
    enroll(learner)
    slide_views(learner, course)
    pass_quiz(learner, course, 1)
    pass_quiz(learner, course, 2)
    first = Certificate.objects.get()
    pass_quiz(learner, course, 2)  # practising again after passing
    assert services.module_completion_check(user=learner, module=course) == first
    assert Certificate.objects.count() == 1


def test_centre_and_cohort_come_from_the_most_recent_active_enrollment(
    course, learner, centre_factory, cohort_factory, enrollment_factory, slide_views
):
    old = cohort_factory(module=course, name="Voorjaar 2026", centre=centre_factory(name="Centrum Noord"))
    new = cohort_factory(module=course, name="Najaar 2026", centre=centre_factory(name="Centrum Zuid"))
    gone = cohort_factory(module=course, name="Winter 2026", centre=centre_factory(name="Centrum West"))
    other_module = cohort_factory(name="Andere module", centre=centre_factory(name="Centrum Oost"))
    enrollment_factory(cohort=old, user=learner, enrolled_at=timezone.now() - timezone.timedelta(days=30))
    enrollment_factory(cohort=new, user=learner, enrolled_at=timezone.now() - timezone.timedelta(days=3))
    enrollment_factory(cohort=gone, user=learner, status=Enrollment.Status.WITHDRAWN)
    enrollment_factory(cohort=other_module, user=learner)
    slide_views(learner, course)
    pass_quiz(learner, course, 1)
    pass_quiz(learner, course, 2)
    certificate = Certificate.objects.get()
    assert (certificate.centre_name, certificate.cohort_name) == ("Centrum Zuid", "Najaar 2026")


def test_without_a_cohort_the_module_is_open_but_there_is_no_certificate(
    client, course, learner, cohort_factory, enrollment_factory, slide_views
):
    """Reading and the quizzes stay open to everyone; the certificate is the centre's (issue 10)."""
    withdrawn = cohort_factory(module=course)
    enrollment_factory(cohort=withdrawn, user=learner, status=Enrollment.Status.WITHDRAWN)
    enrollment_factory(cohort=cohort_factory(), user=learner)  # a cohort of another module
    slide_views(learner, course)
    pass_quiz(learner, course, 1)
    attempt = pass_quiz(learner, course, 2)
    assert not Certificate.objects.exists()
    assert services.module_completion_check(user=learner, module=course) is None
    with pytest.raises(services.NotEligible):
        services.certificate_issue(user=learner, module=course)
    client.force_login(learner)
    html = client.get(attempt.get_absolute_url()).content.decode()
    assert "Geslaagd!" in html
    assert "Het certificaat reikt een ondernemerscentrum uit" in html
    assert "Download je certificaat" not in html


def test_joining_a_cohort_after_finishing_gives_the_certificate(client, course, learner, enroll, slide_views):
    slide_views(learner, course)
    pass_quiz(learner, course, 1)
    pass_quiz(learner, course, 2)
    assert not Certificate.objects.exists()
    enroll(learner)
    client.force_login(learner)
    client.get(reverse("dashboard"))
    certificate = Certificate.objects.get(user=learner)
    assert certificate.cohort_name == "Voorjaar 2026"


def test_name_and_company_are_frozen_on_issue(client, course, learner, enroll, slide_views):
    learner.company_name = "Bakkerij De Vries"
    learner.save()
    enroll(learner)
    slide_views(learner, course)
    pass_quiz(learner, course, 1)
    pass_quiz(learner, course, 2)
    learner.name, learner.company_name = "Iemand Anders", "Ander Bedrijf BV"
    learner.save()
    certificate = Certificate.objects.get()
    assert (certificate.learner_name, certificate.company_name) == ("Lotte de Leerling", "Bakkerij De Vries")
    html = client.get(certificate.get_absolute_url()).content.decode()
    assert "Lotte de Leerling" in html and "Iemand Anders" not in html


# --- the PDF -------------------------------------------------------------------------------


@pytest.fixture
def certificate(course, learner, centre_factory, cohort_factory, enrollment_factory, slide_views):
    cohort = cohort_factory(module=course, name="Najaar 2026", centre=centre_factory(name="Ondernemerscentrum Łódź"))
    enrollment_factory(cohort=cohort, user=learner)
    learner.name = "Zoë Ağaoğlu-Łukasiewicz"
    learner.save()
    slide_views(learner, course)
    pass_quiz(learner, course, 1)
    pass_quiz(learner, course, 2)
    return Certificate.objects.get()


def test_the_learner_downloads_a_dutch_pdf_with_everything_on_it(client, certificate, course, learner):
    client.force_login(learner)
    response = client.get(certificate.get_pdf_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="certificaat-{certificate.display_code}.pdf"' in response["Content-Disposition"]
    text = pdf_text(response.content)
    flat = re.sub(r"\s+", " ", text)
    assert "CERTIFICAAT" in flat
    assert "Zoë Ağaoğlu-Łukasiewicz" in flat
    assert f"Module {course.number}: {course.title}" in flat
    assert "bij Ondernemerscentrum Łódź, groep Najaar 2026" in flat
    months = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
              "november", "december"]
    issued = timezone.localtime(certificate.issued_at)
    assert f"UITGEREIKT OP {issued.day} {months[issued.month - 1]} {issued.year}" in flat
    assert f"CERTIFICAATCODE {certificate.display_code}" in flat
    assert f"http://testserver/certificaat/{certificate.display_code}/" in flat
    assert "met goed gevolg heeft afgerond" in flat


def test_the_pdf_embeds_the_font_shipped_in_the_repository(certificate):
    """No system font is assumed: DejaVu Sans comes from progress/fonts/, embedded as a subset."""
    from progress import pdf

    assert (pdf.FONT_DIR / "DejaVuSans.ttf").is_file() and (pdf.FONT_DIR / "LICENSE-DejaVu.txt").is_file()
    reader = PdfReader(io.BytesIO(render_certificate_pdf(certificate=certificate, verify_url="https://example.org/c/")))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = {str(fonts[key].get_object()["/BaseFont"]) for key in fonts}
    assert names and all("DejaVuSans" in name for name in names), names
    page = reader.pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx((841.89, 595.28), abs=0.1)  # A4 landscape


def test_only_the_learner_gets_the_pdf(client, certificate, learner_factory):
    url = certificate.get_pdf_url()
    response = client.get(url)
    assert response.status_code == 302 and reverse("account_login") in response.url
    client.force_login(learner_factory())
    assert client.get(url).status_code == 404
    assert client.get(reverse("progress:certificate_pdf", args=["ABCD-EFGH-JKMN"])).status_code == 404


# --- the public check ----------------------------------------------------------------------


def test_the_verification_page_says_valid_and_for_whom_only(client, certificate, learner):
    response = client.get(certificate.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dit certificaat is geldig" in html
    assert "Zoë Ağaoğlu-Łukasiewicz" in html
    assert certificate.display_code in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    for private in (learner.email, "Najaar 2026", "Łódź", "@"):
        assert private not in html.split("<main", 1)[1], private


@pytest.mark.parametrize("transform", [str.lower, lambda c: c.replace("-", ""), lambda c: c.replace("-", " ")])
def test_the_code_may_be_typed_loosely(client, certificate, transform):
    url = reverse("progress:certificate_verify", args=[transform(certificate.display_code)])
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("code", ["ABCD-EFGH-JKMN", "x", "----", "' OR 1=1 --", "A" * 200])
def test_an_unknown_code_gives_404(client, db, code):
    assert client.get(reverse("progress:certificate_verify", args=[code])).status_code == 404


def test_codes_are_unique_and_unambiguous(course, learner_factory, enroll, slide_views):
    read_codes = set()
    for _ in range(5):
        user = learner_factory()
        enroll(user)
        slide_views(user, course)
        pass_quiz(user, course, 1)
        pass_quiz(user, course, 2)
    for certificate in Certificate.objects.all():
        assert re.fullmatch(r"[ABCDEFGHJKMNPQRSTWXYZ2-9]{12}", certificate.code)
        assert normalise_code(certificate.display_code) == certificate.code
        read_codes.add(certificate.code)
    assert len(read_codes) == 5


# --- revocation ----------------------------------------------------------------------------


def test_site_staff_revoke_a_certificate_in_the_admin(client, certificate, learner, site_staff):
    client.force_login(site_staff)
    changelist = reverse("admin:progress_certificate_changelist")
    confirm = client.post(changelist, {"action": "revoke", "_selected_action": [certificate.pk]})
    assert confirm.status_code == 200
    assert "Reden van intrekking" in confirm.content.decode()
    certificate.refresh_from_db()
    assert certificate.revoked_at is None  # nothing happens before the confirmation
    done = client.post(
        changelist,
        {"action": "revoke", "_selected_action": [certificate.pk], "apply": "1", "reason": "Fraude bij de quiz"},
    )
    assert done.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None and certificate.revoked_by == site_staff
    assert certificate.revocation_reason == "Fraude bij de quiz"

    public = Client().get(certificate.get_absolute_url()).content.decode()
    assert "Dit certificaat is ingetrokken" in public
    assert "Dit certificaat is geldig" not in public
    assert "Fraude" not in public  # the reason is for staff only

    owner = Client()
    owner.force_login(learner)
    assert owner.get(certificate.get_pdf_url()).status_code == 404
    assert "Je certificaat is ingetrokken" in owner.get(certificate.module.get_absolute_url()).content.decode()

    client.post(changelist, {"action": "reinstate", "_selected_action": [certificate.pk]})
    certificate.refresh_from_db()
    assert certificate.revoked_at is None and certificate.revocation_reason == ""
    assert "Dit certificaat is geldig" in Client().get(certificate.get_absolute_url()).content.decode()


def test_a_revocation_needs_a_reason(client, certificate, site_staff):
    client.force_login(site_staff)
    response = client.post(
        reverse("admin:progress_certificate_changelist"),
        {"action": "revoke", "_selected_action": [certificate.pk], "apply": "1", "reason": ""},
    )
    assert response.status_code == 200
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_trainers_cannot_revoke(client, certificate, trainer):
    client.force_login(trainer)
    response = client.post(
        reverse("admin:progress_certificate_changelist"),
        {"action": "revoke", "_selected_action": [certificate.pk], "apply": "1", "reason": "x"},
    )
    assert response.status_code == 403
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_certificates_cannot_be_made_by_hand_in_the_admin(client, site_staff):
    client.force_login(site_staff)
    assert client.get(reverse("admin:progress_certificate_add")).status_code == 403


def test_a_learner_without_a_name_never_has_their_address_published(client, course, learner_factory, enroll, slide_views):
    nameless = learner_factory(name="", email="jan.jansen@bedrijf.nl")
    enroll(nameless)
    slide_views(nameless, course)
    pass_quiz(nameless, course, 1)
    pass_quiz(nameless, course, 2)
    certificate = Certificate.objects.get(user=nameless)
    assert certificate.learner_name == "jan.jansen"
    assert "bedrijf.nl" not in client.get(certificate.get_absolute_url()).content.decode()


# --- reissue after a correction (issue 10) -------------------------------------------------


def test_site_staff_reissue_after_a_correction_and_the_old_code_points_to_the_new(
    client, certificate, learner, site_staff
):
    old = certificate
    learner.name, learner.company_name = "Zoë Ağaoğlu", "Fietsen Ağaoğlu"
    learner.save()
    client.force_login(site_staff)
    response = client.post(
        reverse("admin:progress_certificate_changelist"), {"action": "reissue", "_selected_action": [old.pk]}
    )
    assert response.status_code == 302
    old.refresh_from_db()
    new = Certificate.objects.current().get(user=learner)
    assert old.replaced_by == new and old.replaced_at is not None and new.pk != old.pk
    assert (new.learner_name, new.company_name) == ("Zoë Ağaoğlu", "Fietsen Ağaoğlu")
    assert (new.centre_name, new.cohort_name) == (old.centre_name, old.cohort_name)
    page = client.get(old.get_absolute_url()).content.decode()
    assert "Dit certificaat is vervangen" in page and new.display_code in page
    assert "Dit certificaat is geldig" in client.get(new.get_absolute_url()).content.decode()
    # The learner downloads the new one; the old PDF is gone.
    client.force_login(learner)
    assert client.get(old.get_pdf_url()).status_code == 404
    assert client.get(new.get_pdf_url()).status_code == 200
    # Reissuing the replaced one again changes nothing.
    assert services.certificate_reissue(certificate=old) == new
    assert Certificate.objects.filter(user=learner).count() == 2


def test_trainers_cannot_reissue(client, certificate, trainer):
    client.force_login(trainer)
    response = client.post(
        reverse("admin:progress_certificate_changelist"), {"action": "reissue", "_selected_action": [certificate.pk]}
    )
    assert response.status_code == 403
    assert Certificate.objects.count() == 1
