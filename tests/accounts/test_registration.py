import altcha
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.captcha import altcha_challenge_create
from accounts.models import AccountStatus, User

HOST = {"HTTP_HOST": "carvin.localhost"}
URL = "/compte/creer/"

IDENTITY = {
    "identity-first_name": "Amélie",
    "identity-last_name": "Lire",
    "identity-birth_date": "1984-05-12",
}
CONTACT = {
    "contact-email": "amelie.lire@example.org",
    "contact-phone": "",
    "contact-address_line": "12 rue des Écoles",
    "contact-postcode": "62220",
    "contact-city": "Carvin",
    "contact-contact_preference": "email",
}
HOUSEHOLD = {
    "household-TOTAL_FORMS": "4",
    "household-INITIAL_FORMS": "0",
    "household-MIN_NUM_FORMS": "0",
    "household-MAX_NUM_FORMS": "12",
    "household-0-first_name": "Léa",
    "household-0-last_name": "Lire",
    "household-0-birth_date": "2015-09-21",
    "household-0-relationship": "child",
}
PASSWORD = {
    "password-password1": "une phrase de passe solide",
    "password-password2": "une phrase de passe solide",
}


def solved_captcha() -> str:
    challenge = altcha_challenge_create()
    return altcha.Payload(challenge, altcha.solve_challenge(challenge)).to_base64()


def fill_first_four_steps(client):
    for name, data in (
        ("identity", IDENTITY),
        ("contact", CONTACT),
        ("household", HOUSEHOLD),
        ("password", PASSWORD),
    ):
        step(client, name, data)


def step(client, name, data):
    return client.post(URL, {"registration_view-current_step": name, **data}, **HOST)


def test_a_citizen_creates_an_account_in_five_steps(
    client, carvin, django_capture_on_commit_callbacks
):
    first = client.get(URL, **HOST)
    assert "Étape 1 sur 5" in first.content.decode()

    for name, data in (("identity", IDENTITY), ("contact", CONTACT), ("household", HOUSEHOLD)):
        assert step(client, name, data).status_code == 200
    page = step(client, "password", PASSWORD).content.decode()
    assert "Étape 5 sur 5" in page
    assert "Léa Lire" in page

    with django_capture_on_commit_callbacks(execute=True):
        done = step(
            client,
            "validation",
            {"validation-consent": "on", "validation-captcha": solved_captcha()},
        )

    assert done.status_code == 302
    user = User.objects.get(site=carvin)
    assert user.username == "amélie.lire"
    assert user.status == AccountStatus.PENDING
    assert user.check_password("une phrase de passe solide")
    assert [m.first_name for m in user.household_members.all()] == ["Léa"]
    assert "amélie.lire" in mail.outbox[-1].body
    assert "amélie.lire" in client.get(done["Location"], **HOST).content.decode()


def test_the_password_is_never_kept_in_clear_in_the_session(client, carvin):
    fill_first_four_steps(client)

    assert "une phrase de passe solide" not in str(dict(client.session))


def test_an_error_keeps_everything_typed(client, carvin):
    step(client, "identity", IDENTITY)

    response = step(
        client,
        "contact",
        {**CONTACT, "contact-email": "pas-une-adresse", "contact-contact_preference": "phone"},
    )

    html = response.content.decode()
    assert "Étape 2 sur 5" in html
    assert 'value="pas-une-adresse"' in html
    assert 'value="12 rue des Écoles"' in html
    assert "Indiquez un numéro de téléphone" in html


def test_going_back_and_forth_loses_nothing(client, carvin):
    step(client, "identity", IDENTITY)
    step(client, "contact", CONTACT)

    back = client.post(
        URL,
        {
            "registration_view-current_step": "household",
            "wizard_goto_step": "identity",
            **HOUSEHOLD,
        },
        **HOST,
    )
    assert 'value="Amélie"' in back.content.decode()
    forward = step(client, "identity", IDENTITY)
    assert 'value="amelie.lire@example.org"' in forward.content.decode()
    household = step(client, "contact", CONTACT)
    assert 'value="Léa"' in household.content.decode()


def test_without_the_captcha_nothing_is_created(client, carvin):
    fill_first_four_steps(client)

    response = step(client, "validation", {"validation-consent": "on"})

    assert response.status_code == 200
    assert "anti-robot" in response.content.decode()
    assert not User.objects.filter(site=carvin).exists()


def test_an_unknown_step_is_refused_as_an_altered_form(client, carvin):
    response = step(client, "nowhere", {"nowhere-first_name": "Amélie"})

    assert response.status_code == 400
    assert "incomplete or was altered" in response.content.decode() or (
        "incomplet ou a été modifié" in response.content.decode()
    )


def test_a_wrong_household_row_is_announced_in_the_error_summary(client, carvin):
    step(client, "identity", IDENTITY)
    response = step(
        client,
        "household",
        {
            "household-TOTAL_FORMS": "1",
            "household-INITIAL_FORMS": "0",
            "household-0-first_name": "Léo",
            "household-0-last_name": "Lire",
            "household-0-birth_date": "2999-01-01",
            "household-0-relationship": "child",
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="form-errors"' in html
    assert "La date de naissance ne peut pas être dans le futur." in html


def test_a_file_sent_to_a_step_is_ignored(client, carvin):
    client.get(URL, **HOST)
    attached = SimpleUploadedFile("note.txt", b"not asked for", content_type="text/plain")

    response = step(client, "identity", {**IDENTITY, "identity-attachment": attached})

    assert response.status_code == 200
    assert response.context["wizard"]["steps"].current == "contact"


def test_coming_back_to_the_wizard_resumes_where_the_citizen_was(client, carvin):
    step(client, "identity", IDENTITY)
    step(client, "contact", CONTACT)
    client.get("/", **HOST)

    page = client.get(URL, **HOST).content.decode()

    assert "Étape 3 sur 5" in page
    back = client.post(
        URL,
        {"registration_view-current_step": "household", "wizard_goto_step": "contact", **HOUSEHOLD},
        **HOST,
    )
    assert 'value="12 rue des Écoles"' in back.content.decode()


def test_start_over_empties_the_wizard(client, carvin):
    step(client, "identity", IDENTITY)
    assert "Tout effacer et recommencer" in client.get(URL, **HOST).content.decode()

    restarted = client.post(URL, {"wizard_restart": "1"}, **HOST, follow=True)

    html = restarted.content.decode()
    assert "Étape 1 sur 5" in html
    assert "Amélie" not in html
    assert "Tout effacer et recommencer" not in html


def test_the_recap_shows_the_postal_address_and_the_contact_preference(client, carvin):
    fill_first_four_steps(client)

    html = client.get(URL, **HOST).content.decode()

    assert "Étape 5 sur 5" in html
    assert "12 rue des Écoles" in html
    assert "62220 Carvin" in html
    assert "Préférence de contact" in html
    assert "Courriel" in html


def test_registration_checks_phone_postcode_and_date_of_birth(client, carvin):
    identity = step(client, "identity", {**IDENTITY, "identity-birth_date": "1899-12-31"})
    assert "La date de naissance ne peut pas être antérieure à 1900." in identity.content.decode()
    step(client, "identity", IDENTITY)

    contact = step(
        client, "contact", {**CONTACT, "contact-phone": "12ab", "contact-postcode": "ABCDE"}
    ).content.decode()

    assert "Étape 2 sur 5" in contact
    assert "Saisissez un numéro de téléphone valide" in contact
    assert "Indiquez un code postal français de 5 chiffres" in contact
    assert 'value="12ab"' in contact
