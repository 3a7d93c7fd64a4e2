"""Who fills a form in, and what they answered elsewhere: what field types
read beyond their own block."""

from dataclasses import dataclass, field
from datetime import date

from django.utils.functional import cached_property

from .schema import Block


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

    #: What the account's prefills read that FranceConnect certifies.
    CERTIFIED_SOURCES = frozenset({"first_name", "last_name", "birth_date"})

    def certified(self, prefill: str) -> bool:
        """Whether a field prefilled from ``prefill`` shows an answer certified
        by FranceConnect (the account's names and date of birth, once linked)."""
        return (
            prefill in self.CERTIFIED_SOURCES
            and getattr(self.account, "certified_identity", None) is not None
        )

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
            if block.field_type.chooses_member:
                values = self.raw.get(key) or []
                return self.member(values[0]) if values else None
        return None
