"""manage.py progress_recount: count every learner's progress row (``LearnerProgress``) again from the
reading and quiz records. For after a bulk load or a repair by hand; a change to a module's slides
or quizzes made through the admin, an import or a restore queues the same recount by itself."""
from django.core.management.base import BaseCommand, CommandError

from courses.models import Module
from progress import services


class Command(BaseCommand):
    help = "Tel de voortgang van alle deelnemers (per module) opnieuw uit de gelezen slides en de toetspogingen."

    def add_arguments(self, parser):
        parser.add_argument("--module", help="Alleen deze module (slug).")

    def handle(self, *args, module=None, **options):
        modules = Module.objects.all()
        if module:
            modules = modules.filter(slug=module)
            if not modules.exists():
                raise CommandError(f"Geen module {module!r}.")
        ids = list(modules.values_list("pk", flat=True))
        written = services.progress_recount(module_ids=ids)
        self.stdout.write(f"{written} voortgangsrijen geteld in {len(ids)} module(s).")
