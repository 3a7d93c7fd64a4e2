"""Online procedures ("démarches") as staff, citizens and agents use them in
Chromium: communication staff build a démarche in the Wagtail admin and a
citizen fills it in; an anonymous birth certificate request followed through
the link e-mailed; a school enrolment for a child with documents uploaded and
promised by post, its receipt and cover sheet; an agent asking for a missing
document, which the citizen adds. axe-core checks every page these journeys
go through: the services index, the introductions, every step of two
démarches as it first shows and most of them showing errors, the recaps, the
sent pages, the account's requests, a request's page (showing errors too) and
the anonymous tracking page.

Like ``test_accounts.py``, this module writes to the database: each test
sends requests of its own, or changes a demo request that no other test looks
at, and the module's demo database is put back as it was when the module is
done (``demo_portal`` in conftest.py).

E-mails are sent by the live server's thread, in this same process, through
the immediate task backend and the locmem e-mail backend: they land in
``django.core.mail.outbox`` (the ``mailoutbox`` fixture), emptied before each
test.

The citizen's pages are found by their French labels, legends and
headings; their buttons, and the blocks of the Wagtail admin's StreamField,
by names and values of form fields and by icons, which do not change with
the wording.
"""

import re
import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from demo.services import demo_pdf

from .helpers import (
    CARVIN,
    admin_sign_in,
    axe_violations,
    citizen_log_in,
    form_field,
    format_violations,
    screenshot,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

CITIZEN = {
    "identifier": "amélie.lire",
    "password": "amelie-carvin-demo",
    "email": "amelie.lire@example.org",
    "name": "Amélie Lire",
}
COMMUNICATION = {"identifier": "com.carvin", "password": "com-carvin-demo"}
AGENT = {"identifier": "agent.carvin", "password": "agent-carvin-demo"}

SERVICES = "/services/"
BIRTH = "/services/acte-de-naissance/"
SCHOOL = "/services/inscription-scolaire/"
REFERENCE = re.compile(r"^CAR-\d{4}-\d{6}$")
PDF = "application/pdf"

IN_PROGRESS = "En cours"
INCOMPLETE = "Incomplet"
YES = "Oui"
NO = "Non"

# The démarche built in the admin by the first test.
CLUB = {
    "title": "Inscription au club des jardiniers",
    "slug": "inscription-au-club-des-jardiniers",
    "category": "Sport et loisirs",
    "summary": "Inscrivez-vous au club des jardiniers de la commune.",
    "step_1": "Votre situation",
    "question": "Êtes-vous déjà inscrit au club ?",
    "question_key": "deja_inscrit",
    "member_number": "Numéro d'adhérent",
    "step_2": "Votre justificatif",
    "document": "Attestation d'assurance",
    "document_key": "attestation",
}


# --- Shared steps ------------------------------------------------------------


def _shot(page, name: str) -> None:
    screenshot(page, f"services-{name}")


def _to_citizens(mailoutbox) -> list:
    """The e-mails to citizens, leaving out those the demo's agents chose to
    get for each new request."""
    return [message for message in mailoutbox if not message.to[0].endswith("@mairie.localhost")]


def _admin_shot(page, name: str, *, height: int = 2400) -> None:
    """The Wagtail admin scrolls inside the window, so a full-page screenshot
    shows only the window: make the window tall for the screenshot."""
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": height})
    screenshot(page, f"services-{name}", full_page=False)
    page.set_viewport_size(size)


def _check_axe(page, name: str, found: dict[str, str]) -> None:
    """Screenshot the page and run axe-core on it; violations go into FOUND
    (by page name) so that a test reports every page at once, at its end."""
    page.wait_for_load_state("load")
    _shot(page, name)
    violations = axe_violations(page)
    if violations:
        found[name] = format_violations(page.url, violations)


def _assert_no_violation(found: dict[str, str]) -> None:
    assert not found, "\n\n".join(found.values())


def _expect_no_horizontal_scrolling(page, name: str) -> None:
    """At 320 CSS pixels wide, the page reads without scrolling sideways
    (WCAG 1.4.10, reflow), however long the labels of its answers."""
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": size["height"]})
    try:
        _shot(page, name)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at 320px wide"
    finally:
        page.set_viewport_size(size)


def _log_in(page, portal, login: str, password: str) -> None:
    citizen_log_in(page, portal, login, password)


def _admin_log_in(page, portal, login: str, password: str) -> None:
    admin_sign_in(page, portal, login, password)
    expect(page).to_have_url(portal.url(CARVIN, "/admin/"))


def _pdf_file(name: str, title: str) -> dict:
    return {"name": name, "mimeType": PDF, "buffer": demo_pdf(title, [name])}


def _expect_step(page, number: int, count: int, title: str) -> None:
    """The step's title, its progress ("Étape 2 sur 4") and the steps list
    marking it as the current one."""
    progress = f"Étape {number} sur {count}"
    expect(page).to_have_title(re.compile(rf"{re.escape(title)} – {progress} – "))
    expect(page.locator(".steps__progress")).to_have_text(progress)
    expect(page.locator(".steps [aria-current=step]")).to_have_text(f"{number}. {title}")
    expect(page.locator("#step-form h2")).to_have_text(title)


def _next(page) -> None:
    """The step's main button: "Suivant", or on the last step the one that
    leads to the recap."""
    page.locator("#step-form button[name=action][value=next]").click()


def _previous(page) -> None:
    page.locator("#step-form button[name=action][value=previous]").click()


def _expect_errors(page, *, count: int) -> None:
    """The error summary lists COUNT errors, has the focus, and as many fields
    show their message next to them."""
    summary = page.locator("#form-errors")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary.get_by_role("listitem")).to_have_count(count)
    page.wait_for_function("document.activeElement?.id === 'form-errors'")
    expect(page.locator("main .field__errors")).to_have_count(count)
    expect(page).to_have_title(re.compile(r"^Erreur : "))


ABROAD = "Le document est-il à envoyer à l'étranger ?"


def _group(page, legend: str):
    """The fieldset whose legend is LEGEND (radio buttons, a document)."""
    return page.get_by_role("group", name=re.compile(rf"^\s*{re.escape(legend)}(\s*\*)?\s*$"))


