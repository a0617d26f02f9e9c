"""The settings module: development needs no variable, production passes check --deploy."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, env_extra=None, drop=()):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k not in drop}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        env_extra={
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-0123456789",
            "DJANGO_ALLOWED_HOSTS": "cursus.example.org",
            "DATABASE_URL": "postgres://user:pw@db.example.org:5432/cursus",
            "REDIS_URL": "redis://cache.example.org:6379/0",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_development_defaults_need_no_variables():
    result = run_manage("check", env_extra={"DJANGO_SETTINGS_MODULE": "config.settings"}, drop=("DATABASE_URL",))
    assert result.returncode == 0, result.stdout + result.stderr


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DJANGO_SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-0123456789",
    "DJANGO_ALLOWED_HOSTS": "cursus.example.org",
    "DATABASE_URL": "postgres://user:pw@db.example.org:5432/cursus",
}


def test_production_without_a_shared_cache_warns_in_check_deploy():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env_extra=PRODUCTION, drop=("REDIS_URL",))
    assert result.returncode != 0
    assert "project.W001" in result.stdout + result.stderr
    assert "REDIS_URL" in result.stdout + result.stderr


SHOW = (
    "from django.conf import settings as s; "
    "print(s.CACHES['default']['BACKEND'], s.SESSION_ENGINE, s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL, "
    "s.ALLAUTH_TRUSTED_PROXY_COUNT, s.STORAGES['default']['BACKEND'], s.EMAIL_TIMEOUT, "
    "s.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'])"
)


def show(env):
    result = run_manage("shell", "-c", SHOW, env_extra={"DJANGO_SETTINGS_MODULE": "config.settings", **env},
                        drop=("REDIS_URL", "CELERY_BROKER_URL", "DATABASE_URL"))
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1].split()


def test_embedded_default_and_shared_state_with_redis():
    # Nothing set: per-process cache, sessions in the database (Django's store read with one precompiled
    # query, accounts/sessions.py), tasks in the process, local files.
    assert show({}) == [
        "django.core.cache.backends.locmem.LocMemCache", "accounts.sessions", "True", "memory://",
        "0", "django.core.files.storage.FileSystemStorage", "10.0", "300",
    ]
    # Several nodes: Redis for cache, sessions and the broker (its own database), S3 for media,
    # one proxy in front.
    shared = show({
        "REDIS_URL": "redis://127.0.0.1:6379/5", "CELERY_BROKER_URL": "redis://127.0.0.1:6379/11",
        "DJANGO_BEHIND_PROXY": "true", "DJANGO_MEDIA_S3_BUCKET": "cursus-media",
    })
    assert shared == [
        "django.core.cache.backends.redis.RedisCache", "django.contrib.sessions.backends.cached_db", "False",
        "redis://127.0.0.1:6379/11", "1", "storages.backends.s3.S3Storage", "10.0", "300",
    ]
    assert show({"DJANGO_BEHIND_PROXY": "true", "DJANGO_TRUSTED_PROXY_COUNT": "2"})[4] == "2"


def test_a_retry_wait_longer_than_the_visibility_timeout_is_an_error():
    result = run_manage(
        "check",
        env_extra={"DJANGO_SETTINGS_MODULE": "config.settings", "REDIS_URL": "redis://127.0.0.1:6379/5",
                   "CELERY_VISIBILITY_TIMEOUT": "120"},
    )
    assert result.returncode != 0
    assert "project.E001" in result.stderr and "MAIL_RETRY_BACKOFF_MAX" in result.stderr
