"""Generated answers posted to every step of every demo démarche.

Whatever a browser, a robot or a confused citizen sends (nothing, valid
answers, text of any script with control characters and NUL bytes, very long
text, values of the wrong type, several values for one field, files of any
content under any name, keys the step does not have), the wizard either shows
the step again with every refusal explained next to its field and in the error
summary (200) or moves on (302): never a server error, and nothing stored that
the step does not own. The recap's anti-robot check and the page where the
citizen adds the documents of an incomplete request get the same treatment.

Queries holding a NUL character fail as PostgreSQL fails them, on SQLite too.
The number of cases posted is in the summary at the end of pytest's output.
"""

import base64
import math
import re
from collections import Counter
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from hypothesis import given
from hypothesis import strategies as st
from wagtail.models import Site

from accounts.models import User
from demo.communes import CITIZENS
from services.fields.documents import DOCUMENT_TYPES
from services.fields.schema import SUBFIELD, choice_lines
from services.models import (
    Attachment,
    ServiceIndexPage,
    ServicePage,
    Submission,
    SubmissionStatus,
)
from services.selectors import draft_of
from services.views import SESSION_DRAFT, Filling
from tests.fuzzing import (
    ANY_VALUE,
    FILES,
    KEY_NAME,
    MISSING,
    SCALAR_JUNK,
    TEXT,
    hypothesis_settings,
    record,
    refuse_nul_like_postgresql,
    with_csrf_field,
)
from tests.services.factories import PDF, PNG

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _nul_refused_as_by_postgresql():
    with connection.execute_wrapper(refuse_nul_like_postgresql):
        yield


cases = Counter()

STEP_EXAMPLES = 2_000
"""Cases posted to the steps in all, shared out between the steps."""
RECAP_EXAMPLES = 60
INCOMPLETE_EXAMPLES = 60

ACTIONS = st.one_of(
    st.just(MISSING),
    st.sampled_from(["next", "next", "previous", "save", "goto-1", "goto-2", "goto-99", ""]),
    TEXT,
    st.builds(lambda s: f"goto-{s}", TEXT),
    st.builds(
        lambda s: f"goto-{s}",
        st.text(alphabet=st.characters(categories=("Nd", "No", "Nl")), min_size=1, max_size=3),
    ),
    st.builds(lambda n: f"goto-{'9' * n}", st.integers(min_value=1, max_value=6_000)),
)


# What a citizen would type in each field.


def valid_file(types) -> st.SearchStrategy:
    types = types or list(DOCUMENT_TYPES)
    options = []
    if "pdf" in types:
        options.append(("justificatif.pdf", PDF, "application/pdf"))
    if "png" in types:
        options.append(("photo.png", PNG, "image/png"))
    return st.sampled_from(options).map(lambda option: SimpleUploadedFile(*option))


