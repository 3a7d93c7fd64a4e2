"""Constants and helpers shared by the end-to-end tests."""

import json
import re
import shutil
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_JS = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = BASE_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = shutil.which("java") or "/usr/bin/java"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
SCREENSHOTS = BASE_DIR / "var" / "screenshots"

CARVIN = "carvin.localhost"
SAINT_ANDRE = "saint-andre-des-eaux.localhost"


class Portal:
    """URLs of the demo communes on the live server's port."""

    def __init__(self, port: int):
        self.port = port

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"


def page_name(host: str, path: str) -> str:
    """carvin.localhost, /en/faq/ -> carvin-en-faq; the home page is "home"."""
    return f"{host.split('.')[0]}-{path.strip('/').replace('/', '-') or 'home'}"


def wait_scrolled_to(page, selector: str, *, margin: float = 32) -> None:
    """Wait until the element's top is at the top of the window (within MARGIN
    pixels): the portal scrolls smoothly to anchors, so the scroll takes a while."""
    page.wait_for_function(
        """([selector, margin]) => {
            const top = document.querySelector(selector)?.getBoundingClientRect().top;
            return top !== undefined && top >= 0 && top <= margin;
        }""",
        arg=[selector, margin],
    )


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot of the page (whole, or only what is in the window) to
    var/screenshots/NAME.png for a human to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name).strip('-')}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def axe_violations(page) -> list[dict]:
    """Run axe-core on the whole page with the WCAG 2.1 A/AA and best-practice rules.

    axe-core is run through the browser's DevTools protocol, not added to the
    page as an inline script, which the page's Content-Security-Policy blocks."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text())
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    return page.evaluate("options => axe.run(document, options)", options)["violations"]


def format_violations(url: str, violations: list[dict]) -> str:
    """One line per violation (rule id, impact, help) and one per node it found."""
    lines = [f"{len(violations)} axe-core violation(s) on {url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"<{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    target {json.dumps(node['target'], ensure_ascii=False)}: {summary}")
    return "\n".join(lines)


def form_field(scope, label: str):
    """The input, select or textarea labelled LABEL in SCOPE (a page or a
    locator), whether or not its label ends with the required-field star."""
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}(\s*\*)?\s*$"))


def broken_aria_references(page) -> list[str]:
    """Elements whose aria-describedby or aria-labelledby names an id that is
    not on the page (axe-core only asks for a review of those, it does not
    count them as violations), as "<tag>#<id> aria-describedby -> #<missing id>"."""
    return page.evaluate(
        """() => {
            const broken = [];
            for (const attribute of ["aria-describedby", "aria-labelledby"]) {
                for (const element of document.querySelectorAll(`[${attribute}]`)) {
                    for (const id of element.getAttribute(attribute).split(/\\s+/)) {
                        if (id && !document.getElementById(id)) {
                            const name = `${element.tagName.toLowerCase()}#${element.id}`;
                            broken.push(`${name} ${attribute} -> #${id}`);
                        }
                    }
                }
            }
            return broken;
        }"""
    )


# --- Staff sign-in: password, then the second factor --------------------------

#: The authenticator app's key of each staff login set up in this run, and the
#: last time step whose code was used (a code works once).
_APP_KEYS: dict[str, bytes] = {}
_LAST_STEPS: dict[str, int] = {}


def citizen_log_in(page, portal, login: str, password: str, host: str = CARVIN) -> None:
    """Log in on the commune's portal as its citizen, from the login page."""
    from playwright.sync_api import expect

    page.goto(portal.url(host, "/compte/connexion/"))
    page.get_by_role("textbox", name="Identifiant").fill(login)
    form_field(page, "Mot de passe").fill(password)
    page.get_by_role("main").get_by_role("button", name="Connexion").click()
    expect(page).to_have_url(portal.url(host, "/compte/"))


def admin_sign_in(page, portal, login: str, password: str, host: str = CARVIN) -> None:
    """Sign in to the admin as a person would: Wagtail's login page, then,
    the first time, the authenticator app's setup (the key is read from the
    page, as typed into an app) and the recovery codes; afterwards the app's
    code, computed from that key with ``django_otp.oath.totp``."""
    from base64 import b32decode

    from playwright.sync_api import expect

    page.goto(portal.url(host, "/admin/login/"))
    page.locator("input[name=username]").fill(login)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("button", name="S'identifier").click()
    expect(page).to_have_url(re.compile(r"/admin/second-factor/"))
    if "/setup/" in page.url:
        secret = page.locator("#second-factor-secret").inner_text().replace(" ", "")
        _APP_KEYS[login] = b32decode(secret + "=" * (-len(secret) % 8))
        type_app_code(page, login)
        expect(page).to_have_url(re.compile(r"/admin/second-factor/recovery-codes/"))
        page.locator("[data-codes-kept]").click()
    else:
        type_app_code(page, login)
    expect(page).to_have_url(re.compile(r"/admin/(\?|$)"))


def type_app_code(page, login: str) -> None:
    """Type the code the app of ``login`` shows now (or, when that code was
    used already, the next one, which the portal accepts as clock drift)."""
    import time

    from django_otp.oath import totp

    step = int(time.time()) // 30
    offset = max(0, _LAST_STEPS.get(login, -1) + 1 - step)
    if offset > 1:
        time.sleep(30 * (offset - 1))
        step, offset = step + offset - 1, 1
    _LAST_STEPS[login] = step + offset
    code = page.locator("input[name=code]")
    code.fill(f"{totp(_APP_KEYS[login], drift=offset):06d}")
    code.press("Enter")


CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
    console.error(
        `CSP violation: ${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
        + ` at ${event.sourceFile || document.location.href}:${event.lineNumber}`
    );
});
"""


def watch_csp_violations(page) -> list[str]:
    """The Content-Security-Policy violations of every document the page
    opens from now on: the browser's own console messages about the policy
    and the ``securitypolicyviolation`` events of each document (a listener
    added before any script of the page runs)."""
    violations = []
    page.context.add_init_script(CSP_LISTENER)

    def on_console(message):
        text = message.text
        if "CSP violation:" in text or "Content Security Policy" in text:
            violations.append(f"{page.url}: {text}")

    page.on("console", on_console)
    return violations
