"""The two demo communes: who they are and what their démarches name
(schools, rooms, streets). Their legal pages and message templates are those
every new commune may start with (``home.legal``, ``services.messages``);
Carvin's FAQ is the shared FAQ (``faq.services.SHARED_FAQ``)."""

from dataclasses import dataclass
from pathlib import Path

from faq.services import SHARED_FAQ

DEMO_DIR = Path(__file__).resolve().parent

COMMUNES = [
    {
        "name": "Carvin",
        "hostname": "carvin.localhost",
        "faq": SHARED_FAQ,
        "slug": "carvin",
        "sms_sender": "Carvin",
        "mayor": "Claire Vasseur",
        "settings": {
            "phrase": "la mairie de Carvin",
            "primary_colour": "#1d4f91",
            "accent_colour": "#9b1c31",
            "address_lines": "Hôtel de ville\nPlace du Général de Gaulle",
            "postcode": "62220",
            "city": "Carvin",
            "contact_email": "contact@carvin.localhost",
            "contact_phone": "03 21 00 00 00",
            "email_sender": "ne-pas-repondre@carvin.localhost",
            "dpo_name": "Délégué à la protection des données, mairie de Carvin",
            "dpo_email": "dpo@carvin.localhost",
        },
        "logo_colour": "#1d4f91",
        "schools": (
            "École maternelle Jules-Ferry",
            "École élémentaire Jean-Jaurès",
            "Groupe scolaire Louise-Michel",
        ),
        "rooms": (
            "Salle des fêtes (300 personnes)",
            "Salle Jean-Moulin (80 personnes)",
            "Maison des associations, salle de réunion (25 personnes)",
        ),
        "streets": ("rue Jean-Jaurès", "rue de la Gare"),
        "demarches": ("marche-de-noel",),
        # Its communication officer has reviewed its legal pages (the setup
        # checklist ticks them); Saint-André's are still as installed.
        "legal_pages_reviewed": True,
    },
    {
        "name": "Saint-André-des-Eaux",
        "hostname": "saint-andre-des-eaux.localhost",
        "faq": DEMO_DIR / "faq-saint-andre-des-eaux.txt",
        "slug": "saint-andre",
        "sms_sender": "StAndre",
        "mayor": "Yannick Le Floch",
        "settings": {
            "phrase": "la mairie de Saint-André-des-Eaux",
            "primary_colour": "#1f5e3b",
            "accent_colour": "#7a3b00",
            "address_lines": "Mairie\n1 place de la Mairie",
            "postcode": "44117",
            "city": "Saint-André-des-Eaux",
            "contact_email": "contact@saint-andre-des-eaux.localhost",
            "contact_phone": "02 40 00 00 00",
            "email_sender": "ne-pas-repondre@saint-andre-des-eaux.localhost",
            "dpo_name": "Service mutualisé de protection des données",
            "dpo_email": "dpo@saint-andre-des-eaux.localhost",
        },
        "logo_colour": "#1f5e3b",
        "schools": ("École publique Jules-Verne", "École maternelle des Marais"),
        "rooms": (
            "Salle polyvalente (250 personnes)",
            "Salle du Marais (60 personnes)",
            "Salle de réunion de la mairie (20 personnes)",
        ),
        "streets": ("route de Guérande", "rue de la Brière"),
        "demarches": ("concession-cimetiere",),
    },
]

DESCRIPTIONS = {
    "faq": "Les réponses aux questions les plus fréquentes sur le portail.",
}

PLATFORM_ADMIN = ("admin", "portail-admin-demo")

#: The first and last names of the demo staff, by login: the admin shows
#: staff by their names, never by their logins.
STAFF_NAMES = {
    "admin": ("Camille", "Roussel"),
    "com.carvin": ("Sophie", "Delattre"),
    "agent.carvin": ("Julien", "Carpentier"),
    "regie.carvin": ("Nathalie", "Lefebvre"),
    "com.saint-andre": ("Gaëlle", "Le Floch"),
    "agent.saint-andre": ("Erwan", "Guérin"),
    "regie.saint-andre": ("Anne", "Le Bihan"),
}


