"""What the citizen sees of a request once sent.

A request is opened either from its owner's account (by its number) or, when
it was made without an account, through the private link e-mailed to its
requester (by its signed key). Both routes lead to the same pages: the detail,
the receipt, the cover sheet and the supporting documents. Anyone else gets a
404, whether the request exists or not.
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.decorators import citizen_required
from cms.uploads import download, safe_filename, upload_limits

from .automation import citizen_deadlines
from .corrections import (
    correction_form,
    correction_upload_limits,
    last_request_for_corrections,
    submission_correct,
)
from .extensions import citizen_panels
from .fields.answers import answer_rows
from .messaging import (
    MessageError,
    MessageForm,
    Sender,
    accepts_citizen_messages,
    commune_contact,
    message_attachment_of,
    message_send,
    message_upload_limits,
    messages_mark_read,
    timeline,
)
from .models import Submission
from .pdf import cover_sheet_pdf, document_lines, receipt_pdf
from .selectors import (
    attachment_of,
    submission_by_access_key,
    submission_of,
    submissions_of,
    with_unread_count,
)
from .services import SubmissionError

CORRECTIONS_SENT = gettext_lazy(
    "Thank you: your corrections are sent to the town hall and your request is in progress again."
)
MESSAGE_SENT = gettext_lazy("Your message is sent to the town hall.")
MESSAGE_FILES_AGAIN = gettext_lazy(
    "Your message is not sent yet: correct what is shown, then choose your files again."
)


def private(view):
    """Responses about a request are never stored by a browser or a proxy, and
    never tell another site the page's address (a private link holds a key)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped


@dataclass
class Access:
    """A request and the family of URLs it was opened through."""

    submission: Submission
    route: str
    kwargs: dict

    @property
    def by_key(self) -> bool:
        return self.route == "tracking"

    def url(self, name: str = "", **kwargs) -> str:
        suffix = f"_{name}" if name else ""
        return reverse(f"services:{self.route}{suffix}", kwargs={**self.kwargs, **kwargs})


def _by_account(request, reference: str) -> Access:
    submission = submission_of(account=request.user, reference=reference)
    return Access(submission=submission, route="submission", kwargs={"reference": reference})


def _by_key(request, key: str) -> Access:
    submission = submission_by_access_key(site=request.commune, key=key)
    return Access(submission=submission, route="tracking", kwargs={"key": key})


# The list of the account's requests.


@citizen_required
@private
def submissions_view(request):
    return render(
        request,
        "services/submissions.html",
        {
            "tab": "submissions",
            "submissions": with_unread_count(submissions_of(account=request.user)),
        },
    )


# The detail of a request, and the missing documents it may ask for.


@dataclass
class DocumentView:
    label: str
    name: str
    size: int
    by_post: bool
    url: str = ""


def _documents(access: Access) -> list[DocumentView]:
    return [
        DocumentView(
            label=line.label,
            name=line.name,
            size=line.size,
            by_post=line.by_post,
            url=access.url("document", pk=line.attachment) if line.attachment else "",
        )
        for line in document_lines(access.submission)
    ]


def _detail(request, access: Access, template: str, *, message_form=None):
    submission = access.submission
    form = None
    asked = last_request_for_corrections(submission)
    correcting = request.method == "POST" and message_form is None
    if asked is not None:
        form = correction_form(
            submission,
            request.POST if correcting else None,
            request.FILES if correcting else None,
        )
    if correcting:
        if form is None:
            return redirect(access.url())
        if form.is_valid():
            try:
                submission_correct(submission=submission, form=form)
            except SubmissionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, CORRECTIONS_SENT)
                return redirect(access.url())

    answers = [
        (step, [row for row in rows if not row.is_document])
        for step, rows in answer_rows(submission.steps, submission.data)
    ]
    documents = _documents(access)
    entries = timeline(submission, for_citizen=True)
    if request.method == "GET":
        messages_mark_read(submission=submission, reader=Sender.CITIZEN)
    open_to_messages = accepts_citizen_messages(submission)
    if message_form is None and open_to_messages:
        message_form = MessageForm()
    replaced = [
        (attachment, access.url("document", pk=attachment.pk))
        for attachment in submission.attachments.all()
        if not attachment.current
    ]
    return render(
        request,
        template,
        {
            "tab": "submissions",
            "submission": submission,
            "access": access,
            "answers": [(step, rows) for step, rows in answers if rows],
            "documents": documents,
            "replaced": replaced,
            "timeline": entries,
            "message_form": (
                message_form if open_to_messages or (message_form and message_form.errors) else None
            ),
            "message_url": access.url("message"),
            "contact": None if open_to_messages else commune_contact(submission),
            "asked": asked,
            "form": form,
            "issued": [
                (document, access.url("issued", pk=document.pk))
                for document in submission.issued.all()
            ],
            "deadline_notices": citizen_deadlines(submission),
            "extension_panels": citizen_panels(request, submission, access),
            "receipt_url": access.url("receipt"),
            "cover_sheet_url": (
                access.url("cover_sheet") if any(d.by_post for d in documents) else ""
            ),
        },
    )


