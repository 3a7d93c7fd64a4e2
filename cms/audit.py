"""The log of what agents do, kept per commune and read by its supervisors.

Agents' actions on a commune's objects (opening a request, changing its
status, exporting, downloading a document, deciding on an account...) are
Wagtail log entries (``wagtail.log_actions``) stored as ``AuditLogEntry``,
which records the commune. Each app registers its actions and its models
with the ``register_log_actions`` hook and logs through ``audit()``.
"""

from collections import defaultdict
from contextlib import suppress

import django_filters
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.forms import CheckboxSelectMultiple
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.admin.filters import DateRangePickerWidget, MultipleUserFilter
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.reports import ReportView
from wagtail.log_actions import registry as log_action_registry
from wagtail.permission_policies.sites import SitePermissionPolicy

from .filters import PeriodFilter
from .models import AuditLogEntry
from .scoped_admin import CommuneFilter, CommuneFilterSet
from .spreadsheets import SpreadsheetMixin

audit_policy = SitePermissionPolicy(AuditLogEntry)
#: Supervisors read their commune's log.
READ_LOG = ("view",)


def audit(instance, action: str, *, user, site=None, data=None, title: str = ""):
    """Record that ``user`` did ``action`` to ``instance`` (its commune is
    ``instance.site`` unless ``site`` is given), whatever log Wagtail keeps
    for that kind of object: a démarche exported goes to the commune's log,
    not to the page's history."""
    return AuditLogEntry.objects.log_action(
        instance, action, user=user, site=site, data=data or {}, title=title or None
    )


def audit_actions() -> list[tuple[str, str]]:
    """The actions recorded in the agents' log, for its filter."""
    prefixes = tuple(f"{app}." for app in AUDITED_APPS)
    return [(a, label) for a, label in log_action_registry.get_choices() if a.startswith(prefixes)]


#: The apps whose actions are written to the agents' log.
AUDITED_APPS = ("cms", "services", "accounts", "payments")


class AuditFilterSet(CommuneFilterSet):
    label = django_filters.CharFilter(
        label=_("Object"),
        lookup_expr="icontains",
        help_text=_("A request number, a name or an identifier."),
    )
    action = django_filters.MultipleChoiceFilter(label=_("Action"), widget=CheckboxSelectMultiple)
    user = MultipleUserFilter(label=_("Agent"), widget=CheckboxSelectMultiple)
    timestamp = PeriodFilter(label=_("Date"), widget=DateRangePickerWidget)
    site = CommuneFilter(audit_policy, READ_LOG)

    class Meta:
        model = AuditLogEntry
        fields = ["label", "action", "user", "timestamp", "site"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["action"].extra["choices"] = audit_actions()
        entries = AuditLogEntry.objects.viewable_by_user(request.user)
        self.filters["user"].extra["queryset"] = (
            get_user_model()
            .objects.filter(pk__in=entries.order_by().values("user_id").distinct())
            .order_by("last_name", "first_name", "username")
        )


class AuditReportView(SpreadsheetMixin, ReportView):
    """Supervisors read what the agents of their commune did: who, when, what,
    on which object; filtered and exported like any Wagtail report."""

    page_title = _("Agents' actions")
    header_icon = "history"
    template_name = "wagtailadmin/reports/base_report.html"
    results_template_name = "cms/admin/audit_results.html"
    index_url_name = "cms_audit"
    index_results_url_name = "cms_audit_results"
    filterset_class = AuditFilterSet
    any_permission_required = ["view"]
    permission_policy = audit_policy
    list_export = [
        "timestamp",
        "site",
        "user_display_name",
        "action",
        "message",
        "label",
        "object_id",
    ]
    export_headings = {
        "timestamp": _("Date/Time"),
        "site": _("Commune"),
        "user_display_name": _("Agent"),
        "action": _("Action"),
        "message": _("What was done"),
        "label": _("Object"),
        "object_id": _("ID"),
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.custom_field_preprocess = {
            "action": {
                self.FORMAT_CSV: self.action_label,
                self.FORMAT_XLSX: self.action_label,
            },
            "site": {self.FORMAT_CSV: str, self.FORMAT_XLSX: str},
        }

    @staticmethod
    def action_label(action):
        return str(dict(log_action_registry.get_choices()).get(action, action))

    def get_filename(self):
        return "journal-agents"

    def get_sheet_name(self):
        return str(self.page_title)

    def get_queryset(self):
        return (
            AuditLogEntry.objects.viewable_by_user(self.request.user)
            .select_related("user", "site", "content_type")
            .order_by("-timestamp", "-pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["shows_commune"] = "site" in self.filters.filters if self.filters else False
        add_object_links(context["object_list"], user=self.request.user)
        return context


class AuditMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser or audit_policy.user_has_permission(request.user, "view")


def audit_menu_item():
    return AuditMenuItem(
        _("Agents' actions"),
        reverse("cms_audit"),
        name="agents-actions",
        icon_name="history",
        order=1100,
    )


def audit_urls():
    return [
        path("reports/agents-actions/", AuditReportView.as_view(), name="cms_audit"),
        path(
            "reports/agents-actions/results/",
            AuditReportView.as_view(results_only=True),
            name="cms_audit_results",
        ),
    ]


def add_object_links(entries, *, user) -> None:
    """Give each entry the admin address of its object (``object_url``),
    where the object still exists and ``user`` may open it: one query per
    kind of object. A queryset keeps the entries it read, with their links."""
    wanted = defaultdict(set)
    for entry in entries:
        wanted[entry.content_type_id].add(entry.object_id)
    objects = {}
    for content_type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            continue
        with suppress(ValueError, ValidationError):
            for instance in model._default_manager.filter(pk__in=ids):
                objects[content_type_id, str(instance.pk)] = instance
    finder = AdminURLFinder(user)
    for entry in entries:
        instance = objects.get((entry.content_type_id, entry.object_id))
        entry.object_url = finder.get_edit_url(instance) if instance is not None else None


def entries_about(instance):
    """The log of one object, newest first."""
    return AuditLogEntry.objects.for_instance(instance).select_related("user")
