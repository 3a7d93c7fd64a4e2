"""What a new version of a démarche model changes, told to the staff who
apply it: steps, fields (by their key), texts and settings, not JSON."""

from dataclasses import dataclass

from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from ..fields import registry
from ..models import ServicePage

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"
#: Characters of a long text shown before and after.
SHOWN = 300
#: Settings of a field compared between versions, with how each is named.
FIELD_SETTINGS = ("help_text", "required", "choices", "condition", "required_when", "types")


@dataclass(frozen=True)
class Change:
    kind: str  # ADDED, REMOVED or CHANGED
    what: str
    before: str = ""
    after: str = ""


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dict):
        if not value.get("field"):
            return "—"
        return _("when “%(field)s” is “%(value)s”") % value
    if isinstance(value, list):
        return ", ".join(map(str, value))
    text = " ".join(strip_tags(str(value)).split())
    return Truncator(text).chars(SHOWN)


def _setting_name(name: str) -> str:
    return {
        "help_text": _("help text"),
        "required": _("required"),
        "choices": _("choices"),
        "condition": _("shown"),
        "required_when": _("required when"),
        "types": _("file types"),
    }.get(name, name)


def _steps(document: dict) -> list[dict]:
    return [step["value"] for step in document.get("form", []) if step.get("type") == "step"]


def _fields(document: dict) -> dict[str, tuple[str, dict]]:
    """Each field of the form by its key: its step's title and the field."""
    return {
        field["value"]["key"]: (step.get("title", ""), field)
        for step in _steps(document)
        for field in step.get("fields", [])
        if isinstance(field.get("value"), dict) and field["value"].get("key")
    }


def _help_texts(document: dict) -> dict[str, list[str]]:
    return {
        _text(field["value"].get("heading", "") + " " + field["value"].get("text", "")): [
            step.get("title", "")
        ]
        for step in _steps(document)
        for field in step.get("fields", [])
        if field.get("type") == "help"
    }


def demarche_changes(before: dict, after: dict) -> list[Change]:
    """The changes from the démarche file ``before`` to ``after``: the page's
    texts and settings, its steps (by position), its fields (by key: added,
    removed, relabelled, moved, retyped, their settings) and its help texts."""
    changes: list[Change] = []
    old_page, new_page = before.get("page", {}), after.get("page", {})
    for name in dict.fromkeys([*old_page, *new_page]):
        if name == "slug" or old_page.get(name) == new_page.get(name):
            continue
        label = str(ServicePage._meta.get_field(name).verbose_name)
        changes.append(
            Change(
                CHANGED,
                _("Page: %(field)s") % {"field": label},
                _text(old_page.get(name)),
                _text(new_page.get(name)),
            )
        )

    old_steps, new_steps = _steps(before), _steps(after)
    for number, (old, new) in enumerate(zip(old_steps, new_steps, strict=False), start=1):
        if old.get("title") != new.get("title"):
            changes.append(
                Change(
                    CHANGED,
                    _("Step %(number)d renamed") % {"number": number},
                    old.get("title", ""),
                    new.get("title", ""),
                )
            )
    for number, step in enumerate(new_steps[len(old_steps) :], start=len(old_steps) + 1):
        changes.append(
            Change(ADDED, _("Step %(number)d added") % {"number": number}, "", step["title"])
        )
    for number, step in enumerate(old_steps[len(new_steps) :], start=len(new_steps) + 1):
        changes.append(
            Change(REMOVED, _("Step %(number)d removed") % {"number": number}, step["title"], "")
        )

    old_fields, new_fields = _fields(before), _fields(after)
    for key, (step, field) in new_fields.items():
        label = field["value"].get("label", key)
        if key not in old_fields:
            changes.append(
                Change(
                    ADDED,
                    _("Field “%(label)s” added to the step “%(step)s”")
                    % {"label": label, "step": step},
                    "",
                    label,
                )
            )
            continue
        changes += _field_changes(key, old_fields[key], (step, field))
    for key, (step, field) in old_fields.items():
        if key not in new_fields:
            label = field["value"].get("label", key)
            changes.append(
                Change(
                    REMOVED,
                    _("Field “%(label)s” removed from the step “%(step)s”")
                    % {"label": label, "step": step},
                    label,
                    "",
                )
            )

    old_help, new_help = _help_texts(before), _help_texts(after)
    for text in new_help.keys() - old_help.keys():
        changes.append(Change(ADDED, _("Help text added"), "", text))
    for text in old_help.keys() - new_help.keys():
        changes.append(Change(REMOVED, _("Help text removed"), text, ""))
    return changes


def _type_name(name: str) -> str:
    """A field type as the editor's menu names it."""
    field_type = registry.get(name)
    return str(field_type.block_class._meta_class.label) if field_type else name


def _field_changes(key: str, before: tuple[str, dict], after: tuple[str, dict]) -> list[Change]:
    (old_step, old), (new_step, new) = before, after
    old_value, new_value = old["value"], new["value"]
    label = new_value.get("label", key)
    changes = []
    if old_value.get("label") != new_value.get("label"):
        changes.append(
            Change(
                CHANGED,
                _("Field “%(key)s” relabelled") % {"key": key},
                old_value.get("label", ""),
                new_value.get("label", ""),
            )
        )
    if old_step != new_step:
        changes.append(
            Change(
                CHANGED,
                _("Field “%(label)s” moved to another step") % {"label": label},
                old_step,
                new_step,
            )
        )
    if old["type"] != new["type"]:
        changes.append(
            Change(
                CHANGED,
                _("Field “%(label)s”: kind of answer") % {"label": label},
                _type_name(old["type"]),
                _type_name(new["type"]),
            )
        )
    for name in FIELD_SETTINGS:
        if old_value.get(name) != new_value.get(name):
            changes.append(
                Change(
                    CHANGED,
                    _("Field “%(label)s”: %(setting)s")
                    % {"label": label, "setting": _setting_name(name)},
                    _text(old_value.get(name)),
                    _text(new_value.get(name)),
                )
            )
    return changes
