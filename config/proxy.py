"""Behind a proxy: refuse a forwarded-for header that cannot have come through our proxies.

allauth takes the client's address ``ALLAUTH_TRUSTED_PROXY_COUNT`` places from the right of
X-Forwarded-For (each of our proxies appends the address it saw; whatever the client wrote is on the
left and never trusted). A request with fewer entries did not pass through all of them (someone
reached a node directly): allauth would raise ImproperlyConfigured, a 500. It gets a 400 here.
"""
from django.conf import settings
from django.http import HttpResponseBadRequest


class ForwardedForMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0)
        if count > 0:
            forwarded = request.headers.get("x-forwarded-for")
            if forwarded and len(forwarded.split(",")) < count:
                return HttpResponseBadRequest("Bad X-Forwarded-For", content_type="text/plain; charset=utf-8")
        return self.get_response(request)
