"""manage.py check_links: check every external link of the course and record what was found.

Run it from cron (e.g. nightly); trainers then filter the resources by link
status in the admin, and learners see when a link was last checked.
"""
import time

from django.core.management.base import BaseCommand, CommandError

from sections.linkcheck import check_urls
from sections.models import Resource
from sections.services import record_link_results


class Command(BaseCommand):
    help = "Controleer alle externe links (parallel, met time-outs) en sla de uitkomst op bij elke bron."

    def add_arguments(self, parser):
        parser.add_argument("--module", help="Alleen de links van deze module (slug).")
        parser.add_argument("--workers", type=int, default=None, help="Hoeveel links tegelijk (standaard 8).")
        parser.add_argument("--timeout", type=float, default=None, help="Seconden wachten per verzoek (standaard 10).")
        parser.add_argument(
            "--only-unhealthy", action="store_true", help="Alleen links die nog niet werkten of nooit gecontroleerd zijn."
        )

    def handle(self, *args, module=None, workers=None, timeout=None, only_unhealthy=False, **options):
        if workers is not None and workers < 1:
            raise CommandError("--workers moet minstens 1 zijn.")
        if timeout is not None and timeout <= 0:
            raise CommandError("--timeout moet groter dan 0 zijn.")
        resources = Resource.objects.all()
        if module:
            resources = resources.filter(slide__section__module__slug=module)
            if not resources.exists():
                raise CommandError(f"Geen links gevonden voor module {module!r}.")
        if only_unhealthy:
            resources = resources.exclude(health=Resource.Health.OK)
        urls = sorted(set(resources.values_list("url", flat=True)))
        started = time.monotonic()
        results = check_urls(urls, workers=workers, timeout=timeout)
        seconds = time.monotonic() - started
        updated = record_link_results(results=results)

        counts = {health: 0 for health in Resource.Health.values}
        for result in results.values():
            counts[result.health] += 1
        self.stdout.write(
            f"{len(results)} adressen ({updated} bronnen) gecontroleerd in {seconds:.1f} s: "
            f"{counts['ok']} werken, {counts['redirected']} doorverwezen, {counts['broken']} kapot, "
            f"{counts['unreachable']} onbereikbaar."
        )
        for result in sorted(results.values(), key=lambda r: r.url):
            if result.health in {Resource.Health.BROKEN, Resource.Health.UNREACHABLE}:
                status = result.status_code or result.detail
                self.stdout.write(f"  {Resource.Health(result.health).label}: {result.url} ({status})")
