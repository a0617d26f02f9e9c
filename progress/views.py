"""The certificate's public verification page and the learner's PDF download."""
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from . import selectors
from .pdf import render_certificate_pdf


def certificate_verify(request, code):
    """Public: whether the certificate is valid, for whom (the name only) and for which module."""
    certificate = selectors.certificate_by_code(code=code)
    if certificate is None:
        raise Http404("No such certificate.")
    return render(request, "progress/certificate_verify.html", {"certificate": certificate})


@login_required
@never_cache
def certificate_pdf(request, code):
    """The learner's own certificate as a PDF; another's, a revoked or a made-up one: 404."""
    certificate = selectors.certificate_of_learner(user=request.user, code=code)
    if certificate is None or certificate.is_revoked or certificate.is_replaced:
        raise Http404("No such certificate.")
    verify_url = request.build_absolute_uri(certificate.get_absolute_url())
    response = HttpResponse(
        render_certificate_pdf(certificate=certificate, verify_url=verify_url), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="certificaat-{certificate.display_code}.pdf"'
    return response
