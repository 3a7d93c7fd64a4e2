"""The requests screen's views: the queue, a request's page, and the
changes agents make to one request from there."""

from django.contrib import messages
from django.contrib.admin.utils import quote
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets.button import HeaderButton
from wagtail.snippets.views.snippets import IndexView, InspectView

from accounts.models import CitizenAccount
from accounts.policies import citizen_account_policy
from cms.audit import audit, audit_policy, entries_about
from cms.scoped_admin import (
    DECIDE,
    ReadOnlyMixin,
    ScopedIndexMixin,
    ScopedObjectMixin,
    bulk_action_buttons,
)
from cms.spreadsheets import SpreadsheetMixin, spreadsheet_text
from cms.tenancy import SEE, communes_for, shows_communes
from cms.uploads import as_attachment, download, safe_filename, upload_limits

from ..corrections import last_request_for_corrections
from ..extensions import admin_columns, admin_panels
from ..fields.answers import answer_rows
from ..messages import fill_message, message_values
from ..messaging import (
    MessageError,
    MessageForm,
    Sender,
    message_attachment_of,
    message_send,
    message_upload_limits,
    messages_mark_read,
    timeline,
    town_hall_name,
)
from ..models import MessageTemplate, ServicePage, Submission
from ..policies import SUPERVISE, submission_policy
from ..selectors import (
    attachment_of,
    submissions_matching,
    submissions_visible_to,
    with_unanswered,
)
from ..services import (
    SubmissionError,
    agent_name,
    document_received_by_post,
    may_transfer,
    note_add,
    submission_assign,
    submission_change_status,
    submission_reopen,
    submission_transfer,
)
from .bulk_actions import BULK_ACTIONS
from .exports import EXPORT_FILTERS, archive_pdf_url, export_links
from .filters import UNANSWERED
from .forms import AssignForm, ByPostForm, NoteForm, ReopenForm, StatusChangeForm, TransferForm
from .saved_filters import SaveFilterForm, filters_query, saved_filter_links


class SubmissionStatusColumn(Column):
    cell_template_name = "services/admin/status_cell.html"


