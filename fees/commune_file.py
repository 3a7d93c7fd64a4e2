"""The prices' part of a commune file (``cms.commune_file``): each priced
démarche's price lines, label, payment time and régie, by the démarche's
address and the régie's name (the parts of ``services`` and ``payments``
are read first). Requests' payments never travel."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cms.commune_file import UNKNOWN_PART, WRONG_TYPE, Exporter, Importer
from payments.models import Regie
from services.models import ServiceIndexPage, ServicePage
from services.routing import input_blocks

from .models import DemarcheFee, raw_line
from .pricing import line_problems

FEE_KEYS = ("demarche", "regie", "label", "when", "pay_within_days", "lines")
UNKNOWN_DEMARCHE = gettext_lazy("The commune has no démarche at “%(slug)s”.")
UNKNOWN_REGIE = gettext_lazy("The commune has no régie named “%(name)s”.")


def fees_export(exporter: Exporter) -> dict:
    fees = DemarcheFee.objects.filter(site=exporter.site).select_related("page", "regie")
    return {
        "fees": [
            {
                "demarche": fee.page.slug,
                "regie": fee.regie.name,
                "label": fee.label,
                "when": fee.when,
                "pay_within_days": fee.pay_within_days,
                "lines": _lines(exporter.stream(fee.lines)),
            }
            for fee in fees.order_by("page__slug")
        ]
    }


def _lines(lines: list) -> list:
    """The price lines without the empty choice prices a line written
    without any keeps (a list block's default item)."""
    for line in lines:
        prices = line["value"].get("choice_prices") or []
        line["value"]["choice_prices"] = [price for price in prices if price.get("option")]
    return lines


def fees_import(importer: Importer, part) -> None:
    path = "parts.fees"
    if not isinstance(part, dict) or not isinstance(part.get("fees", []), list):
        importer.error(path, WRONG_TYPE)
    for name in part:
        if name != "fees":
            importer.error(f"{path}.{name}", UNKNOWN_PART)
    index = ServiceIndexPage.objects.descendant_of(importer.site.root_page).first()
    for number, entry in enumerate(part.get("fees", [])):
        here = f"{path}.fees[{number}]"
        if not isinstance(entry, dict):
            importer.error(here, WRONG_TYPE)
        for name in entry:
            if name not in FEE_KEYS:
                importer.error(f"{here}.{name}", UNKNOWN_PART)
        slug, regie_name = entry.get("demarche"), entry.get("regie")
        page = ServicePage.objects.child_of(index).filter(slug=slug).first() if index else None
        if page is None:
            importer.error(f"{here}.demarche", UNKNOWN_DEMARCHE % {"slug": slug})
        regie = Regie.objects.filter(site=importer.site, name=regie_name).first()
        if regie is None:
            importer.error(f"{here}.regie", UNKNOWN_REGIE % {"name": regie_name})
        values = importer.fields(
            DemarcheFee,
            {name: entry[name] for name in ("label", "when", "pay_within_days") if name in entry},
            ("label", "when", "pay_within_days"),
            here,
        )
        lines = importer.stream(
            DemarcheFee._meta.get_field("lines").stream_block,
            entry.get("lines") or [],
            f"{here}.lines",
        )
        problems = line_problems(
            [raw_line(item.get("value") or {}) for item in lines],
            input_blocks(page.specific.steps),
        )
        if problems:
            importer.error(f"{here}.lines", problems[0])
        fee = DemarcheFee.objects.filter(page=page).first()
        was_there = fee is not None
        fee = fee or DemarcheFee(site=importer.site, page=page)
        for name, value in values.items():
            setattr(fee, name, value)
        fee.regie = regie
        fee.lines = lines
        fee.save()
        (importer.replaced if was_there else importer.created)(_("price"), page.title)
