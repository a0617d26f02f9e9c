"""manage.py import_module <file>: load a module export, creating or updating by natural keys."""
from django.core.management.base import BaseCommand, CommandError

from transfer.portability import PortabilityError, import_module


class Command(BaseCommand):
    help = (
        "Laad een geëxporteerde module. Bestaande inhoud wordt bijgewerkt, niets wordt dubbel; slides die niet "
        "in het bestand staan worden concept (de voortgang van cursisten blijft bewaard)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Een bestand gemaakt met export_module.")
        parser.add_argument("--dry-run", action="store_true", help="Laat zien wat er zou gebeuren, verander niets.")

    def handle(self, *args, file, dry_run=False, **options):
        try:
            with open(file, "rb") as handle:
                report = import_module(source=handle, dry_run=dry_run)
        except FileNotFoundError:
            raise CommandError(f"Bestand {file} bestaat niet.") from None
        except PortabilityError as error:
            raise CommandError(str(error)) from None
        prefix = "Proef (niets veranderd): " if dry_run else ""
        created = ", ".join(f"{n} {label}" for label, n in report.created.items()) or "niets"
        updated = ", ".join(f"{n} {label}" for label, n in report.updated.items()) or "niets"
        self.stdout.write(f"{prefix}{report.module}: nieuw {created}; bijgewerkt {updated}.")
        for title in report.unpublished:
            self.stdout.write(f"  Niet in het bestand, nu concept: slide {title}")
        for url in report.removed_resources:
            self.stdout.write(f"  Niet in het bestand, verwijderd: link {url}")
        for item in report.left_alone:
            self.stdout.write(f"  Niet in het bestand, blijft staan: {item}")
