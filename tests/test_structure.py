"""Apps import downward only, and mail leaves through one door: checked on the source with ``ast``.

The layers, base first (config, the project, sits on top of them all)::

    outbox → accounts → courses → sections → quizzes → centres → progress → ideas
           → dashboards → transfer → search → reports

An app's domain modules (models, selectors, services, forms, querysets, managers, and helpers such
as access, history, markdown, images, linkcheck, bulk, exports, pdf, mail, tasks: everything that is
not listed in ``COMBINING``) never import an app above them, not even inside a function. Views,
admin, urls, templatetags, management commands and migrations may combine apps above them. A new
app must be given its place in ``LAYERS`` (the test fails until it is), the way the permission
matrix fails on a URL without a row.
"""
import ast
import pathlib
from dataclasses import dataclass

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
LAYERS = [
    "outbox", "accounts", "courses", "sections", "quizzes", "centres",
    "progress", "ideas", "dashboards", "transfer", "search", "reports",
]
PROJECT = "config"  # settings, root URLs, middleware: above every app
RANK = {app: rank for rank, app in enumerate(LAYERS)} | {PROJECT: len(LAYERS)}
# Modules (or packages) of an app that may combine the apps above it: the doors a person uses.
COMBINING = {"views", "admin", "urls", "templatetags", "management", "migrations"}

# Mail leaves through accounts.mail.send, which hands it to the outbox (Django's EMAIL_BACKEND);
# only these files open a mail connection or call Django's sending functions.
MAIL_DOORS = {"accounts/mail.py", "outbox/services.py", "outbox/backends.py"}
DJANGO_SENDING = {"send_mail", "send_mass_mail", "mail_admins", "mail_managers", "get_connection"}


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    target: str

    def __str__(self):
        return f"{self.path}:{self.line} imports {self.target}"


def app_dirs() -> list[str]:
    """Every Django app of the project: a top-level package with an apps.py (as `make lint` finds them)."""
    return sorted(p.parent.name for p in ROOT.glob("*/apps.py"))


