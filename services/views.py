"""Filling in a démarche: one step at a time, a recap, then sending.

What the citizen types is kept in a draft request (``Submission`` with the
status "draft") at every move, valid or not, so that nothing is lost: going
back, an error, a session that ends, or another device. Logged-in citizens
find their drafts on their account; a visitor without an account keeps theirs
in the session. The draft, and a visitor's session, are created when the
citizen first sends something, in the transaction that saves that step:
opening a step keeps nothing, so that robots reading the pages fill no
database.

A translation of a démarche is filled in in its language, but the request
is one of the source démarche (``ServicePage.source_page``): its draft, its
keys and answers, its revision.
"""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.datastructures import MultiValueDict
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.captcha import captcha_field
from accounts.decorators import citizen_of, login_url_for
from accounts.selectors import household_member_of

from .extensions import quote
from .fields.answers import answer_rows, clean_answers
from .fields.builder import StepFormBuilder
from .fields.context import FillContext
from .fields.documents import document_max_size
from .fields.schema import SUBFIELD, Block, Step
from .models import ServiceSettings
from .selectors import current_attachments, draft_for, draft_of, sent_submission_for
from .services import (
    Contact,
    SubmissionError,
    access_key,
    submission_blank,
    submission_discard,
    submission_save_step,
    submission_submit,
)

CONTACT_PREFIX = "_contact_"
DRAFT_SAVED = gettext_lazy(
    "Your draft is saved. Resume it from the “Home” tab of your account, on this device or another."
)
DRAFT_DISCARDED = gettext_lazy("Your draft is deleted.")
STEP_INVALID = gettext_lazy("Some answers of this step need your attention.")
SESSION_DRAFT = "services:draft:{page_id}"
SESSION_SENT = "services:sent"


def contact_step() -> Step:
    """The first step of a démarche filled in without an account."""

    def field(block_type, name, label, required=True, help_text=""):
        return Block(
            type=block_type,
            value={
                "key": f"{CONTACT_PREFIX}{name}",
                "label": label,
                "required": required,
                "help_text": help_text,
            },
        )

    return Step(
        title=_("Your contact details"),
        blocks=[
            field("short_text", "first_name", _("First name")),
            field("short_text", "last_name", _("Last name")),
            field(
                "email",
                "email",
                _("E-mail address"),
                help_text=_("The link to follow your request is sent to this address only."),
            ),
            field("phone", "phone", _("Phone"), required=False),
        ],
    )


def steps_for(page, *, account) -> list[Step]:
    """The steps of a démarche as filled in by ``account`` (or a visitor,
    who first gives their contact details), numbered."""
    steps = [] if account else [contact_step()]
    steps += page.steps
    for number, step in enumerate(steps, start=1):
        step.number = number
    return steps


def step_upload_limits(request, page, number) -> dict[str, int]:
    """The most each document of a step may weigh, by field name, in bytes."""
    steps = steps_for(page, account=citizen_of(request))
    if not isinstance(number, int) or not 1 <= number <= len(steps):
        return {}
    return {
        block.key: document_max_size(block)
        for block in steps[number - 1].blocks
        if block.field_type.is_document
    }


class Filling:
    """A démarche being filled in by one person, around its draft."""

    attachments_changed = False
    """Whether a step saved since the documents were read changed them."""

    def __init__(self, request, page, submission):
        self.request = request
        self.page = page
        self.submission = submission
        self.account = citizen_of(request)
        self.steps = steps_for(page, account=self.account)
        self.context = FillContext(
            account=self.account,
            raw=dict((submission.progress or {}).get("raw") or {}),
            attachments=current_attachments(submission=submission) if submission.pk else {},
            blocks_by_key={
                block.key: block for step in self.steps for block in step.blocks if block.is_input
            },
        )

    @property
    def count(self) -> int:
        return len(self.steps)

    @property
    def reached(self) -> int:
        return (self.submission.progress or {}).get("reached", 1)

    def step(self, number) -> Step | None:
        return self.steps[number - 1] if 1 <= number <= self.count else None

    def form(self, step: Step, data=None, files=None):
        return StepFormBuilder(step, self.context).get_form(data=data, files=files)

    def stored_form(self, step: Step):
        """The step's form bound to what is stored, to check it again."""
        data = MultiValueDict({k: list(v) for k, v in self.context.raw.items()})
        return self.form(step, data=data)

    def save(self, form, *, reached: int = 1) -> None:
        """Keep what the step holds, and every file that passed its checks."""
        form.is_valid()
        by_post = {
            item.block.key
            for item in form.items
            if item.block.field_type.is_document
            and not item.hidden
            and item.block.key not in form.uploads
            and item.block.key not in form.errors
            and form.cleaned_data.get(f"{item.block.key}{SUBFIELD}by_post")
        }
        raw = form.raw_data()
        fresh = self.submission.pk is None
        self.submission = submission_save_step(
            submission=self.submission,
            raw=raw,
            uploads=form.uploads,
            by_post=by_post,
            removed=form.removals,
            reached=reached,
        )
        if fresh and self.account is None:
            key = SESSION_DRAFT.format(page_id=self.page.source_page.pk)
            self.request.session[key] = self.submission.pk
        self.context.raw.update(raw)
        if form.uploads or by_post or form.removals:
            self.attachments_changed = True

    def reload_attachments(self) -> None:
        """Read the draft's documents again after a step changed them."""
        if self.attachments_changed:
            self.context.attachments = current_attachments(submission=self.submission)
            self.attachments_changed = False

    def first_invalid_step(self) -> tuple[Step | None, dict]:
        """Check every step again; the first one with an error, or the answers."""
        answers = {}
        for step in self.steps:
            form = self.stored_form(step)
            if not form.is_valid():
                return step, {}
            answers.update(clean_answers(form))
        return None, answers

    def step_url(self, number) -> str:
        return self.page_url + self.page.reverse_subpage("step", kwargs={"number": number})

    def review_url(self) -> str:
        return self.page_url + self.page.reverse_subpage("review")

    @cached_property
    def page_url(self) -> str:
        """Relative on the commune's own site, whatever host and port it is
        reached by."""
        return self.page.get_url(self.request)


