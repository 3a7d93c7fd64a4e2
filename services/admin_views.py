"""The agents' screen for requests in the Wagtail admin.

Agents work through the queue of requests sent to their commune (what needs
action first, oldest first), assign them, open one with its answers,
documents, history and the agents' private notes, tick documents received by
post, download documents, and change its status with a message to the
citizen, from the commune's message templates; "Incomplet" names the items
the citizen must correct. Nobody adds, edits or deletes a request there: the
answers belong to the citizen. Every view starts from
``requests_for(user)``, so a request of a commune the user holds no
permission for is a 404, whatever id is put in the URL. The permissions are
held per commune, like those on citizen accounts (``accounts.admin_views``).
"""

from collections import defaultdict
from functools import reduce
from operator import or_

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import FormView
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views.generic import InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets.button import HeaderButton
from wagtail.models import Site
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from accounts.admin_views import (
    CitizenAccountPermissionPolicy,
    bulk_action_buttons,
    citizen_account_policy,
    not_found,
    spreadsheet_text,
)
from accounts.models import CitizenAccount
from cms.audit import audit, audit_policy, entries_about
from cms.filters import PeriodFilter
from cms.uploads import download, safe_filename

from .corrections import correctable_items, last_request_for_corrections
from .fields.answers import answer_rows
from .messages import fill_message, message_values
from .models import MessageTemplate, ServicePage, Submission
from .selectors import attachment_of, submissions_for_sites
from .services import (
    SubmissionError,
    agent_name,
    agents_of,
    document_received_by_post,
    note_add,
    submission_assign,
    submission_change_status,
)
from .statuses import (
    OPEN_STATUSES,
    SENT_STATUSES,
    STATUSES,
    TO_PROCESS_STATUSES,
    TRANSITIONS,
    SubmissionStatus,
)

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
    # The communes' ids, not a subquery: the database then reads one
    # commune's requests in the queue's order from its index.
    sites = list(
        submission_policy.sites_user_has_any_permission_for(user, actions).values_list(
            "pk", flat=True
        )
    )
    return (
        submissions_for_sites(sites=sites)
        .exclude(status=SubmissionStatus.DRAFT)
        .select_related("site", "account", "member", "page", "assigned_to")
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


TO_PROCESS = "to_process"
ALL = "all"


def open_counts_by_agent(requests: QuerySet) -> dict[int, int]:
    """How many open requests each agent has, in one query."""
    rows = (
        requests.filter(status__in=OPEN_STATUSES, assigned_to__isnull=False)
        .order_by()
        .values("assigned_to")
        .annotate(count=Count("pk"))
    )
    return {row["assigned_to"]: row["count"] for row in rows}


def agents_for(user) -> QuerySet:
    """The agents of the user's communes: those a request may be assigned to."""
    return agents_of(sites=communes_of(user))


class SubmissionFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        choices=[
            (TO_PROCESS, gettext_lazy("To process")),
            *SENT_STATUSES,
            (ALL, gettext_lazy("All")),
        ],
        empty_label=None,
        widget=forms.RadioSelect,
        method="filter_status",
    )
    assigned = django_filters.ChoiceFilter(
        label=gettext_lazy("Assigned to"),
        empty_label=gettext_lazy("Anyone"),
        method="filter_assigned",
    )
    page = django_filters.ChoiceFilter(
        label=gettext_lazy("Online procedure"),
        empty_label=gettext_lazy("All"),
        method="filter_page",
    )
    submitted_at = PeriodFilter(label=gettext_lazy("Sent between"), widget=DateRangePickerWidget)
    site = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Commune"),
        queryset=lambda request: communes_of(request.user).order_by("site_name"),
        empty_label=gettext_lazy("All"),
    )

    class Meta:
        model = Submission
        fields = ["status", "assigned", "page", "submitted_at", "site"]

    def __init__(self, data=None, *args, request=None, **kwargs):
        if data is not None and not data.get("status"):
            # What needs action is the default view.
            data = data.copy()
            data["status"] = TO_PROCESS
        super().__init__(data, *args, request=request, **kwargs)
        several = request is not None and shows_communes(request.user)
        choices = []
        agents = []
        if request is not None:
            for site, pages in services_by_commune(request.user):
                for page in pages:
                    label = f"{page.title} ({site.site_name})" if several else page.title
                    choices.append((str(page.pk), label))
            counts = open_counts_by_agent(requests_for(request.user))
            agents = [
                (
                    str(agent.pk),
                    _("%(name)s (%(count)d open)")
                    % {"name": agent_name(agent), "count": counts.get(agent.pk, 0)},
                )
                for agent in agents_for(request.user)
            ]
        self.filters["page"].extra["choices"] = choices
        self.filters["assigned"].extra["choices"] = [
            ("me", _("Me")),
            ("nobody", _("Nobody")),
            *agents,
        ]
        if not several:
            del self.filters["site"]

    def filter_status(self, queryset, name, value):
        if value == TO_PROCESS:
            return queryset.filter(status__in=TO_PROCESS_STATUSES)
        if value == ALL or not value:
            return queryset
        return queryset.filter(status=value)

    def filter_assigned(self, queryset, name, value):
        if value == "me":
            return queryset.filter(assigned_to=self.request.user)
        if value == "nobody":
            return queryset.filter(assigned_to__isnull=True)
        if value:
            return queryset.filter(assigned_to_id=value)
        return queryset

    def filter_page(self, queryset, name, value):
        if not value:
            return queryset
        same = ServicePage.objects.filter(pk=value).values("translation_key")
        return queryset.filter(page__translation_key__in=same)


