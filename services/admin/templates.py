"""The commune's message templates in the admin: supervisors write them,
agents pick one when they change a request's status. Every view keeps to the
templates of the communes where the user holds the permission."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.panels import FieldPanel, ObjectList

from cms.scoped_admin import (
    CommuneModelForm,
    CommuneViewSet,
    ScopedHistoryView,
    ScopedIndexView,
    ScopedUsageView,
)

from ..messages import MESSAGE_PLACEHOLDERS
from ..models import MessageTemplate

#: Whoever may do anything with a commune's templates sees them.
SEE = ("view", "add", "change", "delete")


class MessageTemplateForm(CommuneModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
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
    list_display = ["title", "status"]
    list_filter = ["status"]
    ordering = ["status", "title"]
    panels = [FieldPanel("site"), FieldPanel("status"), FieldPanel("title"), FieldPanel("body")]

    def get_edit_handler(self):
        return ObjectList(self.panels, base_form_class=MessageTemplateForm).bind_to_model(
            self.model
        )
