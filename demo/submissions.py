"""The demo requests: what the demo citizens typed in the démarches'
wizards, and what the agent answered.

Answers are given as the citizen would type them; ``demo.services`` checks
them with the démarche's real forms before sending them. The choices they
pick are those of the démarche files in ``demo/demarches/``.
"""

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, timedelta

BOTH_PARENTS = "Exercée par les deux parents"
AS_ASSOCIATION = "Pour une association"


@dataclass(frozen=True)
class Child:
    """A child of the requester's household, chosen in a member field."""

    first_name: str


@dataclass(frozen=True)
class Attached:
    """A small PDF attached to a document field."""

    name: str
    title: str


BY_POST = "by_post"


@dataclass
class DemoRequest:
    slug: str
    answers: dict
    account: str = ""
    """E-mail address of the demo citizen; empty for a request without account."""
    contact: tuple[str, str, str, str] = ()
    history: list[tuple[str, str]] = dataclass_field(default_factory=list)
    """The statuses the agent gave, in order, with the message to the citizen."""
    days_ago: int = 1


def _school(commune, index):
    return commune["schools"][min(index, len(commune["schools"]) - 1)]


def requests_of(*, commune: dict, today: date) -> list[DemoRequest]:
    """The demo requests of a demo commune (see ``demo.communes``), oldest first."""
    if commune["hostname"] == "carvin.localhost":
        requests = _carvin(commune, today)
    elif commune["hostname"] == "saint-andre-des-eaux.localhost":
        requests = _saint_andre(commune, today)
    else:
        requests = []
    return sorted(requests, key=lambda request: -request.days_ago)


