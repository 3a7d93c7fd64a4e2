"""The anti-robot check of the registration form, chosen by each commune
(accounts/captcha.py, AccountSettings.captcha)."""

import html
import json
import re
from datetime import UTC, datetime, timedelta
from unittest import mock
from urllib.error import HTTPError

import altcha
import pytest
import time_machine
from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation
from django.utils.html import escape
from django_recaptcha.client import RecaptchaResponse
from django_recaptcha.widgets import ReCaptchaV2Checkbox, ReCaptchaV3
from wagtail.contrib.settings.views import get_setting_edit_handler

from accounts import captcha
from accounts.models import (
    RECAPTCHA_KEYS_MISSING,
    RECAPTCHA_SECRET_KEY_SAVED,
    AccountSettings,
    Captcha,
)


@pytest.fixture
def fast_altcha(monkeypatch):
    """A proof of work a test solves in a few milliseconds."""
    monkeypatch.setattr(captcha, "ALTCHA_COST", 10)
    monkeypatch.setattr(captcha, "ALTCHA_COUNTER_MIN", 0)
    monkeypatch.setattr(captcha, "ALTCHA_COUNTER_MAX", 50)


def request_to(site, method="get", data=None):
    return getattr(RequestFactory(), method)("/", data or {}, HTTP_HOST=site.hostname)


def captcha_form(request, data=None):
    """The form the registration view builds: any form with the captcha field."""
    form = forms.Form(data)
    form.fields["captcha"] = captcha.captcha_field(request)
    return form


def fetch_challenge(site) -> dict:
    response = captcha.altcha_challenge(request_to(site))
    return json.loads(response.content)


def solve(challenge: dict) -> str:
    """What the widget posts: the challenge and its solution, base64 JSON."""
    parsed = altcha.Challenge.from_dict(challenge)
    return altcha.Payload(parsed, altcha.solve_challenge(parsed)).to_base64()


def use_recaptcha(site, kind, **fields):
    commune = AccountSettings.for_site(site)
    commune.captcha = kind
    commune.recaptcha_public_key = fields.pop("public_key", f"site-key-of-{site.hostname}")
    commune.recaptcha_private_key = fields.pop("private_key", f"secret-of-{site.hostname}")
    for name, value in fields.items():
        setattr(commune, name, value)
    commune.save()
    return commune


def google_answers(success, score=None, action=None):
    extra = {} if score is None else {"score": score}
    return mock.patch(
        "django_recaptcha.client.submit",
        return_value=RecaptchaResponse(is_valid=success, extra_data=extra, action=action),
    )


# --- ALTCHA ------------------------------------------------------------------


def test_challenge_is_signed_expires_in_twenty_minutes_and_is_never_cached(client, carvin):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False):
        response = client.get("/captcha/altcha/challenge/", HTTP_HOST=carvin.hostname)

    challenge = json.loads(response.content)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert challenge["parameters"]["algorithm"] == "PBKDF2/SHA-256"
    assert challenge["parameters"]["expiresAt"] == int(
        datetime(2026, 3, 2, 9, 20, tzinfo=UTC).timestamp()
    )
    assert challenge["signature"]


def test_communes_use_the_self_hosted_check_by_default(carvin):
    field = captcha.captcha_field(request_to(carvin))

    assert isinstance(field, captcha.AltchaField)
    with translation.override("en"):
        assert str(field.label) == "Anti-robot check"


def test_solved_challenge_passes_the_check(carvin):
    """With the real difficulty: what a browser posts is accepted."""
    payload = solve(fetch_challenge(carvin))

    form = captcha_form(request_to(carvin, "post"), {"captcha": payload})

    assert form.is_valid(), form.errors


def test_empty_check_is_refused_with_a_clear_message(carvin):
    form = captcha_form(request_to(carvin, "post"), {"captcha": ""})

    assert not form.is_valid()
    assert form.errors["captcha"] == [captcha.CAPTCHA_REQUIRED]