def _choose(page, legend: str, choice: str) -> None:
    _group(page, legend).get_by_role("radio", name=choice, exact=True).check()


def _document(page, key: str):
    return page.locator(f"input[type=file][name='{key}']")


def _by_post(page, key: str):
    return page.locator(f"input[type=checkbox][name='{key}__by_post']")


def _recap(page) -> dict[str, dict[str, str]]:
    """The recap, as {step title: {label: answer}}."""
    recap = {}
    for section in page.locator("section.recap").all():
        title = section.get_by_role("heading", level=3).inner_text()
        terms = section.locator("dt").all_inner_texts()
        values = section.locator("dd").all_inner_texts()
        recap[title] = dict(zip(terms, values, strict=True))
    return recap


def _send(page) -> None:
    page.locator("main form button[type=submit]").last.click()


def _sent_reference(page, portal, path: str) -> str:
    expect(page).to_have_url(portal.url(CARVIN, f"{path}envoyee/"))
    reference = page.locator("main .reference").inner_text()
    assert REFERENCE.match(reference), reference
    return reference


def _solve_captcha(page) -> None:
    """Tick "Je ne suis pas un robot" and wait until the widget's proof of
    work, computed by the browser, says it is done."""
    page.get_by_role("checkbox", name="Je ne suis pas un robot").click()
    verified = page.get_by_role("checkbox", name="Vérifié : vous n'êtes pas un robot")
    expect(verified).to_be_checked(timeout=30_000)
    expect(page.locator("input[type=hidden][name=captcha]")).not_to_have_value("")


def _download(page, link, filename: str) -> bytes:
    """The file downloaded by clicking LINK, saved as FILENAME."""
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.failure() is None, download.failure()
    assert download.suggested_filename == filename, download.suggested_filename
    with open(download.path(), "rb") as file:
        return file.read()


