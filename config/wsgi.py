"""WSGI entry point, served by gunicorn in production."""
import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()


def _warm_up_broker():
    """Load the broker's client and connect now, in each web process as it starts, rather than in
    the first request that queues a task (about a second of imports and a connection). A broker
    that is down is no reason not to serve: mail waits in the outbox."""
    from config.celery import app

    if app.conf.task_always_eager:
        return
    try:
        app.loader.import_default_modules()
        with app.producer_or_acquire():
            pass
    except Exception as error:  # noqa: BLE001
        logging.getLogger(__name__).warning("Broker not reachable at start-up: %s", error)


_warm_up_broker()