def test_wrong_solution_is_refused(carvin, fast_altcha):
    challenge = fetch_challenge(carvin)
    parsed = altcha.Challenge.from_dict(challenge)
    solution = altcha.solve_challenge(parsed)
    solution.derived_key = "00" * 32
    payload = altcha.Payload(parsed, solution).to_base64()

    form = captcha_form(request_to(carvin, "post"), {"captcha": payload})

    assert not form.is_valid()
    assert form.errors["captcha"] == [captcha.CAPTCHA_FAILED]


def test_challenge_made_up_by_a_robot_is_refused(carvin, fast_altcha):
    forged = altcha.create_challenge(
        "PBKDF2/SHA-256", 10, counter=3, hmac_secret="guessed", hmac_key_secret="guessed"
    )
    payload = solve(forged.to_dict())

    form = captcha_form(request_to(carvin, "post"), {"captcha": payload})

    assert form.errors["captcha"] == [captcha.CAPTCHA_FAILED]


@pytest.mark.parametrize("payload", ["not base64!", "e30=", "eyJjaGFsbGVuZ2UiOiBudWxsfQ=="])
def test_garbage_is_refused(carvin, payload):
    form = captcha_form(request_to(carvin, "post"), {"captcha": payload})

    assert form.errors["captcha"] == [captcha.CAPTCHA_FAILED]


def test_same_solution_is_refused_the_second_time(carvin, fast_altcha):
    payload = solve(fetch_challenge(carvin))

    first = captcha_form(request_to(carvin, "post"), {"captcha": payload})
    second = captcha_form(request_to(carvin, "post"), {"captcha": payload})

    assert first.is_valid()
    assert not second.is_valid()
    assert second.errors["captcha"] == [captcha.CAPTCHA_ALREADY_USED]


def test_expired_challenge_is_refused(carvin, fast_altcha):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as clock:
        payload = solve(fetch_challenge(carvin))
        clock.shift(timedelta(minutes=21))

        form = captcha_form(request_to(carvin, "post"), {"captcha": payload})

        assert form.errors["captcha"] == [captcha.CAPTCHA_EXPIRED]


def test_challenge_signed_before_a_secret_key_rotation_still_passes(carvin, fast_altcha, settings):
    payload = solve(fetch_challenge(carvin))
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "the-new-secret-key"

    form = captcha_form(request_to(carvin, "post"), {"captcha": payload})

    assert form.is_valid(), form.errors


def render(field, name="captcha"):
    form = forms.Form()
    form.fields[name] = field
    return str(form[name])


def has_inline_script(markup):
    return bool(re.search(r"<script[^>]*>[^<]+</script>", markup))


def test_widget_shows_our_translated_texts_and_loads_only_our_files(carvin):
    with translation.override("fr"):
        markup = render(captcha.captcha_field(request_to(carvin)))
        label = str(captcha.ALTCHA_WIDGET_STRINGS["label"])
        noscript = escape(captcha.CAPTCHA_NEEDS_JAVASCRIPT)

    widget = re.search(r"<altcha-widget[^>]*>", markup).group()
    strings = html.unescape(re.search(r'data-strings="([^"]*)"', widget).group(1))
    assert 'language="fr"' in widget
    assert 'name="captcha"' in widget
    assert 'challenge="/captcha/altcha/challenge/"' in widget
    assert json.loads(strings)["label"] == label
    assert f'<noscript><p class="alert alert--warning">{noscript}</p></noscript>' in markup
    scripts = re.findall(r"<script[^>]*>", markup)
    assert scripts and all('type="module" src="/static/vendor/altcha/' in s for s in scripts)
    assert not has_inline_script(markup)


def test_field_label_is_the_legend_of_the_box_the_widget_draws(carvin):
    form = forms.Form()
    form.fields["captcha"] = captcha.captcha_field(request_to(carvin))

    markup = render_to_string("components/field.html", {"field": form["captcha"]})

    # No label points to the box before the component has drawn it (the Nu
    # checker refuses a label for a missing control): the field is a group.
    assert "<label" not in markup
    legend = re.search(r"<fieldset[^>]*>\s*<legend>([^<]*)", markup)
    assert legend and legend.group(1).strip() == str(form["captcha"].label)
    assert 'id="id_captcha"' in markup


# --- Google reCAPTCHA --------------------------------------------------------


