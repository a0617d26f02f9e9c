"""Background link checks: per resource ("Controleer nu", a saved address) and the nightly run
(Celery beat, config/settings.py). Checking again is harmless: each run writes what it found."""
from celery import shared_task

from .linkcheck import check_urls
from .models import Resource
from .services import record_link_results


def _check(resources) -> int:
    urls = sorted(set(resources.values_list("url", flat=True)))
    return record_link_results(results=check_urls(urls))


@shared_task(acks_late=True, ignore_result=True)
def check_resource_links(resource_ids: list[int]) -> int:
    return _check(Resource.objects.filter(pk__in=resource_ids))


@shared_task(acks_late=True, ignore_result=True)
def check_all_links() -> int:
    return _check(Resource.objects.all())
