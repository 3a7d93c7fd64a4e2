"""From form blocks to Django forms, and from answers back to text.

``StepFormBuilder`` makes the form of one step: one ``create_<type>_field``
method per block type, as Wagtail's ``FormBuilder`` does. Each block becomes a
``FormItem`` holding one or more form fields (a postal address has three).
What the citizen typed is kept *raw* (the lists of strings of a POST), step by
step, so that going back shows exactly what was typed; answers are cleaned and
stored, keyed by each block's ``key``, only when the request is sent.
"""

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

import phonenumbers
from django import forms
from django.template.loader import render_to_string
from django.utils import formats
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cms import antivirus
from cms.uploads import RefusedUpload, sniff

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
SUBFIELD = "__"
"""Separates a block's key from the name of one of its sub-fields."""


@dataclass(frozen=True)
class DocumentType:
    label: str
    mime_types: frozenset[str]


DOCUMENT_TYPES = {
    "pdf": DocumentType(gettext_lazy("PDF"), frozenset({"application/pdf"})),
    "jpeg": DocumentType(gettext_lazy("JPEG image"), frozenset({"image/jpeg"})),
    "png": DocumentType(gettext_lazy("PNG image"), frozenset({"image/png"})),
    "heic": DocumentType(
        gettext_lazy("HEIC image (iPhone)"), frozenset({"image/heic", "image/heif"})
    ),
    "odt": DocumentType(
        gettext_lazy("OpenDocument text"),
        frozenset({"application/vnd.oasis.opendocument.text"}),
    ),
    "docx": DocumentType(
        gettext_lazy("Word document"),
        frozenset({"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}),
    ),
}

INPUT_TYPES = {
    "short_text",
    "long_text",
    "email",
    "phone",
    "date",
    "number",
    "choice",
    "multiple_choice",
    "yes_no",
    "address",
    "member",
    "document",
    "consent",
}

YES = {"yes", "oui", "true", "on", "1"}
NO = {"no", "non", "false", "0"}

# Error messages (asserted by the tests).
PHONE_INVALID = gettext_lazy(
    "Enter a valid phone number, such as 06 12 34 56 78 or +44 20 7946 0958."
)
DATE_IN_FUTURE = gettext_lazy("The date cannot be in the future.")
DATE_IN_PAST = gettext_lazy("The date cannot be in the past.")
POSTCODE_INVALID = gettext_lazy("Enter a valid postcode, such as 62220.")
DOCUMENT_MISSING = gettext_lazy("Attach the document, or tick “I will send it by post”.")
DOCUMENT_MISSING_NO_POST = gettext_lazy("Attach the document.")
DOCUMENT_TOO_BIG = gettext_lazy("The file “%(name)s” weighs %(size)s; the limit is %(limit)s MB.")
DOCUMENT_WRONG_TYPE = gettext_lazy(
    "The file “%(name)s” is not of an accepted type (%(types)s), whatever its name says."
)
MEMBER_PREFILL_HELP = gettext_lazy("Left empty, it is taken from the person chosen above.")
DOCUMENT_EMPTY = gettext_lazy("The file “%(name)s” is empty.")


def normalise(text: str) -> str:
    """Lower case without accents, to compare answers with conditions."""
    text = unicodedata.normalize("NFKD", str(text).strip().casefold())
    return "".join(c for c in text if not unicodedata.combining(c))


def make_key(label: str) -> str:
    key = slugify(label).replace("-", "_")[:50].strip("_") or "champ"
    if not key[0].isalpha():
        key = f"champ_{key}"
    return key


def choice_lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def document_type_names(types) -> str:
    return ", ".join(str(DOCUMENT_TYPES[t].label) for t in types if t in DOCUMENT_TYPES)


def document_max_size(block: "Block") -> int:
    """The most a document block's file may weigh, in bytes."""
    return (block.value.get("max_size") or 5) * 1024 * 1024


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return _("%s MB") % formats.number_format(size / (1024 * 1024), 1)
    return _("%s kB") % formats.number_format(max(1, round(size / 1024)), 0)


@dataclass
class Block:
    """One field block of a form, whatever its revision: its type and value."""

    type: str
    value: dict
    id: str = ""

    @property
    def key(self) -> str:
        return self.value.get("key") or ""

    @property
    def label(self) -> str:
        return self.value.get("label") or self.value.get("heading") or ""

    @property
    def is_input(self) -> bool:
        return self.type in INPUT_TYPES


@dataclass
class Step:
    title: str
    blocks: list[Block]
    number: int = 0


def steps_of(form_value) -> list[Step]:
    """The steps of a ``ServicePage.form`` stream value (or of its raw data)."""
    steps = []
    raw = form_value.raw_data if hasattr(form_value, "raw_data") else form_value
    if isinstance(raw, str):
        raw = json.loads(raw)  # as a revision stores it
    for index, step in enumerate(raw or []):
        value = step.get("value") or {}
        blocks = [
            Block(type=child["type"], value=dict(child.get("value") or {}), id=child.get("id", ""))
            for child in value.get("fields") or []
        ]
        steps.append(Step(title=value.get("title", ""), blocks=blocks, number=index + 1))
    return steps


@dataclass
class Member:
    """Someone a request may concern: the account holder or a household member."""

    id: str
    first_name: str
    last_name: str
    birth_date: date | None
    is_child: bool

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass
class FillContext:
    """What the builder needs beyond the blocks: who fills the form, what they
    answered in the other steps (raw) and the files already attached."""

    account: object = None
    raw: dict[str, list[str]] = field(default_factory=dict)
    attachments: dict[str, object] = field(default_factory=dict)
    blocks_by_key: dict[str, Block] = field(default_factory=dict)

    @cached_property
    def household(self) -> list[Member]:
        if self.account is None:
            return []
        account = self.account
        members = [
            Member(
                id="self",
                first_name=account.first_name,
                last_name=account.last_name,
                birth_date=account.birth_date,
                is_child=False,
            )
        ]
        members += [
            Member(
                id=str(m.pk),
                first_name=m.first_name,
                last_name=m.last_name,
                birth_date=m.birth_date,
                is_child=m.is_child,
            )
            for m in account.household_members.all()
        ]
        return members

    def member(self, member_id) -> Member | None:
        return next((m for m in self.household if m.id == str(member_id)), None)

    def chosen_member(self) -> Member | None:
        """The member chosen in the form's first household member field."""
        for key, block in self.blocks_by_key.items():
            if block.type == "member":
                values = self.raw.get(key) or []
                return self.member(values[0]) if values else None
        return None


@dataclass
class FormItem:
    """A block as the form shows it: its fields and, when set, its condition."""

    block: Block
    fields: dict[str, forms.Field] = field(default_factory=dict)
    condition: tuple[str, str] | None = None
    hidden: bool = False
    same_step_condition: bool = False

    @property
    def names(self) -> list[str]:
        return list(self.fields)


@dataclass
class DisplayItem:
    item: FormItem
    fields: list
    attachment: object = None

    @property
    def block(self) -> Block:
        return self.item.block

    @property
    def type(self) -> str:
        return self.item.block.type

    @property
    def field(self):
        return self.fields[0] if self.fields else None

    @property
    def types_text(self) -> str:
        return document_type_names(self.block.value.get("types") or [])

    @property
    def by_post_field(self):
        return self.fields[1] if self.type == "document" and len(self.fields) > 1 else None


class PhoneField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return value
        try:
            number = phonenumbers.parse(value, "FR")
        except phonenumbers.NumberParseException:
            raise forms.ValidationError(PHONE_INVALID, code="invalid") from None
        if not phonenumbers.is_valid_number(number):
            raise forms.ValidationError(PHONE_INVALID, code="invalid")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(value: str) -> str:
    try:
        number = phonenumbers.parse(value, "FR")
    except phonenumbers.NumberParseException:
        return value
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 33
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class BoundedDateField(forms.DateField):
    widget = DateInput

    def __init__(self, *, bounds="", **kwargs):
        super().__init__(**kwargs)
        self.bounds = bounds
        today = date.today().isoformat()
        if bounds == "past":
            self.widget.attrs["max"] = today
        elif bounds == "future":
            self.widget.attrs["min"] = today

    def validate(self, value):
        super().validate(value)
        if value and self.bounds == "past" and value > date.today():
            raise forms.ValidationError(DATE_IN_FUTURE, code="future")
        if value and self.bounds == "future" and value < date.today():
            raise forms.ValidationError(DATE_IN_PAST, code="past")


@dataclass
class Upload:
    """A file checked by the form, to be stored by ``services.submission_attach``."""

    file: object
    name: str
    size: int
    content_type: str


class DocumentField(forms.FileField):
    """A supporting document, checked by its content (libmagic) and size."""

    def __init__(self, *, types, max_size_mb, **kwargs):
        super().__init__(**kwargs)
        self.types = list(types or DOCUMENT_TYPES)
        self.max_size_mb = max_size_mb
        self.widget.attrs["accept"] = ",".join(
            sorted(
                {
                    mime
                    for t in self.types
                    if t in DOCUMENT_TYPES
                    for mime in DOCUMENT_TYPES[t].mime_types
                }
            )
        )

    def to_python(self, data):
        if data in self.empty_values:
            return None
        name = str(getattr(data, "name", "") or _("without a name"))
        size = getattr(data, "size", 0) or 0
        limit_mb = self.max_size_mb
        if isinstance(data, RefusedUpload):
            limit_mb = min(limit_mb, data.limit_mb)
        if isinstance(data, RefusedUpload) or size > limit_mb * 1024 * 1024:
            raise forms.ValidationError(
                DOCUMENT_TOO_BIG,
                code="too_big",
                params={"name": name, "size": human_size(size), "limit": limit_mb},
            )
        if size == 0:
            raise forms.ValidationError(DOCUMENT_EMPTY, code="empty", params={"name": name})
        content_type = sniff(data)
        allowed = {
            m for t in self.types if t in DOCUMENT_TYPES for m in DOCUMENT_TYPES[t].mime_types
        }
        if content_type not in allowed:
            raise forms.ValidationError(
                DOCUMENT_WRONG_TYPE,
                code="wrong_type",
                params={"name": name, "types": document_type_names(self.types)},
            )
        antivirus.check(data, name=name)
        return Upload(file=data, name=name, size=size, content_type=content_type)


class StepForm(forms.Form):
    """The form of one step. Fields whose condition does not hold are neither
    required nor kept, whatever the browser sent."""

    template_name = "services/step_form.html"

    def __init__(self, *args, items: list[FormItem], context: FillContext, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        self.context = context
        self.uploads: dict[str, Upload] = {}
        for item in items:
            self.fields.update(item.fields)
        if self.is_bound:
            self._fill_from_member()
        self._apply_conditions()

    def _fill_from_member(self):
        """Fields to prefill from a household member chosen in this same step
        cannot be filled before the choice: left empty, they take the member's
        value when the step is sent."""
        member_item = next((i for i in self.items if i.block.type == "member"), None)
        if member_item is None or not self.data.get(member_item.block.key):
            return
        member = self.context.member(self.data.get(member_item.block.key))
        if member is None:
            return
        data = self.data.copy()
        for item in self.items:
            source = item.block.value.get("prefill") or ""
            key = item.block.key
            if source.startswith("member_") and not data.get(key):
                value = getattr(member, source.removeprefix("member_"), None)
                if value:
                    data[key] = value.isoformat() if isinstance(value, date) else value
        self.data = data

    def raw_values(self, name) -> list[str]:
        if name in self.fields:
            if self.is_bound:
                return [v for v in self.data.getlist(name) if isinstance(v, str)]
            initial = self.initial.get(name, self.fields[name].initial)
            if initial in (None, ""):
                return []
            return [str(v) for v in initial] if isinstance(initial, list) else [str(initial)]
        return self.context.raw.get(name) or []

    def _apply_conditions(self):
        hidden_keys = set()
        for item in self.items:
            if item.condition is None:
                continue
            key, expected = item.condition
            source = self.context.blocks_by_key.get(key)
            matches = (
                source is not None
                and key not in hidden_keys
                and condition_matches(source, self.raw_values(key), expected)
            )
            item.hidden = not matches
            if item.hidden:
                hidden_keys.add(item.block.key)
                for name in item.names:
                    self.fields[name].required = False

    @property
    def visible_items(self):
        return [item for item in self.items if not item.hidden or item.same_step_condition]

    @property
    def display_items(self) -> list["DisplayItem"]:
        """What the template shows: each item with its bound fields and, for a
        document, the file already attached."""
        return [
            DisplayItem(
                item=item,
                fields=[self[name] for name in item.names],
                attachment=self.context.attachments.get(item.block.key),
            )
            for item in self.visible_items
        ]

    def clean(self):
        cleaned = super().clean()
        for item in self.items:
            if item.hidden:
                for name in item.names:
                    cleaned.pop(name, None)
                    self.errors.pop(name, None)
            elif item.block.type == "document":
                self._clean_document(item, cleaned)
        return cleaned

    def _clean_document(self, item, cleaned):
        key = item.block.key
        upload = cleaned.get(key)
        by_post = cleaned.get(f"{key}{SUBFIELD}by_post", False)
        if isinstance(upload, Upload):
            self.uploads[key] = upload
        elif (
            not by_post
            and key not in self.context.attachments
            and item.block.value.get("required")
            and key not in self.errors
        ):
            by_post_offered = item.block.value.get("by_post")
            message = DOCUMENT_MISSING if by_post_offered else DOCUMENT_MISSING_NO_POST
            self.add_error(key, forms.ValidationError(message, code="required"))

    def raw_data(self) -> dict[str, list[str]]:
        """What was typed in this step, to store and show back (no files)."""
        raw = {}
        for item in self.items:
            for name in item.names:
                if isinstance(self.fields[name], forms.FileField):
                    continue
                raw[name] = self.raw_values(name)
        return raw


def condition_matches(source: Block, values: list[str], expected: str) -> bool:
    wanted = normalise(expected)
    if source.type in ("yes_no", "consent"):
        given = {normalise(v) for v in values}
        if wanted in YES:
            return bool(given & YES)
        if wanted in NO:
            return bool(given & NO) or (source.type == "consent" and not given)
        return False
    return any(normalise(v) == wanted for v in values)


class StepFormBuilder:
    """Builds the form of a step from its blocks."""

    def __init__(self, step: Step, context: FillContext):
        self.step = step
        self.context = context

    def get_form_class(self):
        return StepForm

    def items(self) -> list[FormItem]:
        items = []
        keys_in_step = set()
        member_in_step = any(b.type == "member" for b in self.step.blocks) and self.context.account
        for block in self.step.blocks:
            if block.type == "help":
                items.append(FormItem(block=block))
                continue
            if block.type == "member" and self.context.account is None:
                continue
            fields = getattr(self, f"create_{block.type}_field")(block)
            if member_in_step and (block.value.get("prefill") or "").startswith("member_"):
                field_ = fields[block.key]
                field_.required = False
                field_.help_text = " ".join(
                    filter(None, [str(field_.help_text), str(MEMBER_PREFILL_HELP)])
                )
            item = FormItem(block=block, fields=fields)
            condition = block.value.get("condition") or {}
            if condition.get("field"):
                item.condition = (condition["field"], condition.get("value") or "")
                item.same_step_condition = condition["field"] in keys_in_step
            items.append(item)
            keys_in_step.add(block.key)
        return items

    def get_form(self, data=None, files=None, *, prefix=None) -> StepForm:
        items = self.items()
        return self.get_form_class()(
            data=data,
            files=files,
            items=items,
            context=self.context,
            initial=self.initial(items),
            prefix=prefix,
        )

    # Initial values: what was typed before, or else what the account knows.

    def initial(self, items) -> dict:
        initial = {}
        for item in items:
            for name in item.names:
                if name in self.context.raw:
                    values = self.context.raw[name]
                    initial[name] = (
                        values
                        if item.block.type == "multiple_choice"
                        else (values[0] if values else "")
                    )
            if not any(name in self.context.raw for name in item.names):
                initial.update(self.prefill(item.block))
        return initial

    def prefill(self, block: Block) -> dict:
        source = block.value.get("prefill")
        account = self.context.account
        if not source or account is None:
            return {}
        if source == "address":
            return {
                f"{block.key}{SUBFIELD}street": account.address_line,
                f"{block.key}{SUBFIELD}postcode": account.postcode,
                f"{block.key}{SUBFIELD}city": account.city,
            }
        if source.startswith("member_"):
            member = self.context.chosen_member()
            value = getattr(member, source.removeprefix("member_"), None) if member else None
        else:
            value = getattr(account, source, None)
        if value in (None, ""):
            return {}
        if isinstance(value, date):
            value = value.isoformat()
        return {block.key: value}

    # One method per block type.

    def _options(self, block: Block) -> dict:
        return {
            "label": block.value.get("label", ""),
            "help_text": block.value.get("help_text", ""),
            "required": bool(block.value.get("required")),
        }

    def create_short_text_field(self, block):
        return {block.key: forms.CharField(max_length=255, **self._options(block))}

    def create_long_text_field(self, block):
        return {
            block.key: forms.CharField(
                max_length=5000, widget=forms.Textarea(attrs={"rows": 5}), **self._options(block)
            )
        }

    def create_email_field(self, block):
        widget = forms.EmailInput(attrs={"autocomplete": "email"})
        return {block.key: forms.EmailField(widget=widget, **self._options(block))}

    def create_phone_field(self, block):
        return {block.key: PhoneField(max_length=30, **self._options(block))}

    def create_date_field(self, block):
        return {
            block.key: BoundedDateField(
                bounds=block.value.get("bounds") or "", **self._options(block)
            )
        }

    def create_number_field(self, block):
        return {
            block.key: forms.IntegerField(
                min_value=block.value.get("min_value"),
                max_value=block.value.get("max_value"),
                **self._options(block),
            )
        }

    def create_choice_field(self, block):
        choices = [(c, c) for c in choice_lines(block.value.get("choices"))]
        if block.value.get("widget") == "select":
            widget = forms.Select
            choices = [("", _("Choose…")), *choices]
        else:
            widget = forms.RadioSelect
        return {
            block.key: forms.ChoiceField(choices=choices, widget=widget, **self._options(block))
        }

    def create_multiple_choice_field(self, block):
        choices = [(c, c) for c in choice_lines(block.value.get("choices"))]
        return {
            block.key: forms.MultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple, **self._options(block)
            )
        }

    def create_yes_no_field(self, block):
        return {
            block.key: forms.ChoiceField(
                choices=[("yes", _("Yes")), ("no", _("No"))],
                widget=forms.RadioSelect,
                **self._options(block),
            )
        }

    def create_address_field(self, block):
        options = self._options(block)
        required = options["required"]
        return {
            f"{block.key}{SUBFIELD}street": forms.CharField(
                label=_("Number and street"),
                max_length=200,
                required=required,
                widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
            ),
            f"{block.key}{SUBFIELD}postcode": forms.RegexField(
                label=_("Postcode"),
                regex=r"^[0-9A-Za-z][0-9A-Za-z \-]{1,9}$",
                error_messages={"invalid": POSTCODE_INVALID},
                max_length=10,
                required=required,
                widget=forms.TextInput(
                    attrs={"autocomplete": "postal-code", "class": "input--short"}
                ),
            ),
            f"{block.key}{SUBFIELD}city": forms.CharField(
                label=_("Town"),
                max_length=120,
                required=required,
                widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
            ),
        }

    def create_member_field(self, block):
        who = block.value.get("who") or "anyone"
        members = [
            m
            for m in self.context.household
            if who == "anyone" or (who == "children") == m.is_child
        ]
        choices = [
            (m.id, _("Myself (%(name)s)") % {"name": m.name} if m.id == "self" else m.name)
            for m in members
        ]
        return {
            block.key: forms.ChoiceField(
                choices=choices, widget=forms.RadioSelect, **self._options(block)
            )
        }

    def create_document_field(self, block):
        options = self._options(block)
        options["required"] = False
        fields = {
            block.key: DocumentField(
                types=block.value.get("types") or ["pdf", "jpeg", "png"],
                max_size_mb=block.value.get("max_size") or 5,
                **options,
            )
        }
        if block.value.get("by_post"):
            fields[f"{block.key}{SUBFIELD}by_post"] = forms.BooleanField(
                label=_("I will send it by post"), required=False
            )
        return fields

    def create_consent_field(self, block):
        return {block.key: forms.BooleanField(**self._options(block))}


# From raw values to stored answers, and from answers to text.


def clean_answers(form: StepForm) -> dict:
    """The answers of a valid step, as JSON values keyed by block key."""
    if not form.is_valid():
        raise ValueError("Only a valid step has answers.")
    data = form.cleaned_data
    answers = {}
    for item in form.items:
        block = item.block
        if item.hidden or not block.is_input or block.type == "help":
            continue
        key = block.key
        if block.type == "address":
            parts = {
                part: data.get(f"{key}{SUBFIELD}{part}", "")
                for part in ("street", "postcode", "city")
            }
            value = parts if any(parts.values()) else None
        elif block.type == "member":
            member = form.context.member(data.get(key))
            value = (
                {
                    "id": None if member.id == "self" else int(member.id),
                    "first_name": member.first_name,
                    "last_name": member.last_name,
                    "birth_date": member.birth_date.isoformat() if member.birth_date else None,
                }
                if member
                else None
            )
        elif block.type == "document":
            continue
        elif block.type == "yes_no":
            value = {"yes": True, "no": False}.get(data.get(key))
        elif block.type == "date":
            value = data[key].isoformat() if data.get(key) else None
        else:
            value = data.get(key)
        if value not in (None, "", [], False) or (block.type == "yes_no" and value is False):
            answers[key] = value
    return answers


def document_answer(attachment) -> dict:
    """How a document field's answer is stored: the attached file."""
    return {
        "attachment": attachment.pk,
        "name": attachment.name,
        "size": attachment.size,
        "content_type": attachment.content_type,
    }


def step_answers(form: StepForm) -> dict:
    """All the answers of a valid step, documents included: the file attached
    (``form.context.attachments``) or the promise to send it by post."""
    answers = clean_answers(form)
    for item in form.visible_items:
        if item.block.type != "document" or item.hidden:
            continue
        key = item.block.key
        attachment = form.context.attachments.get(key)
        if attachment is not None:
            answers[key] = document_answer(attachment)
        elif form.cleaned_data.get(f"{key}{SUBFIELD}by_post"):
            answers[key] = {"by_post": True}
    return answers


@dataclass
class AnswerRow:
    label: str
    text: str
    block: Block
    value: object = None

    @property
    def is_document(self) -> bool:
        return self.block.type == "document"

    @property
    def by_post(self) -> bool:
        return isinstance(self.value, dict) and bool(self.value.get("by_post"))


def answer_text(block: Block, value) -> str:
    if value is None:
        return ""
    match block.type:
        case "yes_no":
            return _("Yes") if value else _("No")
        case "consent":
            return _("Yes") if value else _("No")
        case "date":
            return formats.date_format(date.fromisoformat(value), "j F Y")
        case "phone":
            return format_phone(value)
        case "multiple_choice":
            return ", ".join(value)
        case "address":
            return "\n".join(
                line
                for line in (
                    value.get("street"),
                    f"{value.get('postcode', '')} {value.get('city', '')}".strip(),
                )
                if line
            )
        case "member":
            return f"{value.get('first_name', '')} {value.get('last_name', '')}".strip()
        case "document":
            if value.get("by_post"):
                return _("Will be sent by post")
            return value.get("name", "")
        case _:
            return str(value)


def answer_rows(steps: list[Step], data: dict) -> list[tuple[Step, list[AnswerRow]]]:
    """The answers under their labels, step by step, in form order."""
    result = []
    for step in steps:
        rows = [
            AnswerRow(
                label=block.label,
                text=answer_text(block, data.get(block.key)),
                block=block,
                value=data.get(block.key),
            )
            for block in step.blocks
            if block.is_input and block.key in data
        ]
        if rows:
            result.append((step, rows))
    return result


def render_block_preview(block_type: str, value) -> str:
    """A field block as the citizen sees it, for the admin's previews."""
    block = Block(type=block_type, value=dict(value or {}))
    if not block.key:
        block.value["key"] = make_key(block.label)
    if block.type == "member":
        from types import SimpleNamespace

        context = FillContext()
        context.__dict__["household"] = [
            Member("self", "Camille", "Martin", date(1985, 4, 2), False),
            Member("1", "Léa", "Martin", date(2016, 9, 14), True),
        ]
        context.account = SimpleNamespace()
    else:
        context = FillContext()
    block.value.pop("condition", None)
    builder = StepFormBuilder(Step(title="", blocks=[block]), context)
    form = builder.get_form(prefix="preview")
    return render_to_string("services/step_fields.html", {"form": form, "preview": True})
