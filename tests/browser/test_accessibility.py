"""axe-core finds no WCAG 2.1 A/AA violation on any kind of reading page, on a desktop and on a phone."""
import pytest
from axe_playwright_python.sync_playwright import Axe

from .conftest import AXE_TAGS, DESKTOP, PAGE_NAMES, PHONE, reading_pages

pytestmark = pytest.mark.browser

AXE = Axe()


def describe(violations) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary'].splitlines()[-1].strip()}")
            lines.append(f"      {node['html'][:160]}")
    return "\n".join(lines)


@pytest.mark.django_db
def test_the_pages_checked_cover_every_slide_kind(module6):
    assert list(reading_pages(module6)) == PAGE_NAMES


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_no_axe_violations(page, live_server, live_module, name, viewport):
    page.set_viewport_size(viewport)
    page.goto(live_server.url + reading_pages(live_module)[name])
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
    violations = results.response["violations"]
    assert violations == [], f"axe found {len(violations)} violation(s) on {name} at {viewport['width']}px:\n" + describe(
        violations
    )
