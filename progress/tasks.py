"""Background work of progress: recounting the learners' progress rows when a module's size changes.
Running it twice is harmless: each run counts from the records as they are."""
from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True)
def recount_progress(module_ids: list[int]) -> int:
    return services.progress_recount(module_ids=module_ids)
