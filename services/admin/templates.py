"""The commune's message templates in the admin: supervisors write them,
agents pick one when they change a request's status. Every view keeps to the
templates of the communes where the user holds the permission."""

from django import forms
from django.utils.translation import gettext as _
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

from ..messages import MESSAGE_PLACEHOLDERS
from ..models import MessageTemplate
from ..workflows import status_choices

#: Whoever may do anything with a commune's templates sees them.
SEE = ("view", "add", "change", "delete")


class MessageTemplateForm(CommuneModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sites = self.fields["site"].queryset if "site" in self.fields else [self.instance.site_id]
        self.fields["status"] = forms.ChoiceField(
            label=self.fields["status"].label,
            choices=status_choices(sites),
            help_text=_("The template is offered when an agent gives a request this status."),
        )
        self.fields["body"].help_text = _(
            "Filled for each request: %(placeholders)s. The agent can still edit the "
            "message before sending it."
        ) % {"placeholders": ", ".join(f"{{{name}}}" for name in MESSAGE_PLACEHOLDERS)}


class MessageTemplateIndexView(ScopedIndexView):
    scope_actions = SEE

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("site")


class MessageTemplateHistoryView(ScopedHistoryView):
    scope_actions = SEE


class MessageTemplateUsageView(ScopedUsageView):
    scope_actions = SEE


class MessageTemplateViewSet(CommuneViewSet):
    model = MessageTemplate
    icon = "mail"
    menu_label = gettext_lazy("Message templates")
    menu_name = "message-templates"
    menu_order = 191
    add_to_admin_menu = True
    inspect_view_enabled = False
    index_view_class = MessageTemplateIndexView
    history_view_class = MessageTemplateHistoryView
    usage_view_class = MessageTemplateUsageView
    list_display = ["title", Column("get_status_display", label=gettext_lazy("For the status"))]
    ordering = ["status", "title"]
    panels = [FieldPanel("site"), FieldPanel("status"), FieldPanel("title"), FieldPanel("body")]

    def get_edit_handler(self):
        return ObjectList(self.panels, base_form_class=MessageTemplateForm).bind_to_model(
            self.model
        )
