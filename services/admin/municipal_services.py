"""The commune's municipal services in the admin: supervisors create them and
put agents in them; agents neither see nor change them. Every view keeps to
the services of the communes where the user holds the permission."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column

from cms.scoped_admin import (
    CommuneModelForm,
    CommuneViewSet,
    ScopedHistoryView,
    ScopedIndexView,
    ScopedUsageView,
)

from ..models import MunicipalService
from ..services import agent_name, agents_of

#: Whoever may do anything with a commune's services sees them.
SEE = ("view", "add", "change", "delete")

NOT_AGENTS = gettext_lazy("%(names)s cannot process the requests of this commune.")


class MunicipalServiceForm(CommuneModelForm):
    """A service of one of the user's communes, whose agents are chosen
    among that commune's staff only."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        agents = self.fields["agents"]
        agents.queryset = agents_of(sites=self.fields["site"].queryset)
        agents.label_from_instance = agent_name

    def clean(self):
        cleaned = super().clean()
        site, agents = cleaned.get("site"), cleaned.get("agents")
        if site is not None and agents:
            allowed = set(agents_of(site).values_list("pk", flat=True))
            outside = [agent for agent in agents if agent.pk not in allowed]
            if outside:
                raise ValidationError(
                    {
                        "agents": NOT_AGENTS
                        % {"names": ", ".join(agent_name(agent) for agent in outside)}
                    }
                )
        return cleaned


def agent_names(service: MunicipalService) -> str:
    return ", ".join(agent_name(agent) for agent in service.agents.all()) or "–"


class MunicipalServiceIndexView(ScopedIndexView):
    scope_actions = SEE

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("site")
            .prefetch_related("agents")
            .order_by("name", "pk")
        )


class MunicipalServiceHistoryView(ScopedHistoryView):
    scope_actions = SEE


class MunicipalServiceUsageView(ScopedUsageView):
    scope_actions = SEE


class MunicipalServiceViewSet(CommuneViewSet):
    model = MunicipalService
    icon = "group"
    menu_label = gettext_lazy("Municipal services")
    menu_name = "municipal-services"
    menu_order = 192
    add_to_admin_menu = True
    inspect_view_enabled = False
    index_view_class = MunicipalServiceIndexView
    history_view_class = MunicipalServiceHistoryView
    usage_view_class = MunicipalServiceUsageView
    list_display = [
        "name",
        Column("agents", label=gettext_lazy("Agents"), accessor=agent_names),
        "email",
    ]
    ordering = ["name"]
    panels = [
        FieldPanel("site"),
        FieldPanel("name"),
        FieldPanel("email"),
        FieldPanel("agents", widget=forms.CheckboxSelectMultiple),
    ]

    def get_edit_handler(self):
        return ObjectList(self.panels, base_form_class=MunicipalServiceForm).bind_to_model(
            self.model
        )