def test_each_commune_gets_its_own_recaptcha_keys(carvin, saint_andre):
    use_recaptcha(carvin, Captcha.RECAPTCHA_V2, public_key="carvin-site", private_key="carvin-key")
    use_recaptcha(saint_andre, Captcha.RECAPTCHA_V3, public_key="sa-site", private_key="sa-key")

    carvin_field = captcha.captcha_field(request_to(carvin))
    saint_andre_field = captcha.captcha_field(request_to(saint_andre))

    assert isinstance(carvin_field.widget, ReCaptchaV2Checkbox)
    assert carvin_field.widget.attrs["data-sitekey"] == "carvin-site"
    assert carvin_field.private_key == "carvin-key"
    assert isinstance(saint_andre_field.widget, ReCaptchaV3)
    assert saint_andre_field.widget.attrs["data-sitekey"] == "sa-site"
    assert saint_andre_field.private_key == "sa-key"
    with translation.override("en"):
        assert str(carvin_field.label) == str(saint_andre_field.label) == "Anti-robot check"


def test_recaptcha_v2_renders_the_communes_box_in_the_page_language(carvin):
    use_recaptcha(carvin, Captcha.RECAPTCHA_V2, public_key="carvin-site")

    with translation.override("fr"):
        markup = render(captcha.captcha_field(request_to(carvin)))

    assert 'class="g-recaptcha"' in markup and 'data-sitekey="carvin-site"' in markup
    assert "https://www.google.com/recaptcha/api.js?hl=fr" in markup
    assert not has_inline_script(markup)


def test_recaptcha_v2_passes_when_google_confirms_with_the_communes_secret(carvin):
    use_recaptcha(carvin, Captcha.RECAPTCHA_V2, private_key="carvin-key")
    request = request_to(carvin, "post", {"g-recaptcha-response": "token-from-google"})

    with google_answers(success=True) as submit:
        form = captcha_form(request, request.POST)
        assert form.is_valid(), form.errors

    assert submit.call_args.kwargs["private_key"] == "carvin-key"
    assert submit.call_args.kwargs["recaptcha_response"] == "token-from-google"


def test_recaptcha_v2_is_refused_when_google_refuses(carvin):
    use_recaptcha(carvin, Captcha.RECAPTCHA_V2)
    request = request_to(carvin, "post", {"g-recaptcha-response": "bad-token"})

    with google_answers(success=False):
        form = captcha_form(request, request.POST)
        assert not form.is_valid()

    assert form.errors["captcha"] == [captcha.CAPTCHA_FAILED]


def test_recaptcha_without_answer_is_refused_without_asking_google(carvin):
    use_recaptcha(carvin, Captcha.RECAPTCHA_V2)
    request = request_to(carvin, "post")

    with google_answers(success=True) as submit:
        form = captcha_form(request, request.POST)
        assert not form.is_valid()

    assert form.errors["captcha"] == [captcha.CAPTCHA_REQUIRED]
    submit.assert_not_called()


def test_google_unreachable_says_to_try_again_later(carvin):
    use_recaptcha(carvin, Captcha.RECAPTCHA_V2)
    request = request_to(carvin, "post", {"g-recaptcha-response": "token"})
    down = HTTPError("https://www.google.com/recaptcha/api/siteverify", 503, "down", {}, None)

    with mock.patch("django_recaptcha.client.submit", side_effect=down):
        form = captcha_form(request, request.POST)
        assert not form.is_valid()

    assert form.errors["captcha"] == [captcha.CAPTCHA_UNAVAILABLE]


@pytest.mark.parametrize(("score", "passes"), [(0.8, True), (0.6, False)])
def test_recaptcha_v3_uses_the_communes_threshold(saint_andre, score, passes):
    use_recaptcha(saint_andre, Captcha.RECAPTCHA_V3, recaptcha_score_threshold=0.7)
    request = request_to(saint_andre, "post", {"captcha": "token-from-google"})

    with google_answers(success=True, score=score, action=captcha.RECAPTCHA_V3_ACTION):
        form = captcha_form(request, request.POST)
        assert form.is_valid() is passes

    if not passes:
        assert form.errors["captcha"] == [captcha.CAPTCHA_FAILED]


