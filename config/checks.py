"""The project's own system checks: what several nodes need that Django cannot know.

- project.W001 (``check --deploy``): production with a per-process cache. allauth's log-in limits,
  cached pages and content versions would then differ per process and per machine: with three
  gunicorn workers an attacker gets about three times the attempts, and a second machine doubles
  that again. Set REDIS_URL (README, "Meer dan één server").
- project.W002 (``check --deploy``): behind a proxy that no trusted proxy count describes, every
  visitor has the proxy's address and one attacker's failures lock everyone out.
- project.E001: a wait longer than the broker's visibility timeout. Redis hands a task that is not
  acknowledged within that time to a second worker, so a retry back-off or a send lease at least
  that long would send a mail twice.
"""
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.caches, deploy=True)
def shared_cache_in_production(app_configs, **kwargs):
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if settings.DEBUG or backend not in PER_PROCESS_CACHES:
        return []
    return [
        Warning(
            "The cache is per process: log-in rate limits, cached pages and sessions are not shared "
            "between workers or servers.",
            hint="Set REDIS_URL (a Redis reachable from every node); see README, 'Meer dan één server'.",
            id="project.W001",
        )
    ]


@register(Tags.security, deploy=True)
def proxy_count(app_configs, **kwargs):
    if getattr(settings, "BEHIND_PROXY", False) and getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0) < 1:
        return [
            Warning(
                "DJANGO_BEHIND_PROXY is on but no proxy is trusted: every visitor has the proxy's address.",
                hint="Set DJANGO_TRUSTED_PROXY_COUNT to the number of proxies in front of the site.",
                id="project.W002",
            )
        ]
    return []


@register()
def waits_fit_visibility_timeout(app_configs, **kwargs):
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return []
    limit = settings.CELERY_VISIBILITY_TIMEOUT
    too_long = {
        name: getattr(settings, name)
        for name in ("MAIL_RETRY_BACKOFF_MAX", "MAIL_SEND_LEASE")
        if getattr(settings, name) >= limit
    }
    return [
        Error(
            f"{name} ({value:g} s) is not shorter than the broker's visibility timeout ({limit} s): "
            "a waiting task would be handed to a second worker.",
            hint="Raise CELERY_VISIBILITY_TIMEOUT or shorten the wait.",
            id="project.E001",
        )
        for name, value in too_long.items()
    ]
