"""Démarche models in Chromium: Carvin's communication officer browses the
catalogue, previews a model, installs it as a draft and reads what the new
version of the road report changes. axe-core checks each screen at desktop
and phone widths.

This module writes to the database (a démarche installed): its demo
database is its own and is put back when it is done (``demo_portal``)."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import CARVIN, admin_sign_in, axe_violations, format_violations, screenshot

pytestmark = [pytest.mark.e2e]

COMMUNICATION = ("com.carvin", "com-carvin-demo")
MODEL = "Prêt de matériel municipal"
REPORT = "Signaler un problème sur la voie publique"


def _check(page, name: str) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"demarche-models-{name}-{width}")
        violations = axe_violations(page)
        assert not violations, format_violations(page.url, violations)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_staff_install_a_model_and_see_what_a_new_version_changes(portal, page):
    admin_sign_in(page, portal, *COMMUNICATION)
    page.get_by_role("link", name="Modèles de démarches").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Modèles de démarches"))
    report = page.get_by_role("row").filter(has_text=REPORT)
    expect(report).to_contain_text("Nouvelle version disponible")
    _check(page, "list")

    page.get_by_role("link", name=MODEL).click()
    expect(page.get_by_text("Quantité de chaque matériel")).to_be_visible()
    _check(page, "preview")

    page.get_by_role("button", name=re.compile("Installer en brouillon")).click()
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/"))
    expect(page.get_by_text(f"« {MODEL} » est installée en brouillon")).to_be_visible()

    page.goto(portal.url(CARVIN, "/admin/demarche-models/"))
    expect(page.get_by_role("row").filter(has_text=MODEL)).to_contain_text("Déjà installé")
    report.get_by_role("link", name="Voir ce qui change").click()
    expect(page.get_by_role("cell", name="Photo du problème")).to_be_visible()
    _check(page, "update")
