"""The platform admin's screen that creates a commune: the form built from
the installables the apps register (``cms.extensions``), which calls
``cms.services.commune_create`` as ``create_commune`` does, and the page
that says what was created and which DNS record to add."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .extensions import commune_installables, installable_default
from .services import commune_check, commune_create, dns_record, dns_target, mairie_phrase

FIELD_PREFIX = "install_"


class CommuneCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Official name"),
        max_length=120,
        help_text=_("As it is written, with its accents and hyphens: “L'Île-d'Yeu”."),
    )
    hostname = forms.CharField(
        label=_("Host name"),
        max_length=253,
        help_text=_(
            "The address of its portal, without http:// and without a slash: "
            "“ile-d-yeu.example.fr”. One host name per commune."
        ),
    )
    port = forms.IntegerField(
        label=_("Port"),
        required=False,
        min_value=1,
        max_value=65535,
        help_text=_("Leave empty for the usual port (80)."),
    )
    phrase = forms.CharField(
        label=_("Name in a sentence"),
        max_length=160,
        required=False,
        help_text=_(
            "How texts name the town hall. Leave empty for “la mairie de …” made from the "
            "name, with the elision French needs: “la mairie d'Yffiniac”, “la mairie du Mans”."
        ),
    )
    open = forms.BooleanField(
        label=_("Open to the public now"),
        required=False,
        help_text=_(
            "Left unticked, the commune is “en préparation”: its staff complete it before "
            "you open it."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.installables = commune_installables()
        for installable in self.installables:
            self.fields[FIELD_PREFIX + installable.key] = self._installable_field(installable)

    @staticmethod
    def _installable_field(installable) -> forms.Field:
        options = {
            "label": installable.label,
            "help_text": installable.help_text,
            "initial": installable_default(installable),
            "required": False,
        }
        if installable.choices is None:
            return forms.BooleanField(**options)
        if installable.multiple:
            return forms.MultipleChoiceField(
                choices=installable.choices, widget=forms.CheckboxSelectMultiple, **options
            )
        return forms.ChoiceField(
            choices=installable.choices,
            widget=forms.RadioSelect,
            **{**options, "required": True},
        )

    def installable_fields(self):
        return [self[FIELD_PREFIX + installable.key] for installable in self.installables]

    def clean(self):
        data = super().clean()
        if "name" in data and "hostname" in data:
            try:
                data["hostname"] = commune_check(name=data["name"], hostname=data["hostname"])
            except ValidationError as error:
                for field, errors in error.error_dict.items():
                    for message in errors:
                        self.add_error(field, message)
        return data

    def install(self) -> dict[str, object]:
        return {
            installable.key: self.cleaned_data.get(FIELD_PREFIX + installable.key)
            for installable in self.installables
        }


class CommuneCreateView(WagtailAdminTemplateMixin, FormView):
    """Platform admins only: everyone else is refused, as for Wagtail's own
    sites and groups."""

    template_name = "cms/admin/commune_create.html"
    form_class = CommuneCreateForm
    header_icon = "site"
    page_title = _("New commune")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def form_valid(self, form):
        data = form.cleaned_data
        name = data["name"].strip()
        result = commune_create(
            name=name,
            hostname=data["hostname"],
            port=data["port"] or 80,
            phrase=data["phrase"].strip() or mairie_phrase(name),
            open=data["open"],
            install=form.install(),
        )
        site = result.site
        self.page_title = _("Commune created")
        return self.render_to_response(
            self.get_context_data(
                form=None,
                created=result.created,
                site=site,
                name=name,
                is_open=data["open"],
                dns_record=dns_record(site.hostname),
                dns_target=dns_target(),
                settings_url=reverse(
                    "wagtailsettings:edit", args=["cms", "communesettings", site.pk]
                ),
                home_url=reverse("wagtailadmin_home"),
                pages_url=reverse("wagtailadmin_explore", args=[site.root_page_id]),
                public_url=site.root_url + "/",
            )
        )


class CommuneCreateMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


def commune_create_urls():
    return [path("communes/new/", CommuneCreateView.as_view(), name="cms_commune_create")]


def commune_create_menu_item():
    return CommuneCreateMenuItem(
        _("New commune"),
        reverse("cms_commune_create"),
        name="new-commune",
        icon_name="site",
        order=590,
    )