class SubmissionStatusColumn(Column):
    cell_template_name = "services/admin/status_cell.html"


class StatusChangeForm(forms.Form):
    """The new status, among those the current one may become; for
    "Incomplet", the items the citizen must correct; and the message to the
    citizen, which a message template of the commune may fill."""

    status = forms.ChoiceField(
        label=gettext_lazy("New status"), choices=SENT_STATUSES, widget=forms.RadioSelect
    )
    requested = forms.MultipleChoiceField(
        label=gettext_lazy("What the citizen must correct or send (for “Incomplete”)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "The citizen will see these items only, and correct or send them online."
        ),
    )
    message = forms.CharField(
        label=gettext_lazy("Message to the citizen"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, submission: Submission, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = TRANSITIONS.get(submission.status, set())
        # Any status is accepted back, so that a request changed meanwhile by
        # someone else gets the service's explanation, not "invalid choice".
        self.fields["status"].widget.choices = [
            (value, label) for value, label in SENT_STATUSES if value in allowed
        ]
        if any(STATUSES[status].needs_items for status in allowed):
            self.fields["requested"].choices = [
                (item.key, item.label) for item in correctable_items(submission)
            ]
        else:
            del self.fields["requested"]
        self.fields["message"].help_text = _(
            "Sent to the citizen with the new status, and shown on the request's page. "
            "Required for “%(rejected)s”; for “%(incomplete)s”, tick the items or explain "
            "them here."
        ) % {
            "rejected": ", ".join(str(i.label) for i in STATUSES.values() if i.needs_message),
            "incomplete": ", ".join(str(i.label) for i in STATUSES.values() if i.needs_items),
        }


def message_templates_for(submission: Submission) -> list[dict]:
    """The commune's message templates, filled for this request."""
    values = message_values(submission)
    return [
        {
            "pk": template.pk,
            "status": template.status,
            "status_label": template.get_status_display(),
            "title": template.title,
            "body": fill_message(template.body, values),
        }
        for template in MessageTemplate.objects.filter(site_id=submission.site_id)
    ]


def status_form_initial(request, submission: Submission) -> dict:
    """A template chosen by a link (``?template=<pk>``) fills the form."""
    pk = request.GET.get("template", "")
    if not pk.isdigit():
        return {}
    template = MessageTemplate.objects.filter(site_id=submission.site_id, pk=pk).first()
    if template is None:
        return {}
    return {
        "status": template.status,
        "message": fill_message(template.body, message_values(submission)),
    }


class AssignForm(forms.Form):
    agent = forms.ModelChoiceField(
        label=gettext_lazy("Assigned to"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=gettext_lazy("Nobody"),
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = agents_of(sites=sites)
        self.fields["agent"].label_from_instance = agent_name


class NoteForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("New note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Seen by the agents of the commune only, never by the citizen."),
    )


def may_change(user, submission: Submission) -> bool:
    return submission_policy.user_has_any_permission_for_instance(user, DECIDE, submission)


def may_change_status(user, submission: Submission) -> bool:
    return bool(TRANSITIONS.get(submission.status)) and may_change(user, submission)


def may_export(user) -> bool:
    return submission_policy.user_has_permission(user, "export")


class SubmissionIndexView(IndexView):
    """The queue: by default what needs action, the longest waiting first."""

    default_ordering = ("submitted_at", "pk")
    custom_field_preprocess = {
        field: {IndexView.FORMAT_CSV: spreadsheet_text}
        for field in ("title", "requester_name", "requester_email", "concerns")
    }

    def get_base_queryset(self):
        return requests_for(self.request.user)

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return search_requests(queryset, self.search_query)

    def order_queryset(self, queryset):
        queryset = super().order_queryset(queryset)
        # A stable order for pagination, whatever column is sorted.
        if queryset.query.order_by and "pk" not in queryset.query.order_by:
            queryset = queryset.order_by(*queryset.query.order_by, "pk")
        return queryset

    @cached_property
    def columns(self):
        columns = super().columns
        if shows_communes(self.request.user):
            commune = Column(
                "site", label=_("Commune"), accessor="site.site_name", sort_key="site__site_name"
            )
            columns.insert(2, commune)
        return columns

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if not may_export(request.user):
            # Exports are for the commune's supervisors.
            self.list_export = []
            self.is_export = False

    def as_spreadsheet(self, queryset, spreadsheet_format):
        for site in submission_policy.sites_user_has_permission_for(self.request.user, "export"):
            audit(
                site,
                "services.export",
                user=self.request.user,
                site=site,
                data={"format": spreadsheet_format, "of": "queue", "filters": self.request.GET},
            )
        return super().as_spreadsheet(queryset, spreadsheet_format)

    def get_add_url(self):
        return None

    def get_edit_url(self, instance):
        return None

    def get_copy_url(self, instance):
        return None

    def get_delete_url(self, instance):
        return None

    @cached_property
    def export_links(self):
        """The spreadsheet exports of the démarche the queue is filtered on."""
        from .admin_exports import export_links

        page_pk = self.request.GET.get("page", "")
        if not page_pk.isdigit():
            return []
        page = ServicePage.objects.filter(pk=page_pk).first()
        return export_links(self.request.user, page) if page else []

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["bulk_action_buttons"] = bulk_action_buttons(self.model, BULK_ACTIONS)
        context["export_links"] = self.export_links
        return context


class SubmissionInspectView(InspectView):
    """The request as the citizen sent it: who, for whom, the answers in the
    order of the form, the documents (with a tick for those received by
    post), the history with what was asked and corrected, the agents' notes,
    the assignment and the status form. Each opening is logged."""

    page_title = gettext_lazy("Request")
    view_url_names = {}

    def get_object(self, queryset=None):
        return get_object_or_404(requests_for(self.request.user), pk=self.pk)

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        audit(self.object, "services.view", user=request.user)
        return response

    def get_page_subtitle(self):
        return self.object.reference

    def get_edit_url(self):
        return None

    def get_delete_url(self):
        return None

    def url(self, name, *args) -> str:
        return reverse(self.view_url_names[name], args=[self.object.pk, *args])

    def download_url(self, value) -> str:
        if isinstance(value, dict) and value.get("attachment"):
            return self.url("download", value["attachment"])
        return ""

    @cached_property
    def header_more_buttons(self):
        from .admin_exports import archive_pdf_url

        buttons = []
        if not self.object.is_anonymised:
            buttons.append(
                HeaderButton(
                    _("PDF for the archive"),
                    url=archive_pdf_url(self.object),
                    icon_name="doc-full",
                    priority=20,
                )
            )
        if may_change_status(self.request.user, self.object):
            buttons.insert(
                0,
                HeaderButton(
                    _("Change status"),
                    url=self.url("status"),
                    icon_name="resubmit",
                    priority=10,
                ),
            )
        return buttons

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
            (attachment, self.url("download", attachment.pk))
            for attachment in submission.attachments.filter(current=False)
        ]
        changing = may_change(user, submission)
        status_form = None
        if may_change_status(user, submission):
            status_form = StatusChangeForm(submission=submission)
        context.update(
            submission=submission,
            field={name: self.get_context_for_field(name) for name in self.fields},
            shows_commune=shows_communes(user),
            account_url=account_url,
            answers=answers,
            replaced=replaced,
            received_by_post=submission.received_by_post,
            history=submission.history.select_related("author"),
            asked=last_request_for_corrections(submission),
            notes=submission.notes.select_related("author"),
            note_form=NoteForm() if changing else None,
            assign_form=(
                AssignForm(initial={"agent": submission.assigned_to_id}, sites=[submission.site])
                if changing
                else None
            ),
            changing=changing,
            status_form=status_form,
            message_templates=message_templates_for(submission) if status_form else [],
            urls={name: self.url(name) for name in ("status", "note", "assign", "by_post")},
            is_final=not TRANSITIONS.get(submission.status),
            activity=(
                entries_about(submission)[:20]
                if audit_policy.user_has_permission_for_instance(user, "view", submission)
                else None
            ),
        )
        return context


class SubmissionActionMixin(PermissionCheckedMixin):
    """A change to one request by an agent of its commune, posted from the
    request's page, which it returns to."""

    permission_policy = submission_policy
    permission_required = "change"
    inspect_url_name = None
    index_url_name = None

    @cached_property
    def submission(self) -> Submission:
        return get_object_or_404(requests_for(self.request.user, DECIDE), pk=self.kwargs["pk"])

    @cached_property
    def inspect_url(self):
        return reverse(self.inspect_url_name, args=[quote(self.submission.pk)])


class SubmissionStatusView(SubmissionActionMixin, WagtailAdminTemplateMixin, FormView):
    """Change a request's status; the citizen is told, with the message, by
    ``submission_change_status``."""

    template_name = "services/admin/status.html"
    form_class = StatusChangeForm
    header_icon = "form"
    page_title = gettext_lazy("Change status")

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

    def get_initial(self):
        return status_form_initial(self.request, self.submission)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "submission": self.submission}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            submission=self.submission,
            is_final=not TRANSITIONS.get(self.submission.status),
            cancel_url=self.inspect_url,
            message_templates=message_templates_for(self.submission),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            change = submission_change_status(
                submission=self.submission,
                status=form.cleaned_data["status"],
                author=self.request.user,
                message=form.cleaned_data["message"],
                requested=form.cleaned_data.get("requested") or [],
            )
        except SubmissionError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Request %(reference)s is now “%(status)s”; the citizen has been told.")
            % {"reference": self.submission.reference, "status": change.get_status_display()},
        )
        return redirect(self.inspect_url)


