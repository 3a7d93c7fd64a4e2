"""Phones: no page of the portal scrolls sideways at 320 and 390 px wide, and
the header's links fold behind a menu button that works from the keyboard.

The pages are found the way a visitor finds them: from the home pages of
both communes (anonymous) and from "Mon compte" and "Mes comptes" (a citizen
of Carvin, with an invoice in her cart), following every link of the portal
that leads to an HTML page, and trying each search form with a common word.
Each page of Wagtail is visited (the FAQ, the
services, each démarche and its first step, the content pages, in both
languages); each other route once per URL name, or a few times when its URL
names an object (requests, household members, receipts). A new page linked
from anywhere is measured without changing this module; the route names
listed in ``ENTRY_POINTS`` are visited even if nothing links to them.

Each page is loaded once per visitor and measured at each width by resizing
the window. Opening a démarche's first step and adding an invoice to the
cart write to the database; the module's demo database is put back as it was
when the module is done (``demo_portal`` in conftest.py).
"""

import re
from collections import Counter, deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.urls import Resolver404, resolve, reverse
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from .helpers import (
    CARVIN,
    SAINT_ANDRE,
    axe_violations,
    citizen_log_in,
    format_violations,
    page_name,
    screenshot,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

WIDTHS = (320, 390)

#: Routes visited even when no page links to them (the login box's links
#: may change): the citizen's account and payment pages, the public forms.
ENTRY_POINTS = {
    "anonymous": [
        "accounts:login",
        "accounts:register",
        "accounts:password_reset",
        "payments:pay_without_account",
    ],
    "citizen": [
        "accounts:home",
        "accounts:profile",
        "accounts:profile_edit",
        "accounts:member_add",
        "accounts:password_change",
        "accounts:personal_data",
        "accounts:erase",
        "services:submissions",
        "payments:invoices",
        "payments:statement",
        "payments:cart",
    ],
}

#: Routes never followed: they leave the portal, act on a GET or answer a file.
SKIPPED_ROUTES = {
    "accounts:logout",
    "accounts:personal_data_download",
    "accounts:franceconnect_start",
    "accounts:franceconnect_callback",
    "payments:invoice_pdf",
    "payments:receipt_pdf",
    "payments:testbank",
    "services:submission_receipt",
    "services:submission_cover_sheet",
    "services:submission_document",
    "services:submission_issued",
    "services:tracking_receipt",
    "services:tracking_cover_sheet",
    "services:tracking_document",
    "services:tracking_issued",
}
SKIPPED_PREFIXES = ("/admin/", "/documents/", "/media/", "/static/", "/_util/", "/healthz/")

#: Pages of a route whose URL names an object visited at most this many times.
PER_ROUTE = 3

#: The document's width, and when it is wider than the window, the elements
#: sticking out: the widest one, and those whose parent does not stick out
#: (where to look). Also every scroll box that hides part of its content
#: sideways (a table too wide for its box). null when all is well.
MEASURE = """() => {
    const width = window.innerWidth;
    const describe = (element) => {
        const box = element.getBoundingClientRect();
        const classes = [...element.classList].map((name) => "." + name).join("");
        const text = (element.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 50);
        return `<${element.tagName.toLowerCase()}${element.id ? "#" + element.id : ""}${classes}>`
            + ` (${Math.round(box.left)} to ${Math.round(box.right)} px) "${text}"`;
    };
    const scrolls = (element) => !["visible", "clip"].includes(getComputedStyle(element).overflowX);
    const inScrollBox = (element) => {
        if (["absolute", "fixed"].includes(getComputedStyle(element).position)) return false;
        let parent = element.parentElement;
        for (; parent && parent !== document.body; parent = parent.parentElement) {
            if (scrolls(parent)) return true;
        }
        return false;
    };
    const hiddenSideways = [];
    for (const element of document.body.querySelectorAll("*")) {
        if (["TEXTAREA", "SELECT", "INPUT"].includes(element.tagName)) continue;
        if (!["auto", "scroll"].includes(getComputedStyle(element).overflowX)) continue;
        const hidden = element.scrollWidth - element.clientWidth;
        if (hidden > 1 && element.clientWidth > 0) {
            hiddenSideways.push(`${describe(element)} hides ${hidden} px behind a sideways scroll`);
        }
    }
    const documentWidth = document.documentElement.scrollWidth;
    if (documentWidth <= width && !hiddenSideways.length) return null;
    const outside = [...document.body.querySelectorAll("*")].filter((element) => {
        const box = element.getBoundingClientRect();
        return box.width > 0 && box.right > width + 0.5 && !inScrollBox(element);
    });
    outside.sort((a, b) => b.getBoundingClientRect().width - a.getBoundingClientRect().width);
    const roots = outside.filter((element) => !outside.includes(element.parentElement));
    return {
        documentWidth,
        widest: outside.length ? describe(outside[0]) : "",
        roots: roots.slice(0, 3).map(describe),
        hiddenSideways: hiddenSideways.slice(0, 3),
    };
}"""


def _route(path: str) -> tuple[str, bool] | None:
    """The route's name and whether its URL names an object, or None for a
    page not to visit. Wagtail's pages are each their own route."""
    if path.startswith(SKIPPED_PREFIXES) or path.endswith((".pdf", ".zip")):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.view_name in SKIPPED_ROUTES:
        return None
    if match.url_name == "wagtail_serve":
        return path, False
    return match.view_name, bool(match.kwargs)


def _links(page, host: str) -> list[str]:
    return page.eval_on_selector_all(
        "a[href]:not([download])",
        "(links, host) => links.filter((link) => link.host === host).map((link) => link.pathname)",
        host,
    )


def _searches(page) -> list[str]:
    """The results page of each search form of the page, for a common word."""
    return page.eval_on_selector_all(
        "form:has(input[type=search])",
        """(forms) => forms.filter((form) => form.method === "get").map((form) => {
            const url = new URL(form.action);
            url.searchParams.set(form.querySelector("input[type=search]").name, "paiement");
            return url.href;
        })""",
    )


def _measure_site(page, portal, start: list[str], hosts: tuple[str, ...]) -> tuple[list, list]:
    """Visit every page reachable from START on HOSTS, measure each at every
    width; the pages visited and a description of each page too wide."""
    queue = deque(start)
    seen, visited, failures = set(), [], []
    per_route = Counter()
    while queue:
        url = urldefrag(queue.popleft()).url
        parts = urlsplit(url)
        if url in seen or parts.hostname not in hosts:
            continue
        seen.add(url)
        route = _route(parts.path)
        if route is None:
            continue
        name, names_an_object = route
        if names_an_object and per_route[name] >= PER_ROUTE:
            continue
        per_route[name] += 1
        try:
            response = page.goto(url)
        except PlaywrightError as error:
            if "Download is starting" in str(error):
                continue
            raise
        if response is None or response.status != 200 or page.url in visited:
            continue
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        visited.append(page.url)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            problem = page.evaluate(MEASURE)
            if problem:
                failures.append(_describe(page.url, width, problem))
        host = parts.netloc
        queue.extend(f"{parts.scheme}://{host}{path}" for path in _links(page, host))
        queue.extend(_searches(page))
    return visited, failures


def _describe(url: str, width: int, problem: dict) -> str:
    lines = [f"At {width} px, {url}:"]
    if problem["documentWidth"] > width:
        wide = problem["documentWidth"]
        lines.append(f"  the page is {wide} px wide; the widest element: {problem['widest']}")
        lines += [f"  sticks out: {root}" for root in problem["roots"]]
    lines += [f"  {hidden}" for hidden in problem["hiddenSideways"]]
    return "\n".join(lines)


def _accessibility_roles(page) -> set[str]:
    """The roles in Chromium's own accessibility tree of the page."""
    session = page.context.new_cdp_session(page)
    nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    session.detach()
    return {node["role"]["value"] for node in nodes if "role" in node}


def _new_page(browser, width: int = WIDTHS[0], **options):
    context = browser.new_context(
        viewport={"width": width, "height": 800}, locale="fr-FR", **options
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page, errors


def test_no_public_page_scrolls_sideways_on_a_phone(portal, browser):
    page, errors = _new_page(browser)
    start = [portal.url(host, "/") for host in (CARVIN, SAINT_ANDRE)]
    start += [
        portal.url(host, reverse(name))
        for host in (CARVIN, SAINT_ANDRE)
        for name in ENTRY_POINTS["anonymous"]
    ]

    visited, failures = _measure_site(page, portal, start, (CARVIN, SAINT_ANDRE))

    page.context.close()
    assert not failures, "\n".join(failures)
    assert not errors, f"JavaScript errors on the pages: {errors}"
    paths = {urlsplit(url).path for url in visited}
    for path in ("/faq/", "/en/faq/", "/services/", "/services/acte-de-naissance/etape/1/"):
        assert path in paths, f"{path} was not reached from the home pages"
    assert any("/faq/?q=paiement" in url for url in visited), "the FAQ's search was not tried"
    assert {"/compte/connexion/", "/compte/creer/", "/compte/mot-de-passe-oublie/"} <= paths
    assert any(path.startswith("/mentions-legales") for path in paths)


def test_no_account_page_scrolls_sideways_on_a_phone(portal, browser):
    page, errors = _new_page(browser)
    citizen_log_in(page, portal, "amélie.lire", "amelie-carvin-demo")
    page.goto(portal.url(CARVIN, "/paiement/"))
    page.get_by_role("button", name="Ajouter la facture CAR-V-00103 au panier").click()
    expect(page.get_by_role("status")).to_contain_text("dans votre panier")
    start = [portal.url(CARVIN, reverse(name)) for name in ENTRY_POINTS["citizen"]]
    start.append(portal.url(CARVIN, "/services/inscription-scolaire/etape/1/"))

    visited, failures = _measure_site(page, portal, start, (CARVIN,))

    # The tables shown as cards: still tables for screen readers, and clean.
    for path, name in [
        ("/paiement/", "mes-comptes"),
        ("/paiement/releve/", "releve"),
        ("/paiement/panier/", "panier"),
        ("/compte/demandes/", "mes-demandes"),
    ]:
        page.goto(portal.url(CARVIN, path))
        for width in reversed(WIDTHS):
            page.set_viewport_size({"width": width, "height": 800})
            screenshot(page, f"phone-{width}-carvin-{name}")
        expect(page.locator("table.table-cards tbody tr").first).to_have_css("display", "grid")
        assert {"table", "row", "columnheader", "rowheader", "cell"} <= _accessibility_roles(page)
        violations = axe_violations(page)
        assert not violations, format_violations(page.url, violations)
    page.context.close()
    assert not failures, "\n".join(failures)
    assert not errors, f"JavaScript errors on the pages: {errors}"
    paths = {urlsplit(url).path for url in visited}
    assert {"/compte/", "/compte/profil/", "/compte/demandes/", "/compte/donnees/"} <= paths
    assert {"/paiement/", "/paiement/releve/", "/paiement/panier/"} <= paths
    assert any(re.fullmatch(r"/compte/demandes/CAR-\d{4}-\d+/", path) for path in paths)
    assert any(re.fullmatch(r"/compte/foyer/\d+/modifier/", path) for path in paths)
    assert any(re.fullmatch(r"/paiement/transaction/[^/]+/recu/", path) for path in paths)


def test_the_menu_button_shows_the_links_and_escape_hides_them(portal, browser):
    page, errors = _new_page(browser, width=390)
    page.goto(portal.url(CARVIN, "/faq/"))
    menu = page.get_by_role("button", name="Menu")
    main_menu = page.get_by_role("navigation", name="Menu principal")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(main_menu).to_be_hidden()
    expect(page.get_by_role("link", name="Connexion", exact=True)).to_be_hidden()

    menu.click()

    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(main_menu.get_by_role("link", name="Services")).to_be_visible()
    expect(page.get_by_role("link", name="English")).to_be_visible()
    expect(page.get_by_role("banner").get_by_role("link", name="Connexion")).to_be_visible()
    screenshot(page, "phone-390-carvin-menu-open", full_page=False)
    violations = axe_violations(page)
    assert not violations, format_violations(page.url, violations)

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Français")).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    expect(main_menu).to_be_hidden()

    page.keyboard.press("Enter")
    expect(main_menu).to_be_visible()
    page.get_by_role("heading", level=1).click()
    expect(main_menu).to_be_hidden()

    page.set_viewport_size({"width": 1280, "height": 800})
    expect(menu).to_be_hidden()
    expect(main_menu).to_be_visible()
    page.context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def test_without_javascript_the_links_stay_in_view(portal, browser):
    page, _ = _new_page(browser, width=320, java_script_enabled=False)
    page.goto(portal.url(SAINT_ANDRE, "/"))

    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Menu principal")).to_be_visible()
    expect(page.get_by_role("banner").get_by_role("link", name="Connexion")).to_be_visible()
    assert page.evaluate(MEASURE) is None
    screenshot(page, page_name(SAINT_ANDRE, "/phone-320-without-javascript"), full_page=False)
    page.context.close()
