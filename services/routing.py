"""Which municipal service processes a request: the démarche's routing rules
("field = answer → service"), in order, the first that matches the answers
winning, else the démarche's own service.

Rules compare answers as the form's conditions do: each field type says
which answers it offers and whether a stored answer matches
(``FieldType.offered_answers``, ``FieldType.stored_matches``).
"""

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from .fields.schema import Block, Step
from .models import MunicipalService, ServicePage

ROUTING_FIELD_UNKNOWN = _(
    "The form has no field “%(key)s”: a routing rule names the key of one of its fields."
)
ROUTING_VALUE_UNKNOWN = _(
    "The field “%(label)s” does not offer the answer “%(value)s”. Its answers: %(answers)s."
)


def input_blocks(steps: Iterable[Step]) -> dict[str, Block]:
    """The fields of a form that ask something, by key."""
    return {
        block.key: block for step in steps for block in step.blocks if block.is_input and block.key
    }


def routing_rule_errors(*, blocks: dict[str, Block], field: str, value: str) -> dict[str, str]:
    """What is wrong with the rule "``field`` = ``value``" for a form of these
    ``blocks``, by the rule's field (``field`` or ``value``); empty when it
    can match."""
    block = blocks.get(field)
    if block is None:
        return {"field": ROUTING_FIELD_UNKNOWN % {"key": field}}
    field_type = block.field_type
    offered = field_type.offered_answers(block)
    if offered is not None and not any(
        field_type.matches(block, [raw], value) for raw, _label in offered
    ):
        return {
            "value": ROUTING_VALUE_UNKNOWN
            % {
                "label": block.label,
                "value": value,
                "answers": ", ".join(f"« {label} »" for _raw, label in offered),
            }
        }
    return {}


def submission_route(
    *, page: ServicePage | None, steps: list[Step], data: dict
) -> MunicipalService | None:
    """The service a request of ``page`` with these answers goes to: that of
    the first routing rule its answers match, else the démarche's (``None``:
    every agent of the commune)."""
    if page is None:
        return None
    blocks = input_blocks(steps)
    for rule in page.routing_rules.select_related("service").order_by("sort_order", "pk"):
        block = blocks.get(rule.field)
        if block is None or data.get(rule.field) is None:
            continue
        if block.field_type.stored_matches(block, data[rule.field], rule.value):
            return rule.service
    return page.municipal_service
