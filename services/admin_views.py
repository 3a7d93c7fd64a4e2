"""The agents' screen for requests in the Wagtail admin.

Agents list the requests sent to their commune, open one with its answers,
documents and history, download its documents, and change its status with a
message e-mailed to the citizen. Nobody adds, edits or deletes a request
there: the answers belong to the citizen. Every view starts from
``requests_for(user)``, so a request of a commune the user holds no
permission for is a 404, whatever id is put in the URL. The permissions are
held per commune, like those on citizen accounts (``accounts.admin_views``).
"""

from functools import reduce
from operator import or_

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.admin.utils import quote
from django.contrib.auth.models import Permission
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, Column, DateColumn
from wagtail.admin.views.generic import InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets.button import HeaderButton
from wagtail.models import Site
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from accounts.admin_views import (
    CitizenAccountPermissionPolicy,
    citizen_account_policy,
    not_found,
    spreadsheet_text,
)
from accounts.models import CitizenAccount

from .forms import answer_rows
from .models import OPEN_STATUSES, ServicePage, Submission, SubmissionStatus
from .selectors import attachment_of, submissions_for_sites
from .services import MESSAGE_NEEDED, TRANSITIONS, SubmissionError, submission_change_status
from .tracking import safe_filename

SEE = ("view", "change")
DECIDE = ("change",)
SEARCH_FIELDS = (
    "reference",
    "concerns",
    "account__first_name",
    "account__last_name",
    "account__email",
    "contact_first_name",
    "contact_last_name",
    "contact_email",
)
SENT_STATUSES = [
    (value, label) for value, label in SubmissionStatus.choices if value != SubmissionStatus.DRAFT
]


class SubmissionPermissionPolicy(CitizenAccountPermissionPolicy):
    """Permissions on requests, held per commune through
    ``GroupSitePermission`` (see ``cms.services.commune_create``), on the same
    rules as citizen accounts: nobody adds or deletes a request in the admin,
    not even a platform admin."""


submission_policy = SubmissionPermissionPolicy(Submission)


def communes_of(user) -> QuerySet[Site]:
    """The communes whose requests the user may see."""
    return submission_policy.sites_user_has_any_permission_for(user, SEE)


def shows_communes(user) -> bool:
    """Whether the user works for several communes, and so needs to see and
    filter by the commune of each request."""
    return user.is_superuser or communes_of(user).count() > 1


def requests_for(user, actions=SEE) -> QuerySet[Submission]:
    """Requests sent to the communes where the user holds one of ``actions``
    (drafts are the citizen's own business)."""
    sites = submission_policy.sites_user_has_any_permission_for(user, actions)
    return (
        submissions_for_sites(sites=sites)
        .exclude(status=SubmissionStatus.DRAFT)
        .select_related("site", "account", "member", "page")
    )


def services_by_commune(user) -> list[tuple[Site, list[ServicePage]]]:
    """The démarches of each of the user's communes, in the commune's own
    tree (translations of a démarche share its ``translation_key``)."""
    result = []
    for site in communes_of(user).select_related("root_page").order_by("site_name"):
        pages = ServicePage.objects.descendant_of(site.root_page).order_by("title")
        result.append((site, list(pages.only("pk", "title", "translation_key"))))
    return result


def search_requests(requests: QuerySet, query: str) -> QuerySet:
    """Requests whose number, requester's or person concerned's names or
    e-mail contain every word of the query."""
    for word in query.split():
        requests = requests.filter(
            reduce(or_, (Q(**{f"{field}__icontains": word}) for field in SEARCH_FIELDS))
        )
    return requests


