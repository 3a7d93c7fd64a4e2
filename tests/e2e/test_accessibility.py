"""axe-core (WCAG 2.1 A/AA and best practices) finds nothing on the demo pages."""

import pytest

from .helpers import CARVIN, SAINT_ANDRE, axe_violations, format_violations, page_name, screenshot

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


@pytest.mark.parametrize(
    ("host", "path"),
    [
        (CARVIN, "/"),
        (CARVIN, "/faq/"),
        (CARVIN, "/en/faq/"),
        (SAINT_ANDRE, "/"),
        (SAINT_ANDRE, "/faq/"),
    ],
)
def test_no_axe_violation(portal, page, host, path):
    url = portal.url(host, path)
    response = page.goto(url)
    assert response.status == 200
    page.wait_for_load_state("load")
    screenshot(page, page_name(host, path))

    violations = axe_violations(page)

    assert not violations, format_violations(url, violations)
