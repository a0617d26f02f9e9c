"""The Celery application: background work (e-mail, link checks) for every node.

With ``REDIS_URL`` set, tasks go to Redis and ``make worker`` / ``make beat`` run them. Without it
(``make run``, the tests) the same tasks run in the web process itself, eagerly, at the moment
they are queued; every caller queues them with ``transaction.on_commit``, so that is right after
its transaction commits (see ``CELERY_TASK_ALWAYS_EAGER`` in config/settings.py).
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("duurzaam")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
