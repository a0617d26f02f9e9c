"""axe-core finds no violation (WCAG 2.1 A/AA and best practice) on any page shape of the site, as the
people who see it, on a desktop and on a phone; and on a phone no page scrolls sideways.

The pages are those of tests/page_shapes.py (the same list the Nu Html Checker validates): the open
pages, the learner's at every stage, the trainer's, the manager's, site staff's, the account and error
pages and the Django admin pages trainers author in. Each person browses in a context of their own,
logged in with the session cookie the test client makes for them.
"""
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client

from tests.page_shapes import error_pages, load_demo_world, page_shapes

from .conftest import AXE_TAGS, DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("clear_cache")]

AXE = Axe()

# No rule is switched off, for any page or widget (the admin's inline tables got labels and header
# text through templates/admin/edit_inline/tabular.html instead).


def describe(violations) -> str:
    lines = []
    for v in violations:
        lines.append(f"  - {v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}")
        for node in v["nodes"][:5]:
            lines.append(f"      {' '.join(map(str, node['target']))}: {node['html'][:160]}")
    return "\n".join(lines)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_page_shape_passes_axe(browser, live_server, transactional_db, viewport):
    from accounts.models import User

    load_demo_world()
    shapes = page_shapes()
    pages, problems = {}, []
    for shape in shapes:
        if shape.who not in pages:
            context = browser.new_context(locale="nl-NL", viewport=viewport)
            if shape.who:
                client = Client()
                client.force_login(User.objects.get(email=shape.who))
                context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                                      "url": live_server.url}])
            pages[shape.who] = context.new_page()
        page = pages[shape.who]
        response = page.goto(live_server.url + shape.path)
        if response.status != shape.status:
            problems.append(f"{shape.name}: HTTP {response.status}, expected {shape.status}")
        if viewport == PHONE:
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                problems.append(f"{shape.name}: {width}px wide on a {PHONE['width']}px screen")
        options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
        if shape.path.startswith("/beheer/"):
            # Django's admin/css/forms.css @imports widgets.css: to read it, axe-core's CSSOM preload puts
            # it in a <style> element, which the Content-Security-Policy blocks (and csp_violations
            # reports, although no page of ours does it). Without the preload only css-orientation-lock
            # cannot run there; the admin's stylesheets lock no orientation.
            options["preload"] = False
        violations = AXE.run(page, options=options).response["violations"]
        if violations:
            problems.append(f"{shape.name} ({shape.path}):\n{describe(violations)}")
    for page in pages.values():
        page.context.close()
    assert len(shapes) >= 90
    assert not problems, f"{len(problems)} page(s) at {viewport['width']}px:\n" + "\n".join(problems)


def _serve(response):
    def handler(route):
        route.fulfill(status=response.status_code, body=response.content,
                      headers={"Content-Type": response["Content-Type"]})
    return handler


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_500_and_503_pages_pass_axe(page, live_server, viewport):
    """No address asks for them, so the browser is handed their exact bytes at one (they have no script or style to block)."""
    page.set_viewport_size(viewport)
    problems = []
    for status, response in error_pages().items():
        assert response.status_code == int(status)
        url = f"{live_server.url}/__error-{status}/"
        page.route(url, _serve(response))
        assert page.goto(url).status == int(status)
        assert page.get_by_role("heading", level=1).count() == 1
        if viewport == PHONE and page.evaluate("document.documentElement.scrollWidth") > PHONE["width"]:
            problems.append(f"{status}: wider than the phone")
        options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
        violations = AXE.run(page, options=options).response["violations"]
        if violations:
            problems.append(f"{status}:\n{describe(violations)}")
    assert not problems, "\n".join(problems)
