from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _install_content_triggers(sender, using, **kwargs):
    """After every ``migrate``: the content-version triggers on every content table.

    Not in a migration of its own because SQLite drops a table's triggers whenever a later
    migration rebuilds that table (Django's way to alter a column there); reinstalling them
    at the end of every migrate keeps them, and a test checks they are all there.
    """
    from . import content_version

    content_version.ensure_triggers(using=using)


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Modules")

    def ready(self):
        post_migrate.connect(_install_content_triggers, sender=self, dispatch_uid="courses.content_triggers")
