from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    """Every outgoing e-mail, stored before it is sent (the base of the app layers, below accounts)."""

    name = "outbox"
    verbose_name = _("Verzending van e-mail")
