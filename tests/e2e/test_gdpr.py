"""Personal data in a real browser: the DPO's register of processing
activities, the notice of a démarche and the citizen's ZIP download."""

import io
import json
import zipfile

import pytest
from playwright.sync_api import expect

from .helpers import CARVIN, admin_sign_in, axe_violations, format_violations, screenshot

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

SUPERVISOR = ("regie.carvin", "regie-carvin-demo")
CITIZEN = ("amélie.lire", "amelie-carvin-demo")


def test_a_supervisor_reads_and_downloads_the_register(portal, page):
    admin_sign_in(page, portal, *SUPERVISOR)

    page.goto(portal.url(CARVIN, "/admin/reports/processing-register/"))

    register = page.locator("table[data-register]")
    expect(register.locator("tbody tr")).to_have_count(12)  # 9 démarches, 3 of the portal
    expect(register).to_contain_text("Demande d'acte de naissance")
    expect(page.locator("#controller-heading + dl")).to_contain_text("dpo@carvin.localhost")
    first = register.locator("tbody tr").first.locator("details")
    first.locator("summary").click()
    expect(first.locator("dd").nth(1)).to_be_visible()
    screenshot(page, "admin-processing-register")
    for export in ("pdf", "xlsx", "csv"):
        link = page.locator(f"a[href$='export={export}']")
        if not link.is_visible():
            page.locator("header button.w-dropdown__toggle").first.click()
        with page.expect_download() as download:
            link.click()
        name = download.value.suggested_filename
        assert name.startswith("registre-traitements-carvin") and name.endswith(f".{export}")
        assert download.value.path().read_bytes()[:4] in (
            b"%PDF",
            b"PK\x03\x04",
            b"Trai",
            b"\xef\xbb\xbfT",
        )


def test_a_citizen_reads_the_notice_then_downloads_her_data(portal, page):
    page.goto(portal.url(CARVIN, "/services/acte-de-naissance/"))
    notice = page.locator("section.privacy-notice")
    expect(notice).to_contain_text("dpo@carvin.localhost")
    violations = axe_violations(page)
    assert violations == [], format_violations(page.url, violations)

    page.goto(portal.url(CARVIN, "/compte/connexion/"))
    page.locator("input[name=username]").fill(CITIZEN[0])
    page.locator("input[name=password]").fill(CITIZEN[1])
    page.get_by_role("main").get_by_role("button", name="Connexion", exact=True).click()
    page.goto(portal.url(CARVIN, "/compte/donnees/"))
    violations = axe_violations(page)
    assert violations == [], format_violations(page.url, violations)
    with page.expect_download() as download:
        page.locator("a[href$='/donnees/telecharger/']").click()

    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    data = json.loads(archive.read("donnees.json"))
    assert data["account"]["username"] == CITIZEN[0]
    references = {request["reference"] for request in data["requests"] if request["reference"]}
    assert references
    documents = [name for name in archive.namelist() if name.startswith("demandes/")]
    assert all(name.split("/")[1] in references for name in documents)
    assert any(not name.split("/")[-1].startswith("recepisse") for name in documents)
