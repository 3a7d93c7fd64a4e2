"""A démarche's price, computed from the answers by its price lines
(``fees.blocks.PriceLineBlock``, as stored: dicts). Pure functions: the
same lines and answers always give the same price, whatever the browser
sent, and the total is the sum of the lines."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from services.extensions import Quote, QuoteLine
from services.fields.schema import Block, normalise
from services.routing import routing_rule_errors

from .blocks import DIFFERS

CENT = Decimal("0.01")
#: More than this many units of a line is refused as a typing mistake.
MAX_QUANTITY = Decimal("10000")


def decimal_of(value) -> Decimal | None:
    """A stored amount or number as a ``Decimal``, or ``None``."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _applies(line: dict, answers: dict, blocks: dict[str, Block]) -> bool:
    key = (line.get("condition_field") or "").strip()
    if not key:
        return True
    block, answer = blocks.get(key), answers.get(key)
    matched = (
        block is not None
        and block.field_type is not None
        and answer is not None
        and block.field_type.stored_matches(block, answer, line.get("condition_value") or "")
    )
    return not matched if line.get("condition_operator") == DIFFERS else matched


def _unit(line: dict, answers: dict) -> tuple[Decimal | None, str]:
    """The unit price of a line and the choice it was found by."""
    key = (line.get("choice_field") or "").strip()
    if not key:
        return decimal_of(line.get("amount")), ""
    answer = answers.get(key)
    chosen = answer if isinstance(answer, list) else [answer] if answer is not None else []
    prices = {
        normalise(entry.get("option") or ""): decimal_of(entry.get("amount"))
        for entry in line.get("choice_prices") or []
    }
    found = [(str(c), prices[normalise(c)]) for c in chosen if prices.get(normalise(c)) is not None]
    if not found:
        return None, ""
    return sum((price for _c, price in found), Decimal("0")), ", ".join(c for c, _p in found)


def _quantity(line: dict, answers: dict) -> Decimal | None:
    key = (line.get("quantity_field") or "").strip()
    if not key:
        return Decimal("1")
    quantity = decimal_of(answers.get(key))
    if quantity is None or quantity <= 0 or quantity > MAX_QUANTITY:
        return None
    return quantity


def quote_of(lines: list[dict], answers: dict, blocks: dict[str, Block], *, when: str) -> Quote:
    """The price of ``answers`` by the price ``lines``, for a form of these
    ``blocks`` (by key): each line that applies and finds its unit price and
    quantity in the answers."""
    found = []
    for line in lines:
        if not _applies(line, answers, blocks):
            continue
        unit, choice = _unit(line, answers)
        quantity = _quantity(line, answers)
        if unit is None or unit < 0 or quantity is None:
            continue
        unit = unit.quantize(CENT, rounding=ROUND_HALF_UP)
        label = (line.get("label") or "").replace("{choix}", choice)
        label = label.replace("{quantite}", f"{quantity.normalize():f}").strip()
        found.append(QuoteLine(label=label or choice or _("Price"), quantity=quantity, unit=unit))
    return Quote(lines=tuple(found), when=when)


def line_problems(lines: list[dict], blocks: dict[str, Block]) -> list[str]:
    """Why price lines cannot work with a form of these ``blocks``: each
    names a field of the form, of the right kind, and the answers it offers."""
    problems = []
    for number, line in enumerate(lines, start=1):
        name = line.get("label") or str(number)
        prefix = _("Price line “%(name)s”") % {"name": name}

        def problem(text, prefix=prefix):
            problems.append(_("%(line)s: %(problem)s") % {"line": prefix, "problem": text})

        choice_key = (line.get("choice_field") or "").strip()
        if not choice_key and decimal_of(line.get("amount")) is None:
            problem(_("give a unit price, or the prices of a choice."))
        if choice_key:
            block = blocks.get(choice_key)
            if block is None or block.field_type is None:
                problem(_("the form has no field “%(key)s”.") % {"key": choice_key})
            elif block.field_type.offered_answers(block) is None:
                problem(_("the field “%(label)s” offers no choices.") % {"label": block.label})
            else:
                if not line.get("choice_prices"):
                    problem(_("give the price of its choices."))
                for entry in line.get("choice_prices") or []:
                    errors = routing_rule_errors(
                        blocks=blocks, field=choice_key, value=entry.get("option") or ""
                    )
                    for error in errors.values():
                        problem(error)
        quantity_key = (line.get("quantity_field") or "").strip()
        if quantity_key:
            block = blocks.get(quantity_key)
            if block is None:
                problem(_("the form has no field “%(key)s”.") % {"key": quantity_key})
            elif block.type != "number":
                problem(_("the field “%(label)s” is not a number field.") % {"label": block.label})
        condition_key = (line.get("condition_field") or "").strip()
        if condition_key and condition_key not in blocks:
            problem(_("the form has no field “%(key)s”.") % {"key": condition_key})
        elif condition_key:
            errors = routing_rule_errors(
                blocks=blocks, field=condition_key, value=line.get("condition_value") or ""
            )
            for error in errors.values():
                problem(error)
    return problems


def example_answers(lines: list[dict], blocks: dict[str, Block]) -> dict:
    """Answers that make every line count, for the admin's example: the
    first priced choice, two units, the condition's own answer."""
    answers = {}
    for line in lines:
        choice_key = (line.get("choice_field") or "").strip()
        prices = line.get("choice_prices") or []
        if choice_key and prices and choice_key not in answers:
            block = blocks.get(choice_key)
            option = prices[0].get("option") or ""
            answers[choice_key] = (
                [option] if block is not None and block.type == "multiple_choice" else option
            )
        quantity_key = (line.get("quantity_field") or "").strip()
        if quantity_key:
            answers.setdefault(quantity_key, 2)
        condition_key = (line.get("condition_field") or "").strip()
        block = blocks.get(condition_key)
        if block is not None and line.get("condition_operator") != DIFFERS:
            value = line.get("condition_value") or ""
            if block.type == "yes_no":
                answers.setdefault(condition_key, normalise(value) in ("oui", "yes", "true", "1"))
            elif block.type == "multiple_choice":
                answers.setdefault(condition_key, [value])
            else:
                answers.setdefault(condition_key, value)
    return answers
