"""The certificate's public verification page, the learner's PDF download and the completion page."""
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from courses.selectors import module_get

from . import selectors
from .pdf import CertificateDetails, render_certificate_pdf


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
    details = CertificateDetails(
        trainer_names=selectors.certificate_trainer_names(certificate=certificate),
        company_name=getattr(certificate, "company_name", "") or "",
    )
    response = HttpResponse(
        render_certificate_pdf(certificate=certificate, verify_url=verify_url, details=details),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'attachment; filename="certificaat-{certificate.display_code}.pdf"'
    return response


def linkedin_add_url(*, certificate, verify_url: str) -> str:
    """LinkedIn's "add a licence or certification to your profile" link, filled in for this certificate."""
    issued = timezone.localtime(certificate.issued_at)
    return "https://www.linkedin.com/profile/add?" + urlencode({
        "startTask": "CERTIFICATION_NAME",
        "name": f"Module {certificate.module.number}: {certificate.module_title}",
        "organizationName": certificate.centre_name or "Sustainable Futures for Enterprise Centres",
        "issueYear": issued.year,
        "issueMonth": issued.month,
        "certUrl": verify_url,
        "certId": certificate.display_code,
    })


@require_GET
@login_required
def completion(request, module_slug):
    """"Je hebt de module afgerond": the certificate, what was achieved and what next (6 queries).

    Only for a learner who completed the module; anyone else is sent to the module's overview.
    """
    module = module_get(slug=module_slug)
    progress = selectors.module_progress(user=request.user, module=module)
    if not progress.complete:
        return redirect(module)
    certificate = progress.certificate
    context = {"module": module, "progress": progress, "certificate": certificate,
               "handout_url": reverse("courses:handout", kwargs={"module_slug": module.slug})}
    if certificate is not None and not certificate.is_revoked:
        verify_url = request.build_absolute_uri(certificate.get_absolute_url())
        context.update(verify_url=verify_url, linkedin_url=linkedin_add_url(certificate=certificate, verify_url=verify_url))
    return render(request, "progress/completion.html", context)
