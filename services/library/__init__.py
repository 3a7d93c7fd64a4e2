"""The catalogue of démarche models shipped with the portal ("Modèles de
démarches"): démarche files (``services.exchange``) a commune installs as
drafts to adapt, rather than starting from an empty page.

Each model is a file of ``models/`` named after its slug, whose texts name the
commune with placeholders (``{commune}``, ``{mairie}``, ``{portail}``) and
carry no document. ``MODELS`` lists them with their version, a whole number
raised whenever the file changes in a way a commune should hear of; the
version a file replaced stays in ``models/previous/<slug>.<version>.json``.

A copy installed in a commune remembers the model, the version and the very
document it came from (``DemarcheCopy``), so that what a newer version
changes can be shown against it (``services.library.changes``) and applied
as a draft revision the commune reviews before publishing.
"""

from copy import deepcopy
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail.models import Revision, Site

from ..exchange import DemarcheFileError, demarche_check, demarche_import, demarche_loads
from ..models import DemarcheCopy, ServiceIndexPage, ServicePage

MODELS_DIR = Path(__file__).resolve().parent / "models"
PREVIOUS_DIR = MODELS_DIR / "previous"

UNKNOWN_MODEL = _("There is no démarche model “%(slug)s”.")
NO_INDEX = _("The commune has no page of démarches to install the model under.")
ALREADY_INSTALLED = _("The commune already has a copy of this model: “%(title)s”.")
UP_TO_DATE = _("This copy already follows the latest version of its model.")
#: Texts of the page a new version of a model replaces; the address stays.
UPDATED_FIELDS = (
    "title",
    "category",
    "summary",
    "requires_account",
    "requires_franceconnect",
    "duration_minutes",
    "intro",
    "documents",
    "confirmation",
    "processing_purpose",
    "legal_basis",
    "data_subjects",
    "retention_months",
)
PAGE_DEFAULTS = {"requires_franceconnect": False, "duration_minutes": None}


@dataclass(frozen=True)
class DemarcheModel:
    slug: str
    version: int
    description: str

    @property
    def document(self) -> dict:
        return model_document(self.slug, self.version)

    @property
    def title(self) -> str:
        return self.document["page"]["title"]

    @property
    def category(self) -> str:
        return self.document["page"]["category"]


