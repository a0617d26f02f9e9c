# The Celery app is loaded with Django, so that ``@shared_task`` uses its settings everywhere.
from .celery import app as celery_app

__all__ = ["celery_app"]
