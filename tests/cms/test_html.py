"""What the Nu HTML checker and the search engines read in the portal's
pages: a description on every page, valid machine dates, the right
autofill hints."""

import re
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.utils import translation

from cms.templatetags.portal import machine_datetime
from tests.services.factories import field, service_page
from tests.services.test_forms import build
from tests.services.tracking_factories import CARVIN, detail_url, parent, school_request

DESCRIPTION = re.compile(r'<meta name="description" content="([^"]+)">')
DATETIME = re.compile(r'<time datetime="([^"]+)"')
# HTML's global date and time: at most three digits of a second's fraction.
VALID_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?(Z|[+-]\d\d:?\d\d)$")


def test_a_page_of_the_portal_without_a_wagtail_page_has_a_description(client, carvin):
    login = client.get("/compte/connexion/", **CARVIN).content.decode()

    assert DESCRIPTION.search(login).group(1) == (
        "Portail citoyen de Carvin : démarches en ligne, factures à payer et réponses "
        "à vos questions."
    )


def test_a_step_of_a_demarche_is_described_by_the_demarche_s_summary(client, carvin):
    page = service_page(carvin)
    page.summary = "Inscrire son enfant à l’école."
    page.save_revision().publish()
    client.force_login(parent(carvin))

    step = client.get(f"{page.url}etape/1/", **CARVIN).content.decode()

    assert DESCRIPTION.search(step).group(1) == "Inscrire son enfant à l’école."


def test_the_dates_of_a_request_are_valid_machine_dates(client, carvin):
    owner = parent(carvin)
    request_sent = school_request(service_page(carvin), owner)
    client.force_login(owner)

    pages = [
        client.get("/compte/demandes/", **CARVIN).content.decode(),
        client.get(detail_url(request_sent, "submission"), **CARVIN).content.decode(),
    ]

    dates = [value for html in pages for value in DATETIME.findall(html)]
    assert dates
    assert all(VALID_DATETIME.match(value) for value in dates), dates


def test_machine_datetime_is_local_time_to_the_second():
    moment = datetime(2026, 12, 7, 9, 30, 15, 123456, tzinfo=UTC)

    with translation.override("fr"):
        assert machine_datetime(moment) == "2026-12-07T10:30:15+01:00"
    assert machine_datetime(None) == ""


def test_no_template_writes_a_date_with_microseconds():
    """Django's ``date:"c"`` writes six digits of a second's fraction, which
    HTML refuses: use ``machine_datetime``."""
    templates = Path(settings.BASE_DIR)
    offenders = [
        str(path.relative_to(templates))
        for directory in ("templates", "accounts", "cms", "services", "payments", "faq", "home")
        for path in (templates / directory).rglob("*.html")
        if re.search(r"""\|date:\s*['"]c['"]""", path.read_text())
    ]

    assert offenders == []


def test_a_one_line_address_input_is_autofilled_with_the_first_line(client, carvin):
    """``street-address`` is for a multi-line textarea only."""
    client.force_login(parent(carvin))
    profile = client.get("/compte/profil/modifier/", **CARVIN).content.decode()
    demarche = str(build(field("address", "Adresse", "adr"))["adr__street"])

    for html in (profile, demarche):
        assert 'autocomplete="address-line1"' in html
        assert 'autocomplete="street-address"' not in html