class SubmissionPostView(SubmissionActionMixin, View):
    """Posted from the request's page; an error is shown there."""

    http_method_names = ["post"]
    form_class = None

    def get_form(self):
        return self.form_class(self.request.POST)

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(self.inspect_url)
        try:
            message = self.act(form.cleaned_data)
        except SubmissionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, message)
        return redirect(self.inspect_url)

    def act(self, data) -> str:
        raise NotImplementedError


class NoteView(SubmissionPostView):
    form_class = NoteForm

    def act(self, data):
        note_add(submission=self.submission, author=self.request.user, text=data["text"])
        return _("Note added. The citizen does not see it.")


class AssignView(SubmissionPostView):
    form_class = AssignForm

    def get_form(self):
        return AssignForm(self.request.POST, sites=[self.submission.site])

    def act(self, data):
        agent = data["agent"]
        submission_assign(submission=self.submission, agent=agent, author=self.request.user)
        if agent is None:
            return _("Request %(reference)s is assigned to nobody.") % {
                "reference": self.submission.reference
            }
        return _("Request %(reference)s is assigned to %(name)s.") % {
            "reference": self.submission.reference,
            "name": agent_name(agent),
        }


class ByPostForm(forms.Form):
    key = forms.CharField()
    received = forms.BooleanField(required=False)


