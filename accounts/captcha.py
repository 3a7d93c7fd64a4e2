"""The anti-robot check of the citizen forms, chosen by each commune.

``captcha_field(request)`` is the one entry point: it returns the form field
of the commune that serves ``request`` (``accounts.models.AccountSettings.captcha``):

- ALTCHA (the default): a proof of work computed by the visitor's browser,
  self-hosted. ``altcha_challenge`` (URL name ``altcha_challenge``, in
  ``urlpatterns`` below, to be included at the site root) hands out
  challenges signed with a key derived from ``settings.SECRET_KEY``; the widget
  posts the solution, which is accepted once, before the challenge expires.
  Nothing is sent to a third party.
- Google reCAPTCHA v2 (checkbox) or v3 (score), with the commune's own keys,
  through django-recaptcha's ``ReCaptchaField``.

The fields render with ``templates/components/captcha_*.html`` and load their
scripts from files (``static/vendor/altcha/``), never inline, so that a strict
Content-Security-Policy can forbid inline scripts.
"""

import base64
import json
import logging
import secrets
import time
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.http import JsonResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_recaptcha.fields import ReCaptchaField
from django_recaptcha.widgets import ReCaptchaV2Checkbox, ReCaptchaV3

from cms.proxies import client_address
from cms.security import csp_allow

from .models import AccountSettings, Captcha

if TYPE_CHECKING:
    import altcha

logger = logging.getLogger(__name__)

CAPTCHA_LABEL = _("Anti-robot check")
CAPTCHA_REQUIRED = _(
    "Please complete the anti-robot check: tick the box and wait until it says it is done."
)
CAPTCHA_FAILED = _("The anti-robot check failed. Please do it again.")
CAPTCHA_EXPIRED = _("The anti-robot check has expired. Please do it again.")
CAPTCHA_ALREADY_USED = _("This anti-robot check has already been used. Please do it again.")
CAPTCHA_NEEDS_JAVASCRIPT = _(
    "This anti-robot check needs JavaScript: turn JavaScript on in your browser, "
    "then reload the page."
)
CAPTCHA_UNAVAILABLE = _(
    "The anti-robot check could not be verified just now. Please try again in a few minutes."
)

# ALTCHA proof of work ("PoW v2" of the altcha library: the browser looks for the
# counter whose PBKDF2 key starts with the challenge's prefix). In the
# deterministic mode the library recommends, the server picks the counter, so
# every visitor does the same amount of work: about a thousand PBKDF2 runs of
# ALTCHA_COST iterations, around a second on a mid-range phone (the library's
# own example, 5 000 iterations and a counter up to 10 000, takes several
# seconds there). Checking a solution costs one HMAC.
ALTCHA_ALGORITHM = "PBKDF2/SHA-256"
ALTCHA_COST = 1_000
ALTCHA_COUNTER_MIN = 1_000
ALTCHA_COUNTER_MAX = 3_000
ALTCHA_EXPIRY = 20 * 60  # seconds
ALTCHA_USED_KEY = "captcha:altcha:used:{signature}"
# The widget's own texts, by the keys of its i18n (altcha's dist/i18n/*.js);
# those of Sentinel's code challenges, which we do not use, are left out.
ALTCHA_WIDGET_STRINGS = {
    "label": _("I am not a robot"),
    "verifying": _("Checking…"),
    "verified": _("Checked: you are not a robot"),
    "error": _("The check failed. Tick the box to try again."),
    "expired": _("The check has expired. Tick the box to try again."),
    "waitAlert": _("Checking… please wait."),
}

RECAPTCHA_V3_ACTION = "submit"
GOOGLE_PRIVACY_URL = "https://policies.google.com/privacy"

# The field templates live in the project's templates/ folder, which Django's
# default form renderer does not search (it knows django/forms and the apps).
PROJECT_TEMPLATES = TemplatesSetting()


# --- ALTCHA ------------------------------------------------------------------