MODELS = (
    DemarcheModel(
        "acte-de-naissance",
        1,
        "Copie intégrale ou extrait d'un acte de naissance, sans compte, envoyé par courrier.",
    ),
    DemarcheModel(
        "acte-de-mariage",
        1,
        "Copie intégrale ou extrait d'un acte de mariage, avec le justificatif du lien "
        "demandé selon le cas.",
    ),
    DemarcheModel(
        "acte-de-deces",
        1,
        "Copie intégrale d'un acte de décès, ouverte à toute personne, sans compte.",
    ),
    DemarcheModel(
        "inscription-scolaire",
        1,
        "Première inscription ou changement d'école, dérogation au secteur, pièces "
        "justificatives (à adapter : liste des écoles).",
    ),
    DemarcheModel(
        "restauration-et-periscolaire",
        1,
        "Cantine, accueils du matin, du soir et du mercredi, allergies et autorisations.",
    ),
    DemarcheModel(
        "reservation-de-salle",
        1,
        "Location d'une salle pour une fête ou une réunion, tarif habitant, assurance "
        "(à adapter : liste des salles).",
    ),
    DemarcheModel(
        "signalement-voirie",
        2,
        "Nid-de-poule, éclairage, dépôt sauvage : un signalement aux services techniques, "
        "avec photo. Version 2 : depuis quand le problème est constaté.",
    ),
    DemarcheModel(
        "concession-cimetiere",
        1,
        "Achat ou renouvellement d'une concession funéraire, durée et type.",
    ),
    DemarcheModel(
        "marche-de-noel",
        1,
        "Emplacement d'exposant sur un marché de Noël : stand, électricité, assurance.",
    ),
    DemarcheModel(
        "attestation-d-accueil",
        1,
        "Validation par le maire de l'attestation d'accueil d'un visiteur étranger "
        "(CESEDA, art. L. 313-1), logement, séjour, timbre fiscal.",
    ),
    DemarcheModel(
        "occupation-du-domaine-public",
        1,
        "Terrasse, échafaudage, benne, dépôt de matériaux : autorisation temporaire et "
        "redevance (CG3P, art. L. 2122-1).",
    ),
    DemarcheModel(
        "permis-de-detention-chien",
        1,
        "Permis de détention d'un chien de 1re ou 2e catégorie : aptitude, évaluation "
        "comportementale, assurance (Code rural, art. L. 211-14).",
    ),
    DemarcheModel(
        "accueil-de-loisirs",
        1,
        "Inscription d'un enfant aux mercredis et aux vacances : périodes, santé, "
        "autorisations, quotient familial.",
    ),
    DemarcheModel(
        "carte-de-stationnement-resident",
        1,
        "Carte de stationnement à tarif résident : domicile, véhicule, justificatifs "
        "(à adapter : secteurs).",
    ),
    DemarcheModel(
        "transports-scolaires",
        1,
        "Inscription au car scolaire : établissement, arrêt, trajets, résidence alternée.",
    ),
    DemarcheModel(
        "subvention-association",
        2,
        "Demande de subvention de fonctionnement ou de projet, budget et pièces "
        "(loi du 12 avril 2000, Cerfa n° 12156).",
    ),
    DemarcheModel(
        "pret-de-materiel",
        1,
        "Prêt de tables, chaises, barnums ou barrières pour une manifestation, retrait et "
        "retour (à adapter : matériel disponible).",
    ),
    DemarcheModel(
        "recensement-citoyen",
        1,
        "Recensement des jeunes Français à 16 ans et attestation de recensement "
        "(Code du service national, art. L. 113-1).",
    ),
    DemarcheModel(
        "debit-de-boissons-temporaire",
        1,
        "Buvette temporaire d'une association : groupes de boissons, nombre "
        "d'autorisations par an (Code de la santé publique, art. L. 3334-2).",
    ),
)


def demarche_models(*, category: str = "") -> list[DemarcheModel]:
    """The models, in the catalogue's order; those of ``category`` if given."""
    return [m for m in MODELS if not category or m.category == category]


def demarche_model(slug: str) -> DemarcheModel:
    for candidate in MODELS:
        if candidate.slug == slug:
            return candidate
    raise DemarcheFileError(UNKNOWN_MODEL % {"slug": slug})


def model_categories() -> list[str]:
    return sorted({m.category for m in MODELS})


@cache
def _read(path: Path) -> dict:
    """The checked document of a model file, read once per process."""
    return demarche_loads(path.read_text(encoding="utf-8"))


def model_document(slug: str, version: int | None = None) -> dict:
    """The démarche file of the model ``slug``, in its current version or in
    an earlier one the catalogue kept; a fresh dictionary each time."""
    current = demarche_model(slug)
    if version is None or version == current.version:
        path = MODELS_DIR / f"{slug}.json"
    else:
        path = PREVIOUS_DIR / f"{slug}.{version}.json"
    return deepcopy(_read(path))


def services_index(site: Site) -> ServiceIndexPage | None:
    return ServiceIndexPage.objects.descendant_of(site.root_page).order_by("depth").first()


def copies_for_site(site: Site):
    """The commune's démarches installed from the catalogue, by model."""
    return DemarcheCopy.objects.filter(site=site).select_related("page")


def _free_slug(index: ServiceIndexPage, slug: str) -> str:
    taken = set(ServicePage.objects.child_of(index).values_list("slug", flat=True))
    candidate, number = slug, 1
    while candidate in taken:
        number += 1
        candidate = f"{slug}-{number}"
    return candidate


