from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import FILTERS, SORT_KEYS

SORTS = [key for name in SORT_KEYS for key in (name, f"-{name}")]
DEFAULT_SORT = "naam"
DEFAULT_FILTER = "alle"


def read_query(data) -> tuple[str, str]:
    """The grid's filter and sort order from the page's own links (``?toon=…&sorteer=…``).

    A value that is not one of ours (an old bookmark, a typo) falls back to the
    default rather than an error page: the links are the only way to set them."""
    show, sort = data.get("toon", ""), data.get("sorteer", "")
    return (show if show in FILTERS else DEFAULT_FILTER, sort if sort in SORTS else DEFAULT_SORT)


class ReminderForm(forms.Form):
    dagen = forms.IntegerField(
        label=_("Niet actief sinds (dagen)"),
        min_value=1,
        max_value=365,
        initial=7,
        help_text=_("Deelnemers die zo lang niets hebben gelezen of ingevuld. Wie nooit begon, telt vanaf de inschrijving."),
        error_messages={
            "required": _("Vul een aantal dagen in."),
            "invalid": _("Vul een heel aantal dagen in, bijvoorbeeld 7."),
            "min_value": _("Kies minstens 1 dag."),
            "max_value": _("Kies hoogstens 365 dagen."),
        },
    )
