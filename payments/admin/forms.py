"""The régie's form: its payment backend's settings are generated from the
backend's own description."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.panels import Panel

from cms.scoped_admin import CommuneModelForm

from ..backends import registry
from ..services import PaymentURLs

SECRET_SAVED = gettext_lazy("A value is saved; it is never shown. Type a new one to replace it.")
OPTION_PREFIX = "option__"


class RegieForm(CommuneModelForm):
    """The régie and the settings of its payment backend, generated from the
    backend's own description. Secrets are never sent back to the browser:
    an empty secret field keeps the saved value. Choosing another backend
    shows that backend's settings to fill in."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        saved = self.instance.backend if self.instance.pk else ""
        self.fields["backend"] = forms.ChoiceField(
            label=_("Payment backend"),
            choices=registry.choices(keep=saved),
            help_text=_(
                "When you choose another backend, its settings appear once you save: "
                "fill them in and save again."
            ),
        )
        backend = (self.data.get(self.add_prefix("backend")) if self.is_bound else None) or saved
        if backend not in registry:
            backend = self.fields["backend"].choices[0][0]
        self.plugin = registry[backend]
        self.backend_changed = backend != saved
        self.saved_options = {} if self.backend_changed else dict(self.instance.backend_options)
        self.option_names = []
        for option in self.plugin.get_options():
            field = option.form_field()
            name = OPTION_PREFIX + option.name
            if option.secret:
                field.required = False
                if self.saved_options.get(option.name):
                    field.help_text = SECRET_SAVED
            elif option.name in self.saved_options:
                field.initial = self.saved_options[option.name]
            elif option.default not in (None, ""):
                field.initial = option.default
            self.fields[name] = field
            self.option_names.append(name)
        self.secret_specs = {o.name: o for o in self.plugin.get_options() if o.secret}

    def clean(self):
        cleaned = super().clean()
        if self.backend_changed and self.instance.pk and self.plugin.get_options():
            missing = [
                name
                for name in self.option_names
                if self.fields[name].required and name not in self.data
            ]
            if missing:
                raise forms.ValidationError(
                    _("Fill in the settings of %(backend)s below, then save again.")
                    % {"backend": self.plugin.verbose_name}
                )
        options = {}
        for name in self.option_names:
            key = name.removeprefix(OPTION_PREFIX)
            value = cleaned.get(name)
            if key in self.secret_specs and not value:
                value = self.saved_options.get(key, "")
                if not value and self.secret_specs[key].required:
                    self.add_error(name, forms.Field.default_error_messages["required"])
            options[key] = value
        self.backend_options = options
        return cleaned

    def save(self, commit=True):
        self.instance.backend = self.cleaned_data["backend"]
        self.instance.backend_options = self.backend_options
        return super().save(commit=commit)


class BackendOptionsPanel(Panel):
    """The generated settings of the chosen backend, and the addresses to
    give the bank and the billing software."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "payments/admin/backend_options_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            form = self.form
            regie = self.instance
            context["fields"] = [form[name] for name in form.option_names]
            context["plugin"] = form.plugin
            if regie.pk:
                urls = PaymentURLs(base_url=regie.site.root_url)
                context["notification_url"] = urls.notification_url(regie)
                context["push_url"] = regie.site.root_url + reverse(
                    "payments_bank:invoices_push", args=[regie.public_id]
                )
                context["token_url"] = reverse(
                    regie.snippet_viewset.get_url_name("token"), args=[regie.pk]
                )
            return context