class ByPostView(SubmissionPostView):
    form_class = ByPostForm

    def act(self, data):
        document_received_by_post(
            submission=self.submission,
            key=data["key"],
            received=data["received"],
            author=self.request.user,
        )
        if data["received"]:
            return _("Document ticked as received by post.")
        return _("Document no longer ticked as received.")


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
        audit(
            submission,
            "services.download",
            user=request.user,
            data={"attachment": attachment.pk, "name": attachment.name},
        )
        content_type = attachment.content_type or "application/octet-stream"
        response = download(
            file, filename=safe_filename(attachment.name, content_type), content_type=content_type
        )
        patch_cache_control(response, private=True, no_store=True)
        return response


class SubmissionBulkAction(SnippetBulkAction):
    """An action on the selected requests, each through the same service as
    one at a time. Requests the action does not apply to stay as they are and
    are named in an error message."""

    models = [Submission]
    template_name = "services/admin/bulk_action.html"
    explanation = ""
    submit_label = ""

    def __init__(self, request, model):
        super().__init__(request, model)
        if not get_valid_next_url_from_request(request):
            self.next_url = reverse(Submission.snippet_viewset.get_url_name("list"))

    def act(self, submission) -> None:
        raise NotImplementedError

    def success_message(self, count: int) -> str:
        raise NotImplementedError

    def _listing(self, requests):
        """With "select all in listing", the listing's filters and search apply."""
        filters = SubmissionFilterSet(self.request.GET, queryset=requests, request=self.request)
        if filters.is_valid():
            requests = filters.qs
        return search_requests(requests, self.request.GET.get("q", ""))

    @cached_property
    def selected(self) -> list[Submission]:
        requests = requests_for(self.request.user, DECIDE)
        ids = self.request.GET.getlist("id")
        if "all" in ids:
            return list(self._listing(requests).order_by("submitted_at", "pk"))
        try:
            pks = {int(pk) for pk in ids}
        except ValueError as error:
            raise Http404 from error
        selected = list(requests.filter(pk__in=pks).order_by("submitted_at", "pk"))
        if not pks or len(selected) != len(pks):
            # One request of another commune, or none at all: the whole
            # action is refused and nothing changes.
            raise Http404
        return selected

    def get_actionable_objects(self):
        return self.selected, {"items_with_no_access": []}

    def object_context(self, submission):
        return {
            "item": submission,
            "url": reverse(
                Submission.snippet_viewset.get_url_name("inspect"), args=[submission.pk]
            ),
        }

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "submissions": self.selected}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            explanation=self.explanation,
            submit_label=self.submit_label,
            page_title=self.display_name,
        )
        return context

    @classmethod
    def execute_action(cls, objects, **kwargs):
        action = kwargs["self"]
        done = 0
        action.refused = defaultdict(list)
        for submission in objects:
            try:
                action.act(submission)
            except SubmissionError as error:
                action.refused[str(error)].append(submission.reference)
            else:
                done += 1
        return done, 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        for reason, references in self.refused.items():
            messages.error(
                self.request,
                _("Not changed: %(references)s. %(reason)s")
                % {"references": ", ".join(references), "reason": reason},
            )
        if num_parent_objects:
            return self.success_message(num_parent_objects)
        return None


