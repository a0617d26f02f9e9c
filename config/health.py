"""Health endpoints for load balancers and orchestrators.

`healthz` is liveness: it answers 200 "ok" as long as the process serves requests. It touches
no database, no session and no template, so it is also the bare view that `make bench` compares
the real pages with (the framework's own ceiling on this machine). It says nothing about
versions or hosts.

`readyz` is readiness: may this node get traffic? It asks the database, the cache and the broker
(each must answer within one second) and answers 200, or 503 naming what failed: a load balancer
then sends visitors to the other nodes until this one is ready again. A restart is not needed:
Django reconnects to the database on the next request. The answer names the parts, never a host,
a version or an error text.

Each check runs in a small thread pool so that a hanging connection (a partitioned network)
costs one second, not the request; a check still running from an earlier probe counts as failed
rather than starting another, so a hanging service cannot pile up threads.
"""
import json
import logging
import secrets
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

TIMEOUT = 1.0
logger = logging.getLogger(__name__)
_pool = ThreadPoolExecutor(max_workers=3, thread_name_prefix="readyz")
_running: dict = {}


@never_cache
@require_safe
def healthz(request):
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


def _database():
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()  # this thread's own connection: never left open or half-broken


def _cache():
    value = secrets.token_hex(8)
    cache.set("readyz:probe", value, 10)
    if cache.get("readyz:probe") != value:
        raise RuntimeError("cache did not keep a value")


def _broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return  # no broker: tasks run in this process
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)
    try:
        client.ping()
    finally:
        client.close()


CHECKS = {"database": _database, "cache": _cache, "broker": _broker}


def _run(name) -> bool:
    future = _running.get(name)
    if future is None or future.done():
        future = _running[name] = _pool.submit(CHECKS[name])
    try:
        future.result(timeout=TIMEOUT)
    except FutureTimeout:
        logger.warning("readyz: %s did not answer within %g s", name, TIMEOUT)
        return False
    except Exception as error:  # noqa: BLE001 - any failure means not ready; the details go to the log only
        logger.warning("readyz: %s unavailable: %s", name, error)
        return False
    return True


@never_cache
@require_safe
def readyz(request):
    results = {name: "ok" if _run(name) else "unavailable" for name in CHECKS}
    ready = all(value == "ok" for value in results.values())
    body = {"status": "ok" if ready else "unavailable", "checks": results}
    return HttpResponse(json.dumps(body), status=200 if ready else 503, content_type="application/json")
