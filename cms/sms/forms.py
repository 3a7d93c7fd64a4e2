"""The admin form of a commune's SMS settings: the provider, its settings
(one field per option of every provider, shown for the provider chosen) and
the sender name. Secret settings are never sent back to the browser: an
empty secret field keeps the saved value."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .registry import registry

SECRET_SAVED = _(
    "A value is saved; it is never shown. Type a new one to replace it, "
    "or leave it empty to keep it."
)
OPTION_REQUIRED = _("This provider needs this setting.")
SENDER_REQUIRED = _("Give the sender name the phones will show.")


def option_field_name(provider_id: str, option_name: str) -> str:
    return f"{provider_id}__{option_name}"


def option_field_names() -> list[str]:
    return [option_field_name(p.id, o.name) for p in registry for o in p.options]


class SmsSettingsFormBase(WagtailAdminModelForm):
    provider = forms.ChoiceField(label=_("SMS provider"), required=False, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        saved = self.instance.options or {}
        self.fields["provider"].choices = [
            ("", _("None: no text messages")),
            *registry.choices(keep=self.instance.provider),
        ]
        self.fields["provider"].help_text = self.instance._meta.get_field("provider").help_text
        for plugin in registry:
            for option in plugin.options:
                name = option_field_name(plugin.id, option.name)
                if plugin.id != self.instance.provider:
                    continue
                if option.secret and saved.get(option.name):
                    self.fields[name].help_text = SECRET_SAVED
                elif not option.secret:
                    self.initial.setdefault(name, saved.get(option.name, option.default))

    def clean(self):
        cleaned = super().clean()
        provider_id = cleaned.get("provider") or ""
        if not provider_id:
            return cleaned
        keep = self.instance.options if provider_id == self.instance.provider else {}
        options = {}
        for option in registry[provider_id].options:
            name = option_field_name(provider_id, option.name)
            value = cleaned.get(name) or ""
            if option.secret and not value:
                value = (keep or {}).get(option.name, "")
            if option.required and not value:
                self.add_error(name, OPTION_REQUIRED)
            options[option.name] = value
        if not cleaned.get("sender"):
            self.add_error("sender", SENDER_REQUIRED)
        cleaned["options"] = options
        return cleaned

    def save(self, commit=True):
        self.instance.provider = self.cleaned_data.get("provider") or ""
        self.instance.options = self.cleaned_data.get("options", {})
        return super().save(commit=commit)


def _option_fields() -> dict:
    fields = {}
    for plugin in registry:
        for option in plugin.options:
            field = option.form_field()
            field.label = f"{plugin.verbose_name} – {option.label}"
            fields[option_field_name(plugin.id, option.name)] = field
    return fields


SmsSettingsForm = type("SmsSettingsForm", (SmsSettingsFormBase,), _option_fields())