def valid_value(block, name, household) -> st.SearchStrategy:
    """What a citizen would type in the field: answers that may pass its checks."""
    part = name[len(block.key) + len(SUBFIELD) :] if name != block.key else ""
    value = block.value
    today = date.today()
    match block.type:
        case "short_text" | "long_text":
            return st.one_of(
                st.sampled_from(["Lire", "Amélie Marie", "12 rue des Écoles", "Ødegård-Ñúñez"]),
                st.text(
                    alphabet=st.characters(categories=("L", "N", "Zs", "P")),
                    min_size=1,
                    max_size=40,
                ).filter(str.strip),
            )
        case "email":
            return st.sampled_from(["amelie.lire@example.org", "a@b.fr", "x.y+z@mairie.fr"])
        case "phone":
            return st.sampled_from(["06 12 34 56 78", "+44 20 7946 0958", "0321000000"])
        case "iban":
            # Valid, typed otherwise, mistyped, foreign, no IBAN at all.
            return st.sampled_from(
                [
                    "FR76 3000 6000 0112 3456 7890 189",
                    "fr7630006000011234567890189",
                    "FR76 3000 6000 0112 3456 7890 198",
                    "DE89 3704 0044 0532 0130 00",
                    "FR76",
                    "ZZ00 0000",
                ]
            )
        case "postcode_commune":
            if part == "postcode":
                return st.sampled_from(["62220", "44117", "51300", "99999", "6222"])
            return st.sampled_from(["Carvin", "st andre des eaux", "Vitry-le-François", ""])
        case "business_number":
            return st.sampled_from(
                ["73282932000074", "732 829 320 00074", "732829320", "73282932000075", "7328"]
            )
        case "date":
            bounds = value.get("bounds") or ""
            low, high = date(1900, 1, 1), date(2100, 12, 31)
            if bounds == "past":
                high = today
            elif bounds == "future":
                low = today
            return st.dates(min_value=low, max_value=high).map(date.isoformat)
        case "number":
            low = value.get("min_value")
            high = value.get("max_value")
            return st.integers(
                min_value=-(10**6) if low is None else low,
                max_value=10**6 if high is None else high,
            ).map(str)
        case "choice":
            return st.sampled_from(choice_lines(value.get("choices")))
        case "multiple_choice":
            return st.lists(
                st.sampled_from(choice_lines(value.get("choices"))), min_size=1, unique=True
            )
        case "yes_no":
            return st.sampled_from(["yes", "no"])
        case "consent":
            return st.just("on")
        case "member":
            who = value.get("who") or "anyone"
            ids = [m.id for m in household if who == "anyone" or (who == "children") == m.is_child]
            return st.sampled_from(ids)
        case "address":
            return {
                "street": st.sampled_from(["12 rue des Écoles", "3 chemin du Marais"]),
                "postcode": st.sampled_from(["62220", "44117", "SW1A 1AA"]),
                "city": st.sampled_from(["Carvin", "Saint-André-des-Eaux", "London"]),
            }[part]
        case "document":
            if part == "by_post":
                return st.sampled_from(["on", MISSING])
            return valid_file(value.get("types"))
    raise AssertionError(f"no valid value for a {block.type} block")


def first_valid(block, name, household):
    """The answer a careful citizen types: a fixed valid value."""
    today = date.today()
    part = name[len(block.key) + len(SUBFIELD) :] if name != block.key else ""
    value = block.value
    match block.type:
        case "date":
            bounds = value.get("bounds") or ""
            if bounds == "future":
                return (today + timedelta(days=60)).isoformat()
            return "2015-09-21"
        case "number":
            return str(value.get("min_value") or 1)
        case "choice":
            return choice_lines(value.get("choices"))[0]
        case "multiple_choice":
            return choice_lines(value.get("choices"))[:1]
        case "yes_no":
            return "no"
        case "member":
            who = value.get("who") or "anyone"
            return next(
                m.id for m in household if who == "anyone" or (who == "children") == m.is_child
            )
        case "document":
            if part == "by_post":
                return MISSING
            types = value.get("types") or ["pdf"]
            if "pdf" in types:
                return SimpleUploadedFile("justificatif.pdf", PDF, "application/pdf")
            return SimpleUploadedFile("photo.png", PNG, "image/png")
    return {
        "short_text": "Lire",
        "long_text": "Une réponse.",
        "email": "amelie.lire@example.org",
        "phone": "06 12 34 56 78",
        "iban": "FR76 3000 6000 0112 3456 7890 189",
        "business_number": "732 829 320 00074",
        "postcode_commune": {"postcode": "62220"}.get(part, "Carvin"),
        "consent": "on",
        "address": {"street": "12 rue des Écoles", "postcode": "62220", "city": "Carvin"}.get(part),
    }[block.type]


# The demo portal, as its visitors reach it.


def demo_pages():
    pages = []
    for site in Site.objects.order_by("hostname"):
        index = ServiceIndexPage.objects.child_of(site.root_page).first()
        if index is None:
            continue
        pages += [(site, page) for page in ServicePage.objects.child_of(index).live().specific()]
    return pages


def validated_citizen(site) -> User:
    email = next(c["email"] for c in CITIZENS[site.hostname] if c["validated"])
    return User.objects.get(site=site, email=email)


