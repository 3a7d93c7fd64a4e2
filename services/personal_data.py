"""The citizen's requests in their copy of their data (``accounts.exports``):
each request's answers, history and messages in the JSON, its documents,
the files sent with its messages and its receipt in a folder named after its
number."""

from pathlib import PurePath

from django.dispatch import receiver

from accounts.exports import ExportFile, PersonalDataPart, personal_data_export, safe_part

from .fields.answers import answer_rows
from .models import Submission, SubmissionStatus


def _when(value):
    return value.isoformat() if value else None


def request_folder(submission: Submission) -> str:
    name = submission.reference or f"brouillon-{submission.pk}"
    return f"demandes/{safe_part(name, default=str(submission.pk))}"


def _stored_suffix(stored) -> str:
    """The suffix the portal stored a file under (never the citizen's own)."""
    suffix = PurePath(stored.file.name).suffix.lower()
    return suffix if suffix[1:].isalnum() and len(suffix) <= 10 else ""


def attachment_path(folder: str, index: int, attachment) -> str:
    """A name made by the portal: the field's key and the stored suffix,
    never the citizen's own file name."""
    replaced = "" if attachment.current else "-remplace"
    return f"{folder}/{index:02d}-{safe_part(attachment.key)}{replaced}{_stored_suffix(attachment)}"


def message_file_path(folder: str, index: int, attachment) -> str:
    return f"{folder}/messages/{index:02d}{_stored_suffix(attachment)}"


def _request_data(
    submission: Submission, files: dict[int, str], message_files: dict[int, str]
) -> dict:
    return {
        "reference": submission.reference,
        "demarche": submission.title,
        "status": str(submission.get_status_display()),
        "started_on": _when(submission.created_at),
        "sent_on": _when(submission.submitted_at),
        "status_changed_on": _when(submission.status_changed_at),
        "concerns": submission.concerns,
        "answers": [
            {"step": step.title, "question": row.label, "answer": row.text}
            for step, rows in answer_rows(submission.steps, submission.data)
            for row in rows
        ],
        "documents": [
            {"file": path, "name": attachment.name, "sent_on": _when(attachment.uploaded_at)}
            for attachment in submission.attachments.all()
            if (path := files.get(attachment.pk))
        ],
        "history": [
            {
                "on": _when(change.created_at),
                "status": str(change.get_status_display()),
                "message": change.message,
            }
            for change in submission.history.all()
        ],
        "messages": [
            {
                "on": _when(message.created_at),
                "from": str(message.get_sender_display()),
                "signed": "" if message.from_citizen else message.signature,
                "text": message.text,
                "files": [
                    {"file": path, "name": attachment.name}
                    for attachment in message.attachments.all()
                    if (path := message_files.get(attachment.pk))
                ],
            }
            for message in submission.messages.all()
        ],
    }


def _receipt(submission: Submission):
    def make() -> bytes:
        from .pdf import receipt_pdf

        return receipt_pdf(submission)

    return make


@receiver(personal_data_export, dispatch_uid="services.requests")
def requests_of_account(sender, account, **kwargs) -> PersonalDataPart:
    requests = (
        Submission.objects.filter(account=account, site_id=account.site_id)
        .select_related("page_revision", "page", "site")
        .prefetch_related("attachments", "history", "messages__attachments")
        .order_by("created_at", "pk")
    )
    data, files = [], []
    for submission in requests:
        folder = request_folder(submission)
        paths = {}
        for index, attachment in enumerate(submission.attachments.all(), start=1):
            path = attachment_path(folder, index, attachment)
            paths[attachment.pk] = path
            files.append(
                ExportFile(path=path, open=_opener(attachment), modified=attachment.uploaded_at)
            )
        message_paths = {}
        sent = [(m, a) for m in submission.messages.all() for a in m.attachments.all()]
        for index, (message, attachment) in enumerate(sent, start=1):
            path = message_file_path(folder, index, attachment)
            message_paths[attachment.pk] = path
            files.append(
                ExportFile(path=path, open=_opener(attachment), modified=message.created_at)
            )
        if submission.status != SubmissionStatus.DRAFT:
            files.append(
                ExportFile(
                    path=f"{folder}/recepisse-{safe_part(submission.reference)}.pdf",
                    make=_receipt(submission),
                )
            )
        data.append(_request_data(submission, paths, message_paths))
    return PersonalDataPart(key="requests", data=data, files=files)


def _opener(attachment):
    def open_file():
        return attachment.file.storage.open(attachment.file.name, "rb")

    return open_file
