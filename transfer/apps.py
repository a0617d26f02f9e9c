from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransferConfig(AppConfig):
    """Export and import of a whole module: above every content app, since it moves all of them."""

    name = "transfer"
    verbose_name = _("Export en import")