def _pdf_text(content: bytes) -> str:
    """The text of a PDF, through poppler's pdftotext when it is installed
    (else only the PDF's signature is checked, and the text is empty)."""
    assert content.startswith(b"%PDF-"), content[:20]
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        return ""
    result = subprocess.run(  # noqa: S603 (a PDF of the portal, through a fixed tool)
        [pdftotext, "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return " ".join(result.stdout.decode().split())


def _tracking_path(message) -> str:
    """The path of the private link of an e-mail about a request made
    without an account (the demo site's port may differ from the live
    server's, so only the path is kept)."""
    found = re.search(r"https?://\S+(/suivi/[^\s/]+/)", message.body)
    assert found, message.body
    return found[1]


# --- 1. Communication staff build a démarche; a citizen fills it in -----------


def _stream_fields(page, step: int):
    """The "fields" stream of the form's step number STEP (from 0)."""
    return page.locator(f"div:has(> input[name='form-{step}-value-fields-count'])")


def _add_field(page, step: int, icon: str) -> None:
    """Append a field block to a step through the block chooser; the block is
    picked by its icon, which stays whatever the language of the admin."""
    count = page.locator(f"input[name='form-{step}-value-fields-count']")
    before = int(count.input_value())
    add = _stream_fields(page, step).locator(".c-sf-add-button").last
    # A click landing while Wagtail re-renders the stream after the previous
    # block is lost: click again until the chooser opens, as a person would.
    for _ in range(3):
        add.click()
        try:
            expect(add).to_have_attribute("aria-expanded", "true", timeout=2000)
            break
        except AssertionError:
            continue
    expect(add).to_have_attribute("aria-expanded", "true")
    page.get_by_role("option").filter(has=page.locator(f".icon-{icon}")).click()
    expect(count).to_have_value(str(before + 1))


def _field_input(page, step: int, field: int, name: str):
    return page.locator(f"#form-{step}-value-fields-{field}-value-{name}")


def _step_build_demarche(admin, portal) -> None:
    _admin_log_in(admin, portal, COMMUNICATION["identifier"], COMMUNICATION["password"])
    admin.goto(portal.url(CARVIN, "/admin/pages/"))
    home = admin.get_by_role("row").filter(has_text="Français")
    home.get_by_role("link", name=re.compile("^Explorer les sous-pages")).click()
    services = admin.get_by_role("row").filter(has=admin.get_by_role("link", name="Services"))
    services.get_by_role("link", name=re.compile("^Explorer les sous-pages")).click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Services")
    admin.get_by_role("link", name="Ajouter une sous-page").click()
    expect(admin).to_have_url(re.compile(r"/admin/pages/add/services/servicepage/\d+/$"))

    admin.locator("#id_title").fill(CLUB["title"])
    admin.locator("#id_category").fill(CLUB["category"])
    admin.locator("#id_summary").fill(CLUB["summary"])
    expect(admin.locator("#id_requires_account")).to_be_checked()

    # Step 1: a yes/no question, and a short text shown only for "Oui".
    admin.locator("#form-root .c-sf-add-button").first.click()  # the form's only block: a step
    admin.locator("#form-0-value-title").fill(CLUB["step_1"])
    _add_field(admin, 0, "radio-full")
    _field_input(admin, 0, 0, "label").fill(CLUB["question"])
    _field_input(admin, 0, 0, "key").fill(CLUB["question_key"])
    _add_field(admin, 0, "pilcrow")
    _field_input(admin, 0, 1, "label").fill(CLUB["member_number"])
    admin.locator(
        "button[aria-controls='block_group-form-0-value-fields-1-value-condition-content']"
    ).click()
    _field_input(admin, 0, 1, "condition-field").fill(CLUB["question_key"])
    _field_input(admin, 0, 1, "condition-value").fill(YES)

    # Step 2: a supporting document.
    admin.locator(
        "#form-root > [data-streamfield-stream-container] > div > .c-sf-add-button"
    ).last.click()
    admin.locator("#form-1-value-title").fill(CLUB["step_2"])
    _add_field(admin, 1, "doc-full-inverse")
    _field_input(admin, 1, 0, "label").fill(CLUB["document"])
    _field_input(admin, 1, 0, "key").fill(CLUB["document_key"])
    _admin_shot(admin, "admin-01-form-blocks", height=3200)

    admin.locator("footer").get_by_role("button", name="Plus d'actions").click()
    admin.locator("footer").get_by_role("button", name="Publier").click()
    expect(admin).to_have_url(re.compile(r"/admin/pages/\d+/$"))
    expect(admin.get_by_role("status").or_(admin.locator(".messages"))).to_contain_text(
        CLUB["title"]
    )
    row = admin.get_by_role("row").filter(has_text=CLUB["title"])
    admin.wait_for_load_state("load")
    published = row.locator(".w-status", has_text=re.compile("publiée", re.IGNORECASE))
    expect(published).to_have_count(1, timeout=15_000)
    _admin_shot(admin, "admin-02-published", height=800)


def _step_citizen_fills_new_demarche(page, portal) -> str:
    _log_in(page, portal, CITIZEN["identifier"], CITIZEN["password"])
    tabs = page.get_by_role("main").get_by_role("navigation", name="Mon compte")
    tabs.get_by_role("link", name="Services").click()
    expect(page).to_have_url(portal.url(CARVIN, SERVICES))
    category = page.get_by_role("region", name=CLUB["category"])
    category.get_by_role("link", name=CLUB["title"]).click()
    path = f"{SERVICES}{CLUB['slug']}/"
    expect(page).to_have_url(portal.url(CARVIN, path))
    expect(page.get_by_role("heading", level=1)).to_have_text(CLUB["title"])
    page.locator(f"main a[href='{path}etape/1/']").click()

    _expect_step(page, 1, 2, CLUB["step_1"])
    member_number = form_field(page, CLUB["member_number"])
    expect(member_number).to_be_hidden()
    _choose(page, CLUB["question"], YES)
    expect(member_number).to_be_visible()  # previewed by the browser
    _choose(page, CLUB["question"], NO)
    expect(member_number).to_be_hidden()
    _choose(page, CLUB["question"], YES)
    _shot(page, "club-01-condition-shown")
    _next(page)  # the member number left empty: the server asks for it

    _expect_step(page, 1, 2, CLUB["step_1"])
    _expect_errors(page, count=1)
    expect(member_number).to_be_visible()
    expect(member_number).to_have_attribute("aria-invalid", "true")
    _shot(page, "club-02-condition-required")
    member_number.fill("JARD-0042")
    _next(page)

    _expect_step(page, 2, 2, CLUB["step_2"])
    document = _group(page, CLUB["document"])
    expect(document).to_be_visible()
    _document(page, CLUB["document_key"]).set_input_files(
        _pdf_file("assurance.pdf", "Attestation d'assurance")
    )
    _next(page)

    expect(page).to_have_url(portal.url(CARVIN, f"{path}verification/"))
    recap = _recap(page)
    assert recap == {
        CLUB["step_1"]: {CLUB["question"]: YES, CLUB["member_number"]: "JARD-0042"},
        CLUB["step_2"]: {CLUB["document"]: "assurance.pdf"},
    }, recap
    _shot(page, "club-03-recap")
    _send(page)
    reference = _sent_reference(page, portal, path)
    _shot(page, "club-04-sent")
    return reference


def test_communication_staff_build_a_demarche_that_a_citizen_fills_in(portal, new_page, mailoutbox):
    _step_build_demarche(new_page(), portal)
    reference = _step_citizen_fills_new_demarche(new_page(), portal)

    assert [message.to for message in _to_citizens(mailoutbox)] == [[CITIZEN["email"]]]
    assert reference in _to_citizens(mailoutbox)[0].subject


# --- 2. An anonymous birth certificate request ----------------------------------


ANONYMOUS = {
    "first_name": "Gaëlle",
    "last_name": "Parcours-Naissance",
    "email": "gaelle.naissance@example.org",
}


def test_anonymous_birth_certificate_request_followed_through_the_emailed_link(
    portal, page, new_page, mailoutbox
):
    found: dict[str, str] = {}
    page.goto(portal.url(CARVIN, SERVICES))
    _check_axe(page, "birth-00-index", found)
    civil_status = page.get_by_role("region", name="État civil")
    civil_status.get_by_role("link", name="Demande d'acte de naissance").click()
    expect(page).to_have_url(portal.url(CARVIN, BIRTH))
    _check_axe(page, "birth-01-intro", found)
    page.locator(f"main a[href='{BIRTH}etape/1/']").click()

    # 1. Contact details, the step added for requests without an account.
    expect(page).to_have_url(portal.url(CARVIN, f"{BIRTH}etape/1/"))
    title = page.locator("#step-form h2").inner_text()
    _expect_step(page, 1, 5, title)
    _check_axe(page, "birth-02-contact", found)
    _next(page)
    _expect_errors(page, count=3)
    _check_axe(page, "birth-02-contact-errors", found)
    page.locator("input[name=_contact_first_name]").fill(ANONYMOUS["first_name"])
    page.locator("input[name=_contact_last_name]").fill(ANONYMOUS["last_name"])
    page.locator("input[name=_contact_email]").fill(ANONYMOUS["email"])
    _next(page)

    # 2. The document asked for.
    _expect_step(page, 2, 5, "Le document demandé")
    _check_axe(page, "birth-03-document", found)
    _next(page)
    _expect_errors(page, count=2)
    _check_axe(page, "birth-03-document-errors", found)
    _choose(page, "Type de document", "Copie intégrale")
    form_field(page, "Nombre d'exemplaires").fill("2")
    _next(page)

    # 3. The person concerned; a birth date in the future is refused.
    _expect_step(page, 3, 5, "La personne concernée")
    _check_axe(page, "birth-04-person", found)
    form_field(page, "Nom de naissance").fill("Parcours")
    form_field(page, "Prénoms").fill("Jeanne Marie")
    form_field(page, "Date de naissance").fill("2999-01-01")
    form_field(page, "Nom et prénoms du premier parent").fill("Parcours Louis")
    _next(page)
    _expect_errors(page, count=1)
    expect(form_field(page, "Prénoms")).to_have_value("Jeanne Marie")  # nothing typed is lost
    _check_axe(page, "birth-04-person-errors", found)
    form_field(page, "Date de naissance").fill("1990-06-15")
    _next(page)

    # 4. The requester's relationship: "Autre" shows a field to say which,
    # in the browser first, and the server asks for it. The proof of
    # relationship is asked because a full copy was chosen at step 2.
    _expect_step(page, 4, 5, "Votre lien avec la personne")
    other = form_field(page, "Précisez votre lien avec la personne concernée")
    guardianship = _group(page, "Jugement de tutelle")
    expect(other).to_be_hidden()
    expect(guardianship).to_be_hidden()
    expect(_group(page, "Justificatif d'identité ou de lien de parenté")).to_be_visible()
    _check_axe(page, "birth-05-relationship", found)
    _choose(page, "Vous êtes", "Autre")
    expect(other).to_be_visible()
    expect(guardianship).to_be_hidden()
    _choose(page, "Vous êtes", "Son représentant légal (tuteur)")
    expect(other).to_be_hidden()
    expect(guardianship).to_be_visible()
    _choose(page, "Vous êtes", "Autre")
    _next(page)
    _expect_errors(page, count=2)  # the relationship, and the proof
    _check_axe(page, "birth-05-relationship-errors", found)
    other.fill("Sa cousine")
    _document(page, "justificatif_lien").set_input_files(
        _pdf_file("carte-identite.pdf", "Carte nationale d'identité")
    )
    _next(page)

    # 5. Where to send the document: a French address (a French postcode), or
    # an address abroad and its country.
    _expect_step(page, 5, 5, "L'envoi du document")
    country = form_field(page, "Pays")
    french = _group(page, "Adresse d'envoi")
    abroad = _group(page, "Adresse d'envoi à l'étranger")
    expect(country).to_be_hidden()
    expect(french).to_be_hidden()
    _check_axe(page, "birth-06-sending", found)
    _choose(page, ABROAD, YES)
    expect(country).to_be_visible()
    expect(abroad).to_be_visible()
    expect(french).to_be_hidden()
    _choose(page, ABROAD, NO)
    expect(country).to_be_hidden()
    expect(abroad).to_be_hidden()
    form_field(french, "Numéro et voie").fill("3 rue des Essais")
    form_field(french, "Code postal").fill("1A")
    form_field(french, "Ville").fill("Lille")
    page.locator("input[type=checkbox][name=certification]").check()
    _next(page)
    expect(french).to_contain_text("Indiquez un code postal français de 5 chiffres")
    form_field(french, "Code postal").fill("59000")
    page.locator("input[type=checkbox][name=certification]").check()
    _next(page)

    # The recap, then the anti-robot check.
    expect(page).to_have_url(portal.url(CARVIN, f"{BIRTH}verification/"))
    recap = _recap(page)
    assert list(recap)[1:] == [
        "Le document demandé",
        "La personne concernée",
        "Votre lien avec la personne",
        "L'envoi du document",
    ], recap
    assert ANONYMOUS["email"] in recap[title].values()
    assert recap["Le document demandé"] == {
        "Type de document": "Copie intégrale",
        "Nombre d'exemplaires": "2",
    }
    assert recap["La personne concernée"]["Date de naissance"] == "15 juin 1990"
    assert recap["Votre lien avec la personne"] == {
        "Vous êtes": "Autre",
        "Précisez votre lien avec la personne concernée": "Sa cousine",
        "Justificatif d'identité ou de lien de parenté": "carte-identite.pdf",
    }
    assert recap["L'envoi du document"]["Adresse d'envoi"] == "3 rue des Essais\n59000 Lille"
    assert recap["L'envoi du document"][ABROAD] == NO
    _check_axe(page, "birth-07-recap", found)
    _solve_captcha(page)
    _check_axe(page, "birth-07-recap-captcha-solved", found)
    _send(page)

    reference = _sent_reference(page, portal, BIRTH)
    expect(page.get_by_role("main")).to_contain_text(ANONYMOUS["email"])
    _check_axe(page, "birth-08-sent", found)

    # The e-mail: the receipt, and the private link to the request.
    assert [message.to for message in _to_citizens(mailoutbox)] == [[ANONYMOUS["email"]]]
    message = _to_citizens(mailoutbox)[0]
    assert reference in message.subject
    assert [name for name, _content, _type in message.attachments] == [f"recepisse-{reference}.pdf"]
    tracking = _tracking_path(message)

    page.goto(portal.url(CARVIN, tracking))
    expect(page.locator("dl.submission-summary .request-ref")).to_have_text(reference)
    # Birth certificates follow the demo's civil-status workflow: "Reçue" first.
    expect(page.locator("dl.submission-summary .status-badge")).to_have_text("Reçue")
    expect(page.get_by_role("main")).to_contain_text("Sa cousine")
    expect(page.get_by_role("main")).to_contain_text("carte-identite.pdf")
    _check_axe(page, "birth-09-tracking", found)
    _expect_no_horizontal_scrolling(page, "birth-09-tracking-320px")
    receipt = _pdf_text(
        _download(
            page, page.locator(f"main a[href='{tracking}recepisse/']"), f"recepisse-{reference}.pdf"
        )
    )
    if receipt:
        assert reference in receipt
        assert "Demande d'acte de naissance" in receipt
    document = page.locator("main a[download]", has_text="carte-identite.pdf")
    assert _download(page, document, "carte-identite.pdf").startswith(b"%PDF-")

    # Without the link, nothing: another visitor, a key changed by one
    # character, the reference alone.
    stranger = new_page()
    key = tracking.split("/")[2]
    forged = key[:-1] + ("A" if key[-1] != "A" else "B")
    for path in (
        f"/suivi/{forged}/",
        f"/suivi/{forged}/recepisse/",
        f"/suivi/{reference}/",
    ):
        response = stranger.goto(portal.url(CARVIN, path))
        assert response.status == 404, path
    response = stranger.goto(portal.url(CARVIN, f"/compte/demandes/{reference}/"))
    expect(stranger).to_have_url(re.compile(r"/compte/connexion/\?next="))

    _assert_no_violation(found)


# --- 3. A school enrolment for a child, logged in --------------------------------


def test_school_enrolment_for_a_child_with_documents_uploaded_and_by_post(portal, page, mailoutbox):
    found: dict[str, str] = {}
    _log_in(page, portal, CITIZEN["identifier"], CITIZEN["password"])
    tabs = page.get_by_role("main").get_by_role("navigation", name="Mon compte")
    tabs.get_by_role("link", name="Services").click()
    expect(page).to_have_url(portal.url(CARVIN, SERVICES))
    _check_axe(page, "school-00-index-logged-in", found)
    page.get_by_role("link", name="Inscription scolaire").click()
    expect(page).to_have_url(portal.url(CARVIN, SCHOOL))
    _check_axe(page, "school-01-intro", found)
    page.locator(f"main a[href='{SCHOOL}etape/1/']").click()

    # 1. The child, chosen from the household.
    _expect_step(page, 1, 4, "L'enfant")
    children = _group(page, "Quel enfant inscrire ?")
    expect(children.get_by_role("radio")).to_have_count(2)  # Léa and Hugo, not the adults
    _check_axe(page, "school-02-child", found)
    _next(page)
    _expect_errors(page, count=3)  # the child's name and birth date may come from the household
    _check_axe(page, "school-02-child-errors", found)
    children.get_by_role("radio", name="Léa Lire").check()
    form_field(page, "Niveau à la rentrée").select_option("CM2")
    current_school = form_field(page, "Nom et commune de l'école actuelle")
    question = "Votre enfant est-il actuellement scolarisé dans une autre école ?"
    _choose(page, question, YES)
    expect(current_school).to_be_visible()
    _choose(page, question, NO)
    expect(current_school).to_be_hidden()
    _next(page)

    # 2. The school.
    _expect_step(page, 2, 4, "L'école")
    _check_axe(page, "school-03-school", found)
    form_field(page, "École souhaitée").select_option("École élémentaire Jean-Jaurès")
    _choose(page, "Demandez-vous une dérogation au secteur scolaire ?", NO)
    _next(page)

    # 3. The legal guardians; the phone number comes from the account.
    _expect_step(page, 3, 4, "Les responsables légaux")
    expect(form_field(page, "Téléphone joignable en journée")).to_have_value("06 12 34 56 78")
    _check_axe(page, "school-04-guardians", found)
    _choose(page, "Autorité parentale", "Exercée par les deux parents")
    form_field(page, "Nom et prénom de l'autre parent").fill("Lire Paul")
    _next(page)

    # 4. The documents: one uploaded, one by post, one refused for its content.
    _expect_step(page, 4, 4, "Les pièces justificatives")
    _check_axe(page, "school-05-documents", found)
    _document(page, "justificatif_domicile").set_input_files(
        _pdf_file("facture-energie.pdf", "Facture d'énergie")
    )
    _by_post(page, "livret_famille").check()
    _document(page, "vaccinations").set_input_files(
        {"name": "vaccinations.pdf", "mimeType": PDF, "buffer": b"Not a PDF, only text.\n" * 20}
    )
    page.locator("input[type=checkbox][name=certification]").check()
    _next(page)

    _expect_step(page, 4, 4, "Les pièces justificatives")
    _expect_errors(page, count=1)
    vaccinations = _group(page, "Carnet de santé : pages des vaccinations")
    expect(vaccinations.locator(".field__errors")).to_contain_text("vaccinations.pdf")
    expect(_document(page, "vaccinations")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#form-errors a[href='#id_vaccinations']")).to_be_visible()
    # Nothing is lost: the file that passed is attached, the rest is as typed.
    expect(_group(page, "Justificatif de domicile").locator(".attached")).to_contain_text(
        "facture-energie.pdf"
    )
    expect(_by_post(page, "livret_famille")).to_be_checked()
    expect(page.locator("input[type=checkbox][name=certification]")).to_be_checked()
    _check_axe(page, "school-05-documents-errors", found)

    # Back to the first step and forth again: every answer is kept.
    _previous(page)
    _expect_step(page, 3, 4, "Les responsables légaux")
    expect(form_field(page, "Nom et prénom de l'autre parent")).to_have_value("Lire Paul")
    page.locator("nav.steps button[value=goto-1]").click()
    _expect_step(page, 1, 4, "L'enfant")
    expect(children.get_by_role("radio", name="Léa Lire")).to_be_checked()
    expect(form_field(page, "Niveau à la rentrée")).to_have_value("CM2")
    expect(_group(page, question).get_by_role("radio", name=NO)).to_be_checked()
    page.locator("nav.steps button[value=goto-4]").click()
    _expect_step(page, 4, 4, "Les pièces justificatives")
    expect(_group(page, "Justificatif de domicile").locator(".attached")).to_contain_text(
        "facture-energie.pdf"
    )
    expect(_by_post(page, "livret_famille")).to_be_checked()
    _document(page, "vaccinations").set_input_files(
        _pdf_file("vaccinations.pdf", "Carnet de santé")
    )
    _shot(page, "school-05-documents-fixed")
    _next(page)

    # The recap, with a link back to each step.
    expect(page).to_have_url(portal.url(CARVIN, f"{SCHOOL}verification/"))
    recap = _recap(page)
    assert list(recap) == [
        "L'enfant",
        "L'école",
        "Les responsables légaux",
        "Les pièces justificatives",
    ], recap
    assert recap["L'enfant"]["Quel enfant inscrire ?"] == "Léa Lire"
    assert recap["L'enfant"]["Nom de l'enfant"] == "Lire"
    assert recap["L'enfant"]["Prénom de l'enfant"] == "Léa"
    assert recap["L'enfant"]["Date de naissance"] == "21 septembre 2015"
    assert recap["L'enfant"][question] == NO
    assert recap["Les responsables légaux"]["Téléphone joignable en journée"] == "06 12 34 56 78"
    documents = recap["Les pièces justificatives"]
    assert documents["Justificatif de domicile"] == "facture-energie.pdf"
    assert documents["Carnet de santé : pages des vaccinations"] == "vaccinations.pdf"
    assert "courrier" in documents["Livret de famille ou acte de naissance de l'enfant"]
    for number in range(1, 5):
        expect(page.locator(f"section.recap a[href='{SCHOOL}etape/{number}/']")).to_have_count(1)
    _check_axe(page, "school-06-recap", found)
    _send(page)

    reference = _sent_reference(page, portal, SCHOOL)
    main = page.get_by_role("main")
    expect(main.get_by_role("listitem").filter(has_text="Livret de famille")).to_be_visible()
    _check_axe(page, "school-07-sent", found)
    main.locator(f"a[href='/compte/demandes/{reference}/']").click()

    # The request's page: status, receipt and cover sheet.
    expect(page).to_have_url(portal.url(CARVIN, f"/compte/demandes/{reference}/"))
    expect(page.locator("dl.submission-summary .status-badge")).to_have_text(IN_PROGRESS)
    expect(page.locator("dl.submission-summary")).to_contain_text("Léa Lire")
    _check_axe(page, "school-08-detail", found)
    receipt = _pdf_text(
        _download(page, page.locator("main a[href$='/recepisse/']"), f"recepisse-{reference}.pdf")
    )
    cover_sheet = _pdf_text(
        _download(page, page.locator("main a[href$='/bordereau/']"), f"bordereau-{reference}.pdf")
    )
    if receipt:
        assert reference in receipt
        assert "Inscription scolaire" in receipt
        assert "facture-energie.pdf" in receipt
        assert "Livret de famille ou acte de naissance de l'enfant" in receipt
    if cover_sheet:
        for text in (reference, "Inscription scolaire", CITIZEN["name"], "62220 Carvin"):
            assert text in cover_sheet, (text, cover_sheet)
        assert "Livret de famille ou acte de naissance de l'enfant" in cover_sheet
        assert "Justificatif de domicile" not in cover_sheet

    # "Accueil" shows it with its status; "Demandes" adds the date and the child.
    page.goto(portal.url(CARVIN, "/compte/"))
    item = page.locator(".request-list__item").filter(has_text=reference)
    expect(item).to_contain_text("Inscription scolaire")
    expect(item.locator(".status-badge")).to_have_text(IN_PROGRESS)
    _shot(page, "school-09-home")
    page.goto(portal.url(CARVIN, "/compte/demandes/"))
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("Léa Lire")
    expect(row.locator(".status-badge")).to_have_text(IN_PROGRESS)
    _check_axe(page, "school-10-requests", found)

    # The e-mail: the receipt and the cover sheet attached.
    assert [message.to for message in _to_citizens(mailoutbox)] == [[CITIZEN["email"]]]
    assert sorted(name for name, _content, _type in _to_citizens(mailoutbox)[0].attachments) == [
        f"bordereau-{reference}.pdf",
        f"recepisse-{reference}.pdf",
    ]

    _assert_no_violation(found)


# --- 5. The correction loop: the agent names a missing document, the citizen sends
# exactly that, the agent accepts with a message template -----------------------------


MEALS = "Restauration scolaire et accueil périscolaire"
PAI = "Projet d'accueil individualisé (PAI)"
MISSING_MESSAGE = "Merci de joindre le projet d'accueil individualisé (PAI) de Hugo."
ACCEPTED = "Validé"


QUESTION = "Bonjour, le certificat médical ci-joint suffit-il pour le PAI de Hugo ?"
ANSWER = "Bonjour, oui : il suffit. Nous l'ajoutons au dossier."


def test_citizen_asks_a_question_with_a_pdf_that_the_agent_answers_from_the_admin(
    portal, new_page, mailoutbox
):
    """Hugo's demo request for school meals, while it is being processed
    (the next test accepts it): the question, the answer, and the unread
    answer on the citizen's "Accueil"."""
    found: dict[str, str] = {}
    page = new_page()
    _log_in(page, portal, CITIZEN["identifier"], CITIZEN["password"])
    item = page.locator(".request-list__item").filter(has_text=MEALS).first
    item.get_by_role("link", name=MEALS).click()
    reference = page.locator("dl.submission-summary .request-ref").inner_text().strip()
    thread = page.locator("section#messages")
    thread.get_by_label("Votre message").fill(QUESTION)
    thread.locator("input[type=file][name=files]").set_input_files(
        _pdf_file("certificat.pdf", "Certificat médical")
    )
    thread.get_by_role("button", name="Envoyer mon message").click()
    expect(page.get_by_role("status")).to_contain_text("Votre message est envoyé à la mairie.")
    expect(page.locator("ol.history")).to_contain_text(QUESTION)
    expect(page.locator("ol.history a[download]", has_text="certificat.pdf")).to_be_visible()

    agent = new_page()
    _admin_log_in(agent, portal, AGENT["identifier"], AGENT["password"])
    agent.goto(portal.url(CARVIN, "/admin/snippets/services/submission/?messages=unanswered"))
    agent.get_by_role("row").filter(has_text=reference).get_by_role("link").first.click()
    history = agent.locator("section[aria-labelledby=history-heading]")
    expect(history).to_contain_text(QUESTION)
    expect(history.locator("a[download]", has_text="certificat.pdf")).to_be_visible()
    reply = agent.locator("section[aria-labelledby=reply-heading]")
    reply.locator("textarea[name=text]").fill(ANSWER)
    reply.get_by_role("button", name="Envoyer le message").click()
    expect(agent.locator(".messages")).to_contain_text(reference)
    expect(history).to_contain_text(ANSWER)
    _admin_shot(agent, "thread-01-agent-answered")
    assert any(reference in m.subject for m in _to_citizens(mailoutbox))

    page.goto(portal.url(CARVIN, "/compte/"))
    unread = page.locator(".unread-messages")
    expect(unread).to_contain_text(reference)
    _check_axe(page, "thread-02-citizen-home-unread", found)
    unread.get_by_role("link", name=MEALS).click()
    expect(page.locator("ol.history")).to_contain_text(ANSWER)
    _check_axe(page, "thread-03-citizen-answer", found)
    _expect_no_horizontal_scrolling(page, "thread-04-citizen-answer-320px")
    _assert_no_violation(found)


def test_agent_asks_for_a_missing_document_that_the_citizen_sends_then_accepts(
    portal, new_page, mailoutbox
):
    """Hugo's demo request for school meals, "En instruction", with its PAI
    promised by post."""
    found: dict[str, str] = {}
    agent = new_page()
    _admin_log_in(agent, portal, AGENT["identifier"], AGENT["password"])
    agent.locator("a[href='/admin/snippets/services/submission/']").first.click()
    # The queue shows what needs action, the longest waiting first.
    expect(agent.locator("main")).to_contain_text("Statut : À traiter".replace(" :", "\u00a0:"))
    row = agent.get_by_role("row").filter(has_text=MEALS).filter(has_text="Hugo Lire")
    expect(row).to_have_count(1)
    _admin_shot(agent, "agent-00-queue")
    row.get_by_role("link").first.click()
    expect(agent).to_have_url(re.compile(r"/admin/snippets/services/submission/inspect/\d+/$"))
    reference = agent.locator("main dl dd").first.inner_text().strip()
    assert REFERENCE.match(reference), reference
    _admin_shot(agent, "agent-01-inspect")

    status_form = agent.locator("section[aria-labelledby=status-heading] form")
    items = status_form.locator("[data-show-for-status]")
    expect(items).to_be_hidden()
    # The buttons of the standard workflow: the transition, then the status.
    status_form.get_by_role("radio", name=f"Demander des corrections → {INCOMPLETE}").check()
    expect(items).to_be_visible()
    items.get_by_role("checkbox", name=PAI).check()
    status_form.locator("textarea[name=message]").fill(MISSING_MESSAGE)
    status_form.locator("button[type=submit]").click()
    expect(agent).to_have_url(re.compile(r"/admin/snippets/services/submission/inspect/\d+/$"))
    expect(agent.locator(".messages")).to_contain_text(reference)
    expect(agent.locator("section[aria-labelledby=asked-heading]")).to_contain_text(PAI)
    _admin_shot(agent, "agent-02-incomplete")

    assert [message.to for message in _to_citizens(mailoutbox)] == [[CITIZEN["email"]]]
    assert INCOMPLETE in _to_citizens(mailoutbox)[0].subject
    assert MISSING_MESSAGE in _to_citizens(mailoutbox)[0].body
    assert PAI in _to_citizens(mailoutbox)[0].body

    # The citizen sees exactly what is asked for, and sends it.
    page = new_page()
    _log_in(page, portal, CITIZEN["identifier"], CITIZEN["password"])
    item = page.locator(".request-list__item").filter(has_text=reference)
    expect(item.locator(".status-badge")).to_have_text(INCOMPLETE)
    item.get_by_role("link", name=MEALS).click()
    expect(page).to_have_url(portal.url(CARVIN, f"/compte/demandes/{reference}/"))
    expect(page.locator("dl.submission-summary .status-badge")).to_have_text(INCOMPLETE)
    corrections = page.get_by_role("region", name="Corriger votre demande")
    expect(corrections).to_contain_text(MISSING_MESSAGE)
    expect(corrections.locator(".corrections__items")).to_have_text(PAI)
    expect(corrections.locator("input[type=file]")).to_have_count(1)
    expect(page.locator("ol.history")).to_contain_text(MISSING_MESSAGE)
    _check_axe(page, "agent-03-citizen-incomplete", found)
    _expect_no_horizontal_scrolling(page, "agent-03-citizen-incomplete-320px")

    # A file of the wrong type first: refused, with the reason.
    pai = corrections.locator("input[type=file][name=pai]")
    pai.set_input_files({"name": "pai.pdf", "mimeType": PDF, "buffer": b"plain text\n" * 20})
    corrections.locator("button[type=submit]").click()
    expect(page.locator("#form-errors")).to_contain_text("pai.pdf")
    page.wait_for_function("document.activeElement?.id === 'form-errors'")
    expect(corrections.locator(".field--error")).to_contain_text("pai.pdf")
    expect(corrections.locator("input[type=file][name=pai]")).to_have_attribute(
        "aria-invalid", "true"
    )
    expect(page.locator("dl.submission-summary .status-badge")).to_have_text(INCOMPLETE)
    _check_axe(page, "agent-04-citizen-incomplete-errors", found)

    corrections.locator("input[type=file][name=pai]").set_input_files(
        _pdf_file("pai-hugo.pdf", "Projet d'accueil individualisé")
    )
    corrections.locator("button[type=submit]").click()
    expect(page).to_have_url(portal.url(CARVIN, f"/compte/demandes/{reference}/"))
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.locator("dl.submission-summary .status-badge")).to_have_text(IN_PROGRESS)
    expect(page.get_by_role("region", name="Corriger votre demande")).to_have_count(0)
    expect(page.locator("main a[download]", has_text="pai-hugo.pdf")).to_be_visible()
    _check_axe(page, "agent-05-citizen-documents-sent", found)

    # The agent sees it back "En cours", with what changed, and accepts it
    # with the commune's message template.
    agent.reload()
    expect(agent.locator("section[aria-labelledby=status-heading]")).to_contain_text(IN_PROGRESS)
    expect(agent.locator("main a[download]", has_text="pai-hugo.pdf")).to_be_visible()
    expect(agent.locator("section[aria-labelledby=history-heading]")).to_contain_text(
        "pai-hugo.pdf"
    )
    _admin_shot(agent, "agent-06-back-in-progress")
    status_form = agent.locator("section[aria-labelledby=status-heading] form")
    status_form.get_by_role("link", name="Demande acceptée").click()
    expect(status_form.get_by_role("radio", name=f"Valider → {ACCEPTED}")).to_be_checked()
    message = status_form.locator("textarea[name=message]")
    expect(message).to_have_value(re.compile(f"Votre demande {reference}"))
    status_form.locator("button[type=submit]").click()
    expect(agent.locator(".messages")).to_contain_text(reference)
    _admin_shot(agent, "agent-07-accepted")

    page.reload()
    expect(page.locator("dl.submission-summary .status-badge")).to_have_text(ACCEPTED)
    expect(page.locator("ol.history")).to_contain_text(f"Votre demande {reference}")
    expect(page.locator("ol.history")).to_contain_text("pai-hugo.pdf")
    _check_axe(page, "agent-08-citizen-accepted", found)

    _assert_no_violation(found)


SUPERVISOR = {"identifier": "regie.carvin", "password": "regie-carvin-demo"}
ROOM = "Réservation d'une salle municipale"
#: The room booking's own workflow: refused, then reopened in its first
#: status that waits for the town hall.
ROOM_REFUSED = "Refusée"
ROOM_REOPENED = "Pré-réservée"
REOPEN_REASON = "Refusée par erreur : la salle était libre ce jour-là."


def _columns(page) -> dict[str, dict]:
    """Where the request page's two columns are drawn."""
    return page.evaluate(
        """() => Object.fromEntries(["main", "side"].map(name => {
            const box = document.querySelector(`.request-page__${name}`).getBoundingClientRect();
            return [name, {left: box.left, right: box.right, top: box.top, bottom: box.bottom}];
        }))"""
    )


def test_supervisor_reopens_a_refusal_from_the_side_column_at_both_widths(portal, new_page):
    """The demo's refused room booking: the answers on the left and the
    status, assignment and notes on the right at 1280px, one column at
    390px, and a supervisor reopens it from there with a reason."""
    found: dict[str, str] = {}
    page = new_page()
    _admin_log_in(page, portal, SUPERVISOR["identifier"], SUPERVISOR["password"])
    page.goto(portal.url(CARVIN, "/admin/snippets/services/submission/?status=refusee"))
    page.get_by_role("row").filter(has_text=ROOM).get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/admin/snippets/services/submission/inspect/\d+/$"))
    side = page.get_by_role("region", name="Traitement")
    status = side.locator("section[aria-labelledby=status-heading]")
    expect(status).to_contain_text(ROOM_REFUSED)
    expect(side.locator("section[aria-labelledby=assignment-heading]")).to_be_visible()
    expect(side.locator("section[aria-labelledby=notes-heading]")).to_be_visible()

    page.set_viewport_size({"width": 1280, "height": 900})
    columns = _columns(page)
    assert columns["side"]["left"] >= columns["main"]["right"], columns
    assert columns["side"]["top"] < columns["main"]["top"] + 32, columns
    _admin_shot(page, "reopen-00-refused-1280px-whole")
    _check_axe(page, "reopen-00-refused-1280px", found)

    page.set_viewport_size({"width": 390, "height": 844})
    columns = _columns(page)
    assert columns["side"]["top"] >= columns["main"]["bottom"], columns
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the request page scrolls sideways by {overflow}px at 390px"
    _admin_shot(page, "reopen-01-refused-390px-whole", height=3200)
    _check_axe(page, "reopen-01-refused-390px", found)

    page.set_viewport_size({"width": 1280, "height": 900})
    reopen = status.locator("form[data-reopen-form]")
    reopen.locator("textarea[name=reason]").fill(REOPEN_REASON)
    reopen.get_by_role("button", name="Rouvrir la demande").click()
    expect(page.locator(".messages")).to_contain_text("rouverte")
    expect(status).to_contain_text(ROOM_REOPENED)
    expect(status.locator("form[data-status-form]")).to_be_visible()
    expect(page.locator("section[aria-labelledby=history-heading]")).to_contain_text(REOPEN_REASON)
    _admin_shot(page, "reopen-02-reopened-1280px-whole")
    _check_axe(page, "reopen-02-reopened-1280px", found)
    page.set_viewport_size({"width": 390, "height": 844})
    _check_axe(page, "reopen-03-reopened-390px", found)

    _assert_no_violation(found)


# --- 6. An English visitor -----------------------------------------------------


ANN = "ann.smith@example.org"


def test_an_english_visitor_requests_a_birth_certificate_that_agents_read_in_french(
    portal, page, mailoutbox
):
    """The English démarche asks in English, and the request is stored and
    sent to the town hall as one made in French."""
    english = f"/en{BIRTH}"
    page.goto(portal.url(CARVIN, "/en/services/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="Birth certificate request").click()
    expect(page).to_have_url(portal.url(CARVIN, english))
    page.locator(f"main a[href='{english}etape/1/']").click()

    page.locator("input[name=_contact_first_name]").fill("Ann")
    page.locator("input[name=_contact_last_name]").fill("Smith-Birth")
    page.locator("input[name=_contact_email]").fill(ANN)
    _next(page)
    expect(page.locator("#step-form h2")).to_have_text("The document requested")
    french = page.get_by_role("link", name="Français", exact=True)
    expect(french).to_have_attribute("href", f"{BIRTH}etape/2/")
    _choose(page, "Type of document", "Extract with parentage")
    form_field(page, "Number of copies").fill("1")
    _next(page)
    form_field(page, "Surname at birth").fill("Smith")
    form_field(page, "First names").fill("Ann Mary")
    form_field(page, "Date of birth").fill("1990-04-02")
    form_field(page, "Surname and first names of the first parent").fill("John Smith")
    _next(page)
    _choose(page, "You are", "The person concerned")
    _next(page)
    expect(page.locator("#step-form h2")).to_have_text("Sending the document")
    _choose(page, "Is the document to be sent abroad?", "No")
    page.locator("input[name=adresse_envoi__street]").fill("1 rue de la Gare")
    page.locator("input[name=adresse_envoi__postcode]").fill("62220")
    page.locator("input[name=adresse_envoi__city]").fill("Carvin")
    page.locator("input[name=certification]").check()
    _next(page)

    expect(page).to_have_url(portal.url(CARVIN, f"{english}verification/"))
    assert _recap(page)["The document requested"]["Type of document"] == "Extract with parentage"
    page.get_by_role("checkbox", name="I am not a robot").click()
    verified = page.get_by_role("checkbox", name="Checked: you are not a robot")
    expect(verified).to_be_checked(timeout=30_000)
    _send(page)
    expect(page).to_have_url(portal.url(CARVIN, f"{english}envoyee/"))
    reference = page.locator("main .reference").inner_text()
    screenshot(page, "english-birth-sent")

    # The town hall reads it as a request made in French: the receipt (made
    # from the request as stored) names the French fields and answers.
    receipt = _pdf_text(
        _download(page, page.locator("main a[href$='/recepisse/']"), f"receipt-{reference}.pdf")
    )
    if receipt:
        assert "Type de document" in receipt and "Extrait avec filiation" in receipt
    to_agents = [m for m in mailoutbox if reference in m.subject and m.to != [ANN]]
    assert to_agents and "Demande d'acte de naissance" in to_agents[0].body