def _altcha_secrets(secret_key: str) -> tuple[str, str]:
    """The keys that sign a challenge and its expected key, derived from a SECRET_KEY."""

    def derive(purpose: str) -> str:
        return salted_hmac(
            f"accounts.captcha.altcha.{purpose}", "", secret=secret_key, algorithm="sha256"
        ).hexdigest()

    return derive("challenge"), derive("key")


def altcha_challenge_create() -> "altcha.Challenge":
    """A new signed challenge, valid for ALTCHA_EXPIRY seconds."""
    import altcha  # imported on use, as below: it loads argon2 and its C bindings

    challenge_secret, key_secret = _altcha_secrets(settings.SECRET_KEY)
    return altcha.create_challenge(
        algorithm=ALTCHA_ALGORITHM,
        cost=ALTCHA_COST,
        counter=ALTCHA_COUNTER_MIN + secrets.randbelow(ALTCHA_COUNTER_MAX - ALTCHA_COUNTER_MIN),
        expires_at=int(time.time()) + ALTCHA_EXPIRY,
        hmac_secret=challenge_secret,
        hmac_key_secret=key_secret,
    )


def altcha_payload_verify(*, payload: str) -> None:
    """Accept a solved challenge once, or raise ValidationError.

    The challenge must carry our signature (made with SECRET_KEY or one of
    SECRET_KEY_FALLBACKS), must not have expired, and its solution must be
    right. A solution is then remembered in the cache until its challenge
    expires, so that it cannot be posted a second time: the cache must be
    shared by every app server (Redis in production).
    """
    import altcha

    for secret_key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        challenge_secret, key_secret = _altcha_secrets(secret_key)
        result = altcha.verify_solution(payload, challenge_secret, hmac_key_secret=key_secret)
        if result.verified or result.expired:
            break
    if result.expired:
        raise ValidationError(CAPTCHA_EXPIRED, code="expired")
    if not result.verified:
        raise ValidationError(CAPTCHA_FAILED, code="invalid")

    challenge = json.loads(base64.b64decode(payload))["challenge"]
    remaining = int(challenge["parameters"]["expiresAt"] - time.time())
    used_key = ALTCHA_USED_KEY.format(signature=challenge["signature"])
    if not cache.add(used_key, True, timeout=max(remaining, 0) + 60):
        raise ValidationError(CAPTCHA_ALREADY_USED, code="already_used")


@never_cache
@require_GET
def altcha_challenge(request):
    """A fresh challenge for the ALTCHA widget, as JSON; never cached."""
    return JsonResponse(altcha_challenge_create().to_dict())


urlpatterns = [
    path("captcha/altcha/challenge/", altcha_challenge, name="altcha_challenge"),
]


class CaptchaWidgetMixin:
    """What the captcha widgets share: they render with the project's templates
    (see PROJECT_TEMPLATES) and are never set apart as hidden fields, although
    reCAPTCHA's inputs are hidden, so that their notice and errors stay in the form.
    """

    is_hidden = False

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["needs_javascript"] = CAPTCHA_NEEDS_JAVASCRIPT
        return context

    def render(self, name, value, attrs=None, renderer=None):
        return super().render(name, value, attrs, renderer=PROJECT_TEMPLATES)


class AltchaWidget(CaptchaWidgetMixin, forms.Widget):
    """The ALTCHA web component, vendored in static/vendor/altcha/.

    Configured through attributes only: the texts come from our catalogue
    (``data-strings``), and ``static/vendor/altcha/portal-captcha.js`` registers
    them and the proof-of-work worker, served as a static file.
    """

    template_name = "components/captcha_altcha.html"
    # The box to tick is drawn by the component, with its own label ("I am
    # not a robot"): the field's label is the legend of a group around it,
    # for no element of the page names the box before the script has run.
    use_fieldset = True

    def id_for_label(self, id_):
        return ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        configuration = {
            "hideFooter": True,
            "hideLogo": True,
            "humanInteractionSignature": False,
            "validationMessage": str(CAPTCHA_REQUIRED),
        }
        context.update(
            challenge_url=reverse("altcha_challenge"),
            language=get_language(),
            configuration=json.dumps(configuration, ensure_ascii=False),
            strings=json.dumps(
                {key: str(text) for key, text in ALTCHA_WIDGET_STRINGS.items()},
                ensure_ascii=False,
            ),
            worker_url=static("vendor/altcha/workers/pbkdf2.js"),
        )
        return context


