"""Health endpoints for load balancers and orchestrators.

`healthz` is liveness: it answers 200 "ok" as long as the process serves requests. It touches
no database, no session and no template, so it is also the bare view that `make bench` compares
the real pages with (the framework's own ceiling on this machine). It says nothing about
versions or hosts.
"""
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def healthz(request):
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