def _carvin(commune, today):
    amelie = "amelie.lire@example.org"
    return [
        DemoRequest(
            slug="acte-de-naissance",
            contact=("Martine", "Dupont", "martine.dupont@example.org", "06 45 12 78 90"),
            answers={
                "type_acte": "Copie intégrale",
                "exemplaires": 2,
                "nom": "Dupont",
                "prenoms": "Martine Josette",
                "date_naissance": "1962-03-14",
                "parent_1": "Dupont Marcel",
                "parent_2": "Leclercq Josette",
                "qualite": "La personne concernée",
                "justificatif_lien": Attached("carte-identite.pdf", "Carte nationale d'identité"),
                "adresse_envoi": ("8 allée des Tilleuls", "59000", "Lille"),
                "etranger": "no",
                "certification": "on",
            },
            history=[
                ("verification", ""),
                (
                    "envoye",
                    "Votre copie intégrale d'acte de naissance (2 exemplaires) vous a été "
                    "envoyée par courrier ce jour.",
                ),
            ],
            days_ago=12,
        ),
        DemoRequest(
            slug="restauration-et-periscolaire",
            account=amelie,
            answers={
                "enfant": Child("Léa"),
                "ecole": _school(commune, 1),
                "niveau": "CM1",
                "cantine": "yes",
                "jours_cantine": ["Lundi", "Mardi", "Jeudi", "Vendredi"],
                "menu": "Menu standard",
                "allergie": "no",
                "periscolaire": ["Accueil du soir"],
                "personnes_autorisees": "Colette Lire, grand-mère, 06 11 22 33 44",
                "quotient_familial": Attached(
                    "attestation-caf.pdf", "Attestation de quotient familial"
                ),
                "droit_image": "yes",
                "reglement": "on",
            },
            history=[
                ("in_review", ""),
                (
                    "accepted",
                    "L'inscription de Léa est validée : restaurant scolaire les lundis, mardis, "
                    "jeudis et vendredis, et accueil du soir.",
                ),
            ],
            days_ago=20,
        ),
        DemoRequest(
            slug="reservation-de-salle",
            account=amelie,
            answers={
                "salle": commune["rooms"][0],
                "date_evenement": (today + timedelta(days=45)).isoformat(),
                "creneau": "Week-end (du samedi 9 h au dimanche 18 h)",
                "participants": 120,
                "jours": 2,
                "resident": "yes",
                "demandeur": "À titre personnel",
                "nature": "Fête familiale",
                "materiel": ["Tables et chaises", "Accès à la cuisine"],
                "buvette": "no",
                "assurance": Attached("attestation-assurance.pdf", "Attestation d'assurance"),
                "reglement": "on",
            },
            history=[
                (
                    "refusee",
                    "La salle des fêtes est déjà réservée ce week-end. La salle Jean-Moulin "
                    "est disponible à cette date : faites une nouvelle demande si elle vous "
                    "convient.",
                ),
            ],
            days_ago=9,
        ),
        DemoRequest(
            slug="reservation-de-salle",
            account=amelie,
            answers={
                "salle": commune["rooms"][1],
                "date_evenement": (today + timedelta(days=45)).isoformat(),
                "creneau": "Week-end (du samedi 9 h au dimanche 18 h)",
                "participants": 80,
                "jours": 2,
                "resident": "yes",
                "demandeur": "À titre personnel",
                "nature": "Fête familiale",
                "materiel": ["Tables et chaises"],
                "buvette": "no",
                "assurance": Attached("attestation-assurance.pdf", "Attestation d'assurance"),
                "reglement": "on",
            },
            history=[],
            days_ago=1,
        ),
        DemoRequest(
            slug="inscription-scolaire",
            account=amelie,
            answers={
                "enfant": Child("Hugo"),
                "nom": "Lire",
                "prenom": "Hugo",
                "date_naissance": "2018-02-14",
                "niveau": "CE2",
                "deja_scolarise": "no",
                "ecole": _school(commune, 1),
                "derogation": "no",
                "autorite_parentale": BOTH_PARENTS,
                "autre_parent": "Lire Paul",
                "telephone": "06 12 34 56 78",
                "justificatif_domicile": Attached("facture-energie.pdf", "Facture d'énergie"),
                "livret_famille": BY_POST,
                "vaccinations": Attached("vaccinations.pdf", "Carnet de santé : vaccinations"),
                "certification": "on",
            },
            history=[
                ("in_review", ""),
                (
                    "incomplete",
                    "Le justificatif de domicile joint date de plus de trois mois. Merci d'en "
                    "joindre un plus récent (facture d'énergie, quittance de loyer).",
                ),
            ],
            days_ago=6,
        ),
        DemoRequest(
            slug="restauration-et-periscolaire",
            account=amelie,
            answers={
                "enfant": Child("Hugo"),
                "ecole": _school(commune, 1),
                "niveau": "CE2",
                "cantine": "yes",
                "jours_cantine": ["Lundi", "Mardi", "Jeudi"],
                "menu": "Menu sans porc",
                "allergie": "yes",
                "pai": BY_POST,
                "periscolaire": ["Accueil du matin", "Mercredi matin"],
                "droit_image": "no",
                "reglement": "on",
            },
            history=[("in_review", "")],
            days_ago=3,
        ),
        DemoRequest(
            slug="signalement-voirie",
            account="jean-noel.darc@example.org",
            answers={
                "nature": "Chaussée abîmée ou nid-de-poule",
                "description": "Un trou d'une trentaine de centimètres s'est formé sur la "
                "chaussée, côté droit en descendant vers la gare. Une voiture immatriculée "
                "GH-472-KL y a crevé un pneu ce matin.",
                "danger": "yes",
                "lieu": f"Devant le 27 {commune['streets'][1]}",
                "rappel": "no",
                "consentement": "on",
            },
            days_ago=1,
        ),
        DemoRequest(
            slug="reservation-de-salle",
            account=amelie,
            answers={
                "salle": commune["rooms"][0],
                "date_evenement": (today + timedelta(days=75)).isoformat(),
                "creneau": "Week-end (du samedi 9 h au dimanche 18 h)",
                "participants": 150,
                "jours": 2,
                "resident": "yes",
                "demandeur": "À titre personnel",
                "nature": "Fête familiale",
                "materiel": ["Tables et chaises", "Accès à la cuisine"],
                "buvette": "no",
                "assurance": Attached("attestation-assurance.pdf", "Attestation d'assurance"),
                "reglement": "on",
            },
            history=[("a_payer", "La salle est disponible : votre réservation est confirmée.")],
            days_ago=4,
        ),
        DemoRequest(
            slug="marche-de-noel",
            account=amelie,
            answers={
                "enseigne": "Les bougies d'Amélie",
                "produits": "Artisanat et décoration",
                "metres": 4,
                "electricite": "yes",
                "siret": "123 456 789 00012",
                "assurance": Attached("attestation-assurance.pdf", "Attestation d'assurance"),
                "reglement": "on",
            },
            days_ago=0,
        ),
    ]