class SubmissionFilterSet(WagtailFilterSet):
    page = django_filters.ChoiceFilter(
        label=gettext_lazy("Online procedure"),
        empty_label=gettext_lazy("All"),
        method="filter_page",
    )
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        choices=SENT_STATUSES,
        empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
    )
    submitted_at = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Sent between"), widget=DateRangePickerWidget
    )
    site = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Commune"),
        queryset=lambda request: communes_of(request.user).order_by("site_name"),
        empty_label=gettext_lazy("All"),
    )

    class Meta:
        model = Submission
        fields = ["page", "status", "submitted_at", "site"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        several = request is not None and shows_communes(request.user)
        choices = []
        if request is not None:
            for site, pages in services_by_commune(request.user):
                for page in pages:
                    label = f"{page.title} ({site.site_name})" if several else page.title
                    choices.append((str(page.pk), label))
        self.filters["page"].extra["choices"] = choices
        if not several:
            del self.filters["site"]

    def filter_page(self, queryset, name, value):
        if not value:
            return queryset
        same = ServicePage.objects.filter(pk=value).values("translation_key")
        return queryset.filter(page__translation_key__in=same)


class SubmissionStatusColumn(Column):
    cell_template_name = "services/admin/status_cell.html"


class StatusChangeForm(forms.Form):
    """The new status, among those the current one may become, and the
    message e-mailed to the citizen."""

    status = forms.ChoiceField(
        label=gettext_lazy("New status"), choices=SENT_STATUSES, widget=forms.RadioSelect
    )
    message = forms.CharField(
        label=gettext_lazy("Message to the citizen"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, current, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = TRANSITIONS.get(current, set())
        # Any status is accepted back, so that a request changed meanwhile by
        # someone else gets the service's explanation, not "invalid choice".
        self.fields["status"].widget.choices = [
            (value, label) for value, label in SENT_STATUSES if value in allowed
        ]
        needed = ", ".join(
            f"“{label}”" for value, label in SENT_STATUSES if value in MESSAGE_NEEDED
        )
        self.fields["message"].help_text = _(
            "Sent to the citizen by e-mail with the new status, and kept in the request's "
            "history. Required when the new status is %(statuses)s."
        ) % {"statuses": needed}


def may_change(user, submission: Submission) -> bool:
    return bool(TRANSITIONS.get(submission.status)) and (
        submission_policy.user_has_any_permission_for_instance(user, DECIDE, submission)
    )


class SubmissionIndexView(IndexView):
    """Open requests first, the longest waiting at the top; then the others,
    newest first."""

    default_ordering = ("queue", "open_since", "-submitted_at", "-pk")
    custom_field_preprocess = {
        field: {IndexView.FORMAT_CSV: spreadsheet_text}
        for field in ("title", "requester_name", "requester_email", "concerns")
    }

    def get_base_queryset(self):
        is_open = Q(status__in=OPEN_STATUSES)
        return requests_for(self.request.user).annotate(
            queue=Case(When(is_open, then=Value(0)), default=Value(1)),
            open_since=Case(When(is_open, then=F("submitted_at")), default=None),
        )

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return search_requests(queryset, self.search_query)

    @cached_property
    def columns(self):
        columns = [
            column
            for column in super().columns
            if not isinstance(column, BulkActionsCheckboxColumn)
        ]
        if shows_communes(self.request.user):
            commune = Column(
                "site", label=_("Commune"), accessor="site.site_name", sort_key="site__site_name"
            )
            columns.insert(2, commune)
        return columns

    def get_add_url(self):
        return None

    def get_edit_url(self, instance):
        return None

    def get_copy_url(self, instance):
        return None

    def get_delete_url(self, instance):
        return None


class SubmissionInspectView(InspectView):
    """The request as the citizen sent it: who, for whom, the answers in the
    order of the form, the documents, the history, and the status form."""

    page_title = gettext_lazy("Request")
    status_url_name = None
    download_url_name = None

    def get_object(self, queryset=None):
        return get_object_or_404(requests_for(self.request.user), pk=self.pk)

    def get_page_subtitle(self):
        return self.object.reference

    def get_edit_url(self):
        return None

    def get_delete_url(self):
        return None

    def download_url(self, value) -> str:
        if isinstance(value, dict) and value.get("attachment"):
            return reverse(self.download_url_name, args=[self.object.pk, value["attachment"]])
        return ""

    @cached_property
    def header_more_buttons(self):
        if not may_change(self.request.user, self.object):
            return []
        return [
            HeaderButton(
                _("Change status"),
                url=reverse(self.status_url_name, args=[self.object.pk]),
                icon_name="resubmit",
                priority=10,
            )
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        submission = self.object
        user = self.request.user
        account = submission.account
        account_url = ""
        if account is not None and citizen_account_policy.user_has_any_permission_for_instance(
            user, SEE, account
        ):
            account_url = reverse(
                CitizenAccount.snippet_viewset.get_url_name("inspect"), args=[account.pk]
            )
        answers = [
            (step, [(row, self.download_url(row.value)) for row in rows])
            for step, rows in answer_rows(submission.steps, submission.data)
        ]
        replaced = [
            (attachment, reverse(self.download_url_name, args=[submission.pk, attachment.pk]))
            for attachment in submission.attachments.filter(current=False)
        ]
        status_form = None
        if may_change(user, submission):
            status_form = StatusChangeForm(current=submission.status)
        context.update(
            submission=submission,
            field={name: self.get_context_for_field(name) for name in self.fields},
            shows_commune=shows_communes(user),
            account_url=account_url,
            answers=answers,
            replaced=replaced,
            history=submission.history.select_related("author"),
            status_form=status_form,
            status_url=reverse(self.status_url_name, args=[submission.pk]),
            is_final=not TRANSITIONS.get(submission.status),
        )
        return context


class SubmissionStatusView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    """Change a request's status; the citizen is told by e-mail, with the
    message, by ``submission_change_status``."""

    permission_policy = submission_policy
    permission_required = "change"
    template_name = "services/admin/status.html"
    form_class = StatusChangeForm
    header_icon = "form"
    page_title = gettext_lazy("Change status")
    index_url_name = None
    inspect_url_name = None

    @cached_property
    def submission(self) -> Submission:
        return get_object_or_404(requests_for(self.request.user, DECIDE), pk=self.kwargs["pk"])

    @cached_property
    def inspect_url(self):
        return reverse(self.inspect_url_name, args=[quote(self.submission.pk)])

    def get_page_subtitle(self):
        return self.submission.reference

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse(self.index_url_name),
                "label": capfirst(Submission._meta.verbose_name_plural),
            },
            {"url": self.inspect_url, "label": self.submission.reference},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "current": self.submission.status}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            submission=self.submission,
            is_final=not TRANSITIONS.get(self.submission.status),
            cancel_url=self.inspect_url,
            **kwargs,
        )

    def form_valid(self, form):
        try:
            change = submission_change_status(
                submission=self.submission,
                status=form.cleaned_data["status"],
                author=self.request.user,
                message=form.cleaned_data["message"],
            )
        except SubmissionError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Request %(reference)s is now “%(status)s”; the citizen has been told by e-mail.")
            % {"reference": self.submission.reference, "status": change.get_status_display()},
        )
        return redirect(self.inspect_url)