def test_recaptcha_v3_sends_its_token_without_inline_script(saint_andre):
    use_recaptcha(saint_andre, Captcha.RECAPTCHA_V3, public_key="sa-site")

    markup = render(captcha.captcha_field(request_to(saint_andre)))

    assert re.search(r'<input type="hidden" name="captcha"[^>]*data-recaptcha-v3', markup)
    assert 'data-sitekey="sa-site"' in markup
    assert 'src="/static/vendor/altcha/portal-captcha.js"' in markup
    assert not has_inline_script(markup)


def test_recaptcha_without_keys_falls_back_to_the_self_hosted_check(carvin):
    """Saved without AccountSettings.clean (shell, data migration): never use
    django-recaptcha's Google test keys, which let everybody through."""
    use_recaptcha(carvin, Captcha.RECAPTCHA_V2, public_key="", private_key="")

    assert isinstance(captcha.captcha_field(request_to(carvin)), captcha.AltchaField)


# --- The commune's settings --------------------------------------------------


@pytest.mark.parametrize("missing", ["recaptcha_public_key", "recaptcha_private_key"])
def test_settings_refuse_recaptcha_without_both_keys(carvin, missing):
    commune = AccountSettings.for_site(carvin)
    commune.captcha = Captcha.RECAPTCHA_V3
    commune.recaptcha_public_key = "site-key"
    commune.recaptcha_private_key = "secret"
    setattr(commune, missing, "")

    with pytest.raises(ValidationError) as refused:
        commune.clean()

    assert refused.value.message_dict == {missing: [str(RECAPTCHA_KEYS_MISSING)]}


def test_settings_accept_the_self_hosted_check_without_keys(carvin):
    commune = AccountSettings.for_site(carvin)

    commune.clean()

    assert commune.captcha == Captcha.ALTCHA


@pytest.fixture
def admin_form(carvin, staff_of):
    """The form of the accounts' settings screen in the admin, as its edit view
    builds it, for a member of Carvin's communication staff."""
    form_class = get_setting_edit_handler(AccountSettings).get_form_class()
    user = staff_of(carvin)

    def build(commune, **changes):
        data = None
        if changes:
            data = {
                "captcha": commune.captcha,
                "recaptcha_public_key": commune.recaptcha_public_key,
                "recaptcha_private_key": "",
                "recaptcha_score_threshold": commune.recaptcha_score_threshold,
                "franceconnect_environment": commune.franceconnect_environment,
                **changes,
            }
        return form_class(data, instance=commune, for_user=user)

    return build


def test_admin_never_shows_the_secret_key(carvin, admin_form):
    commune = use_recaptcha(carvin, Captcha.RECAPTCHA_V2, private_key="the-secret-key")

    field = admin_form(commune)["recaptcha_private_key"]

    assert 'type="password"' in str(field)
    assert "the-secret-key" not in str(field)
    assert field.help_text == RECAPTCHA_SECRET_KEY_SAVED


def test_admin_keeps_the_secret_key_when_its_field_is_left_empty(carvin, admin_form):
    commune = use_recaptcha(carvin, Captcha.RECAPTCHA_V2, private_key="the-secret-key")
    form = admin_form(commune, recaptcha_public_key="carvin-new-site", recaptcha_private_key="")

    assert form.is_valid(), form.errors
    form.save()

    commune.refresh_from_db()
    assert commune.recaptcha_public_key == "carvin-new-site"
    assert commune.recaptcha_private_key == "the-secret-key"


def test_admin_replaces_the_secret_key_when_a_new_one_is_typed(carvin, admin_form):
    commune = use_recaptcha(carvin, Captcha.RECAPTCHA_V2, private_key="old-secret")
    form = admin_form(commune, recaptcha_private_key="new-secret")

    assert form.is_valid(), form.errors
    form.save()

    commune.refresh_from_db()
    assert commune.recaptcha_private_key == "new-secret"


def test_admin_refuses_recaptcha_without_a_secret_key(carvin, admin_form):
    commune = AccountSettings.for_site(carvin)

    form = admin_form(commune, captcha=Captcha.RECAPTCHA_V2, recaptcha_public_key="carvin-site")

    assert not form.is_valid()
    assert form.errors["recaptcha_private_key"] == [str(RECAPTCHA_KEYS_MISSING)]