def _correction_limits(find_access):
    """The upload limits of the correction form, for ``upload_limits``."""

    def limits(request, **kwargs):
        try:
            access = find_access(request, **kwargs)
        except Http404:
            return {}
        return correction_upload_limits(access.submission)

    return limits


def _account_access(request, reference):
    if not request.user.is_authenticated:
        raise Http404
    return _by_account(request, reference)


@upload_limits(_correction_limits(_account_access))
@citizen_required
@private
def submission_view(request, reference):
    return _detail(request, _by_account(request, reference), "services/submission_detail.html")


@upload_limits(_correction_limits(_by_key))
@private
def tracking_view(request, key):
    return _detail(request, _by_key(request, key), "services/tracking.html")


# The citizen writes to the town hall.


def _message(request, access: Access, template: str, *, author):
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            message_send(
                submission=access.submission,
                sender=Sender.CITIZEN,
                author=author,
                text=form.cleaned_data["text"],
                files=form.cleaned_data["files"],
            )
        except MessageError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, MESSAGE_SENT)
            return redirect(access.url() + "#messages")
    if request.FILES:
        form.add_error(None, str(MESSAGE_FILES_AGAIN))
    return _detail(request, access, template, message_form=form)


@upload_limits(message_upload_limits)
@citizen_required
@private
@require_POST
def submission_message_view(request, reference):
    access = _by_account(request, reference)
    return _message(request, access, "services/submission_detail.html", author=request.user)


@upload_limits(message_upload_limits)
@private
@require_POST
def tracking_message_view(request, key):
    return _message(request, _by_key(request, key), "services/tracking.html", author=None)


def _message_file(access: Access, pk: int):
    return _stored_download(message_attachment_of(submission=access.submission, pk=pk))


@citizen_required
@private
def submission_message_file_view(request, reference, pk):
    return _message_file(_by_account(request, reference), pk)


@private
def tracking_message_file_view(request, key, pk):
    return _message_file(_by_key(request, key), pk)


# The receipt, the cover sheet and the documents: downloads.


def _receipt(access: Access):
    submission = access.submission
    return download(
        receipt_pdf(submission),
        filename=safe_filename(
            _("receipt-%(reference)s.pdf") % {"reference": submission.reference}
        ),
        content_type="application/pdf",
    )


def _cover_sheet(access: Access):
    submission = access.submission
    pdf = cover_sheet_pdf(submission)
    if pdf is None:
        raise Http404
    return download(
        pdf,
        filename=safe_filename(
            _("cover-sheet-%(reference)s.pdf") % {"reference": submission.reference}
        ),
        content_type="application/pdf",
    )


def _stored_download(stored):
    """A file the citizen sent (a document, a message's file) as a download,
    under its own name made safe; 404 when storage lost it."""
    try:
        file = stored.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    content_type = stored.content_type or "application/octet-stream"
    return download(
        file, filename=safe_filename(stored.name, content_type), content_type=content_type
    )


def _document(access: Access, pk: int):
    return _stored_download(attachment_of(submission=access.submission, pk=pk))


def _issued(access: Access, pk: int):
    document = get_object_or_404(access.submission.issued.all(), pk=pk)
    try:
        file = document.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    return download(file, filename=document.file_name, content_type="application/pdf")


@citizen_required
@private
def submission_issued_view(request, reference, pk):
    return _issued(_by_account(request, reference), pk)


@private
def tracking_issued_view(request, key, pk):
    return _issued(_by_key(request, key), pk)


@citizen_required
@private
def submission_receipt_view(request, reference):
    return _receipt(_by_account(request, reference))


@citizen_required
@private
def submission_cover_sheet_view(request, reference):
    return _cover_sheet(_by_account(request, reference))


@citizen_required
@private
def submission_document_view(request, reference, pk):
    return _document(_by_account(request, reference), pk)


@private
def tracking_receipt_view(request, key):
    return _receipt(_by_key(request, key))


@private
def tracking_cover_sheet_view(request, key):
    return _cover_sheet(_by_key(request, key))


@private
def tracking_document_view(request, key, pk):
    return _document(_by_key(request, key), pk)
