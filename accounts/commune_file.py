"""The accounts' part of a commune file (``cms.commune_file``): the anti-robot
check and FranceConnect, without their keys. Without its keys, reCAPTCHA
gives way to the self-hosted check, and FranceConnect is offered only once
its client is entered again. Accounts never travel."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cms.commune_file import UNKNOWN_PART, WRONG_TYPE, Exporter, Importer

from .models import AccountSettings, Captcha

FIELDS = (
    "captcha",
    "recaptcha_score_threshold",
    "franceconnect_enabled",
    "franceconnect_environment",
    "franceconnect_issuer",
    "franceconnect_validates_accounts",
)
RECAPTCHA_KEYS = gettext_lazy(
    "Anti-robot check: the reCAPTCHA site key and secret key, then choose reCAPTCHA again "
    "(the self-hosted check is used until then)."
)
FRANCECONNECT_CLIENT = gettext_lazy(
    "FranceConnect: the client identifier and secret of the new portal's address, then "
    "offer FranceConnect again."
)


def account_settings_export(exporter: Exporter) -> dict:
    settings = AccountSettings.for_site(exporter.site)
    if settings.captcha != Captcha.ALTCHA:
        exporter.reenter(RECAPTCHA_KEYS)
    if settings.franceconnect_enabled:
        exporter.reenter(FRANCECONNECT_CLIENT)
    return {"settings": {name: getattr(settings, name) for name in FIELDS}}


def account_settings_import(importer: Importer, part) -> None:
    path = "parts.accounts"
    if not isinstance(part, dict):
        importer.error(path, WRONG_TYPE)
    for name in part:
        if name != "settings":
            importer.error(f"{path}.{name}", UNKNOWN_PART)
    values = importer.fields(
        AccountSettings, part.get("settings") or {}, FIELDS, f"{path}.settings"
    )
    settings = AccountSettings.for_site(importer.site)
    for name, value in values.items():
        setattr(settings, name, value)
    if not (settings.recaptcha_public_key and settings.recaptcha_private_key):
        settings.captcha = Captcha.ALTCHA
    if not (settings.franceconnect_client_id and settings.franceconnect_client_secret):
        settings.franceconnect_enabled = False
    settings.save()
    (importer.replaced if importer.replace else importer.created)(_("settings"), _("accounts"))
