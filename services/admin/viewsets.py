"""The requests screen: the queue, a request's page and the agents' actions on it."""

from django.urls import path
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.tables import Column, DateColumn

from cms.scoped_admin import InspectURLFinder, ReadOnlyCommuneViewSet

from ..models import Submission
from ..selectors import SEARCH_FIELDS
from .filters import SubmissionFilterSet
from .saved_filters import DeleteSavedFilterView, SaveFilterView
from .views import (
    AssignView,
    AttachmentDownloadView,
    ByPostView,
    DocumentPreviewView,
    IssuedDocumentDownloadView,
    MessageFileDownloadView,
    NoteView,
    ReopenView,
    SubmissionIndexView,
    SubmissionInspectView,
    SubmissionMessageView,
    SubmissionStatusColumn,
    SubmissionStatusView,
    TransferView,
)


class SubmissionURLFinder(InspectURLFinder):
    """Admin links to a request open its inspect view; a draft has none."""

    def linkable(self, instance):
        return not instance.is_draft


class SubmissionViewSet(ReadOnlyCommuneViewSet):
    """Requests sent to the user's communes: list, inspect, export, download
    their documents and change their status. No create, edit, copy, delete,
    history or chooser."""

    model = Submission
    icon = "form"
    menu_label = gettext_lazy("Requests")
    menu_name = "requests"
    menu_order = 190
    add_to_admin_menu = True
    url_finder_base = SubmissionURLFinder
    index_view_class = SubmissionIndexView
    inspect_view_class = SubmissionInspectView
    index_template_name = "services/admin/index.html"
    index_results_template_name = "services/admin/index_results.html"
    inspect_template_name = "services/admin/inspect.html"
    list_per_page = 50
    list_display = [
        "reference",
        Column("title", label=gettext_lazy("Online procedure"), sort_key="title"),
        Column("requester", label=gettext_lazy("Requester"), accessor="requester_name"),
        Column("concerns", label=gettext_lazy("Person concerned"), accessor="concerns"),
        DateColumn("submitted_at", label=gettext_lazy("Sent on"), sort_key="submitted_at"),
        Column("service", label=gettext_lazy("Service"), accessor="service_name"),
        Column("assigned", label=gettext_lazy("Assigned to"), accessor="assigned_name"),
        DateColumn(
            "waiting_since",
            label=gettext_lazy("Citizen's message unanswered since"),
            sort_key="waiting_since",
        ),
        SubmissionStatusColumn(
            "get_status_display", label=gettext_lazy("Status"), sort_key="status"
        ),
    ]
    filterset_class = SubmissionFilterSet
    search_fields = list(SEARCH_FIELDS)
    search_backend_name = None
    list_export = [
        "reference",
        "title",
        "requester_name",
        "requester_email",
        "concerns",
        "submitted_at",
        "get_status_display",
        "service_name",
        "assigned_name",
    ]
    export_headings = {
        "title": gettext_lazy("Online procedure"),
        "requester_name": gettext_lazy("Requester"),
        "requester_email": gettext_lazy("E-mail address"),
        "concerns": gettext_lazy("Person concerned"),
        "get_status_display": gettext_lazy("Status"),
        "service_name": gettext_lazy("Service"),
        "assigned_name": gettext_lazy("Assigned to"),
    }
    export_filename = "requests"
    inspect_view_fields = ["reference", "status", "created_at", "submitted_at", "status_changed_at"]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            view_url_names={
                name: self.get_url_name(name)
                for name in (
                    "status",
                    "note",
                    "assign",
                    "by_post",
                    "reopen",
                    "transfer",
                    "download",
                    "issued",
                    "preview",
                    "message",
                    "message_file",
                )
            },
            **kwargs,
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("status/<int:pk>/", self.action_view(SubmissionStatusView), name="status"),
            path("reopen/<int:pk>/", self.action_view(ReopenView), name="reopen"),
            path("note/<int:pk>/", self.action_view(NoteView), name="note"),
            path("assign/<int:pk>/", self.action_view(AssignView), name="assign"),
            path("by-post/<int:pk>/", self.action_view(ByPostView), name="by_post"),
            path("transfer/<int:pk>/", self.action_view(TransferView), name="transfer"),
            path("message/<int:pk>/", self.action_view(SubmissionMessageView), name="message"),
            path(
                "message-file/<int:pk>/<int:file_pk>/",
                MessageFileDownloadView.as_view(),
                name="message_file",
            ),
            path("download/<int:pk>/<int:attachment_pk>/", self.download_view, name="download"),
            path(
                "issued/<int:pk>/<int:document_pk>/",
                IssuedDocumentDownloadView.as_view(),
                name="issued",
            ),
            path("preview/<int:pk>/", DocumentPreviewView.as_view(), name="preview"),
            path(
                "filters/save/",
                SaveFilterView.as_view(index_url_name=self.get_url_name("list")),
                name="save_filter",
            ),
            path(
                "filters/delete/<int:pk>/",
                DeleteSavedFilterView.as_view(index_url_name=self.get_url_name("list")),
                name="delete_filter",
            ),
        ]

    def action_view(self, view_class):
        return view_class.as_view(
            inspect_url_name=self.get_url_name("inspect"),
            index_url_name=self.get_url_name("list"),
        )

    @property
    def download_view(self):
        return AttachmentDownloadView.as_view()
