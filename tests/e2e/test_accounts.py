"""Citizen accounts ("Mon compte") as citizens and agents use them in Chromium:
registration in five steps with the anti-robot check solved by the browser,
the identifier received by e-mail, logging in (login page and the home page's
box, on the citizen's own commune only), the restrictions while the account
awaits validation, validation by an agent in the Wagtail admin, then changes
to the account; and axe-core on every registration step and account page.

Unlike the other e2e modules, this one writes to the database: the tests that
register a citizen (``test_citizen_journey_...`` and
``test_registration_steps_...``) each create a citizen of their own, with a
name and e-mail address no other test uses, and nothing else in the module
looks at them; the other tests log demo citizens in (which only records the
login). The module's demo database is put back as it was when the module is
done (``demo_portal`` in conftest.py), so the other modules never see these
accounts.

E-mails are sent by the live server's thread, in this same process, through
the immediate task backend and the locmem e-mail backend: they land in
``django.core.mail.outbox`` (the ``mailoutbox`` fixture), emptied before each
test.
"""

import re

import pytest
from playwright.sync_api import expect

from .helpers import (
    CARVIN,
    SAINT_ANDRE,
    admin_sign_in,
    axe_violations,
    broken_aria_references,
    form_field,
    format_violations,
    screenshot,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

# Demo citizens of Carvin (demo/communes.py).
VALIDATED = {
    "identifier": "amélie.lire",
    "email": "amelie.lire@example.org",
    "password": "amelie-carvin-demo",
    "first_name": "Amélie",
}
PENDING = {
    "identifier": "jean-noël.darc",
    "email": "jean-noel.darc@example.org",
    "password": "jean-noel-carvin-demo",
    "first_name": "Jean-Noël",
}
AGENT = {"identifier": "agent.carvin", "password": "agent-carvin-demo"}

# New citizens, one per writing test: nobody else uses these names.
NEWCOMER = {
    "first_name": "Margaux",
    "last_name": "Parcours-Essai",
    "birth_date": "1988-04-09",
    "email": "margaux.parcours@example.org",
    "password": "la cigale ayant chanté tout l'été",
    "identifier": "margaux.parcours-essai",
}
NEWCOMER_CHILD = {
    "first_name": "Noé",
    "last_name": "Parcours-Essai",
    "birth_date": "2019-06-15",
    "relationship": "Enfant",
}
NEWCOMER_SECOND_CHILD = {
    "first_name": "Lou",
    "last_name": "Parcours-Essai",
    "birth_date": "2022-02-02",
    "relationship": "Enfant",
}
AXE_REGISTRANT = {
    "first_name": "Bérénice",
    "last_name": "Accessible",
    "birth_date": "1975-12-01",
    "email": "berenice.accessible@example.org",
    "password": "un long chemin sous la pluie",
}

STEPS = ["1. Identité", "2. Contact", "3. Foyer", "4. Mot de passe", "5. Validation"]
PENDING_BANNER = "Votre compte est en attente de validation par la mairie."
PENDING_REFUSAL = "Votre compte est en attente de validation par la mairie : vous pourrez le"
LOGIN_INVALID = "Identifiant ou mot de passe incorrect."
REQUIRED = "Champ requis."
NOT_A_ROBOT = "Je ne suis pas un robot"
VERIFIED = "Vérifié : vous n'êtes pas un robot"

#: Account pages, in the order of the account's tabs and links.
ACCOUNT_PAGES = [
    "/compte/",
    "/compte/profil/",
    "/compte/profil/modifier/",
    "/compte/profil/notifications/",
    "/compte/foyer/ajouter/",
    "/compte/mot-de-passe/",
    "/compte/donnees/",
    "/compte/supprimer/",
]


# --- Steps shared by the tests ------------------------------------------------


def _shot(page, name: str) -> None:
    screenshot(page, f"accounts-{name}")


def _check_axe(page, name: str, found: dict[str, str]) -> None:
    """Screenshot the page and run axe-core on it; violations go into FOUND
    (by page name) so that one test reports every page at once."""
    page.wait_for_load_state("load")
    _shot(page, name)
    violations = axe_violations(page)
    if violations:
        found[name] = format_violations(page.url, violations)


def _assert_no_violation(found: dict[str, str]) -> None:
    assert not found, "\n\n".join(found.values())


def _expect_step(page, number: int) -> None:
    expect(page).to_have_title(re.compile(rf"^Créer mon compte – Étape {number} sur 5 – "))
    steps = page.get_by_role("navigation", name="Étapes de la création du compte")
    expect(steps.locator("[aria-current=step]")).to_have_text(STEPS[number - 1])
    expect(
        page.get_by_role("heading", level=2, name=STEPS[number - 1][3:], exact=True)
    ).to_be_visible()


def _next(page) -> None:
    page.get_by_role("button", name="Suivant", exact=True).click()


def _fill_identity(page, citizen: dict) -> None:
    page.get_by_role("textbox", name="Prénom", exact=True).fill(citizen["first_name"])
    page.get_by_role("textbox", name="Nom", exact=True).fill(citizen["last_name"])
    form_field(page, "Date de naissance").fill(citizen["birth_date"])


def _fill_member(page, number: int, member: dict) -> None:
    person = page.get_by_role("group", name=f"Personne {number}", exact=True)
    person.get_by_role("textbox", name="Prénom", exact=True).fill(member["first_name"])
    person.get_by_role("textbox", name="Nom", exact=True).fill(member["last_name"])
    form_field(person, "Date de naissance").fill(member["birth_date"])
    form_field(person, "Lien avec le titulaire du compte").select_option(
        label=member["relationship"]
    )


def _fill_password(page, password: str, again: str | None = None) -> None:
    form_field(page, "Mot de passe").fill(password)
    form_field(page, "Confirmation du mot de passe").fill(password if again is None else again)


def _solve_captcha(page) -> None:
    """Tick "Je ne suis pas un robot" and wait until the widget's proof of
    work, computed by the browser, says it is done."""
    page.get_by_role("checkbox", name=NOT_A_ROBOT).click()
    verified = page.get_by_role("checkbox", name=VERIFIED)
    expect(verified).to_be_checked(timeout=30_000)
    expect(page.locator("input[type=hidden][name=validation-captcha]")).not_to_have_value("")


def _log_in(page, portal, host: str, login: str, password: str) -> None:
    page.goto(portal.url(host, "/compte/connexion/"))
    page.get_by_role("textbox", name="Identifiant").fill(login)
    form_field(page, "Mot de passe").fill(password)
    page.get_by_role("main").get_by_role("button", name="Connexion").click()


def _details(page) -> dict[str, str]:
    """The "My details" list of the profile page, as {term: description}."""
    terms = page.locator("dl.details > dt").all_inner_texts()
    values = page.locator("dl.details > dd").all_inner_texts()
    return dict(zip(terms, values, strict=True))


# --- The whole journey: register, log in, pending, validated, changes ----------


def _step_register(page, portal) -> str:
    """Steps 1 to 5, with a child in the household; returns the identifier
    shown on the "terminé" page."""
    page.goto(portal.url(CARVIN, "/compte/creer/"))
    _expect_step(page, 1)
    _fill_identity(page, NEWCOMER)
    _shot(page, "journey-01-identity")
    _next(page)

    _expect_step(page, 2)
    page.get_by_role("textbox", name="Adresse de courriel").fill(NEWCOMER["email"])
    expect(page.get_by_role("radio", name="Courriel")).to_be_checked()
    _shot(page, "journey-02-contact")
    _next(page)

    _expect_step(page, 3)
    _fill_member(page, 1, NEWCOMER_CHILD)
    _shot(page, "journey-03-household")
    _next(page)

    _expect_step(page, 4)
    _fill_password(page, NEWCOMER["password"])
    _shot(page, "journey-04-password")
    _next(page)

    _expect_step(page, 5)
    recap = _details(page)
    assert recap["Nom"] == f"{NEWCOMER['first_name']} {NEWCOMER['last_name']}"
    assert recap["Date de naissance"] == "9 avril 1988"
    assert recap["Adresse de courriel"] == NEWCOMER["email"]
    assert recap["Foyer"] == f"{NEWCOMER_CHILD['first_name']} {NEWCOMER_CHILD['last_name']}"
    expect(page.get_by_role("checkbox", name=NOT_A_ROBOT)).not_to_be_checked()
    _solve_captcha(page)
    page.get_by_role("checkbox", name="J'accepte que la mairie traite ces informations").check()
    _shot(page, "journey-05-validation-solved")
    page.get_by_role("button", name="Envoyer", exact=True).click()

    expect(page).to_have_url(portal.url(CARVIN, "/compte/creer/termine/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre compte est créé")
    _shot(page, "journey-06-registered")
    return page.locator("main .lead strong").inner_text()


def _step_read_identifier_email(mailoutbox) -> str:
    assert len(mailoutbox) == 1, [message.subject for message in mailoutbox]
    message = mailoutbox[0]
    assert message.to == [NEWCOMER["email"]]
    assert "Carvin" in message.subject
    assert message.subject.endswith("Votre identifiant")
    found = re.search(r"Votre identifiant\s*:\s*(\S+)", message.body)
    assert found, message.body
    identifier = found[1]
    html = dict((mimetype, content) for content, mimetype in message.alternatives)["text/html"]
    assert identifier in html
    return identifier


def _step_log_in(page, portal, identifier: str) -> None:
    _log_in(page, portal, CARVIN, identifier, NEWCOMER["password"])
    expect(page).to_have_url(portal.url(CARVIN, "/compte/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")
    expect(page.get_by_text(f"Bonjour {NEWCOMER['first_name']}.")).to_be_visible()
    _shot(page, "journey-07-home-pending")


def _step_see_restrictions_while_pending(page, portal, identifier: str) -> None:
    main = page.get_by_role("main")
    expect(main).to_contain_text(PENDING_BANNER)

    main.get_by_role("navigation", name="Mon compte").get_by_role(
        "link", name="Compte", exact=True
    ).click()
    expect(page).to_have_url(portal.url(CARVIN, "/compte/profil/"))
    why = "Ces modifications seront possibles une fois votre compte validé par la mairie."
    for name in ("Modifier mon compte", "Modifier mon mot de passe"):
        button = main.get_by_role("button", name=name)
        expect(button).to_be_disabled()
        expect(button).to_have_accessible_description(why)
    expect(main.get_by_role("link", name="Modifier mon compte")).to_have_count(0)
    expect(main.get_by_role("link", name="Ajouter un membre à mon foyer")).to_have_count(0)
    details = _details(page)
    assert details["Identifiant"] == identifier
    assert details["Statut"] == "En attente de validation"
    adults = main.get_by_role("region", name="Adultes")
    expect(adults.get_by_role("listitem")).to_have_text(
        [f"{NEWCOMER['first_name']} {NEWCOMER['last_name']} (titulaire du compte)"]
    )
    children = main.get_by_role("region", name="Enfants")
    expect(children.get_by_role("listitem")).to_have_count(1)
    child = f"{NEWCOMER_CHILD['first_name']} {NEWCOMER_CHILD['last_name']}"
    expect(children.get_by_role("listitem")).to_contain_text(
        f"{child}, enfant, né(e) le 15 juin 2019"
    )
    expect(children.get_by_role("link")).to_have_count(0)  # no "Modifier" or "Retirer"
    _shot(page, "journey-08-profile-pending")

    # Typing the address of a change is refused too, with the reason.
    for path in ("/compte/profil/modifier/", "/compte/foyer/ajouter/"):
        page.goto(portal.url(CARVIN, path))
        expect(page).to_have_url(portal.url(CARVIN, "/compte/profil/"))
        expect(main.get_by_role("status")).to_contain_text(PENDING_REFUSAL)
    _shot(page, "journey-09-add-member-refused")


def _step_agent_validates(agent, portal, identifier: str) -> None:
    admin_sign_in(agent, portal, AGENT["identifier"], AGENT["password"])
    expect(agent).to_have_url(portal.url(CARVIN, "/admin/"))
    agent.get_by_role("link", name="Comptes citoyens").click()
    expect(agent).to_have_url(re.compile(r"/admin/snippets/accounts/citizenaccount/$"))

    row = agent.get_by_role("row").filter(has=agent.get_by_role("link", name=identifier))
    expect(row).to_have_count(1)
    expect(row).to_contain_text("En attente de validation")
    expect(row).to_contain_text(f"{NEWCOMER['first_name']} {NEWCOMER['last_name']}")
    headings = agent.get_by_role("columnheader").all_inner_texts()
    household = next(i for i, text in enumerate(headings) if "foyer" in text.lower())
    requests = next(i for i, text in enumerate(headings) if "demandes" in text.lower())
    cells = row.get_by_role("cell")
    expect(cells.nth(household)).to_have_text("2")  # household: the citizen and Noé
    expect(cells.nth(requests)).to_have_text("0")  # no request made yet
    row.get_by_role("button", name=re.compile(r"^Plus d’options pour")).click()
    _shot(agent, "journey-10-admin-more-menu")
    row.get_by_role("link", name="Valider", exact=True).click()

    expect(agent).to_have_url(re.compile(r"/admin/snippets/accounts/citizenaccount/validate/\d+/"))
    expect(agent.get_by_role("main")).to_contain_text(f"identifiant {identifier}")
    _shot(agent, "journey-11-admin-confirm")
    agent.get_by_role("button", name="Oui, valider").click()

    expect(agent).to_have_url(re.compile(r"/admin/snippets/accounts/citizenaccount/$"))
    validated = re.compile(rf"Compte «\s*{re.escape(identifier)}\s*» validé")
    expect(agent.get_by_text(validated)).to_be_visible()
    expect(row).to_contain_text("Validé")
    expect(row).not_to_contain_text("En attente")
    _shot(agent, "journey-12-admin-validated")

    row.get_by_role("link", name=identifier).click()
    expect(agent).to_have_url(re.compile(r"/admin/snippets/accounts/citizenaccount/inspect/\d+/"))
    main = agent.get_by_role("main")
    expect(main).to_contain_text("Validé")
    # Staff are named by their names: the demo's agent.carvin.
    expect(main).to_contain_text("Julien Carpentier")
    expect(main.get_by_role("link", name="Valider", exact=True)).to_have_count(0)
    expect(main.get_by_role("link", name="Refuser", exact=True)).to_have_count(0)
    _shot(agent, "journey-13-admin-inspect")


def _step_read_validation_email(mailoutbox) -> None:
    subjects = [message.subject for message in mailoutbox]
    assert len(mailoutbox) == 2, subjects
    message = mailoutbox[1]
    assert message.to == [NEWCOMER["email"]]
    assert message.subject.endswith("Votre compte est validé"), subjects


def _step_edit_account(page, portal) -> None:
    page.goto(portal.url(CARVIN, "/compte/profil/"))
    main = page.get_by_role("main")
    expect(main).not_to_contain_text(PENDING_BANNER)
    assert _details(page)["Statut"] == "Validé"
    _shot(page, "journey-14-profile-validated")

    main.get_by_role("link", name="Modifier mon compte").click()
    expect(page).to_have_url(portal.url(CARVIN, "/compte/profil/modifier/"))
    expect(page.get_by_role("textbox", name="Prénom", exact=True)).to_have_value(
        NEWCOMER["first_name"]
    )
    page.get_by_role("textbox", name="Téléphone").fill("06 11 22 33 44")
    form_field(page, "Numéro et voie").fill("5 rue du Parcours")
    form_field(page, "Code postal").fill("62220")
    form_field(page, "Ville").fill("Carvin")
    page.get_by_role("radio", name="Téléphone").check()
    _shot(page, "journey-15-profile-edit")
    main.get_by_role("button", name="Sauver").click()

    expect(page).to_have_url(portal.url(CARVIN, "/compte/profil/"))
    expect(main.get_by_role("status")).to_have_text("Votre compte est enregistré.")
    details = _details(page)
    assert details["Téléphone"] == "06 11 22 33 44"
    assert details["Adresse postale"] == "5 rue du Parcours, 62220 Carvin"
    assert details["Comment me joindre"] == "Téléphone"


def _step_add_child(page, portal) -> None:
    main = page.get_by_role("main")
    main.get_by_role("link", name="Ajouter un membre à mon foyer").click()
    expect(page).to_have_url(portal.url(CARVIN, "/compte/foyer/ajouter/"))
    child = NEWCOMER_SECOND_CHILD
    page.get_by_role("textbox", name="Prénom", exact=True).fill(child["first_name"])
    page.get_by_role("textbox", name="Nom", exact=True).fill(child["last_name"])
    form_field(page, "Date de naissance").fill(child["birth_date"])
    form_field(page, "Lien avec le titulaire du compte").select_option(label=child["relationship"])
    _shot(page, "journey-16-add-child")
    main.get_by_role("button", name="Sauver").click()

    expect(page).to_have_url(portal.url(CARVIN, "/compte/profil/"))
    expect(main.get_by_role("status")).to_have_text(
        f"{child['first_name']} fait désormais partie de votre foyer."
    )
    children = main.get_by_role("region", name="Enfants").get_by_role("listitem")
    expect(children).to_have_count(2)
    expect(children.first).to_contain_text(f"{NEWCOMER_CHILD['first_name']} ")
    expect(children.last).to_contain_text(
        f"{child['first_name']} {child['last_name']}, enfant, né(e) le 2 février 2022"
    )
    for name in (NEWCOMER_CHILD["first_name"], child["first_name"]):
        expect(main.get_by_role("link", name=f"Modifier {name}")).to_be_visible()
    _shot(page, "journey-17-profile-two-children")


def test_citizen_journey_from_registration_to_changes_after_validation(
    portal, page, new_page, mailoutbox
):
    shown = _step_register(page, portal)
    identifier = _step_read_identifier_email(mailoutbox)
    assert identifier == shown == NEWCOMER["identifier"]

    _step_log_in(page, portal, identifier)
    _step_see_restrictions_while_pending(page, portal, identifier)

    _step_agent_validates(new_page(), portal, identifier)
    _step_read_validation_email(mailoutbox)

    _step_edit_account(page, portal)
    _step_add_child(page, portal)


# --- Logging in ----------------------------------------------------------------


def test_log_in_from_the_home_page_login_box(portal, page):
    page.goto(portal.url(CARVIN, "/"))
    box = page.get_by_role("region", name="Connexion")
    box.get_by_label("Identifiant").fill(VALIDATED["identifier"])
    box.get_by_label("Mot de passe").fill(VALIDATED["password"])
    _shot(page, "home-login-box")
    box.get_by_role("button", name="Connexion").click()

    expect(page).to_have_url(portal.url(CARVIN, "/compte/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")
    expect(page.get_by_text(f"Bonjour {VALIDATED['first_name']}.")).to_be_visible()
    expect(page.get_by_role("main")).not_to_contain_text(PENDING_BANNER)

    # Back on the home page (cached for anonymous visitors), the citizen is
    # still logged in: no login box, a link to the account and "Se déconnecter".
    page.goto(portal.url(CARVIN, "/"))
    expect(page.get_by_role("region", name="Connexion")).to_have_count(0)
    header = page.get_by_role("banner")
    expect(header.get_by_role("link", name="Mon compte")).to_have_attribute("href", "/compte/")
    expect(header.get_by_role("button", name="Se déconnecter")).to_be_visible()
    _shot(page, "home-logged-in")

    header.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(portal.url(CARVIN, "/"))
    expect(page.get_by_role("region", name="Connexion")).to_be_visible()


def test_carvin_account_cannot_log_in_on_saint_andre(portal, page):
    for login in (VALIDATED["identifier"], VALIDATED["email"]):
        _log_in(page, portal, SAINT_ANDRE, login, VALIDATED["password"])
        expect(page).to_have_url(portal.url(SAINT_ANDRE, "/compte/connexion/"))
        expect(page.get_by_role("alert")).to_contain_text(LOGIN_INVALID)
    _shot(page, "saint-andre-login-refused")

    page.goto(portal.url(SAINT_ANDRE, "/compte/"))
    expect(page).to_have_url(portal.url(SAINT_ANDRE, "/compte/connexion/?next=/compte/"))

    # The same identifier and password open the account on Carvin's portal.
    _log_in(page, portal, CARVIN, VALIDATED["identifier"], VALIDATED["password"])
    expect(page).to_have_url(portal.url(CARVIN, "/compte/"))


# --- Accessibility ---------------------------------------------------------------


def test_registration_steps_have_no_axe_violation(portal, page, mailoutbox):
    """Every step as it first shows, a step showing errors, the step 5 sent
    before the consent is given, and the "terminé" page."""
    found: dict[str, str] = {}
    citizen = AXE_REGISTRANT
    page.goto(portal.url(CARVIN, "/compte/creer/"))
    _expect_step(page, 1)
    _check_axe(page, "register-1-identity", found)

    _next(page)  # nothing typed
    _expect_step(page, 1)
    expect(page.get_by_role("alert")).to_contain_text("Veuillez corriger les champs signalés.")
    first_name = page.get_by_role("textbox", name="Prénom", exact=True)
    expect(first_name).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field--error")).to_have_count(3)
    expect(page.locator(".field--error").first).to_contain_text(REQUIRED)
    _check_axe(page, "register-1-identity-errors", found)

    _fill_identity(page, citizen)
    _next(page)
    _expect_step(page, 2)
    _check_axe(page, "register-2-contact", found)

    page.get_by_role("textbox", name="Adresse de courriel").fill(citizen["email"])
    _next(page)
    _expect_step(page, 3)
    _check_axe(page, "register-3-household", found)

    _next(page)
    _expect_step(page, 4)
    _check_axe(page, "register-4-password", found)

    _fill_password(page, citizen["password"], again="un autre mot de passe long")
    _next(page)
    _expect_step(page, 4)
    expect(page.get_by_role("main")).to_contain_text("Les deux mots de passe sont différents.")
    _check_axe(page, "register-4-password-errors", found)

    _fill_password(page, citizen["password"])
    _next(page)
    _expect_step(page, 5)
    _check_axe(page, "register-5-validation", found)

    # "Envoyer" without the consent: the widget verifies by itself before the
    # form goes, and the server asks for the consent.
    page.get_by_role("button", name="Envoyer", exact=True).click()
    _expect_step(page, 5)
    consent = page.locator(".field--checkbox")
    expect(consent).to_contain_text(REQUIRED)
    expect(page.get_by_role("checkbox", name=NOT_A_ROBOT)).not_to_be_checked()
    _check_axe(page, "register-5-validation-errors", found)

    _solve_captcha(page)
    _check_axe(page, "register-5-validation-captcha-solved", found)
    page.get_by_role("checkbox", name="J'accepte que la mairie traite ces informations").check()
    page.get_by_role("button", name="Envoyer", exact=True).click()
    expect(page).to_have_url(portal.url(CARVIN, "/compte/creer/termine/"))
    _check_axe(page, "register-registered", found)
    assert [message.to for message in mailoutbox] == [[citizen["email"]]]

    _assert_no_violation(found)


RESUMER = {
    "first_name": "Céleste",
    "last_name": "Reprise",
    "birth_date": "1991-03-08",
    "email": "celeste.reprise@example.org",
    "password": "une reprise sans rien perdre du tout",
}


def test_registration_resumes_after_leaving_and_its_robot_check_stays_ticked(portal, page):
    """Leaving the wizard by a link of the footer and coming back to "Créer
    un compte" resumes it; on the last step, the consent box solves the
    anti-robot check by its focus, and a click on the check's box then
    leaves it ticked."""
    page.goto(portal.url(CARVIN, "/compte/creer/"))
    _fill_identity(page, RESUMER)
    _next(page)
    _expect_step(page, 2)
    page.get_by_role("textbox", name="Adresse de courriel").fill(RESUMER["email"])
    page.get_by_role("textbox", name="Code postal").fill("62220")
    _next(page)
    _expect_step(page, 3)

    page.get_by_role("contentinfo").get_by_role("link", name="Mentions légales").click()
    expect(page).not_to_have_url(re.compile(r"/compte/creer/$"))
    page.goto(portal.url(CARVIN, "/compte/creer/"))
    _expect_step(page, 3)
    page.get_by_role("button", name="2. Contact").click()
    _expect_step(page, 2)
    expect(page.get_by_role("textbox", name="Adresse de courriel")).to_have_value(RESUMER["email"])
    _next(page)
    _expect_step(page, 3)
    _next(page)
    _expect_step(page, 4)
    _fill_password(page, RESUMER["password"])
    _next(page)
    _expect_step(page, 5)
    recap = _details(page)
    assert recap["Adresse postale"] == "62220"
    assert recap["Préférence de contact"] == "Courriel"

    page.get_by_role("checkbox", name="J'accepte que la mairie traite ces informations").check()
    verified = page.get_by_role("checkbox", name=VERIFIED)
    expect(verified).to_be_checked(timeout=30_000)
    verified.click()
    page.wait_for_timeout(500)
    expect(verified).to_be_checked()
    expect(page.locator("input[type=hidden][name=validation-captcha]")).not_to_have_value("")
    _shot(page, "resume-validation-still-verified")
    page.get_by_role("button", name="Envoyer", exact=True).click()
    expect(page).to_have_url(portal.url(CARVIN, "/compte/creer/termine/"))

    page.goto(portal.url(CARVIN, "/compte/creer/"))
    _expect_step(page, 1)
    expect(page.get_by_role("textbox", name="Prénom", exact=True)).to_have_value("")


def test_anonymous_account_pages_have_no_axe_violation(portal, page):
    """Login (as it shows, then refusing a wrong password), password reset
    request and its confirmation."""
    found: dict[str, str] = {}
    page.goto(portal.url(CARVIN, "/compte/connexion/"))
    _check_axe(page, "login", found)

    _log_in(page, portal, CARVIN, VALIDATED["identifier"], "not the password")
    expect(page.get_by_role("alert")).to_contain_text(LOGIN_INVALID)
    _check_axe(page, "login-refused", found)

    page.goto(portal.url(CARVIN, "/compte/mot-de-passe-oublie/"))
    _check_axe(page, "password-reset", found)

    page.get_by_role("main").get_by_role("button", name="Envoyer").click()  # nothing typed
    expect(page.get_by_role("alert")).to_be_visible()
    _check_axe(page, "password-reset-errors", found)

    # An identifier nobody has: the answer is the same, and nothing is sent.
    page.get_by_role("textbox", name="Identifiant ou adresse de courriel").fill("personne.inconnue")
    page.get_by_role("main").get_by_role("button", name="Envoyer").click()
    expect(page).to_have_url(portal.url(CARVIN, "/compte/mot-de-passe-oublie/envoye/"))
    _check_axe(page, "password-reset-sent", found)

    _assert_no_violation(found)


@pytest.mark.parametrize(
    "citizen", [pytest.param(PENDING, id="pending"), pytest.param(VALIDATED, id="validated")]
)
def test_account_pages_have_no_axe_violation(portal, page, citizen):
    """Every account page, for a citizen awaiting validation (who is sent back
    to the profile with the reason from the pages that change the account)
    and for a validated one."""
    state = "pending" if citizen is PENDING else "validated"
    _log_in(page, portal, CARVIN, citizen["identifier"], citizen["password"])
    expect(page).to_have_url(portal.url(CARVIN, "/compte/"))

    found: dict[str, str] = {}
    for path in ACCOUNT_PAGES:
        response = page.goto(portal.url(CARVIN, path))
        assert response.status == 200, path
        name = path.strip("/").replace("/", "-")
        _check_axe(page, f"{state}-{name}", found)

    # A form showing its errors, for the validated citizen who may send it.
    if citizen is VALIDATED:
        page.goto(portal.url(CARVIN, "/compte/foyer/ajouter/"))
        page.get_by_role("main").get_by_role("button", name="Sauver").click()
        expect(page.get_by_role("alert")).to_be_visible()
        _check_axe(page, f"{state}-compte-foyer-ajouter-errors", found)

    _assert_no_violation(found)


def test_fields_are_described_by_their_help_and_errors(portal, page):
    broken: dict[str, list[str]] = {}
    page.goto(portal.url(CARVIN, "/compte/creer/"))
    _next(page)  # nothing typed: every field shows its error
    broken["register-1-identity-errors"] = broken_aria_references(page)
    _fill_identity(page, AXE_REGISTRANT)
    _next(page)
    broken["register-2-contact"] = broken_aria_references(page)
    page.goto(portal.url(CARVIN, "/compte/connexion/"))
    broken["login"] = broken_aria_references(page)
    _log_in(page, portal, CARVIN, VALIDATED["identifier"], VALIDATED["password"])
    for path in ("/compte/profil/modifier/", "/compte/mot-de-passe/"):
        page.goto(portal.url(CARVIN, path))
        broken[path] = broken_aria_references(page)

    assert not any(broken.values()), {name: refs for name, refs in broken.items() if refs}