class Visitor:
    """Someone filling in one démarche through the wizard's URLs."""

    def __init__(self, site, page):
        self.site = site
        self.page = page
        self.client = Client()
        self.account = None
        if page.requires_account:
            self.account = validated_citizen(site)
            self.client.force_login(self.account)
        response = self.get(self.step_url(1))
        assert response.status_code == 200, (page.slug, response.status_code)
        # The draft is made when the citizen first sends something.
        self.post(self.step_url(1), {"action": "previous"})
        self.draft_pk = self._draft_pk()
        self.filling = self._filling()
        self.forms = [self.filling.form(step) for step in self.filling.steps]
        self.names = {name for form in self.forms for name in form.fields}
        self.allow_every_step()

    def get(self, url, **params):
        return self.client.get(url, params, HTTP_HOST=self.site.hostname)

    def post(self, url, data):
        return self.client.post(url, with_csrf_field(data), HTTP_HOST=self.site.hostname)

    def step_url(self, number) -> str:
        return f"{self.page.url}etape/{number}/"

    @property
    def review_url(self) -> str:
        return f"{self.page.url}verification/"

    def _draft_pk(self) -> int:
        if self.account is not None:
            return draft_of(site=self.site, page=self.page, account=self.account).pk
        return self.client.session[SESSION_DRAFT.format(page_id=self.page.pk)]

    @property
    def draft(self) -> Submission:
        return Submission.objects.get(pk=self.draft_pk)

    def _filling(self) -> Filling:
        """The wizard's own view of the démarche, built as its views build it."""
        request = RequestFactory().get(self.step_url(1), HTTP_HOST=self.site.hostname)
        request.user = self.account or AnonymousUser()
        request.commune = self.site
        request.session = self.client.session
        return Filling(request, self.page, self.draft)

    def allow_every_step(self) -> None:
        draft = self.draft
        draft.progress["reached"] = len(self.filling.steps) + 1
        draft.save(update_fields=["progress"])

    def set_raw(self, values: dict) -> dict:
        """Store these answers of earlier steps in the draft; what it then holds.
        Less NUL characters, as the wizard stores them (PostgreSQL's JSON
        cannot hold them)."""
        draft = self.draft
        raw = draft.progress.setdefault("raw", {})
        if values:
            for key, value in values.items():
                key = key.replace("\x00", "")
                if value is MISSING:
                    raw.pop(key, None)
                else:
                    values_of_key = value if isinstance(value, list) else [value]
                    raw[key] = [
                        v.replace("\x00", "") if isinstance(v, str) else v for v in values_of_key
                    ]
            draft.save(update_fields=["progress"])
        return dict(raw)

    def fill_validly(self) -> None:
        """Post a valid answer to every step, as a careful citizen does."""
        household = self.filling.context.household
        for form, step in zip(self.forms, self.filling.steps, strict=True):
            data = {"action": "next"}
            for item in form.items:
                for name in item.names:
                    value = first_valid(item.block, name, household)
                    if value is not MISSING:
                        data[name] = value
            response = self.post(self.step_url(step.number), data)
            assert response.status_code == 302, (self.page.slug, step.number, _errors(response))


def _errors(response):
    context = getattr(response, "context", None)
    return context and context.get("form") and context["form"].errors


# What every answer must respect.


def assert_refusal_explained(response, form_names: set[str]) -> None:
    """A step shown again says what is wrong, next to each field and in the summary."""
    form = response.context["form"]
    html = response.content.decode()
    with translation.override(response.get("Content-Language") or "fr"):
        errors = {name: list(messages) for name, messages in form.errors.items()}
    assert errors, "the step is shown again without saying why"
    assert "__all__" not in errors, f"error attached to no field: {errors['__all__']}"
    start = html.find('id="form-errors"')
    assert start != -1, "no error summary"
    summary = html[start : html.index("</div>", start)]
    for target in re.findall(r'href="#([^"]*)"', summary):
        assert target and f'id="{target}"' in html, (
            f"a link of the error summary leads nowhere: #{target}"
        )
    visible = {name for item in form.visible_items for name in item.names}
    for name, messages in errors.items():
        assert name in form_names, f"error on {name!r}, which the step does not have"
        assert name in visible, f"error on {name!r}, which is not shown"
        bound = form[name]
        assert f'id="{bound.auto_id}_error"' in html, f"no error next to {name!r}"
        for message in messages:
            text = escape(message)
            assert text in summary, f"{message!r} missing from the summary"
            assert html.count(text) >= 2, f"{message!r} not shown next to {name!r}"


