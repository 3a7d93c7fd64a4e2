"""The household member a request is about."""

from datetime import date
from types import SimpleNamespace

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .base import FieldType, field_options
from .blocks import FieldBlock
from .context import FillContext, Member
from .registry import registry


class HouseholdMemberBlock(FieldBlock):
    who = blocks.ChoiceBlock(
        choices=[
            ("anyone", _("Anyone in the household")),
            ("children", _("Children only")),
            ("adults", _("Adults only")),
        ],
        default="anyone",
        label=_("Who can be chosen"),
    )

    class Meta:
        icon = "group"
        label = _("Household member")
        help_text = _(
            "The person the request is about, chosen from the account's household. "
            "The first such field decides whom the request concerns."
        )
        preview_value = {"label": "Pour quel enfant ?", "who": "children", "required": True}


@registry.register
class HouseholdMember(FieldType):
    """Chosen among the account holder ("self") and their household; stored
    as the person's id (``None`` for the holder), names and date of birth, so
    that the request keeps them if the household changes. Left out of a form
    filled in without an account."""

    name = "member"
    block_class = HouseholdMemberBlock
    chooses_member = True
    needs_account = True

    def form_fields(self, block, context):
        who = block.value.get("who") or "anyone"
        members = [
            m for m in context.household if who == "anyone" or (who == "children") == m.is_child
        ]
        choices = [
            (m.id, gettext("Myself (%(name)s)") % {"name": m.name} if m.id == "self" else m.name)
            for m in members
        ]
        return {
            block.key: forms.ChoiceField(
                choices=choices, widget=forms.RadioSelect, **field_options(block)
            )
        }

    def preview_context(self):
        context = FillContext(account=SimpleNamespace())
        context.__dict__["household"] = [
            Member("self", "Camille", "Martin", date(1985, 4, 2), False),
            Member("1", "Léa", "Martin", date(2016, 9, 14), True),
        ]
        return context

    def example_input(self, key):
        return {key: ["1"]}

    def answer(self, block, cleaned, context):
        member = context.member(cleaned.get(block.key))
        if member is None:
            return None
        return {
            "id": None if member.id == "self" else int(member.id),
            "first_name": member.first_name,
            "last_name": member.last_name,
            "birth_date": member.birth_date.isoformat() if member.birth_date else None,
        }

    def text(self, block, value):
        return f"{value.get('first_name', '')} {value.get('last_name', '')}".strip()

    def reload(self, block, value):
        return {block.key: ["self" if value.get("id") is None else str(value["id"])]}
