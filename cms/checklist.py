"""The setup checklist of a commune, on the admin's home page, and the
platform admin's "open the portal to the public".

Each step ticks itself from the commune's data (``SetupItem.done``): cms
checks its settings and its staff; the apps add their own steps through
``register_commune_setup_items`` (``cms.extensions``). The commune's
communication staff and supervisors, who set it up, see their commune's
checklist; a platform admin sees one for each commune still "en
préparation" or not completely set up, and opens or closes a commune from
it. Agents, who process requests, do not see it.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.models import Site
from wagtail.permission_policies.sites import SitePermissionPolicy

from .audit import READ_LOG, audit_policy
from .extensions import SetupItem, commune_setup_items
from .models import CommuneSettings
from .services import AGENTS_GROUP, COMMUNICATION_GROUP, SUPERVISORS_GROUP, commune_open
from .tenancy import communes_for

settings_policy = SitePermissionPolicy(CommuneSettings)


def _missing(items: list[str]) -> str:
    return _("Missing: %(items)s") % {"items": ", ".join(items)}


def commune_settings_item(site: Site) -> SetupItem:
    """Address, logo, colours, contact, data protection officer and opening
    hours: the colours count once one of them is no longer the default."""
    commune = CommuneSettings.for_site(site)
    missing = []
    if not (commune.address_lines.strip() and commune.postcode and commune.city):
        missing.append(_("postal address"))
    if not commune.logo_id:
        missing.append(_("logo"))
    defaults = {
        name: CommuneSettings._meta.get_field(name).default
        for name in ("primary_colour", "accent_colour")
    }
    if all(getattr(commune, name) == default for name, default in defaults.items()):
        missing.append(_("colours (still the default ones)"))
    if not commune.contact_email:
        missing.append(_("contact e-mail"))
    if not commune.contact_phone:
        missing.append(_("contact phone"))
    if not (commune.dpo_name and commune.dpo_email):
        missing.append(_("data protection officer (name and e-mail)"))
    if not len(commune.opening_hours):
        missing.append(_("opening hours"))
    return SetupItem(
        label=_("Commune settings completed"),
        done=not missing,
        url=reverse("wagtailsettings:edit", args=["cms", "communesettings", site.pk]),
        detail=_missing(missing) if missing else "",
    )


def staff_item(site: Site) -> SetupItem:
    """Someone active in the commune's Communication group, and someone in
    its Agents or Supervisors group."""
    people = get_user_model().objects.filter(is_active=True)
    name = site.site_name
    communication = (
        people.filter(groups__name=COMMUNICATION_GROUP.format(name=name)).distinct().count()
    )
    agents = (
        people.filter(
            groups__name__in=[
                AGENTS_GROUP.format(name=name),
                SUPERVISORS_GROUP.format(name=name),
            ]
        )
        .distinct()
        .count()
    )
    missing = []
    if not communication:
        missing.append(_("someone in Communication"))
    if not agents:
        missing.append(_("someone in Agents or Supervisors"))
    detail = (
        _missing(missing)
        if missing
        else _("%(communication)s in Communication, %(agents)s in Agents or Supervisors")
        % {"communication": communication, "agents": agents}
    )
    return SetupItem(
        label=_("Staff invited"),
        done=not missing,
        # The staff screen, where supervisors invite (``accounts``).
        url=reverse("staff_index"),
        detail=detail,
    )


def cms_setup_items(site: Site) -> list[SetupItem]:
    return [commune_settings_item(site), staff_item(site)]


@dataclass
class CommuneSetup:
    site: Site
    commune: CommuneSettings
    items: list[SetupItem]

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item.done)

    @property
    def complete(self) -> bool:
        return self.done == len(self.items)

    @property
    def progress(self) -> str:
        return ngettext(
            "%(done)s of %(total)s steps done",
            "%(done)s of %(total)s steps done",
            self.done,
        ) % {"done": self.done, "total": len(self.items)}


def communes_to_set_up(user):
    """The settings of the communes whose checklist the user sees: every
    commune for platform admins; those where they change the settings
    (communication) or read the agents' log (supervisors) otherwise."""
    communes = CommuneSettings.objects.select_related("site").order_by("site__site_name")
    if user.is_superuser:
        return communes
    sites = communes_for(user, settings_policy, ("change",)) | communes_for(
        user, audit_policy, READ_LOG
    )
    return communes.filter(site__in=sites)


def commune_setups(user) -> list[CommuneSetup]:
    """The checklist of each of the user's communes still "en préparation"
    or not completely set up; those not open first."""
    setups = []
    for commune in communes_to_set_up(user):
        site = commune.site
        setup = CommuneSetup(site=site, commune=commune, items=commune_setup_items(site))
        if not (commune.is_open and setup.complete):
            setups.append(setup)
    return sorted(setups, key=lambda setup: setup.commune.is_open)


class CommuneSetupPanel(Component):
    name = "commune_setup"
    template_name = "cms/admin/setup_checklist.html"
    order = 10

    def __init__(self, setups: list[CommuneSetup], *, may_open: bool):
        self.setups = setups
        self.may_open = may_open

    def get_context_data(self, parent_context=None):
        return {"setups": self.setups, "may_open": self.may_open}


def setup_panel(request, panels):
    setups = commune_setups(request.user)
    if setups:
        panels.append(CommuneSetupPanel(setups, may_open=request.user.is_superuser))


class CommuneOpeningView(WagtailAdminTemplateMixin, TemplateView):
    """Asks, then opens a commune's portal to the public (``open``) or
    closes it again: platform admins only."""

    template_name = "cms/admin/commune_opening.html"
    header_icon = "site"
    open = True

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def site(self) -> Site:
        return get_object_or_404(Site, pk=self.kwargs["pk"])

    @cached_property
    def commune_setup(self) -> CommuneSetup:
        commune = get_object_or_404(CommuneSettings, site=self.site)
        return CommuneSetup(site=self.site, commune=commune, items=commune_setup_items(self.site))

    def get_page_title(self):
        if self.open:
            return _("Open the portal to the public")
        return _("Close the portal to the public")

    def get_page_subtitle(self):
        return str(self.commune_setup.commune)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            setup=self.commune_setup,
            open=self.open,
            missing=[item for item in self.commune_setup.items if not item.done],
            cancel_url=reverse("wagtailadmin_home"),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        name = str(self.commune_setup.commune)
        commune_open(site=self.site, user=request.user, open=self.open)
        if self.open:
            messages.success(
                request, _("The portal of %(commune)s is open to the public.") % {"commune": name}
            )
        else:
            messages.success(
                request,
                _("The portal of %(commune)s is closed: only its staff see it.")
                % {"commune": name},
            )
        return redirect("wagtailadmin_home")


def commune_opening_urls():
    return [
        path(
            "communes/<int:pk>/open/",
            CommuneOpeningView.as_view(open=True),
            name="cms_commune_open",
        ),
        path(
            "communes/<int:pk>/close/",
            CommuneOpeningView.as_view(open=False),
            name="cms_commune_close",
        ),
    ]


#: Labels of the commune's log (``cms.audit``).
LOG_ACTIONS = (
    (
        "cms.commune_opened",
        gettext_lazy("Portal opened"),
        gettext_lazy("Opened the portal to the public"),
    ),
    (
        "cms.commune_closed",
        gettext_lazy("Portal closed"),
        gettext_lazy("Closed the portal to the public"),
    ),
)