class AltchaField(forms.Field):
    """The self-hosted check: the value is the widget's payload, accepted once."""

    widget = AltchaWidget
    default_error_messages = {
        "required": CAPTCHA_REQUIRED,
        "invalid": CAPTCHA_FAILED,
        "expired": CAPTCHA_EXPIRED,
        "already_used": CAPTCHA_ALREADY_USED,
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("label", CAPTCHA_LABEL)
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value in self.empty_values:
            return
        try:
            altcha_payload_verify(payload=value)
        except ValidationError as error:
            raise ValidationError(self.error_messages[error.code], code=error.code) from None


# --- Google reCAPTCHA --------------------------------------------------------


class RecaptchaWidgetMixin(CaptchaWidgetMixin):
    """Google draws its box in a frame of its own: the field's label is the
    legend of the group rather than the label of an input."""

    use_fieldset = True

    def id_for_label(self, id_):
        return ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context.update(language=get_language(), privacy_url=GOOGLE_PRIVACY_URL)
        recaptcha_allow_in_policy(context["recaptcha_domain"])
        return context


def recaptcha_allow_in_policy(domain: str) -> None:
    """Let the page being rendered, and no other, load Google's script and
    frame (https://developers.google.com/recaptcha/docs/faq, "Content Security
    Policy"): only the pages of a commune that chose reCAPTCHA and show it."""
    google = f"https://{domain}"
    csp_allow(
        script_src=[f"{google}/recaptcha/", "https://www.gstatic.com/recaptcha/"],
        frame_src=[f"{google}/recaptcha/", "https://recaptcha.google.com/recaptcha/"],
        connect_src=[f"{google}/recaptcha/"],
    )


class RecaptchaV2Widget(RecaptchaWidgetMixin, ReCaptchaV2Checkbox):
    """reCAPTCHA v2 checkbox, in the page's language, without inline script."""

    template_name = "components/captcha_recaptcha_v2.html"


class RecaptchaV3Widget(RecaptchaWidgetMixin, ReCaptchaV3):
    """reCAPTCHA v3, without inline script: the token is asked for when the
    form is sent (static/vendor/altcha/portal-captcha.js)."""

    template_name = "components/captcha_recaptcha_v3.html"


class CommuneReCaptchaField(ReCaptchaField):
    """django-recaptcha's field, telling Google the client's address as
    ``cms.proxies`` reads it (django-recaptcha trusts any X-Forwarded-For)."""

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def get_remote_ip(self):
        return client_address(self.request)


RECAPTCHA_ERROR_MESSAGES = {
    "required": CAPTCHA_REQUIRED,
    "captcha_invalid": CAPTCHA_FAILED,
    "captcha_error": CAPTCHA_UNAVAILABLE,
}


def captcha_field(request) -> forms.Field:
    """The anti-robot field of the commune serving ``request``.

    A commune set to reCAPTCHA whose keys are missing gets ALTCHA rather than
    django-recaptcha's Google test keys, which let everybody through.
    """
    check = AccountSettings.for_request(request)
    if check.captcha == Captcha.ALTCHA:
        return AltchaField()
    if not (check.recaptcha_public_key and check.recaptcha_private_key):
        logger.warning("%s chose reCAPTCHA without its keys: ALTCHA is used instead.", check.site)
        return AltchaField()
    if check.captcha == Captcha.RECAPTCHA_V3:
        widget = RecaptchaV3Widget(
            action=RECAPTCHA_V3_ACTION, required_score=check.recaptcha_score_threshold
        )
    else:
        widget = RecaptchaV2Widget()
    return CommuneReCaptchaField(
        request=request,
        public_key=check.recaptcha_public_key,
        private_key=check.recaptcha_private_key,
        widget=widget,
        label=CAPTCHA_LABEL,
        error_messages=RECAPTCHA_ERROR_MESSAGES,
    )