def staff_names(user) -> None:
    """Give a demo staff member their first and last names, unless they have some."""
    first_name, last_name = STAFF_NAMES.get(user.username, ("", ""))
    if first_name and not (user.first_name or user.last_name):
        user.first_name, user.last_name = first_name, last_name
        user.save(update_fields=["first_name", "last_name"])


@dataclass(frozen=True)
class MunicipalServiceSpec:
    """A municipal service of every demo commune: its name, the start of its
    agent's login (``<login>.<commune slug>``), the démarches it handles and
    its routing rules ("field", "answer") of the road-problem report."""

    name: str
    login: str
    demarches: tuple[str, ...] = ()
    routes: tuple[tuple[str, str, str], ...] = ()
    """(démarche, field key, answer): requests that go to this service by answer."""


MUNICIPAL_SERVICES = (
    MunicipalServiceSpec(
        "État civil",
        "etat-civil",
        demarches=("acte-de-naissance", "acte-de-mariage", "acte-de-deces"),
    ),
    MunicipalServiceSpec(
        "Éducation-Enfance",
        "education",
        demarches=("inscription-scolaire", "restauration-et-periscolaire"),
    ),
    MunicipalServiceSpec(
        "Services techniques",
        "services-techniques",
        routes=tuple(
            ("signalement-voirie", "nature", answer)
            for answer in (
                "Éclairage public en panne",
                "Chaussée abîmée ou nid-de-poule",
                "Trottoir dégradé",
                "Panneau ou signalisation endommagé",
            )
        ),
    ),
)

#: The agent of each service of each demo commune: (first name, last name),
#: by commune slug and service login.
SERVICE_AGENTS = {
    "carvin": {
        "etat-civil": ("Sophie", "Lefebvre"),
        "education": ("Karim", "Benali"),
        "services-techniques": ("Julien", "Delattre"),
    },
    "saint-andre": {
        "etat-civil": ("Morgane", "Le Gall"),
        "education": ("Gwenaël", "Perrin"),
        "services-techniques": ("Loïc", "Guérin"),
    },
}

CITIZENS = {
    "carvin.localhost": [
        {
            "first_name": "Amélie",
            "last_name": "Lire",
            "birth_date": "1984-05-12",
            "email": "amelie.lire@example.org",
            "phone": "06 12 34 56 78",
            "address_line": "12 rue des Écoles",
            "postcode": "62220",
            "city": "Carvin",
            "password": "amelie-carvin-demo",
            "validated": True,
            "members": [
                ("Paul", "Lire", "1982-11-03", "spouse"),
                ("Léa", "Lire", "2015-09-21", "child"),
                ("Hugo", "Lire", "2018-02-14", "child"),
            ],
        },
        {
            "first_name": "Jean-Noël",
            "last_name": "d'Arc",
            "birth_date": "1990-01-30",
            "email": "jean-noel.darc@example.org",
            "password": "jean-noel-carvin-demo",
            "validated": False,
            "members": [],
        },
    ],
    "saint-andre-des-eaux.localhost": [
        {
            "first_name": "Élodie",
            "last_name": "Martin",
            "birth_date": "1979-07-08",
            "email": "elodie.martin@example.org",
            "phone": "06 98 76 54 32",
            "address_line": "3 chemin du Marais",
            "postcode": "44117",
            "city": "Saint-André-des-Eaux",
            "password": "elodie-saint-andre-demo",
            "validated": True,
            "prefers_sms": True,
            "members": [
                ("Marc", "Martin", "1977-03-25", "spouse"),
                ("Chloé", "Martin", "2012-06-01", "child"),
                ("Tom", "Martin", "2016-12-10", "child"),
            ],
        },
        {
            "first_name": "Yann",
            "last_name": "Le Goff",
            "birth_date": "1995-10-17",
            "email": "yann.legoff@example.org",
            "password": "yann-saint-andre-demo",
            "validated": False,
            "members": [],
        },
    ],
}