def _login_redirect(request, page=None):
    """To the login page; a citizen logged in, whom the démarche refuses
    for want of an identity certified by FranceConnect, to its introduction,
    which says so."""
    if page is not None and citizen_of(request) is not None:
        return redirect(page.get_url(request))
    return redirect(login_url_for(request))


def lacks_certified_identity(page, account) -> bool:
    """Whether the démarche asks for an identity certified by FranceConnect
    that the account (or the visitor without one) lacks."""
    return page.requires_franceconnect and (account is None or account.certified_identity is None)


def _draft(request, page):
    """The draft of this démarche of the person asking, if they have one."""
    page = page.source_page
    site = request.commune
    account = citizen_of(request)
    if account is not None:
        return draft_of(site=site, page=page, account=account)
    return draft_for(site=site, pk=request.session.get(SESSION_DRAFT.format(page_id=page.pk)))


def intro_context(request, page) -> dict:
    """What the introduction page shows about the visitor: their draft."""
    citizen = citizen_of(request)
    if (page.requires_account and citizen is None) or lacks_certified_identity(page, citizen):
        return {
            "citizen": citizen,
            "draft": None,
            "needs_franceconnect": page.requires_franceconnect,
        }
    draft = _draft(request, page)
    reached = (draft.progress or {}).get("reached", 1) if draft else 1
    return {
        "citizen": citizen,
        "draft": draft,
        "draft_step": max(1, min(reached, len(page.steps) + (0 if citizen else 1))),
    }


def _filling(request, page) -> Filling | None:
    """The démarche as the person asking fills it in: around their draft, or
    else a blank one, kept only once they send a step (``Filling.save``)."""
    account = citizen_of(request)
    if (page.requires_account and account is None) or lacks_certified_identity(page, account):
        return None
    draft = _draft(request, page)
    if draft is None:
        draft = submission_blank(site=request.commune, page=page.source_page, account=account)
    return Filling(request, page, draft)


def step_view(request, page, number):
    filling = _filling(request, page)
    if filling is None:
        return _login_redirect(request, page)
    step = filling.step(number)
    if step is None:
        return redirect(filling.step_url(1))
    if number > filling.reached:
        return redirect(filling.step_url(filling.reached))

    if request.method == "POST":
        sent = filling.form(step, data=request.POST, files=request.FILES)
        action = request.POST.get("action", "next")
        valid = sent.is_valid()
        filling.save(sent, reached=number + 1 if valid and action == "next" else 1)
        if action == "previous":
            return redirect(filling.step_url(max(1, number - 1)))
        goto = action.removeprefix("goto-")
        if action.startswith("goto-") and goto.isascii() and goto.isdigit() and len(goto) < 4:
            return redirect(filling.step_url(min(int(goto), filling.reached)))
        if action == "save" and filling.account is not None:
            messages.success(request, DRAFT_SAVED)
            return redirect("accounts:home")
        if valid:
            if number < filling.count:
                return redirect(filling.step_url(number + 1))
            return redirect(filling.review_url())
        # Shown again as sent; the files that passed are attached now, and
        # those refused keep the reason.
        filling.reload_attachments()
        form = filling.form(step, data=request.POST)
        form.is_valid()
        for item in form.items:
            key = item.block.key
            if item.block.field_type.is_document:
                form.errors.pop(key, None)
                if key in sent.errors:
                    form.add_error(key, sent.errors.as_data()[key])
    elif request.GET.get("verifier"):
        form = filling.stored_form(step)
        form.is_valid()
    else:
        form = filling.form(step)

    return TemplateResponse(
        request,
        "services/step.html",
        {
            "page": page,
            "filling": filling,
            "step": step,
            "form": form,
            "previous_url": filling.step_url(number - 1) if number > 1 else None,
        },
    )