class BulkAssignForm(forms.Form):
    agent = forms.ModelChoiceField(
        label=gettext_lazy("Assign to"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=gettext_lazy("Nobody"),
    )

    def __init__(self, *args, submissions, **kwargs):
        super().__init__(*args, **kwargs)
        sites = {submission.site_id for submission in submissions}
        self.fields["agent"].queryset = agents_of(sites=list(sites))
        self.fields["agent"].label_from_instance = agent_name


class BulkStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("New status"), choices=SENT_STATUSES, widget=forms.RadioSelect
    )
    message = forms.CharField(
        label=gettext_lazy("Message to the citizen"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "The same message goes to every selected request's citizen. Required for "
            "“Rejected” and “Incomplete”."
        ),
    )

    def __init__(self, *args, submissions, **kwargs):
        super().__init__(*args, **kwargs)


class AssignBulkAction(SubmissionBulkAction):
    display_name = gettext_lazy("Assign")
    action_type = "assign"
    aria_label = gettext_lazy("Assign the selected requests")
    action_priority = 10
    form_class = BulkAssignForm
    submit_label = gettext_lazy("Assign")
    explanation = gettext_lazy("Choose the agent of the commune who will process them.")

    def act(self, submission):
        submission_assign(
            submission=submission,
            agent=self.cleaned_form.cleaned_data["agent"],
            author=self.request.user,
        )

    def success_message(self, count):
        return ngettext("%(count)d request assigned.", "%(count)d requests assigned.", count) % {
            "count": count
        }


