"""Fuzzing every URL and every form of the site (issue 13), with Hypothesis.

Nothing here lists the site's pages. The URL patterns come from Django's resolver (so a URL
added later, by any app, is fuzzed without anyone listing it) and the forms from the pages
themselves: each role first opens every URL with real arguments, and every ``<form>`` on the
answer (its action, method and fields) becomes a target. Then Hypothesis sends bad input:

* URLs: each path argument replaced by a huge, negative or zero number, unicode, NUL, a very
  long string, SQL or HTML metacharacters, or a real value of the test world (so the fuzzer gets
  past the 404s into the views), with a query string of bad values; GET and POST;
* forms: each field missing, doubled, empty, a real option, or bad input of the same kinds,
  plus fields the form doesn't have, and uploads of odd bytes with odd names;

as anonymous, a learner, a trainer, a centre manager and site staff. Every answer must be
below 500, and no HTML answer may contain one of the sent markup payloads unescaped.

Size: ``FUZZ_EXAMPLES`` examples per role (CI default 600, 3,000 in all; ``make fuzz`` runs 4,000 per role,
20,000 in all, with a random seed). The counts of URLs and forms covered are printed.
"""
import os
import re
import time
from html.parser import HTMLParser
from urllib.parse import quote, urljoin, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from . import test_permissions

#: The permission matrix's fixture: one centre, cohorts, learners, a quiz.
world = test_permissions.world

pytestmark = pytest.mark.usefixtures("clear_cache")

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "600"))
RANDOM = os.environ.get("FUZZ_RANDOM", "") == "1"
ROLES = ["anonymous", "learner", "trainer", "manager", "site_staff"]

# Markup that must never come back as it was sent; "fz" marks it as ours.
HTML_PAYLOADS = [
    "<script>alert('fz')</script>",
    '"><img src=x onerror=alert(\'fz\')>',
    "'><svg onload=fz()>",
    "<a href=\"javascript:fz()\">fz</a>",
    "</textarea><b>fz</b>",
    "<style>body{fz:1}</style>",
    '<iframe src="//fz.example">',
]
NASTY = [
    "", " ", "0", "-1", "-0", "1.5", "1e308", "NaN", "Infinity", "0x10", "٣", "１",
    str(2**31), str(2**63), str(-(2**63) - 1), "9" * 40, "-" + "9" * 40,
    "' OR '1'='1", "'; DROP TABLE centres_cohort; --", '"', "\\", "%", "%00", "%%", "_", "*",
    "\x00", "a\x00b", "%ED%A0%80", "\ufeff", "\u202e", "\r\n", "\t", "😀", "Ünïcødé ß", "ｆｕｌｌ",
    "../../../etc/passwd", "..%2f..%2f", "//elders.example/", "https://elders.example/", "javascript:fz()",
    "{{7*7}}", "${7*7}", "{% debug %}", "a" * 300, "b" * 5000, "Zomer2026", "x@y", "@", "a@b.c" * 60,
    "2026-02-30", "0000-00-00", "31-12-2026", "true", "on", "null", "[]", "{}",
] + HTML_PAYLOADS
SKIP_FIELDS = {"csrfmiddlewaretoken"}
MANAGEMENT_SUFFIXES = ("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")
ADMIN_PREFIX = "/beheer/"


BAD_TEXT = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.builds(lambda a, b: a + b, st.sampled_from(NASTY), st.sampled_from(HTML_PAYLOADS)),
)


def bad_text():
    return BAD_TEXT


# --- the URL patterns, from the resolver ---------------------------------------------------