class AttachmentDownloadView(PermissionCheckedMixin, View):
    """A supporting document of a request, from private storage, always as a
    download, to staff who may see the request only."""

    permission_policy = submission_policy
    any_permission_required = SEE

    def get(self, request, pk, attachment_pk):
        submission = get_object_or_404(requests_for(request.user), pk=pk)
        attachment = attachment_of(submission=submission, pk=attachment_pk)
        try:
            file = attachment.file.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404 from None
        content_type = attachment.content_type or "application/octet-stream"
        response = FileResponse(
            file,
            as_attachment=True,
            filename=safe_filename(attachment.name, content_type),
            content_type=content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        patch_cache_control(response, private=True, no_store=True)
        return response


class SubmissionURLFinder(ModelAdminURLFinder):
    """Admin links to a request open its inspect view: nobody edits it."""

    inspect_url_name = None

    def construct_edit_url(self, instance):
        return reverse(self.inspect_url_name, args=[quote(instance.pk)])

    def get_edit_url(self, instance):
        if instance.is_draft:
            return None
        if self.user and not submission_policy.user_has_any_permission_for_instance(
            self.user, SEE, instance
        ):
            return None
        return self.construct_edit_url(instance)


class SubmissionViewSet(SnippetViewSet):
    """Requests sent to the user's communes: list, inspect, export, download
    their documents and change their status. No create, edit, copy, delete,
    history or chooser."""

    model = Submission
    icon = "form"
    menu_label = gettext_lazy("Requests")
    menu_name = "requests"
    menu_order = 190
    add_to_admin_menu = True
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = SubmissionIndexView
    inspect_view_class = SubmissionInspectView
    index_template_name = "services/admin/index.html"
    inspect_template_name = "services/admin/inspect.html"
    list_per_page = 50
    list_display = [
        "reference",
        Column("title", label=gettext_lazy("Online procedure"), sort_key="title"),
        Column("requester", label=gettext_lazy("Requester"), accessor="requester_name"),
        Column("concerns", label=gettext_lazy("Person concerned"), accessor="concerns"),
        DateColumn("submitted_at", label=gettext_lazy("Sent on"), sort_key="submitted_at"),
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
    ]
    export_headings = {
        "title": gettext_lazy("Online procedure"),
        "requester_name": gettext_lazy("Requester"),
        "requester_email": gettext_lazy("E-mail address"),
        "concerns": gettext_lazy("Person concerned"),
        "get_status_display": gettext_lazy("Status"),
    }
    export_filename = "requests"
    inspect_view_fields = ["reference", "status", "created_at", "submitted_at", "status_changed_at"]

    add_view = edit_view = delete_view = usage_view = staticmethod(not_found)
    history_view = history_results_view = staticmethod(not_found)

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            status_url_name=self.get_url_name("status"),
            download_url_name=self.get_url_name("download"),
            **kwargs,
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("status/<int:pk>/", self.status_view, name="status"),
            path("download/<int:pk>/<int:attachment_pk>/", self.download_view, name="download"),
        ]

    @property
    def status_view(self):
        return self.construct_view(SubmissionStatusView)

    @property
    def download_view(self):
        return AttachmentDownloadView.as_view()

    @property
    def url_finder_class(self):
        return type(
            "_SubmissionURLFinder",
            (SubmissionURLFinder,),
            {"inspect_url_name": self.get_url_name("inspect")},
        )

    def get_permissions_to_register(self):
        """None: these permissions are granted per commune by
        ``commune_create``, never as global permissions of a group."""
        return Permission.objects.none()

    def register_chooser_viewset(self):
        """No chooser: no admin form picks a request."""