def _module_name(app: str, relative: pathlib.PurePosixPath) -> str:
    parts = [app, *relative.with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(tree: ast.AST, *, module: str, is_package: bool = False):
    """(line, dotted name, at module level?) for every import in ``tree``, inside functions too.

    Relative imports are resolved against ``module``; ``importlib.import_module("x")`` with a
    constant counts as an import of x, and so does a model field's lazy reference ("app.Model")."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    top_level = set(getattr(tree, "body", []))
    for node in ast.walk(tree):
        at_top = node in top_level
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, at_top
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                name = ".".join([*base, *([node.module] if node.module else [])])
            else:
                name = node.module or ""
            yield node.lineno, name, at_top
            for alias in node.names:
                yield node.lineno, f"{name}.{alias.name}", at_top
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            value = node.args[0].value
            if not isinstance(value, str):
                continue
            if called == "import_module":
                yield node.lineno, value, False
            elif called in {"ForeignKey", "OneToOneField", "ManyToManyField"} and value.count(".") == 1:
                yield node.lineno, value.split(".")[0], False


def upward_imports(*, app: str, relative: str, source: str) -> list[Violation]:
    """The imports in one file of ``app`` that reach an app above it (none for combining modules)."""
    path = pathlib.PurePosixPath(relative)
    if path.parts[0].removesuffix(".py") in COMBINING:
        return []
    module = _module_name(app, path)
    tree = ast.parse(source, filename=f"{app}/{relative}")
    found = []
    for line, name, _top in imported_modules(tree, module=module, is_package=path.name == "__init__.py"):
        target = name.split(".")[0]
        if target != app and target in RANK and RANK[target] > RANK[app]:
            found.append(Violation(f"{app}/{relative}", line, name))
    return found


def mail_bypasses(*, path: str, source: str) -> list[Violation]:
    """Places outside the mail doors that send mail themselves: Django's sending functions or a
    mail connection, or ``message.send()`` instead of ``accounts.mail.send(message)``."""
    if path in MAIL_DOORS:
        return []
    tree = ast.parse(source, filename=path)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("django.core.mail"):
            found += [Violation(path, node.lineno, f"{node.module}.{a.name}") for a in node.names if a.name in DJANGO_SENDING]
        elif isinstance(node, ast.Attribute) and node.attr in DJANGO_SENDING | {"send_messages"}:
            owner = node.value
            if node.attr == "get_connection" and isinstance(owner, ast.Name) and owner.id == "transaction":
                continue  # the database's connection
            if node.attr == "send_mail" and isinstance(owner, ast.Call):
                continue  # super().send_mail(): allauth's adapter, which accounts.adapter routes through the door
            found.append(Violation(path, node.lineno, node.attr))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "send":
            owner = node.func.value
            if isinstance(owner, ast.Name) and owner.id == "mail":
                continue  # accounts.mail.send(message): the door itself
            if any(keyword.arg == "sender" for keyword in node.keywords):
                continue  # a Django signal
            found.append(Violation(path, node.lineno, "<message>.send()"))
    return found


def _app_files(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        yield path.relative_to(ROOT / app).as_posix(), path.read_text(encoding="utf-8")


def test_every_app_has_a_place_in_the_layers():
    apps = [app for app in app_dirs() if app != PROJECT]
    unlisted = sorted(set(apps) - set(LAYERS))
    assert not unlisted, f"Give these apps their place in LAYERS (tests/test_structure.py): {unlisted}"
    assert sorted(LAYERS) == sorted(apps), f"LAYERS names apps that do not exist: {sorted(set(LAYERS) - set(apps))}"


@pytest.mark.parametrize("app", LAYERS)
def test_domain_modules_import_only_downward(app):
    found = [v for relative, source in _app_files(app) for v in upward_imports(app=app, relative=relative, source=source)]
    assert not found, "Upward imports (let the higher app orchestrate, or move the code down):\n" + "\n".join(map(str, found))


def test_the_checker_catches_an_upward_import_anywhere_in_a_domain_module():
    planted = (
        "from django.db import models\n"
        "from courses.models import Module\n"          # downward: fine
        "from . import selectors\n"                     # its own app: fine
        "\n"
        "def certificate(user):\n"
        "    from progress.services import certificate_issue\n"   # upward, inside a function
        "    import dashboards.selectors\n"                        # upward, plain import
        "    return certificate_issue\n"
        "\n"
        "class Row(models.Model):\n"
        "    idea = models.ForeignKey('ideas.Idea', on_delete=models.CASCADE)\n"  # upward lazy reference
    )
    found = upward_imports(app="quizzes", relative="services.py", source=planted)
    assert [(v.line, v.target) for v in found] == [
        (6, "progress.services"), (6, "progress.services.certificate_issue"), (7, "dashboards.selectors"), (11, "ideas"),
    ]
    # The doors a person uses may combine: the same source is fine in views and a command.
    assert upward_imports(app="quizzes", relative="views.py", source=planted) == []
    assert upward_imports(app="quizzes", relative="management/commands/x.py", source=planted) == []
    # The project sits on top: a domain module may not reach into config either.
    assert upward_imports(app="reports", relative="selectors.py", source="from config import settings\n")
    # A relative import resolves inside its own package; importlib with a constant counts too.
    assert upward_imports(app="courses", relative="history.py", source="import importlib\nimportlib.import_module('sections.models')\n")


def test_no_import_loop_inside_an_app():
    """Modules of one app import each other one way (models below access, services below bulk, ...).
    The one loop allowed is the Celery door: a task calls a service, and a service queues that task
    with an import inside a function (it runs after the commit, never at import time)."""
    problems = []
    for app in LAYERS:
        edges, lazy = {}, set()
        files = dict(_app_files(app))
        names = {_module_name(app, pathlib.PurePosixPath(rel)): rel for rel in files}
        for name, rel in names.items():
            tree = ast.parse(files[rel])
            edges[name] = set()
            for _line, target, at_top in imported_modules(tree, module=name, is_package=rel.endswith("__init__.py")):
                if target in names and target != name and "migrations" not in rel:
                    edges[name].add(target)
                    if not at_top:
                        lazy.add((name, target))
        for cycle in _cycles(edges):
            pairs = list(zip(cycle, cycle[1:] + cycle[:1]))
            celery_door = any(b.endswith(".tasks") for _a, b in pairs) and all(
                (a, b) in lazy for a, b in pairs if b.endswith(".tasks")
            )
            if not celery_door:
                problems.append(" → ".join([*cycle, cycle[0]]))
    assert not problems, "Import loops inside an app:\n" + "\n".join(problems)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component with more than one module (Tarjan)."""
    index, low, stack, on_stack, result, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))
    for node in sorted(edges):
        if node not in index:
            visit(node)
    return result


def test_the_loop_check_catches_a_loop_through_a_function_level_import():
    edges = {"centres.models": {"centres.access"}, "centres.access": {"centres.models"}, "centres.views": {"centres.models"}}
    assert _cycles(edges) == [["centres.access", "centres.models"]]
    tree = ast.parse("def visible_to(user):\n    from .access import is_site_staff\n")
    assert [(t, top) for _l, t, top in imported_modules(tree, module="centres.models")] == [
        ("centres.access", False), ("centres.access.is_site_staff", False),
    ]


def test_only_the_mail_doors_send_mail():
    found = []
    for app in [*LAYERS, PROJECT]:
        for relative, source in _app_files(app):
            if not relative.startswith("migrations/"):
                found += mail_bypasses(path=f"{app}/{relative}", source=source)
    assert not found, "Mail sent past accounts.mail.send / the outbox:\n" + "\n".join(map(str, found))


def test_the_mail_check_catches_a_message_sent_past_the_door():
    planted = (
        "from django.core.mail import EmailMessage, send_mail, get_connection\n"
        "from accounts import mail\n"
        "def remind(message):\n"
        "    mail.send(message)\n"                              # the door: fine
        "    message.send()\n"                                  # past the door
        "    send_mail('s', 'b', None, ['a@example.org'])\n"
        "    get_connection().send_messages([message])\n"
        "    some_signal.send(sender=None)\n"                   # a signal: fine
    )
    found = mail_bypasses(path="dashboards/services.py", source=planted)
    assert sorted((v.line, v.target) for v in found) == [
        (1, "django.core.mail.get_connection"), (1, "django.core.mail.send_mail"), (5, "<message>.send()"), (7, "send_messages"),
    ]
    assert mail_bypasses(path="accounts/mail.py", source=planted) == []