@transaction.atomic
def demarche_model_install(
    *,
    site: Site,
    slug: str,
    user=None,
    publish: bool = False,
    version: int | None = None,
    adapt=None,
) -> ServicePage:
    """Install the model ``slug`` into the commune as a draft (published with
    ``publish``) under its services index, and remember where it came from.

    A commune holds one copy of a model: a second is refused
    (``ALREADY_INSTALLED``). A page of the commune already at the model's
    address gives the copy the next free one (``…-2``). ``adapt(document)``
    may change the document before it is imported (the demo fills in its
    schools); the copy remembers the model's own document.
    """
    model = demarche_model(slug)
    index = services_index(site)
    if index is None:
        raise DemarcheFileError(NO_INDEX)
    existing = copies_for_site(site).filter(model=slug).first()
    if existing is not None:
        raise DemarcheFileError(ALREADY_INSTALLED % {"title": existing.page.title})
    version = version or model.version
    document = model_document(slug, version)
    imported = model_document(slug, version)
    if adapt is not None:
        imported = adapt(imported)
    imported["page"]["slug"] = _free_slug(index, imported["page"]["slug"])
    page = demarche_import(index=index, document=imported, publish=publish)
    if user is not None:
        Revision.objects.filter(pk=page.latest_revision_id).update(user=user)
    DemarcheCopy.objects.create(
        site=site,
        page=page,
        model=slug,
        version=version,
        document=document,
        revision_id=page.latest_revision_id,
    )
    return page


def newer_version(copy: DemarcheCopy) -> DemarcheModel | None:
    """The model of ``copy``, if it now has a newer version than the copy's."""
    try:
        model = demarche_model(copy.model)
    except DemarcheFileError:
        return None
    return model if model.version > copy.version else None


def copy_edited(copy: DemarcheCopy) -> bool:
    """Whether the commune changed its copy since it was installed or updated."""
    return copy.page.latest_revision_id != copy.revision_id


@transaction.atomic
def demarche_copy_update(*, copy: DemarcheCopy, user=None) -> Revision:
    """Apply the latest version of the copy's model as a new draft revision
    of the page, for the commune to review and publish: the model's texts,
    settings and form replace the page's; its address, processing and
    workflow stay. Never publishes."""
    model = newer_version(copy)
    if model is None:
        raise DemarcheFileError(UP_TO_DATE)
    document = model.document
    demarche_check(document)
    page = copy.page.specific.get_latest_revision_as_object()
    fields = document["page"]
    for name in UPDATED_FIELDS:
        setattr(page, name, fields.get(name, PAGE_DEFAULTS.get(name)))
    page.form = document["form"]
    revision = page.save_revision(user=user, log_action=True)
    copy.version = model.version
    copy.document = document
    copy.revision_id = revision.pk
    copy.save(update_fields=["version", "document", "revision_id"])
    return revision


ALL = "all"
NONE = "none"
INSTALLED_DRAFT = _("démarche %(title)s (draft)")


def demarche_models_choices() -> list[tuple[str, str]]:
    """The models a new commune may receive: (slug, title)."""
    return [(m.slug, m.title) for m in MODELS]


def chosen_models(choice) -> list[DemarcheModel]:
    """The models a choice names: ``"all"`` (alone or in a list), ``"none"``
    or nothing, a slug or a list of slugs; an unknown slug is refused."""
    if not choice or choice == NONE:
        return []
    slugs = [choice] if isinstance(choice, str) else list(choice)
    if ALL in slugs:
        return list(MODELS)
    return [demarche_model(slug) for slug in dict.fromkeys(slugs) if slug != NONE]


def install_demarche_models(site: Site, choice) -> list[str]:
    """Install the models ``choice`` names into a new commune, as drafts
    (``cms.extensions.CommuneInstallable``); one description each."""
    return [
        str(INSTALLED_DRAFT % {"title": demarche_model_install(site=site, slug=m.slug).title})
        for m in chosen_models(choice)
    ]
