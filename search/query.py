"""What a searcher typed, read as web search syntax: words, "quoted phrases", -exclusions, OR.

The same reading serves every backend (PostgreSQL, SQLite FTS5, ``icontains``),
so a query means the same everywhere; each backend only turns it into its own
syntax. Only runs of letters and digits (``\\w``) ever reach a backend: quotes,
operators and markup are syntax here or dropped, never passed on as text.
"""
import re
import unicodedata
from dataclasses import dataclass, field

MAX_LENGTH = 200  # characters: longer is not a search but a pasted text; the page says so.
MAX_CLAUSES = 12  # words and phrases per query; the rest is ignored (and the page says so).
PREFIX_MIN_LENGTH = 3  # "sa*" would match half the module.

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")
# The highlighter's sentinels (private-use characters) never come from a searcher or a slide.
SENTINEL_START = "\ue000"
SENTINEL_STOP = "\ue001"


@dataclass(frozen=True)
class Clause:
    words: tuple[str, ...]
    phrase: bool = False
    negated: bool = False
    prefix: bool = False

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass
class ParsedQuery:
    groups: list[list[Clause]] = field(default_factory=list)  # OR of ANDs
    truncated: bool = False

    @property
    def is_empty(self) -> bool:
        """No group with something to find (only exclusions or nothing at all)."""
        return not any(any(not c.negated for c in group) for group in self.groups)

    @property
    def positive_words(self) -> list[str]:
        return [w for group in self.groups for c in group if not c.negated for w in c.words]

    def normalised(self) -> str:
        """A canonical spelling of the query (lower case), for the zero-result log."""
        parts = []
        for i, group in enumerate(self.groups):
            if i:
                parts.append("OR")
            for c in group:
                text = f'"{c.text}"' if c.phrase else c.text
                parts.append(f"-{text}" if c.negated else text)
        return " ".join(parts)


_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "″": '"', "«": '"', "»": '"'})


def clean(text: str) -> str:
    """Unicode NFC, typographic quotes as ", no control or private-use characters (NUL, sentinels), single spaces."""
    text = unicodedata.normalize("NFC", text or "").translate(_QUOTES)
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return " ".join(text.split())


def parse(text: str) -> ParsedQuery:
    text = clean(text)
    parsed = ParsedQuery()
    group: list[Clause] = []
    clauses = 0
    for match in _TOKEN.finditer(text):
        negated_phrase, phrase, bare = match.groups()
        if bare is not None and bare.upper() == "OR":
            if group:
                parsed.groups.append(group)
                group = []
            continue
        if phrase is not None:
            words = tuple(w.lower() for w in _WORD.findall(phrase))
            negated = negated_phrase == "-"
            is_phrase = len(words) > 1
        else:
            negated = bare.startswith("-") and len(bare) > 1
            words = tuple(w.lower() for w in _WORD.findall(bare))
            # "Formule-1", "co2-uitstoot": one token of several words is a phrase (as websearch_to_tsquery reads it).
            is_phrase = len(words) > 1
        if not words:
            continue
        if clauses >= MAX_CLAUSES:
            parsed.truncated = True
            break
        clauses += 1
        group.append(Clause(words=words, phrase=is_phrase, negated=negated))
    if group:
        parsed.groups.append(group)
    # Prefix matching for the last word typed (as-you-type and "samenwerk" → "samenwerkingsverband").
    if parsed.groups and not text.endswith('"'):
        last = parsed.groups[-1][-1]
        if not last.negated and not last.phrase and len(last.words[0]) >= PREFIX_MIN_LENGTH:
            parsed.groups[-1][-1] = Clause(words=last.words, prefix=True)
    return parsed
