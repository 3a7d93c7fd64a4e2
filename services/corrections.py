"""The correction loop: an agent names what is missing or wrong in a request
("Incomplet"), the citizen corrects or sends exactly those items, and the
request goes back to the town hall with what changed."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .fields.answers import answer_text, clean_answers
from .fields.builder import StepForm, StepFormBuilder
from .fields.context import FillContext
from .fields.documents import document_answer, document_max_size
from .fields.schema import SUBFIELD, Block, Step
from .models import StatusChange, Submission
from .search import submission_search_text

NOT_INCOMPLETE = _("This request is not waiting for corrections.")
NOTHING_CHANGED = _("Correct at least one of the items asked for.")


@dataclass(frozen=True)
class Item:
    """An answer or a supporting document of a request, as an agent may ask
    the citizen to correct it."""

    key: str
    label: str
    block: Block

    @property
    def is_document(self) -> bool:
        return self.block.field_type.is_document


def correctable_items(submission: Submission) -> list[Item]:
    """The answers and documents of the request, in the order of its form:
    every field answered, and every document the form asked for."""
    items = []
    for step in submission.steps:
        for block in step.blocks:
            if not block.is_input or not block.field_type.correctable:
                continue
            if block.field_type.chooses_member and not submission.account_id:
                continue
            answered = block.key in submission.data
            asked = block.field_type.is_document and not (block.value.get("condition") or {}).get(
                "field"
            )
            if answered or asked:
                items.append(Item(key=block.key, label=block.label, block=block))
    return items


def last_request_for_corrections(submission: Submission) -> StatusChange | None:
    """The change that made the request "Incomplet", while it still is."""
    if not submission.status_info.needs_items:
        return None
    return (
        submission.history.filter(status=submission.status).order_by("-created_at", "-pk").first()
    )


def named_keys(submission: Submission) -> set[str]:
    change = last_request_for_corrections(submission)
    return {entry.get("key") for entry in (change.requested if change else [])}


def requested_items(submission: Submission) -> list[Item]:
    """What the citizen is asked to correct: the items the agent named, or,
    when the agent only wrote a message, any supporting document."""
    items = correctable_items(submission)
    keys = named_keys(submission)
    if keys:
        return [item for item in items if item.key in keys]
    return [item for item in items if item.is_document]


def raw_from_answer(block: Block, value) -> dict[str, list[str]]:
    """A stored answer as the form's raw values, to show it back for correction."""
    if value is None:
        return {}
    return block.field_type.reload(block, value)


def correction_upload_limits(submission: Submission) -> dict[str, int]:
    """The most each document of the correction form may weigh, in bytes."""
    if last_request_for_corrections(submission) is None:
        return {}
    return {
        item.key: document_max_size(item.block)
        for item in requested_items(submission)
        if item.is_document
    }


def correction_form(submission: Submission, data=None, files=None) -> StepForm:
    """A form of the requested items only, filled with the current answers.
    Conditions are dropped (the agent asked for these very items); a document
    the agent named needs a new file, or the promise to post it."""
    items = requested_items(submission)
    named = bool(named_keys(submission))
    raw = {}
    blocks = []
    for item in items:
        value = dict(item.block.value)
        value.pop("condition", None)
        if item.is_document:
            value["required"] = named
        block = Block(type=item.block.type, value=value, id=item.block.id)
        blocks.append(block)
        raw.update(raw_from_answer(block, submission.data.get(item.key)))
    context = FillContext(
        account=submission.account,
        raw=raw,
        attachments={},
        blocks_by_key={block.key: block for block in blocks},
    )
    return StepFormBuilder(Step(title="", blocks=blocks), context).get_form(data, files)


@transaction.atomic
def submission_correct(*, submission: Submission, form: StepForm) -> StatusChange:
    """Keep the citizen's corrections (a valid ``correction_form``), send the
    request back to the town hall, and tell the agent what changed."""
    from .services import SubmissionError, _attach, submission_status_set

    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if not submission.status_info.needs_items:
        raise SubmissionError(NOT_INCOMPLETE)
    answers = clean_answers(form)
    data = dict(submission.data)
    changes = []
    for form_item in form.items:
        block = form_item.block
        key = block.key
        before = data.get(key)
        if block.field_type.is_document:
            upload = form.uploads.get(key)
            if upload is not None:
                attachment = _attach(submission=submission, key=key, upload=upload, replace=True)
                after = document_answer(attachment)
            elif form.cleaned_data.get(f"{key}{SUBFIELD}by_post"):
                after = {"by_post": True}
            else:
                continue
        else:
            after = answers.get(key)
        if after == before and not block.field_type.is_document:
            continue
        if after is None:
            data.pop(key, None)
        else:
            data[key] = after
        changes.append(
            {
                "key": key,
                "label": block.label,
                "before": answer_text(block, before),
                "after": answer_text(block, after),
            }
        )
        if block.field_type.chooses_member and after is not None:
            submission.member_id = after.get("id")
            submission.concerns = f"{after.get('first_name', '')} {after.get('last_name', '')}"
    if not changes:
        raise SubmissionError(NOTHING_CHANGED)
    submission.data = data
    submission.search_text = submission_search_text(submission)

    from .tasks import notify_agent_of_corrections

    definition = submission.definition
    back_to = submission.status_info.corrected_to
    return submission_status_set(
        submission=submission,
        status=back_to if back_to in definition.keys else definition.initial.value,
        changes=changes,
        notify=notify_agent_of_corrections,
    )
