"""manage.py export_module <slug> <file>: the whole module in one portable file (see transfer.portability)."""
from django.core.management.base import BaseCommand, CommandError

from courses.models import Module
from transfer.portability import export_module


class Command(BaseCommand):
    help = "Schrijf een module (secties, slides, bronnen, quizzen, afbeeldingen) naar een zip-bestand."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="De module, bijvoorbeeld samenwerken-voor-duurzaam-succes.")
        parser.add_argument("file", help="Het bestand dat gemaakt wordt, bijvoorbeeld module6.zip.")

    def handle(self, *args, slug, file, **options):
        module = Module.objects.filter(slug=slug).first()
        if module is None:
            known = ", ".join(Module.objects.values_list("slug", flat=True)) or "geen"
            raise CommandError(f"Module {slug!r} bestaat niet (wel: {known}).")
        try:
            with open(file, "wb") as handle:
                manifest = export_module(module=module, destination=handle)
        except OSError as error:
            raise CommandError(f"Kan {file} niet schrijven: {error}") from None
        counts = ", ".join(f"{n} {label}" for label, n in manifest["counts"].items())
        self.stdout.write(f"{module} geëxporteerd naar {file}: {counts}.")