def assert_nothing_foreign_stored(visitor, before: dict, step_names: set[str]) -> None:
    """The draft keeps what the step typed, and nothing of what it does not own."""
    draft = visitor.draft
    assert draft.is_draft
    raw = draft.progress.get("raw") or {}
    for key, values in raw.items():
        assert key in visitor.names, f"stored {key!r}, which no step has"
        assert isinstance(values, list), (key, values)
        assert all(isinstance(v, str) for v in values), (key, values)
        if key not in step_names:
            assert values == before.get(key), f"the step changed {key!r}, of another step"
    for attachment in Attachment.objects.filter(submission_id=visitor.draft_pk):
        block = visitor.filling.context.blocks_by_key.get(attachment.key)
        assert block is not None and block.type == "document", attachment.key
        types = block.value.get("types") or list(DOCUMENT_TYPES)
        allowed = {m for t in types for m in DOCUMENT_TYPES[t].mime_types}
        assert attachment.content_type in allowed, (attachment.key, attachment.content_type)
        assert 0 < attachment.size <= block.value.get("max_size", 5) * 1024 * 1024
        assert len(attachment.name) <= 255


def assert_comes_back(visitor, number, step_names) -> None:
    """Whatever is stored, the step and the recap open again: the step as it
    was typed, each stored answer checked again with its reasons."""
    response = visitor.get(visitor.step_url(number), verifier="1")
    assert response.status_code == 200, (visitor.page.slug, number, response.status_code)
    cases["come back"] += 1
    if response.context["form"].errors:
        assert_refusal_explained(response, step_names)
    response = visitor.get(visitor.review_url)
    assert response.status_code in (200, 302), (visitor.page.slug, response.status_code)


# The steps.


def post_strategy(visitor, number):
    """A POST to step ``number``, and the values of earlier fields it depends on."""
    form = visitor.forms[number - 1]
    household = visitor.filling.context.household
    step_names = list(form.fields)
    valid = {}
    anything = {}
    for item in form.items:
        for name in item.names:
            valid[name] = valid_value(item.block, name, household)
            anything[name] = st.one_of(valid[name], ANY_VALUE, st.just(MISSING))
    fields = st.one_of(st.fixed_dictionaries(valid), st.fixed_dictionaries(anything))

    earlier = {}
    for item in form.items:
        if item.condition and item.condition[0] not in form.fields:
            key = item.condition[0]
            source = visitor.filling.context.blocks_by_key[key]
            earlier[key] = st.one_of(
                valid_value(source, key, household),
                SCALAR_JUNK,
                st.lists(SCALAR_JUNK, min_size=2, max_size=3),
                st.just(MISSING),
            )

    others = sorted(visitor.names - set(step_names))
    extra_keys = st.one_of(
        KEY_NAME, st.sampled_from([*others, "csrfmiddlewaretoken", "reached", "status", "raw"])
    ).filter(lambda key: key not in form.fields and key != "action")
    extras = st.dictionaries(extra_keys, ANY_VALUE, max_size=3)
    return st.fixed_dictionaries(
        {
            "fields": fields,
            "earlier": st.fixed_dictionaries(earlier),
            "extras": extras,
            "action": ACTIONS,
            "come_back": st.sampled_from([False, False, False, False, True]),
        }
    )


def fuzz_step(visitor, number, examples):
    step_names = set(visitor.forms[number - 1].fields)
    url = visitor.step_url(number)

    @hypothesis_settings(examples)
    @given(post=post_strategy(visitor, number))
    def post_to_step(post):
        before = visitor.set_raw(post["earlier"])
        data = {k: v for k, v in post["extras"].items() if v is not MISSING}
        data.update({k: v for k, v in post["fields"].items() if v is not MISSING})
        if post["action"] is not MISSING:
            data["action"] = post["action"]
        cases["step"] += 1

        response = visitor.post(url, data)
        record("démarche step", response.status_code)

        assert response.status_code in (200, 302), (visitor.page.slug, number, data)
        cases[f"step {response.status_code}"] += 1
        if response.status_code == 200:
            assert_refusal_explained(response, step_names)
        assert_nothing_foreign_stored(visitor, before, step_names)
        if post["come_back"]:
            assert_comes_back(visitor, number, step_names)

    post_to_step()