def _patterns(resolver=None, prefix=()):
    """(chain of pattern objects, URLPattern) for every view of the site."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        chain = (*prefix, pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern, chain)
        elif isinstance(pattern, URLPattern):
            yield chain, pattern


_ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
# A capturing group, named or not (non-capturing "(?:…)" groups are left as text).
_REGEX_GROUP = re.compile(r"\((?:\?P<(?P<name>\w+)>)?(?!\?)(?:[^()]|\([^()]*\))*\)")


class Route:
    """One URL pattern as a template: ``build(values)`` fills in its arguments."""

    def __init__(self, chain, pattern):
        self.pattern = pattern
        self.pieces = []  # literal strings and (converter, name) holes
        for part in chain:
            if isinstance(part, RoutePattern):
                text, position = str(part), 0
                for match in _ROUTE_PARAM.finditer(text):
                    self.pieces.append(text[position:match.start()])
                    self.pieces.append((match["converter"] or "str", match["name"]))
                    position = match.end()
                self.pieces.append(text[position:])
            elif isinstance(part, RegexPattern):
                text = str(part).lstrip("^").rstrip("$").replace("\\Z", "")
                position = 0
                for index, match in enumerate(_REGEX_GROUP.finditer(text)):
                    self.pieces.append(text[position:match.start()])
                    self.pieces.append(("regex", match["name"] or f"arg{index}"))
                    position = match.end()
                self.pieces.append(text[position:])
            else:  # a LocalePrefixPattern or another kind: its text as it stands
                self.pieces.append(str(part))
        self.params = [p for p in self.pieces if isinstance(p, tuple)]
        self.name = "/" + "".join(p if isinstance(p, str) else f"<{p[1]}>" for p in self.pieces)

    def build(self, values):
        out = []
        for piece in self.pieces:
            if isinstance(piece, str):
                out.append(piece.replace("\\", ""))
            else:
                out.append(quote(str(values[piece[1]]), safe=""))
        return "/" + "".join(out)


def all_routes():
    return [Route(chain, pattern) for chain, pattern in _patterns()]


def real_values(world):
    """Arguments that exist in the test world, per parameter name; every number and text of it."""
    from django.contrib.contenttypes.models import ContentType

    numbers = {w.pk for w in world.values() if hasattr(w, "pk") and isinstance(w.pk, int)}
    numbers |= {1, 2, 3, ContentType.objects.order_by("pk").values_list("pk", flat=True).first() or 1}
    texts = {
        world["module"].slug, world["draft"].slug, world["cohort"].join_code, world["token"],
        world["certificate"].display_code, "0" * 32 + ".png",
    }
    by_name = {
        "module_slug": [world["module"].slug],
        "number": [world["section"].number],
        "position": [1, 2],
        "slug": [world["draft"].slug],
        "code": [world["cohort"].join_code, world["certificate"].display_code],
        "token": [world["token"]],
        "pk": [world["cohort"].pk, world["other_cohort"].pk],
        "attempt_id": [world["attempt"].pk],
        "enrollment_pk": [world["enrollment"].pk],
        "invitation_pk": [world["invitation"].pk],
        "batch_pk": [world["batch"].pk],
        "object_id": sorted(numbers),
        "app_label": ["centres", "sections", "accounts"],
    }
    return by_name, sorted(numbers), sorted(texts)


def arg_strategy(converter, name, by_name, numbers, texts):
    real = by_name.get(name) or (numbers if converter == "int" else texts)
    return st.one_of(st.sampled_from(real), st.sampled_from(real), st.sampled_from(numbers), bad_text())


def first_build(route, by_name, numbers, texts):
    """The URL with real arguments (to open the page and find its forms)."""
    values = {}
    for converter, name in route.params:
        real = by_name.get(name) or (numbers if converter == "int" else texts)
        values[name] = real[0]
    return route.build(values)


# --- the forms, from the pages ---------------------------------------------------------------


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"action": attrs.get("action") or "", "method": (attrs.get("method") or "get").lower(),
                          "fields": {}, "files": set()}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = attrs.get("name")
        if not name or name in SKIP_FIELDS:
            if tag == "option" and self._select is not None:
                self._form["fields"][self._select].append(attrs.get("value", ""))
            return
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind == "file":
                self._form["files"].add(name)
            elif kind not in {"submit", "button", "reset", "image"}:
                self._form["fields"].setdefault(name, []).append(attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "textarea":
            self._form["fields"].setdefault(name, []).append("")
        elif tag == "select":
            self._select = name
            self._form["fields"].setdefault(name, [])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def forms_on(url, html):
    parser = _Forms()
    parser.feed(html)
    found = []
    for form in parser.forms:
        action = urljoin("http://testserver" + url, form["action"])
        split = urlsplit(action)
        if split.netloc != "testserver":
            continue
        form["action"] = split.path + (f"?{split.query}" if split.query else "")
        form["fields"] = {k: sorted(set(v)) or [""] for k, v in form["fields"].items()}
        found.append(form)
    return found


def login(client, world, role):
    """Signed in as ``role`` (again, if a fuzzed log-out or password change signed them out)."""
    if role != "anonymous" and client.session.get("_auth_user_id") != str(world[role].pk):
        client.force_login(world[role], backend="django.contrib.auth.backends.ModelBackend")


SWEEP_VALUES = {"int": str(2**64), "path": "../" + HTML_PAYLOADS[0]}
SWEEP_TEXT = HTML_PAYLOADS[1] + "'%"


def survey(client, world, role, routes, by_name, numbers, texts):
    """Open every URL as ``role``: once with real arguments (collecting the forms each page
    renders), and once, if it takes arguments, with a number too big for any column in each
    number and markup in each text. Returns the forms."""
    forms = {}
    for route in routes:
        check.started = time.monotonic()
        if route.params:
            sweep = route.build({name: SWEEP_VALUES.get(conv, SWEEP_TEXT) for conv, name in route.params})
            login(client, world, role)
            check(client.get(sweep, {"next": SWEEP_TEXT}), [SWEEP_TEXT, *SWEEP_VALUES.values()], f"GET {sweep} as {role}")
        url = first_build(route, by_name, numbers, texts)
        login(client, world, role)
        response = client.get(url)
        check(response, [], f"GET {url} as {role}")
        if response.get("Content-Type", "").startswith("text/html"):
            for form in forms_on(url, response.content.decode("utf-8", "replace")):
                key = (form["action"].split("?")[0], form["method"], tuple(sorted(form["fields"])), tuple(sorted(form["files"])))
                forms.setdefault(key, form)
    return list(forms.values())


# --- the checks ------------------------------------------------------------------------------


def _sent_strings(values):
    for value in values:
        if isinstance(value, (list, tuple)):
            yield from _sent_strings(value)
        elif isinstance(value, str):
            yield value


SLOW = []


def check(response, sent, what):
    took = time.monotonic() - getattr(check, "started", time.monotonic())
    if took > 1:
        SLOW.append((round(took, 1), what[:3000]))
    assert response.status_code < 500, f"{what} → {response.status_code}"
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    content = response.content.decode("utf-8", "replace")
    for value in _sent_strings(sent):
        for payload in HTML_PAYLOADS:
            if payload in value:
                assert payload not in content, f"{what} reflected {payload!r} unescaped"


def upload():
    return st.builds(
        lambda name, body: SimpleUploadedFile(name, body, content_type="application/octet-stream"),
        st.sampled_from(["lijst.csv", "a.png", "x\u202egnp.exe", "../../etc/passwd", "😀.csv", "a" * 300 + ".csv", "geen-extensie"]),
        st.one_of(st.binary(max_size=300), st.sampled_from([
            b"email\nx@y.nl\n", b"\xff\xfe\x00", b"email;naam\n<script>alert(1)</script>;x\n",
            b"email\nJan <a@x.nl> <b@y.nl>\n", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, b"GIF89a", b"<svg onload=fz()>",
        ])),
    )


# A formset's management fields: bad values, but not "1949 forms", which Django's admin accepts
# (up to 2,000) and renders for a minute: slow for site staff, not an error; left out of the budget.
MANAGEMENT_BAD = st.sampled_from(["", "-1", "0", "abc", "1.5", "\x00", "٣", "1 OR 1=1"])


def management_value(options):
    return st.one_of(st.sampled_from(options), MANAGEMENT_BAD, st.just(None))


def field_value(options):
    return st.one_of(
        st.sampled_from(options),
        bad_text(),
        st.lists(bad_text(), min_size=2, max_size=3),  # the field twice (or three times)
        st.just(None),  # the field missing
    )


@pytest.mark.django_db(transaction=False)
@pytest.mark.parametrize("role", ROLES)
def test_fuzz_every_url_and_form(world, role, mailoutbox, settings_override_for_fuzz, capsys):  # noqa: F811
    started = time.monotonic()
    routes = all_routes()
    # Django's admin has most of the patterns (a dozen per model); our own pages get two draws in three.
    own_routes = [r for r in routes if not r.name.startswith(ADMIN_PREFIX)]
    admin_routes = [r for r in routes if r.name.startswith(ADMIN_PREFIX)] or own_routes
    by_name, numbers, texts = real_values(world)
    client = Client()
    forms = survey(client, world, role, routes, by_name, numbers, texts)
    surveyed = time.monotonic()
    arg_strategies = {
        (conv, name): arg_strategy(conv, name, by_name, numbers, texts) for route in routes for conv, name in route.params
    }
    field_strategies = {options: field_value(list(options)) for form in forms for options in map(tuple, form["fields"].values())}
    management_strategies = {
        tuple(options): management_value(list(options))
        for form in forms for name, options in form["fields"].items() if name.endswith(MANAGEMENT_SUFFIXES)
    }
    counts = {"url": 0, "form": 0}
    reached_routes, reached_forms = set(), set()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=not RANDOM,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )
    @given(st.data())
    def fuzz(data):
        login(client, world, role)
        check.started = time.monotonic()
        if not forms or data.draw(st.booleans(), label="url or form"):
            pool = own_routes if data.draw(st.integers(0, 2), label="own or admin") else admin_routes
            route = data.draw(st.sampled_from(pool), label="route")
            values = {name: data.draw(arg_strategies[conv, name], label=name) for conv, name in route.params}
            url = route.build(values)
            query = data.draw(st.dictionaries(st.sampled_from(["next", "q", "status", "page", "o", "sort", "filter",
                                                               "p", "_changelist_filters", "lang", "e"]),
                                              bad_text(), max_size=3), label="query")
            method = data.draw(st.sampled_from(["get", "get", "post"]), label="method")
            if method == "get":
                response = client.get(url, query)
            else:
                response = client.post(url, query)
            counts["url"] += 1
            reached_routes.add(route.name)
            check(response, [*map(str, values.values()), *query.values()], f"{method.upper()} {url} {query!r} as {role}")
        else:
            form = data.draw(st.sampled_from(forms), label="form")
            payload = {}
            for name, options in form["fields"].items():
                strategies = management_strategies if name.endswith(MANAGEMENT_SUFFIXES) else field_strategies
                value = data.draw(strategies[tuple(options)], label=name)
                if value is not None:
                    payload[name] = value
            extra = data.draw(st.dictionaries(bad_text(), bad_text(), max_size=2), label="extra fields")
            payload.update({k: v for k, v in extra.items() if k and k not in SKIP_FIELDS})
            for name in form["files"]:
                if data.draw(st.booleans(), label=f"upload {name}"):
                    payload[name] = data.draw(upload(), label=name)
            if form["method"] == "post":
                response = client.post(form["action"], payload)
            else:
                response = client.get(form["action"], {k: v for k, v in payload.items() if not hasattr(v, "read")})
            counts["form"] += 1
            reached_forms.add((form["action"], form["method"]))
            check(response, list(payload.values()), f"{form['method'].upper()} form {form['action']} {payload!r} as {role}")

    fuzz()
    with capsys.disabled():
        print(
            f"\nfuzz as {role}: {counts['url'] + counts['form']} examples "
            f"({counts['url']} on URLs, {counts['form']} on forms); "
            f"{len(routes)} URL patterns, {len(reached_routes)} reached; "
            f"{len(forms)} forms rendered, {len(reached_forms)} posted; "
            f"survey {surveyed - started:.1f} s, fuzz {time.monotonic() - surveyed:.1f} s"
        )
    if os.environ.get("FUZZ_SLOW"):
        with capsys.disabled():
            print(*sorted(SLOW, reverse=True)[:15], sep="\n")
    assert len(routes) > 50
    if role != "anonymous":
        assert forms, f"{role} saw no form at all"


@pytest.fixture
def settings_override_for_fuzz(settings, tmp_path):
    """Uploads go to a folder of this test; mail stays in memory (the locmem backend of the test settings)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings
