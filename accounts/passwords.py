"""Password rules beyond Django's own: the common passwords people pick in the Netherlands and Flanders.

Django's CommonPasswordValidator knows 20,000 passwords from English-language leaks. Dutch
speakers' favourites ("Welkom01", "Zomer2026", "Wachtwoord1!") are not among them, and the
pattern behind most of them is a word plus a year, a number or a "!". So a password is refused
when what is left after taking off the digits and punctuation around it is one of these words.
"Zomerhuis-aan-zee-2026" stays allowed: the word there is not on the list.
"""
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

COMMON_DUTCH_WORDS = frozenset(
    """
    welkom welkomwelkom wachtwoord paswoord wachtwoorden geheim supergeheim inloggen aanmelden
    zomer winter lente herfst voorjaar najaar zomertijd wintertijd seizoen
    januari februari maart april mei juni juli augustus september oktober november december
    maandag dinsdag woensdag donderdag vrijdag zaterdag zondag
    hallo hallohallo hoi doei dag goedemorgen
    nederland holland vlaanderen belgie belgië amsterdam rotterdam utrecht denhaag eindhoven groningen
    antwerpen gent brussel leuven brugge
    ajax feyenoord psv oranje voetbal
    schatje liefje lieverd liefde prinses kusjes
    azerty azertyuiop qwerty qwertyuiop
    bedrijf kantoor ondernemer mkb duurzaam samenwerken
    """.split()
)

_AROUND = re.compile(r"^[\d\W_]+|[\d\W_]+$")


def core_word(password: str) -> str:
    """'Zomer2026!' → 'zomer'; '!!Welkom01' → 'welkom'."""
    return _AROUND.sub("", password.strip().casefold())


class DutchCommonPasswordValidator:
    def validate(self, password, user=None):
        if core_word(password) in COMMON_DUTCH_WORDS:
            raise ValidationError(
                _("Dit wachtwoord is te makkelijk te raden: een gewoon woord met een jaartal of cijfers ervoor of erachter."),
                code="password_too_common",
            )

    def get_help_text(self):
        return _("Je wachtwoord mag geen veelgebruikt woord met een jaartal of cijfers zijn (zoals 'Zomer2026').")