def test_every_step_of_every_demo_demarche_explains_each_refusal(demo):
    visitors = [Visitor(site, page) for site, page in demo_pages()]
    steps = [(v, n) for v in visitors for n in range(1, len(v.filling.steps) + 1)]
    assert len(visitors) >= 14 and len(steps) >= 40
    per_step = math.ceil(STEP_EXAMPLES / len(steps))
    cases.clear()

    for visitor, number in steps:
        fuzz_step(visitor, number, per_step)

    print(
        f"\n{cases['step']} cases posted to {len(steps)} steps of {len(visitors)} démarches: "
        f"{cases['step 200']} refused with reasons, {cases['step 302']} accepted or moved on; "
        f"{cases['come back']} times the step opened again with what was stored"
    )
    assert cases["step"] >= STEP_EXAMPLES
    assert cases["step 200"] and cases["step 302"]


# The recap: anyone may post anything as the anti-robot check's answer.


def test_recap_refuses_any_captcha_answer_with_a_reason(demo):
    site = Site.objects.get(hostname="carvin.localhost")
    page = next(p for s, p in demo_pages() if s == site and p.slug == "acte-de-naissance")
    assert not page.requires_account
    visitor = Visitor(site, page)
    visitor.fill_validly()
    sent_before = Submission.objects.exclude(status=SubmissionStatus.DRAFT).count()
    cases.clear()

    @hypothesis_settings(RECAP_EXAMPLES)
    @given(
        captcha=st.one_of(
            st.just(MISSING),
            ANY_VALUE,
            st.binary(max_size=200).map(lambda b: base64.b64encode(b).decode()),
            st.builds(
                lambda s: base64.b64encode(s.encode()).decode(),
                st.sampled_from(
                    [
                        "{}",
                        "[]",
                        '{"challenge": null}',
                        '{"challenge": {"parameters": {"expiresAt": "x"}}, "solution": {}}',
                        '{"algorithm": "SHA-256", "challenge": "x", "number": 1, "salt": "s",'
                        ' "signature": "s"}',
                    ]
                ),
            ),
        ),
        extras=st.dictionaries(KEY_NAME, ANY_VALUE, max_size=3),
    )
    def post_recap(captcha, extras):
        data = dict(extras)
        if captcha is not MISSING:
            data["captcha"] = captcha
        cases["recap"] += 1
        response = visitor.post(visitor.review_url, data)
        record("démarche recap", response.status_code)
        assert response.status_code == 200, (response.status_code, data)
        form = response.context["captcha_form"]
        with translation.override(response.get("Content-Language") or "fr"):
            messages = [str(m) for m in form.errors.get("captcha", [])]
        assert messages, "the anti-robot check let the request through"
        html = response.content.decode()
        assert 'id="form-errors"' in html
        assert all(escape(m) in html for m in messages)
        assert visitor.draft.is_draft

    post_recap()
    print(f"\n{cases['recap']} anti-robot answers posted to the recap")
    assert cases["recap"] >= RECAP_EXAMPLES
    assert Submission.objects.exclude(status=SubmissionStatus.DRAFT).count() == sent_before


# The documents an incomplete request lacks.


