"""The database is away for a moment (a restart, a fail-over): say so with 503, not 500.

A visitor gets a short page asking to try again in a minute, with Retry-After; a load balancer
sees 503 from /readyz too and sends traffic elsewhere. Nothing is half-saved: every write is a
transaction that either committed before the outage or did not. Django reconnects by itself on
the next request (CONN_HEALTH_CHECKS), so no node has to be restarted.
"""
import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.error("Database unavailable for %s %s: %s", request.method, request.path, exception)
        # No request context: its context processors would ask the database again.
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
