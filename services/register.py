"""The register of processing activities of a commune (GDPR article 30),
kept for its data protection officer: one processing per live démarche, with
the categories of data read from its form, and the portal's own processings
(citizen accounts, invoices and payments, the agents' log)."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail.models import Site

from accounts.retention import INACTIVITY_DELETION_MONTHS, INACTIVITY_WARNING_MONTHS
from cms.models import CommuneSettings, LegalBasis
from cms.placeholders import fill_placeholders, placeholder_values

from .blocks import FieldsBlock
from .models import ServicePage, ServiceSettings
from .retention import AGENTS_LOG_RETENTION_MONTHS, DRAFT_RETENTION_DAYS

SECURITY_MEASURES = gettext_lazy(
    "Access limited to the commune's agents according to their role, with a second "
    "factor for staff accounts; encrypted connections (HTTPS, HSTS); hashed passwords; "
    "documents in private storage, served only after a permission check; agents' "
    "actions logged; automatic erasure at the end of the retention period."
)
NO_TRANSFER = gettext_lazy("No transfer")


@dataclass
class Processing:
    """One line of the register."""

    name: str
    purpose: str
    legal_basis: str
    data_subjects: str
    data_categories: str
    recipients: str
    retention: str
    transfers: str = field(default_factory=lambda: str(NO_TRANSFER))
    security: str = field(default_factory=lambda: str(SECURITY_MEASURES))
    page: ServicePage | None = None

    @property
    def data_category_lines(self) -> list[str]:
        return [line for line in self.data_categories.split("\n") if line]


def _type_labels() -> dict[str, str]:
    return {name: str(block.label) for name, block in FieldsBlock().child_blocks.items()}


def data_categories(page: ServicePage) -> str:
    """What the live form of the démarche collects: its fields (label and
    type), then its supporting documents, one category per line."""
    types = _type_labels()
    fields, documents = [], []
    for step in page.steps:
        for block in step.blocks:
            if not block.is_input:
                continue
            if block.field_type.is_document:
                documents.append(block.label)
            else:
                fields.append(f"{block.label} ({types.get(block.type, block.type).lower()})")
    identity = (
        _("Identity and contact details of the account holder")
        if page.requires_account
        else _("Identity and contact details given by the requester (name, e-mail, phone)")
    )
    lines = [identity, *fields]
    if documents:
        lines.append(_("Supporting documents: %(documents)s") % {"documents": ", ".join(documents)})
    lines.append(_("Messages exchanged with the town hall and history of the request"))
    return "\n".join(lines)


def retention_text(months: int) -> str:
    return ngettext(
        "%(months)s month after the request is decided or closed, then anonymised "
        "(answers, documents and messages erased); unsent drafts deleted after "
        "%(days)s days without change",
        "%(months)s months after the request is decided or closed, then anonymised "
        "(answers, documents and messages erased); unsent drafts deleted after "
        "%(days)s days without change",
        months,
    ) % {"months": months, "days": DRAFT_RETENTION_DAYS}


def recipients_text(commune: CommuneSettings) -> str:
    return _("The agents of %(phrase)s in charge of the démarche") % {
        "phrase": commune.phrase or commune.official_name
    }


def live_services(*, site: Site):
    """The commune's live démarches, in title order; a translation of a
    démarche is the same processing, listed once in the site's language."""
    return (
        ServicePage.objects.live()
        .descendant_of(site.root_page, inclusive=False)
        .filter(locale_id=site.root_page.locale_id)
        .order_by("title", "pk")
    )


def procedure_processing(
    page: ServicePage, commune: CommuneSettings, settings: ServiceSettings
) -> Processing:
    values = placeholder_values(commune=commune, site=commune.site)
    return Processing(
        name=page.title,
        purpose=fill_placeholders(page.processing_purpose or page.summary, values),
        legal_basis=str(LegalBasis(page.legal_basis).label),
        data_subjects=fill_placeholders(page.data_subjects_display, values),
        data_categories=data_categories(page),
        recipients=recipients_text(commune),
        retention=retention_text(page.retention_for(settings)),
        page=page,
    )


def portal_processings(commune: CommuneSettings) -> list[Processing]:
    """What the portal itself processes, whatever the démarches."""
    return [
        Processing(
            name=_("Citizen accounts and households"),
            purpose=_(
                "Let citizens hold one account for their household to make their "
                "démarches, follow them and pay their invoices online"
            ),
            legal_basis=str(LegalBasis.PUBLIC_TASK.label),
            data_subjects=_("Citizens holding an account and the members of their household"),
            data_categories="\n".join(
                [
                    _("Identity: first and last name, date of birth, identifier"),
                    _("Contact details: e-mail address, phone, postal address"),
                    _("Household members: names, dates of birth, relationship"),
                    _("Connection data: password (hashed), dates of registration and sign-in"),
                ]
            ),
            recipients=_("The agents of %(phrase)s who validate accounts")
            % {"phrase": commune.phrase or commune.official_name},
            retention=_(
                "Until the citizen deletes the account; an account unused for "
                "%(warning)s months is warned by e-mail, then deleted at %(deletion)s "
                "months (staff accounts excepted)"
            )
            % {"warning": INACTIVITY_WARNING_MONTHS, "deletion": INACTIVITY_DELETION_MONTHS},
        ),
        Processing(
            name=_("Invoices and online payments"),
            purpose=_(
                "Show households the invoices of the commune's services and collect "
                "their payment online"
            ),
            legal_basis=str(LegalBasis.PUBLIC_TASK.label),
            data_subjects=_("Households billed and payers"),
            data_categories="\n".join(
                [
                    _("Payer's name and e-mail address"),
                    _("Invoices: number, service, amount, dates, status"),
                    _(
                        "Payments: order number, amount, date, result; card details are "
                        "entered on the public payment service only and never stored"
                    ),
                ]
            ),
            recipients=_(
                "The agents of the commune's collection offices (régies); the public "
                "accountant and the public payment service (DGFiP) for the payments"
            ),
            retention=_("As long as the rules of public accounting require"),
        ),
        Processing(
            name=_("Log of the agents' actions"),
            purpose=_(
                "Trace who opened, changed, exported or downloaded citizens' data, "
                "to secure them and answer for their use"
            ),
            legal_basis=str(LegalBasis.LEGAL_OBLIGATION.label),
            data_subjects=_("The commune's agents"),
            data_categories=_(
                "Agent's name, action, date and time, object concerned (request number, account)"
            ),
            recipients=_("The supervisors of the commune"),
            retention=_("%(months)s months, then deleted")
            % {"months": AGENTS_LOG_RETENTION_MONTHS},
        ),
    ]


def processing_register(*, site: Site) -> list[Processing]:
    """Every processing of the commune: its démarches, then the portal's."""
    commune = CommuneSettings.for_site(site)
    settings = ServiceSettings.for_site(site)
    return [
        *(procedure_processing(page, commune, settings) for page in live_services(site=site)),
        *portal_processings(commune),
    ]