def _saint_andre(commune, today):
    elodie = "elodie.martin@example.org"
    return [
        DemoRequest(
            slug="restauration-et-periscolaire",
            account=elodie,
            answers={
                "enfant": Child("Tom"),
                "ecole": _school(commune, 0),
                "niveau": "CM1",
                "cantine": "yes",
                "jours_cantine": ["Lundi", "Mardi", "Jeudi", "Vendredi"],
                "menu": "Menu sans viande",
                "allergie": "no",
                "periscolaire": ["Accueil du matin", "Accueil du soir"],
                "personnes_autorisees": "Marc Martin, père, 06 55 44 33 22",
                "quotient_familial": Attached(
                    "attestation-caf.pdf", "Attestation de quotient familial"
                ),
                "droit_image": "yes",
                "reglement": "on",
            },
            history=[("accepted", "L'inscription de Tom est validée pour l'année scolaire.")],
            days_ago=15,
        ),
        DemoRequest(
            slug="reservation-de-salle",
            account=elodie,
            answers={
                "salle": commune["rooms"][1],
                "date_evenement": (today + timedelta(days=60)).isoformat(),
                "creneau": "Journée (9 h – 18 h)",
                "participants": 40,
                "jours": 1,
                "resident": "yes",
                "demandeur": AS_ASSOCIATION,
                "association": "Les Amis de la Brière",
                "statuts": Attached("statuts-association.pdf", "Statuts de l'association"),
                "nature": "Réunion ou assemblée générale",
                "materiel": ["Tables et chaises", "Vidéoprojecteur et écran"],
                "buvette": "no",
                "assurance": BY_POST,
                "reglement": "on",
            },
            history=[
                (
                    "pieces",
                    "Nous n'avons pas reçu l'attestation d'assurance annoncée par courrier. "
                    "Merci de la joindre à votre demande depuis votre compte.",
                ),
            ],
            days_ago=8,
        ),
        DemoRequest(
            slug="signalement-voirie",
            account=elodie,
            answers={
                "nature": "Éclairage public en panne",
                "description": "Trois lampadaires consécutifs ne s'allument plus depuis une "
                "semaine ; la rue est entièrement dans le noir le soir.",
                "danger": "yes",
                "lieu": f"{commune['streets'][1]}, entre le numéro 3 et le numéro 15",
                "rappel": "yes",
                "telephone": "06 98 76 54 32",
                "consentement": "on",
            },
            history=[("programme", "")],
            days_ago=5,
        ),
        DemoRequest(
            slug="signalement-voirie",
            account="yann.legoff@example.org",
            answers={
                "nature": "Panneau ou signalisation endommagé",
                "description": "Le panneau « Stop » est couché dans le fossé après un choc.",
                "danger": "yes",
                "lieu": f"Carrefour de la {commune['streets'][0]} et de la route départementale",
                "rappel": "no",
                "consentement": "on",
            },
            history=[
                (
                    "hors_competence",
                    "Ce carrefour relève du Département de Loire-Atlantique, gestionnaire de "
                    "la route départementale, et non de la mairie : signalez-le directement "
                    "à ses services, qui interviendront.",
                ),
            ],
            days_ago=4,
        ),
        DemoRequest(
            slug="acte-de-naissance",
            contact=("Nolwenn", "Le Bihan", "nolwenn.lebihan@example.org", ""),
            answers={
                "type_acte": "Extrait avec filiation",
                "exemplaires": 1,
                "nom": "Le Bihan",
                "prenoms": "Maël",
                "date_naissance": "2001-08-23",
                "parent_1": "Le Bihan Nolwenn",
                "parent_2": "Guérin Erwan",
                "qualite": "Son père ou sa mère",
                "adresse_envoi": ("5 rue des Hortensias", "44600", "Saint-Nazaire"),
                "etranger": "no",
                "certification": "on",
            },
            history=[("verification", "")],
            days_ago=2,
        ),
        DemoRequest(
            slug="inscription-scolaire",
            account=elodie,
            answers={
                "enfant": Child("Tom"),
                "nom": "Martin",
                "prenom": "Tom",
                "date_naissance": "2016-12-10",
                "niveau": "CM2",
                "deja_scolarise": "yes",
                "ecole_actuelle": "École Saint-Joseph, Guérande",
                "ecole": _school(commune, 0),
                "derogation": "no",
                "autorite_parentale": BOTH_PARENTS,
                "autre_parent": "Martin Marc",
                "telephone": "06 98 76 54 32",
                "justificatif_domicile": Attached("quittance-loyer.pdf", "Quittance de loyer"),
                "livret_famille": BY_POST,
                "vaccinations": BY_POST,
                "certificat_radiation": Attached(
                    "certificat-radiation.pdf", "Certificat de radiation"
                ),
                "certification": "on",
            },
            days_ago=1,
        ),
        DemoRequest(
            slug="concession-cimetiere",
            account=elodie,
            answers={
                "nature": "Une nouvelle concession",
                "duree": "30 ans",
                "type": "Familiale",
                "certifie": "on",
            },
            days_ago=0,
        ),
    ]