def message_templates_for(submission: Submission) -> list[dict]:
    """The commune's message templates for the statuses the request may
    take next, filled for it."""
    values = message_values(submission)
    targets = set(submission.status_info.next)
    return [
        {
            "pk": template.pk,
            "status": template.status,
            "status_label": submission.definition.info(template.status).label,
            "title": template.title,
            "body": fill_message(template.body, values),
        }
        for template in MessageTemplate.objects.filter(
            site_id=submission.site_id, status__in=targets
        )
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


def may_change(user, submission: Submission) -> bool:
    return submission_policy.user_has_any_permission_for_instance(user, DECIDE, submission)


def may_change_status(user, submission: Submission) -> bool:
    return bool(submission.status_info.next) and may_change(user, submission)


def may_reopen(user, submission: Submission) -> bool:
    return submission.status_info.is_final and (
        submission_policy.user_has_permission_for_instance(user, SUPERVISE, submission)
    )


def transfer_form_for(user, submission: Submission) -> TransferForm | None:
    """The transfer form, for those who may transfer the request, when its
    commune has another service to hand it to."""
    if not may_transfer(user=user, submission=submission):
        return None
    form = TransferForm(submission=submission)
    return form if form.fields["service"].queryset.exists() else None


def may_export(user) -> bool:
    return submission_policy.user_has_permission(user, "export")


class SubmissionIndexView(ReadOnlyMixin, ScopedIndexMixin, SpreadsheetMixin, IndexView):
    """The queue: by default what needs action, the longest waiting first."""

    default_ordering = ("submitted_at", "pk")
    commune_column_at = 2
    custom_field_preprocess = {
        field: {IndexView.FORMAT_CSV: spreadsheet_text}
        for field in ("title", "requester_name", "requester_email", "concerns", "service_name")
    }

    @cached_property
    def extra_columns(self):
        return admin_columns(self.request)

    def get_scoped_queryset(self):
        annotations = {}
        for extra in self.extra_columns:
            annotations.update(extra.annotations)
        return with_unanswered(submissions_visible_to(user=self.request.user)).annotate(
            **annotations
        )

    @cached_property
    def columns(self):
        columns = super().columns
        extra = [extra.column for extra in self.extra_columns]
        # Before the status, which ends the row.
        return [*columns[:-1], *extra, *columns[-1:]] if extra else columns

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return submissions_matching(queryset, self.search_query)

    def order_queryset(self, queryset):
        if self.request.GET.get("messages") == UNANSWERED and not self.request.GET.get("ordering"):
            # The citizens waiting longest for an answer first.
            return queryset.order_by("waiting_since", "pk")
        queryset = super().order_queryset(queryset)
        # A stable order for pagination, whatever column is sorted.
        if queryset.query.order_by and "pk" not in queryset.query.order_by:
            queryset = queryset.order_by(*queryset.query.order_by, "pk")
        return queryset

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if not may_export(request.user):
            # Exports are for the commune's supervisors.
            self.list_export = []
            self.is_export = False

    def as_spreadsheet(self, queryset, spreadsheet_format):
        for site in communes_for(self.request.user, submission_policy, ("export",)):
            audit(
                site,
                "services.export",
                user=self.request.user,
                site=site,
                data={"format": spreadsheet_format, "of": "queue", "filters": self.request.GET},
            )
        return super().as_spreadsheet(queryset, spreadsheet_format)

    @cached_property
    def export_links(self):
        """The spreadsheet exports of the démarche the queue is filtered on,
        with the queue's other filters and search."""
        page_pk = self.request.GET.get("page", "")
        if not page_pk.isdigit():
            return []
        page = ServicePage.objects.filter(pk=page_pk).first()
        if page is None:
            return []
        data = self.filters.data.dict() if self.filters else {}
        data["q"] = self.search_query or ""
        filters = {name: data[name] for name in EXPORT_FILTERS if data.get(name)}
        return export_links(self.request.user, page, filters)

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["bulk_action_buttons"] = bulk_action_buttons(self.model, BULK_ACTIONS)
        context["export_links"] = self.export_links
        context["saved_filters"] = saved_filter_links(self.request, self.filters, self.index_url)
        context["save_filter_form"] = SaveFilterForm(
            initial={"query": filters_query(self.request.GET.urlencode())}
        )
        context["save_filter_url"] = reverse(self.model.snippet_viewset.get_url_name("save_filter"))
        return context


class SubmissionInspectView(ReadOnlyMixin, ScopedObjectMixin, InspectView):
    """The request as the citizen sent it: who, for whom, the answers in the
    order of the form, the documents (with a tick for those received by
    post), the history with what was asked and corrected; beside them, what
    agents do to it: its status and the status form (or its reopening), the
    assignment, the agents' notes. Each opening is logged.

    Both columns are lists of templates, each given the whole context: a
    panel is added to the side column by adding its template to
    ``request_panels``."""

    page_title = gettext_lazy("Request")
    view_url_names = {}
    request_panels = [
        "services/admin/request/status.html",
        "services/admin/request/assignment.html",
        "services/admin/transfer.html",
        "services/admin/request/notes.html",
    ]
    request_sections = [
        "services/admin/request/anonymised.html",
        "services/admin/request/asked.html",
        "services/admin/request/details.html",
        "services/admin/request/requester.html",
        "services/admin/request/answers.html",
        "services/admin/request/issued.html",
        "services/admin/request/history.html",
        "services/admin/request/reply.html",
        "services/admin/request/activity.html",
    ]

    def get_scoped_queryset(self):
        return submissions_visible_to(user=self.request.user)

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        audit(self.object, "services.view", user=request.user)
        messages_mark_read(submission=self.object, reader=Sender.TOWN_HALL)
        return response

    def get_page_subtitle(self):
        return self.object.reference

    def url(self, name, *args) -> str:
        return reverse(self.view_url_names[name], args=[self.object.pk, *args])

    def download_url(self, value) -> str:
        if isinstance(value, dict) and value.get("attachment"):
            return self.url("download", value["attachment"])
        return ""

    @cached_property
    def header_more_buttons(self):
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
            status_form = StatusChangeForm(submission=submission, user=user)
        context.update(
            submission=submission,
            field={name: self.get_context_for_field(name) for name in self.fields},
            shows_commune=shows_communes(user, submission_policy),
            account_url=account_url,
            answers=answers,
            replaced=replaced,
            received_by_post=submission.received_by_post,
            timeline=timeline(submission, for_citizen=False),
            reply_form=message_form_for(submission) if changing else None,
            town_hall_name=town_hall_name(submission),
            asked=last_request_for_corrections(submission),
            notes=submission.notes.select_related("author"),
            note_form=NoteForm() if changing else None,
            assign_form=(
                AssignForm(initial={"agent": submission.assigned_to_id}, submission=submission)
                if changing
                else None
            ),
            transfer_form=transfer_form_for(user, submission) if changing else None,
            transfers=submission.transfers.select_related("author"),
            changing=changing,
            status_form=status_form,
            reopen_form=ReopenForm(submission=submission) if may_reopen(user, submission) else None,
            message_templates=message_templates_for(submission) if status_form else [],
            urls={
                name: self.url(name)
                for name in (
                    "status",
                    "note",
                    "assign",
                    "by_post",
                    "preview",
                    "reopen",
                    "transfer",
                    "message",
                )
            },
            message_file_url_name=self.view_url_names["message_file"],
            issued_url_name=self.view_url_names["issued"],
            issued=[
                (document, self.url("issued", document.pk)) for document in submission.issued.all()
            ],
            deadlines=submission.deadlines.filter(fired_at__isnull=True),
            is_final=not submission.status_info.next,
            request_panels=self.request_panels,
            extension_panels=admin_panels(self.request, submission),
            request_sections=self.request_sections,
            activity=(
                entries_about(submission)[:20]
                if audit_policy.user_has_permission_for_instance(user, "view", submission)
                else None
            ),
        )
        return context


def message_form_for(submission: Submission, *args, **kwargs) -> MessageForm:
    return MessageForm(*args, text_label=_("Message to the citizen"), **kwargs)


class SubmissionActionMixin(PermissionCheckedMixin):
    """A change to one request by an agent of its commune, posted from the
    request's page, which it returns to."""

    permission_policy = submission_policy
    permission_required = "change"
    inspect_url_name = None
    index_url_name = None

    @cached_property
    def submission(self) -> Submission:
        return get_object_or_404(
            submissions_visible_to(user=self.request.user, actions=DECIDE), pk=self.kwargs["pk"]
        )

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
        return {
            **super().get_form_kwargs(),
            "submission": self.submission,
            "user": self.request.user,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            submission=self.submission,
            is_final=not self.submission.status_info.next,
            cancel_url=self.inspect_url,
            preview_url=reverse(
                Submission.snippet_viewset.get_url_name("preview"), args=[self.submission.pk]
            ),
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
                document_text=form.cleaned_data.get("document_text") or "",
                amount=form.cleaned_data.get("amount"),
                amount_reason=form.cleaned_data.get("amount_reason") or "",
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


class SubmissionMessageView(SubmissionActionMixin, WagtailAdminTemplateMixin, FormView):
    """Write to the citizen about a request, with files. The form is on the
    request's page; it comes back here, with what was typed, when something
    is refused."""

    template_name = "services/admin/message.html"
    header_icon = "mail"
    page_title = gettext_lazy("Write to the citizen")

    @classmethod
    def as_view(cls, **initkwargs):
        return upload_limits(message_upload_limits)(super().as_view(**initkwargs))

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

    def get_form(self, form_class=None):
        return message_form_for(self.submission, **self.get_form_kwargs())

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            submission=self.submission,
            cancel_url=self.inspect_url,
            town_hall_name=town_hall_name(self.submission),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            message_send(
                submission=self.submission,
                sender=Sender.TOWN_HALL,
                author=self.request.user,
                text=form.cleaned_data["text"],
                files=form.cleaned_data["files"],
            )
        except MessageError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Message sent about request %(reference)s; the citizen has been told.")
            % {"reference": self.submission.reference},
        )
        return redirect(self.inspect_url + "#history-heading")

    def form_invalid(self, form):
        if self.request.FILES:
            form.add_error(None, _("Nothing was sent: choose the files again."))
        return super().form_invalid(form)


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


class ReopenView(SubmissionPostView):
    """A supervisor puts a decided or closed request back under review."""

    permission_required = SUPERVISE

    @cached_property
    def submission(self) -> Submission:
        return get_object_or_404(
            submissions_visible_to(user=self.request.user, actions=(SUPERVISE,)),
            pk=self.kwargs["pk"],
        )

    def get_form(self):
        return ReopenForm(self.request.POST, submission=self.submission)

    def act(self, data):
        change = submission_reopen(
            submission=self.submission, author=self.request.user, reason=data["reason"]
        )
        return _("Request %(reference)s is reopened: it is “%(status)s” again.") % {
            "reference": self.submission.reference,
            "status": self.submission.definition.info(change.status).label,
        }


class AssignView(SubmissionPostView):
    form_class = AssignForm

    def get_form(self):
        return AssignForm(self.request.POST, submission=self.submission)

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


class TransferView(SubmissionPostView):
    """Hand the request to another municipal service, with a note."""

    def get_form(self):
        return TransferForm(self.request.POST, submission=self.submission)

    def act(self, data):
        transfer = submission_transfer(
            submission=self.submission,
            service=data["service"],
            author=self.request.user,
            note=data["note"],
        )
        return _("Request %(reference)s is now with the service “%(service)s”.") % {
            "reference": self.submission.reference,
            "service": transfer.to_service,
        }

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if not submissions_visible_to(user=request.user).filter(pk=self.submission.pk).exists():
            # Handed to a service the agent does not see: back to the queue.
            return redirect(self.index_url_name)
        return response


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


class RequestFileDownloadView(PermissionCheckedMixin, View):
    """A file of a request, from private storage, always as a download, to
    staff who may see the request only; each download is logged. Subclasses
    find the file named by the URL's ``file_kwarg`` (``stored_file``) and
    name it in the log (``log_key``)."""

    permission_policy = submission_policy
    any_permission_required = SEE
    file_kwarg = "file_pk"
    log_key = ""

    def stored_file(self, submission, pk):
        raise NotImplementedError

    def get(self, request, pk, **kwargs):
        submission = get_object_or_404(submissions_visible_to(user=request.user), pk=pk)
        stored = self.stored_file(submission, kwargs[self.file_kwarg])
        try:
            file = stored.file.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404 from None
        audit(
            submission,
            "services.download",
            user=request.user,
            data={self.log_key: stored.pk, "name": stored.name},
        )
        content_type = stored.content_type or "application/octet-stream"
        response = download(
            file, filename=safe_filename(stored.name, content_type), content_type=content_type
        )
        patch_cache_control(response, private=True, no_store=True)
        return response


class AttachmentDownloadView(RequestFileDownloadView):
    """A supporting document of a request."""

    file_kwarg = "attachment_pk"
    log_key = "attachment"

    def stored_file(self, submission, pk):
        return attachment_of(submission=submission, pk=pk)


class MessageFileDownloadView(RequestFileDownloadView):
    """A file sent with a message about a request."""

    log_key = "message_file"

    def stored_file(self, submission, pk):
        return message_attachment_of(submission=submission, pk=pk)


class IssuedDocumentDownloadView(PermissionCheckedMixin, View):
    """A document the town hall issued for a request, to staff who may see
    the request only."""

    permission_policy = submission_policy
    any_permission_required = SEE

    def get(self, request, pk, document_pk):
        submission = get_object_or_404(submissions_visible_to(user=request.user), pk=pk)
        document = get_object_or_404(submission.issued.all(), pk=document_pk)
        try:
            file = document.file.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404 from None
        response = download(file, filename=document.file_name, content_type="application/pdf")
        patch_cache_control(response, private=True, no_store=True)
        return response


class DocumentPreviewView(PermissionCheckedMixin, View):
    """The document a status would issue, with the free text the agent is
    writing, before the request is moved: shown, never stored."""

    permission_policy = submission_policy
    permission_required = "change"

    def get(self, request, pk):
        from ..documents import document_preview

        submission = get_object_or_404(
            submissions_visible_to(user=request.user, actions=DECIDE), pk=pk
        )
        status = request.GET.get("status", "")
        if submission.status_info.transition_to(status) is None:
            raise Http404
        content = document_preview(
            submission=submission, status=status, free_text=request.GET.get("text", "")[:5000]
        )
        if content is None:
            raise Http404
        response = as_attachment(
            HttpResponse(content, content_type="application/pdf"),
            f"apercu-{submission.reference}.pdf",
        )
        patch_cache_control(response, private=True, no_store=True)
        return response