class StatusBulkAction(SubmissionBulkAction):
    display_name = gettext_lazy("Change status")
    action_type = "change_status"
    aria_label = gettext_lazy("Change the status of the selected requests")
    action_priority = 20
    form_class = BulkStatusForm
    submit_label = gettext_lazy("Change status")
    explanation = gettext_lazy(
        "Each citizen is told of the new status with the message below. A request that "
        "cannot take this status keeps its own."
    )

    def act(self, submission):
        data = self.cleaned_form.cleaned_data
        submission_change_status(
            submission=submission,
            status=data["status"],
            author=self.request.user,
            message=data["message"],
        )

    def success_message(self, count):
        return ngettext(
            "%(count)d request changed status; its citizen has been told.",
            "%(count)d requests changed status; each citizen has been told.",
            count,
        ) % {"count": count}


BULK_ACTIONS = {action.action_type: action for action in (AssignBulkAction, StatusBulkAction)}


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
    index_results_template_name = "services/admin/index_results.html"
    inspect_template_name = "services/admin/inspect.html"
    list_per_page = 50
    list_display = [
        "reference",
        Column("title", label=gettext_lazy("Online procedure"), sort_key="title"),
        Column("requester", label=gettext_lazy("Requester"), accessor="requester_name"),
        Column("concerns", label=gettext_lazy("Person concerned"), accessor="concerns"),
        DateColumn("submitted_at", label=gettext_lazy("Sent on"), sort_key="submitted_at"),
        Column("assigned", label=gettext_lazy("Assigned to"), accessor="assigned_name"),
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
        "assigned_name",
    ]
    export_headings = {
        "title": gettext_lazy("Online procedure"),
        "requester_name": gettext_lazy("Requester"),
        "requester_email": gettext_lazy("E-mail address"),
        "concerns": gettext_lazy("Person concerned"),
        "get_status_display": gettext_lazy("Status"),
        "assigned_name": gettext_lazy("Assigned to"),
    }
    export_filename = "requests"
    inspect_view_fields = ["reference", "status", "created_at", "submitted_at", "status_changed_at"]

    add_view = edit_view = delete_view = usage_view = staticmethod(not_found)
    history_view = history_results_view = staticmethod(not_found)

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            view_url_names={
                name: self.get_url_name(name)
                for name in ("status", "note", "assign", "by_post", "download")
            },
            **kwargs,
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("status/<int:pk>/", self.action_view(SubmissionStatusView), name="status"),
            path("note/<int:pk>/", self.action_view(NoteView), name="note"),
            path("assign/<int:pk>/", self.action_view(AssignView), name="assign"),
            path("by-post/<int:pk>/", self.action_view(ByPostView), name="by_post"),
            path("download/<int:pk>/<int:attachment_pk>/", self.download_view, name="download"),
        ]

    def action_view(self, view_class):
        return view_class.as_view(
            inspect_url_name=self.get_url_name("inspect"),
            index_url_name=self.get_url_name("list"),
        )

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