def test_missing_documents_of_an_incomplete_request_are_checked(demo):
    site = Site.objects.get(hostname="carvin.localhost")
    account = validated_citizen(site)
    submission = Submission.objects.get(account=account, status=SubmissionStatus.INCOMPLETE)
    documents = {b.key: b for step in submission.steps for b in step.blocks if b.type == "document"}
    keys = sorted(documents)
    client = Client()
    client.force_login(account)
    url = reverse("services:submission", kwargs={"reference": submission.reference})
    cases.clear()

    @hypothesis_settings(INCOMPLETE_EXAMPLES)
    @given(
        files=st.dictionaries(
            st.one_of(st.sampled_from(keys), KEY_NAME),
            st.one_of(FILES, valid_file(["pdf", "png"]), SCALAR_JUNK),
            max_size=4,
        )
    )
    def post_documents(files):
        Submission.objects.filter(pk=submission.pk).update(status=SubmissionStatus.INCOMPLETE)
        cases["documents"] += 1
        response = client.post(url, with_csrf_field(files), HTTP_HOST=site.hostname)
        record("request: missing documents", response.status_code)
        assert response.status_code in (200, 302), (response.status_code, files)
        status = Submission.objects.get(pk=submission.pk).status
        for attachment in Attachment.objects.filter(submission=submission, current=True):
            types = documents[attachment.key].value.get("types") or list(DOCUMENT_TYPES)
            allowed = {m for t in types for m in DOCUMENT_TYPES[t].mime_types}
            assert attachment.content_type in allowed, (attachment.key, attachment.content_type)
        if response.status_code == 302:
            assert status == SubmissionStatus.SUBMITTED
            return
        assert status == SubmissionStatus.INCOMPLETE
        form = response.context["form"]
        with translation.override(response.get("Content-Language") or "fr"):
            errors = {name: [str(m) for m in ms] for name, ms in form.errors.items()}
        assert errors, "the documents are refused without a reason"
        html = response.content.decode()
        assert 'id="form-errors"' in html
        for messages in errors.values():
            assert all(escape(m) in html for m in messages)

    post_documents()
    print(f"\n{cases['documents']} uploads posted to an incomplete request")
    assert cases["documents"] >= INCOMPLETE_EXAMPLES


# A message to the town hall from the request's page.

MESSAGE_EXAMPLES = 60


def test_messages_to_the_town_hall_take_any_text_and_files(demo):
    from services.messaging import MESSAGE_FILE_TYPES
    from services.models import MessageAttachment, RequestMessage

    site = Site.objects.get(hostname="carvin.localhost")
    account = validated_citizen(site)
    submission = (
        Submission.objects.filter(account=account)
        .exclude(status=SubmissionStatus.DRAFT)
        .exclude(stage="final")
        .first()
    )
    client = Client()
    client.force_login(account)
    url = reverse("services:submission_message", kwargs={"reference": submission.reference})
    allowed = {m for t in MESSAGE_FILE_TYPES for m in DOCUMENT_TYPES[t].mime_types}
    cases.clear()

    @hypothesis_settings(MESSAGE_EXAMPLES)
    @given(
        text=st.one_of(st.just(MISSING), TEXT, SCALAR_JUNK),
        files=st.one_of(
            st.just(MISSING),
            st.lists(st.one_of(FILES, valid_file(["pdf", "png"]), SCALAR_JUNK), max_size=7),
        ),
        extra=st.dictionaries(KEY_NAME, ANY_VALUE, max_size=2),
    )
    def post_message(text, files, extra):
        cases["messages"] += 1
        before = RequestMessage.objects.filter(submission=submission).count()
        data = {**extra}
        if text is not MISSING:
            data["text"] = text
        if files is not MISSING:
            data["files"] = files
        response = client.post(url, with_csrf_field(data), HTTP_HOST=site.hostname)
        record("request: message to the town hall", response.status_code)
        assert response.status_code in (200, 302), (response.status_code, data)
        for attachment in MessageAttachment.objects.filter(message__submission=submission):
            assert attachment.content_type in allowed, attachment.content_type
        if response.status_code == 302:
            assert RequestMessage.objects.filter(submission=submission).count() == before + 1
            return
        assert RequestMessage.objects.filter(submission=submission).count() == before
        form = response.context["message_form"]
        with translation.override(response.get("Content-Language") or "fr"):
            errors = [str(m) for ms in form.errors.values() for m in ms]
        assert errors, "the message is refused without a reason"
        html = response.content.decode()
        assert 'id="form-errors"' in html
        assert all(escape(m) in html for m in errors)

    post_message()
    assert cases["messages"] >= MESSAGE_EXAMPLES