def review_view(request, page):
    filling = _filling(request, page)
    if filling is None:
        return _login_redirect(request, page)
    if filling.submission.pk is None:
        # Nothing typed yet, or the request just sent (the browser's Back
        # button after "Envoyer ma demande"): no recap to check.
        if _just_sent(request, page) is not None:
            return redirect(page.get_url(request) + page.reverse_subpage("sent"))
        return redirect(filling.step_url(1))
    invalid, answers = filling.first_invalid_step()
    if invalid is not None:
        messages.error(request, STEP_INVALID)
        return redirect(f"{filling.step_url(invalid.number)}?verifier=1")

    captcha_form = None
    if filling.account is None:
        captcha_form = forms.Form(request.POST if request.method == "POST" else None)
        captcha_form.fields["captcha"] = captcha_field(request)

    if request.method == "POST" and (captcha_form is None or captcha_form.is_valid()):
        contact = None
        if filling.account is None:
            contact = Contact(
                first_name=answers.pop(f"{CONTACT_PREFIX}first_name"),
                last_name=answers.pop(f"{CONTACT_PREFIX}last_name"),
                email=answers.pop(f"{CONTACT_PREFIX}email"),
                phone=answers.pop(f"{CONTACT_PREFIX}phone", ""),
            )
        member, concerns = _concerned(filling, answers)
        source = page.source_page
        try:
            submission = submission_submit(
                submission=filling.submission,
                data=answers,
                revision=source.live_revision or source.get_latest_revision(),
                member=member,
                concerns=concerns,
                contact=contact,
                settings=ServiceSettings.for_request(request),
            )
        except SubmissionError as error:
            messages.error(request, str(error))
            return redirect(page.get_url(request))
        request.session.pop(SESSION_DRAFT.format(page_id=source.pk), None)
        request.session[SESSION_SENT] = submission.pk
        return redirect(page.get_url(request) + page.reverse_subpage("sent"))

    rows = answer_rows(filling.steps, answers)
    return TemplateResponse(
        request,
        "services/review.html",
        {
            "page": page,
            "filling": filling,
            "rows": rows,
            "quote": quote(page.source_page, answers),
            "captcha_form": captcha_form,
        },
    )


def _concerned(filling, answers):
    """The household member the request is about, from its first member field."""
    for step in filling.steps:
        for block in step.blocks:
            if block.field_type.chooses_member and block.key in answers:
                value = answers[block.key]
                name = f"{value['first_name']} {value['last_name']}"
                member = None
                if value.get("id"):
                    member = household_member_of(account=filling.account, pk=value["id"])
                return member, name
    return None, ""


def _just_sent(request, page):
    """The request of this démarche that the person asking has just sent."""
    pk = request.session.get(SESSION_SENT)
    if not pk:
        return None
    return sent_submission_for(site=request.commune, page=page.source_page, pk=pk)


def _steps_read_by_citizen(page, submission):
    """The steps of a request as its citizen reads them: in the language of
    the translation they filled in, else as sent."""
    return page.steps if page.source_page is not page else submission.steps


def sent_view(request, page):
    submission = _just_sent(request, page)
    if submission is None:
        return redirect(page.get_url(request))
    return TemplateResponse(
        request,
        "services/sent.html",
        {
            "page": page,
            "submission": submission,
            "key": None if submission.account_id else access_key(submission),
            "by_post": [
                row
                for _step, rows in answer_rows(
                    _steps_read_by_citizen(page, submission), submission.data
                )
                for row in rows
                if row.by_post
            ],
        },
    )


@require_http_methods(["GET", "POST"])
def discard_view(request, page):
    """GET asks to confirm; POST deletes the draft and its documents."""
    draft = _draft(request, page)
    if draft is None:
        return redirect(page.get_url(request))
    if request.method == "GET":
        return TemplateResponse(request, "services/discard.html", {"page": page, "draft": draft})
    submission_discard(submission=draft)
    request.session.pop(SESSION_DRAFT.format(page_id=page.source_page.pk), None)
    messages.success(request, DRAFT_DISCARDED)
    return redirect(page.get_url(request))


def form_preview(request, page):
    """The whole form, every step one after the other, for the admin preview."""
    filling = Filling.__new__(Filling)
    filling.request = request
    filling.page = page
    filling.account = None
    filling.steps = page.steps
    filling.context = FillContext(
        blocks_by_key={b.key: b for s in page.steps for b in s.blocks if b.is_input}
    )
    forms_by_step = [(step, filling.form(step)) for step in filling.steps]
    return TemplateResponse(
        request,
        "services/form_preview.html",
        {"page": page, "forms_by_step": forms_by_step, "count": len(forms_by_step)},
    )


class ServicePageViews:
    """What a ``ServicePage`` serves beyond its introduction, and what the
    introduction shows of the visitor's draft. The page names this class by
    its path (``ServicePage.views_class``) instead of importing it, since this
    module imports the models."""

    intro_context = staticmethod(intro_context)
    upload_limits = staticmethod(step_upload_limits)
    step = staticmethod(step_view)
    review = staticmethod(review_view)
    sent = staticmethod(sent_view)
    discard = staticmethod(discard_view)
    form_preview = staticmethod(form_preview)
