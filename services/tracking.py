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
from .models import Submission
from .pdf import cover_sheet_pdf, document_lines, receipt_pdf
from .selectors import attachment_of, submission_by_access_key, submission_of, submissions_of
from .services import SubmissionError

CORRECTIONS_SENT = gettext_lazy(
    "Thank you: your corrections are sent to the town hall and your request is in progress again."
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
        {"tab": "submissions", "submissions": submissions_of(account=request.user)},
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


def _detail(request, access: Access, template: str):
    submission = access.submission
    form = None
    asked = last_request_for_corrections(submission)
    if asked is not None:
        form = correction_form(
            submission,
            request.POST if request.method == "POST" else None,
            request.FILES if request.method == "POST" else None,
        )
    if request.method == "POST":
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
    history = list(submission.history.all())
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
            "history": history,
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


def _document(access: Access, pk: int):
    attachment = attachment_of(submission=access.submission, pk=pk)
    try:
        file = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    content_type = attachment.content_type or "application/octet-stream"
    return download(
        file, filename=safe_filename(attachment.name, content_type), content_type=content_type
    )


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
