"""The commune's message templates in the admin: supervisors write them,
agents pick one when they change a request's status. Every view keeps to the
templates of the communes where the user holds the permission."""

from django.contrib.auth.models import Permission
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.models import Site
from wagtail.permission_policies.sites import SitePermissionPolicy
from wagtail.snippets.views.snippets import (
    CreateView,
    DeleteView,
    EditView,
    HistoryView,
    IndexView,
    SnippetViewSet,
    UsageView,
)

from .messages import MESSAGE_PLACEHOLDERS
from .models import MessageTemplate

message_template_policy = SitePermissionPolicy(MessageTemplate)
SEE = ("view", "add", "change", "delete")


def template_communes(user, actions=SEE):
    return message_template_policy.sites_user_has_any_permission_for(user, actions)


class MessageTemplateForm(WagtailAdminModelForm):
    """The commune is one of the user's; a user of one commune never sees
    the choice."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        sites = (
            template_communes(user, ("add", "change")).order_by("site_name")
            if user
            else Site.objects.none()
        )
        self.fields["site"].queryset = sites
        self.fields["site"].empty_label = None
        self.fields["body"].help_text = _(
            "Filled for each request: %(placeholders)s. The agent can still edit the "
            "message before sending it."
        ) % {"placeholders": ", ".join(f"{{{name}}}" for name in MESSAGE_PLACEHOLDERS)}


class ScopedQuerysetMixin:
    scope_actions = SEE

    def get_queryset(self):
        sites = template_communes(self.request.user, self.scope_actions)
        return MessageTemplate.objects.filter(site__in=sites)

    def get_base_object_queryset(self):
        return self.get_queryset()


class MessageTemplateIndexView(ScopedQuerysetMixin, IndexView):
    def get_base_queryset(self):
        return self.get_queryset().select_related("site")

    @cached_property
    def columns(self):
        columns = super().columns
        if self.request.user.is_superuser or template_communes(self.request.user).count() > 1:
            columns.insert(
                1,
                Column(
                    "site",
                    label=_("Commune"),
                    accessor="site.site_name",
                    sort_key="site__site_name",
                ),
            )
        return columns


class MessageTemplateCreateView(CreateView):
    pass


class MessageTemplateEditView(ScopedQuerysetMixin, EditView):
    scope_actions = ("change",)


class MessageTemplateDeleteView(ScopedQuerysetMixin, DeleteView):
    scope_actions = ("delete",)


class ScopedObjectMixin:
    """Views about one template (its history, its usage): of the user's communes only."""

    def get_base_object_queryset(self):
        return MessageTemplate.objects.filter(site__in=template_communes(self.request.user))


class MessageTemplateHistoryView(ScopedObjectMixin, HistoryView):
    pass


class MessageTemplateUsageView(ScopedObjectMixin, UsageView):
    pass


class MessageTemplateViewSet(SnippetViewSet):
    model = MessageTemplate
    icon = "mail"
    menu_label = gettext_lazy("Message templates")
    menu_name = "message-templates"
    menu_order = 191
    add_to_admin_menu = True
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = MessageTemplateIndexView
    add_view_class = MessageTemplateCreateView
    edit_view_class = MessageTemplateEditView
    delete_view_class = MessageTemplateDeleteView
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

    def get_permissions_to_register(self):
        """None: granted per commune by ``commune_create``."""
        return Permission.objects.none()

    def register_chooser_viewset(self):
        """No chooser: templates are picked in the status form only."""
