"""Issue 9, points 5 and 6: a completion page after the last quiz, and a certificate PDF with the
programme's mark, centre, cohort and trainer, and a QR code that encodes the verification address."""
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import segno
from django.urls import reverse
from pypdf import PdfReader

from progress import pdf as certificate_pdf
from progress import services as progress_services
from progress.models import Certificate
from quizzes import services as quiz_services

pytestmark = pytest.mark.usefixtures("clear_cache")


def complete(client, module, user):
    for section in module.sections.order_by("number"):
        for position in range(1, section.slides.count() + 1):
            client.get(reverse("sections:slide", kwargs={"module_slug": module.slug, "number": section.number,
                                                         "position": position}))
        quiz = section.quiz
        attempt, _ = quiz_services.attempt_start(quiz=quiz, user=user)
        selections = {q.pk: {c.pk for c in q.choices.all() if c.is_correct}
                      for q in quiz.questions.prefetch_related("choices")}
        progress_services.quiz_attempt_submit(attempt=attempt, user=user, selections=selections)
    return Certificate.objects.get(user=user, module=module)


@pytest.fixture
def finished(client, build_course, learner, cohort_factory, centre_factory, enrollment_factory, user_factory):
    module = build_course(sections=2, slides=2, questions=3)
    trainer = user_factory(name="Tom Trainér")
    cohort = cohort_factory(module=module, name="Voorjaar 2026", centre=centre_factory(name="Ondernemerscentrum Łódź"),
                            trainers=[trainer])
    enrollment_factory(cohort=cohort, user=learner)
    learner.name = "Zoë Ağaoğlu"
    learner.save()
    client.force_login(learner)
    return module, complete(client, module, learner)


def test_the_completion_page_has_the_certificate_what_was_achieved_and_what_next(
    client, finished, django_assert_max_num_queries
):
    module, certificate = finished
    url = reverse("progress:completion", args=[module.slug])
    with django_assert_max_num_queries(9):
        response = client.get(url)
    html = response.content.decode()
    assert "Gefeliciteerd: je hebt de module afgerond" in html
    assert certificate.get_pdf_url() in html
    assert f"http://testserver{certificate.get_absolute_url()}" in html
    linkedin = re.search(r'href="(https://www\.linkedin\.com/profile/add\?[^"]+)"', html).group(1)
    query = parse_qs(urlsplit(linkedin.replace("&amp;", "&")).query)
    assert query["certId"] == [certificate.display_code]
    assert query["certUrl"] == [f"http://testserver{certificate.get_absolute_url()}"]
    assert query["organizationName"] == ["Ondernemerscentrum Łódź"]
    assert "Alle 4 slides gelezen" in html and "Quiz van sectie 2 gehaald, beste score 100%" in html
    assert "En nu?" in html
    # The overview and the result page of the last quiz lead here; nothing says "further where you left off".
    overview = client.get(module.get_absolute_url()).content.decode()
    assert url in overview and "Verder waar je gebleven was" not in overview


def test_the_completion_page_sends_anyone_unfinished_to_the_overview(client, build_course, learner):
    module = build_course(sections=1, slides=2, questions=3)
    client.force_login(learner)
    response = client.get(reverse("progress:completion", args=[module.slug]))
    assert response.status_code == 302 and response["Location"] == module.get_absolute_url()
    client.logout()
    response = client.get(reverse("progress:completion", args=[module.slug]))
    assert response["Location"].startswith(reverse("account_login"))
    assert client.get(reverse("progress:completion", args=["bestaat-niet"])).status_code in (302, 404)


def test_the_pdf_names_centre_cohort_trainer_and_is_a4_landscape(client, finished):
    _module, certificate = finished
    content = client.get(certificate.get_pdf_url()).content
    reader = PdfReader(io.BytesIO(content))
    flat = re.sub(r"\s+", " ", reader.pages[0].extract_text())
    for text in ("Zoë Ağaoğlu", "bij Ondernemerscentrum Łódź, groep Voorjaar 2026", "TRAINER Tom Trainér",
                 f"CERTIFICAATCODE {certificate.display_code}"):
        assert text in flat, text
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape
    links = [a.get_object()["/A"]["/URI"] for a in reader.pages[0]["/Annots"]]
    assert f"http://testserver{certificate.get_absolute_url()}" in links


def test_the_qr_code_drawn_is_the_verification_address(finished, monkeypatch):
    """Every dark square the PDF draws in the QR area, read back into a matrix, is segno's code for the URL."""
    _module, certificate = finished
    url = "https://cursus.example.org/certificaat/" + certificate.display_code + "/"
    drawn = []
    original = certificate_pdf._CertificatePDF.qr

    def spy(self, data, *, x, y, size):
        calls = []
        rect = self.rect
        self.rect = lambda rx, ry, w, h, style=None: calls.append((rx - x, ry - y, w, h)) or rect(rx, ry, w, h, style=style)
        original(self, data, x=x, y=y, size=size)
        del self.rect
        drawn.append((size, calls[1:]))  # the first rectangle is the white quiet zone

    monkeypatch.setattr(certificate_pdf._CertificatePDF, "qr", spy)
    certificate_pdf.render_certificate_pdf(certificate=certificate, verify_url=url)
    [(size, squares)] = drawn
    expected = [list(row) for row in segno.make(url, error="m").matrix_iter(scale=1, border=2)]
    cell = size / len(expected)
    got = [[0] * len(expected) for _ in expected]
    for dx, dy, w, _h in squares:
        row, start = round(dy / cell), round(dx / cell)
        for col in range(start, start + round(w / cell)):
            got[row][col] = 1
    assert got == [[1 if v else 0 for v in row] for row in expected]
