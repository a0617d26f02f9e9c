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
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_development_defaults_need_no_variables():
    result = run_manage("check", env_extra={"DJANGO_SETTINGS_MODULE": "config.settings"}, drop=("DATABASE_URL",))
    assert result.returncode == 0, result.stdout + result.stderr


def test_database_url_selects_postgres(monkeypatch):
    import dj_database_url

    config = dj_database_url.parse("postgres://u:p@127.0.0.1:5432/x", conn_max_age=600, conn_health_checks=True)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["CONN_HEALTH_CHECKS"] is True
