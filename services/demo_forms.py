"""The demo démarches and demo requests, as communication staff would type them.

Each démarche is the raw value of ``ServicePage.form`` (steps of field
blocks, see ``services.blocks``) with the page's other fields. Requests give
the answers as the citizen would type them in the wizard; ``services.demo``
checks them with the real forms before sending them.
"""

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, timedelta

CIVIL_STATUS = "État civil"
CHILDHOOD = "Enfance et scolarité"
DAILY_LIFE = "Vie quotidienne"

CERTIFICATE_TYPES = (
    "Copie intégrale\nExtrait avec filiation\nExtrait sans filiation\nExtrait plurilingue"
)
LEVELS = "Petite section\nMoyenne section\nGrande section\nCP\nCE1\nCE2\nCM1\nCM2"
WEEKDAYS = "Lundi\nMardi\nJeudi\nVendredi"
BOTH_PARENTS = "Exercée par les deux parents"
ONE_PARENT = "Exercée par un seul parent"
GUARDIAN = "Son représentant légal (tuteur)"
AS_ASSOCIATION = "Pour une association"
AS_COMPANY = "Pour une entreprise"
OTHER = "Autre"
YES = "Oui"


@dataclass(frozen=True)
class Commune:
    """What differs from one demo commune to the other."""

    name: str
    phrase: str
    schools: tuple[str, ...]
    rooms: tuple[str, ...]
    streets: tuple[str, ...]

    @property
    def phrase_cap(self) -> str:
        return self.phrase[:1].upper() + self.phrase[1:]


LOCAL = {
    "carvin.localhost": {
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
    },
    "saint-andre-des-eaux.localhost": {
        "schools": ("École publique Jules-Verne", "École maternelle des Marais"),
        "rooms": (
            "Salle polyvalente (250 personnes)",
            "Salle du Marais (60 personnes)",
            "Salle de réunion de la mairie (20 personnes)",
        ),
        "streets": ("route de Guérande", "rue de la Brière"),
    },
}
DEFAULT_LOCAL = {
    "schools": ("École maternelle", "École élémentaire"),
    "rooms": ("Salle des fêtes", "Salle de réunion"),
    "streets": ("rue de la Mairie", "rue de l'Église"),
}


def commune_for(*, hostname: str, name: str, phrase: str) -> Commune:
    local = LOCAL.get(hostname, DEFAULT_LOCAL)
    return Commune(name=name, phrase=phrase, **local)


# Building blocks of the raw StreamField value.


def step(title, *fields):
    return {"type": "step", "value": {"title": title, "fields": list(fields)}}


def field(block_type, label, key, *, required=True, help_text="", when=None, **value):
    """A field block; ``when=(key, answer)`` shows it only for that answer."""
    value = {"label": label, "key": key, "required": required, "help_text": help_text, **value}
    if when is not None:
        value["condition"] = {"field": when[0], "value": when[1]}
    return {"type": block_type, "value": value}


def help_text(heading, text):
    return {"type": "help", "value": {"heading": heading, "text": text}}


def document(label, key, *, types=("pdf", "jpeg", "png"), max_size=5, by_post=True, **options):
    return field(
        "document", label, key, types=list(types), max_size=max_size, by_post=by_post, **options
    )


def lines(*choices) -> str:
    return "\n".join(choices)


# Civil status certificates: open to anyone, without an account.


def _certificate_step(*, types=CERTIFICATE_TYPES, guide):
    return step(
        "Le document demandé",
        help_text("Quel document choisir ?", guide),
        field("choice", "Type de document", "type_acte", choices=types, widget="radio"),
        field(
            "number",
            "Nombre d'exemplaires",
            "exemplaires",
            help_text="Cinq exemplaires au maximum.",
            min_value=1,
            max_value=5,
        ),
    )


CERTIFICATE_GUIDE = (
    "<p>L'<b>extrait sans filiation</b> peut être demandé par toute personne. La "
    "<b>copie intégrale</b> et l'<b>extrait avec filiation</b> sont réservés à la personne "
    "concernée, à ses parents, grands-parents, enfants et petits-enfants, à son époux ou "
    "son épouse, à son représentant légal et aux professionnels habilités (avocat, "
    "notaire). L'<b>extrait plurilingue</b>, destiné à une administration étrangère, est "
    "délivré dans les mêmes conditions que l'extrait avec filiation.</p>"
)
MARRIAGE_GUIDE = (
    "<p>L'<b>extrait sans filiation</b> peut être demandé par toute personne. La "
    "<b>copie intégrale</b> et l'<b>extrait avec filiation</b> sont réservés aux époux, à "
    "leurs parents, grands-parents, enfants et petits-enfants, à leur représentant légal "
    "et aux professionnels habilités (avocat, notaire). L'<b>extrait plurilingue</b>, "
    "destiné à une administration étrangère, est délivré dans les mêmes conditions que "
    "l'extrait avec filiation.</p>"
)
CERTIFY = (
    "Je certifie sur l'honneur l'exactitude des renseignements fournis et avoir qualité "
    "pour obtenir ce document."
)
CERTIFY_HELP = (
    "Une fausse déclaration pour obtenir un acte d'état civil est punie par "
    "l'article 441-7 du Code pénal."
)


def _relationship_fields(relationships):
    return [
        field(
            "choice",
            "Vous êtes",
            "qualite",
            choices=lines(*relationships, OTHER),
            widget="radio",
        ),
        field(
            "short_text",
            "Précisez votre lien avec la personne concernée",
            "qualite_autre",
            help_text="Sans lien de parenté, seul un extrait sans filiation peut vous être "
            "délivré.",
            when=("qualite", OTHER),
        ),
        document(
            "Justificatif d'identité ou de lien de parenté",
            "justificatif_lien",
            help_text=(
                "Pour une copie intégrale : votre pièce d'identité si l'acte vous concerne, "
                "sinon le livret de famille ou l'acte qui prouve votre lien avec la personne "
                "concernée."
            ),
            when=("type_acte", "Copie intégrale"),
        ),
        document(
            "Jugement de tutelle",
            "jugement_tutelle",
            help_text="La décision du juge qui vous désigne comme tuteur.",
            when=("qualite", GUARDIAN),
        ),
    ]


def _sending_fields():
    return [
        help_text(
            "",
            "<p>Le document est envoyé gratuitement par courrier, à l'adresse de votre choix, "
            "en France ou à l'étranger. Il n'est jamais envoyé par courriel.</p>",
        ),
        field("address", "Adresse d'envoi", "adresse_envoi", prefill="address"),
        field("yes_no", "Cette adresse est-elle à l'étranger ?", "etranger"),
        field("short_text", "Pays", "pays", when=("etranger", YES)),
        field("consent", CERTIFY, "certification", help_text=CERTIFY_HELP),
    ]


def birth_certificate(commune: Commune) -> dict:
    return {
        "slug": "acte-de-naissance",
        "title": "Demande d'acte de naissance",
        "category": CIVIL_STATUS,
        "summary": "Recevez par courrier une copie ou un extrait d'acte de naissance, "
        "sans créer de compte.",
        "requires_account": False,
        "intro": (
            f"<p>{commune.phrase_cap} délivre les actes des personnes nées à {commune.name}. "
            "Pour une naissance dans une autre commune, adressez-vous à sa mairie ; pour une "
            "naissance à l'étranger d'un Français, au Service central d'état civil de "
            "Nantes.</p>"
            "<p>La démarche est gratuite et ne demande pas de compte : vous recevez un lien "
            "par courriel pour suivre votre demande, et l'acte par courrier.</p>"
            "<p>Pour une carte d'identité ou un passeport, l'acte n'est en général pas "
            "nécessaire : la mairie qui instruit le dossier le vérifie directement.</p>"
        ),
        "documents": (
            "<ul><li>Le nom de naissance, les prénoms et la date de naissance de la personne "
            "concernée</li>"
            "<li>Les noms et prénoms de ses parents</li>"
            "<li>Pour une copie intégrale : votre pièce d'identité, ou le livret de famille "
            "qui prouve votre lien avec la personne concernée</li></ul>"
        ),
        "confirmation": (
            "<p>Votre demande est transmise au service de l'état civil. Le document vous est "
            "envoyé par courrier, en général sous cinq jours ouvrés. Suivez votre demande "
            "grâce au lien reçu par courriel.</p>"
        ),
        "form": [
            _certificate_step(guide=CERTIFICATE_GUIDE),
            step(
                "La personne concernée",
                help_text(
                    "",
                    f"<p>{commune.phrase_cap} ne détient que les actes des naissances "
                    f"survenues à {commune.name}.</p>",
                ),
                field(
                    "short_text",
                    "Nom de naissance",
                    "nom",
                    help_text="Le nom inscrit sur l'acte, avant tout mariage.",
                ),
                field(
                    "short_text",
                    "Prénoms",
                    "prenoms",
                    help_text="Tous les prénoms, dans l'ordre de l'acte.",
                ),
                field("date", "Date de naissance", "date_naissance", bounds="past"),
                field(
                    "short_text",
                    "Nom et prénoms du premier parent",
                    "parent_1",
                    required=False,
                    help_text="Indispensables pour une copie intégrale ou un extrait avec "
                    "filiation.",
                ),
                field("short_text", "Nom et prénoms du second parent", "parent_2", required=False),
            ),
            step(
                "Votre lien avec la personne",
                *_relationship_fields(
                    [
                        "La personne concernée",
                        "Son père ou sa mère",
                        "Son grand-père ou sa grand-mère",
                        "Son enfant ou petit-enfant",
                        "Son époux ou son épouse",
                        GUARDIAN,
                        "Son avocat ou son notaire",
                    ]
                ),
            ),
            step("L'envoi du document", *_sending_fields()),
        ],
    }


def marriage_certificate(commune: Commune) -> dict:
    return {
        "slug": "acte-de-mariage",
        "title": "Demande d'acte de mariage",
        "category": CIVIL_STATUS,
        "summary": f"Recevez par courrier une copie ou un extrait d'un acte de mariage célébré "
        f"à {commune.name}, sans créer de compte.",
        "requires_account": False,
        "intro": (
            f"<p>{commune.phrase_cap} délivre les actes des mariages célébrés à "
            f"{commune.name}. La démarche est gratuite et ne demande pas de compte.</p>"
            "<p>Un acte de mariage de plus de 75 ans peut être communiqué à toute personne, "
            "sous forme de copie intégrale.</p>"
        ),
        "documents": (
            "<ul><li>La date du mariage</li>"
            "<li>Les noms de naissance et prénoms des deux époux</li>"
            "<li>Pour une copie intégrale : votre pièce d'identité, ou le livret de famille "
            "qui prouve votre lien avec les époux</li></ul>"
        ),
        "confirmation": (
            "<p>Votre demande est transmise au service de l'état civil. Le document vous est "
            "envoyé par courrier, en général sous cinq jours ouvrés.</p>"
        ),
        "form": [
            _certificate_step(guide=MARRIAGE_GUIDE),
            step(
                "Le mariage",
                help_text(
                    "",
                    f"<p>{commune.phrase_cap} ne détient que les actes des mariages célébrés "
                    f"à {commune.name}.</p>",
                ),
                field("date", "Date du mariage", "date_mariage", bounds="past"),
                field("short_text", "Nom de naissance du premier époux", "epoux_1_nom"),
                field("short_text", "Prénoms du premier époux", "epoux_1_prenoms"),
                field("short_text", "Nom de naissance du second époux", "epoux_2_nom"),
                field("short_text", "Prénoms du second époux", "epoux_2_prenoms"),
            ),
            step(
                "Votre lien avec les époux",
                *_relationship_fields(
                    [
                        "L'un des époux",
                        "Le père ou la mère de l'un des époux",
                        "Un grand-parent de l'un des époux",
                        "Leur enfant ou petit-enfant",
                        GUARDIAN,
                        "Leur avocat ou leur notaire",
                    ]
                ),
            ),
            step("L'envoi du document", *_sending_fields()),
        ],
    }


def death_certificate(commune: Commune) -> dict:
    elsewhere = f"Dans une autre commune (domicile à {commune.name})"
    return {
        "slug": "acte-de-deces",
        "title": "Demande d'acte de décès",
        "category": CIVIL_STATUS,
        "summary": "Recevez par courrier une copie d'acte de décès, sans créer de compte.",
        "requires_account": False,
        "intro": (
            f"<p>{commune.phrase_cap} délivre les actes des décès survenus à {commune.name}, "
            f"et ceux des personnes domiciliées à {commune.name} décédées dans une autre "
            "commune (acte transcrit).</p>"
            "<p>Toute personne peut obtenir la copie intégrale d'un acte de décès, sans "
            "justifier de son lien avec la personne décédée. La démarche est gratuite.</p>"
        ),
        "documents": (
            "<ul><li>Le nom de naissance, les prénoms et la date du décès</li>"
            "<li>Si possible, la date de naissance de la personne décédée</li></ul>"
        ),
        "confirmation": (
            "<p>Votre demande est transmise au service de l'état civil. La copie vous est "
            "envoyée par courrier, en général sous cinq jours ouvrés.</p>"
        ),
        "form": [
            _certificate_step(
                types=lines("Copie intégrale", "Extrait plurilingue"),
                guide=(
                    "<p>Il n'existe pas d'extrait d'acte de décès : la <b>copie intégrale</b> "
                    "convient à toutes les démarches en France (succession, banque, caisse de "
                    "retraite). L'<b>extrait plurilingue</b> est destiné à une administration "
                    "étrangère.</p>"
                ),
            ),
            step(
                "La personne décédée",
                field("short_text", "Nom de naissance", "nom"),
                field(
                    "short_text",
                    "Nom d'usage",
                    "nom_usage",
                    required=False,
                    help_text="Par exemple le nom d'époux ou d'épouse.",
                ),
                field("short_text", "Prénoms", "prenoms"),
                field("date", "Date du décès", "date_deces", bounds="past"),
                field(
                    "date",
                    "Date de naissance",
                    "date_naissance",
                    required=False,
                    bounds="past",
                    help_text="Facultative ; elle facilite la recherche de l'acte.",
                ),
                field(
                    "choice",
                    "Lieu du décès",
                    "lieu_deces",
                    choices=lines(f"À {commune.name}", elsewhere),
                    widget="radio",
                ),
                field(
                    "short_text",
                    "Commune du décès",
                    "commune_deces",
                    when=("lieu_deces", elsewhere),
                ),
            ),
            step(
                "Vous et l'envoi du document",
                field(
                    "choice",
                    "Vous êtes",
                    "qualite",
                    choices=lines(
                        "Un membre de la famille",
                        "Le notaire chargé de la succession",
                        "L'entreprise de pompes funèbres",
                        OTHER,
                    ),
                    widget="radio",
                ),
                field("short_text", "Précisez", "qualite_autre", when=("qualite", OTHER)),
                *_sending_fields(),
            ),
        ],
    }


# Childhood and school: for a child of the household, with an account.


def _child_field(label):
    return field(
        "member",
        label,
        "enfant",
        who="children",
        help_text="Un enfant manque ? Ajoutez-le à votre foyer depuis l'onglet « Foyer » de "
        "votre compte.",
    )


def school_enrolment(commune: Commune) -> dict:
    return {
        "slug": "inscription-scolaire",
        "title": "Inscription scolaire",
        "category": CHILDHOOD,
        "summary": f"Inscrivez votre enfant dans une école maternelle ou élémentaire publique "
        f"de {commune.name}.",
        "requires_account": True,
        "intro": (
            "<p>L'inscription en mairie est nécessaire pour une première scolarisation "
            "(entrée en petite section, arrivée dans la commune) et pour un changement "
            "d'école. L'école est attribuée selon le secteur de votre domicile ; une "
            "dérogation peut être demandée.</p>"
            "<p>Une fois l'inscription validée, vous recevez un certificat d'inscription à "
            "présenter à la direction de l'école pour l'admission de votre enfant.</p>"
        ),
        "documents": (
            "<ul><li>Un justificatif de domicile de moins de trois mois</li>"
            "<li>Le livret de famille ou un acte de naissance de l'enfant</li>"
            "<li>Les pages des vaccinations du carnet de santé</li>"
            "<li>En cas de changement d'école, le certificat de radiation de l'ancienne "
            "école</li>"
            "<li>Le cas échéant, la décision de justice relative à l'autorité parentale</li>"
            "</ul>"
        ),
        "confirmation": (
            "<p>Votre demande est transmise au service scolaire. Vous recevrez le certificat "
            "d'inscription une fois les pièces vérifiées. Les documents annoncés par courrier "
            "doivent parvenir à la mairie avec le bordereau joint à votre récépissé.</p>"
        ),
        "form": [
            step(
                "L'enfant",
                _child_field("Quel enfant inscrire ?"),
                field("short_text", "Nom de l'enfant", "nom", prefill="member_last_name"),
                field("short_text", "Prénom de l'enfant", "prenom", prefill="member_first_name"),
                field(
                    "date",
                    "Date de naissance",
                    "date_naissance",
                    bounds="past",
                    prefill="member_birth_date",
                ),
                field("choice", "Niveau à la rentrée", "niveau", choices=LEVELS, widget="select"),
                field(
                    "yes_no",
                    "Votre enfant est-il actuellement scolarisé dans une autre école ?",
                    "deja_scolarise",
                ),
                field(
                    "short_text",
                    "Nom et commune de l'école actuelle",
                    "ecole_actuelle",
                    when=("deja_scolarise", YES),
                ),
            ),
            step(
                "L'école",
                help_text(
                    "Secteur scolaire",
                    "<p>Chaque adresse dépend d'une école de secteur. Le service scolaire vous "
                    "confirme l'école attribuée à votre enfant.</p>",
                ),
                field(
                    "choice",
                    "École souhaitée",
                    "ecole",
                    choices=lines(*commune.schools),
                    widget="select",
                ),
                field(
                    "yes_no",
                    "Demandez-vous une dérogation au secteur scolaire ?",
                    "derogation",
                ),
                field(
                    "long_text",
                    "Motif de la demande de dérogation",
                    "motif_derogation",
                    help_text="Par exemple : frère ou sœur déjà scolarisé dans l'école, mode "
                    "de garde à proximité, raison médicale.",
                    when=("derogation", YES),
                ),
            ),
            step(
                "Les responsables légaux",
                field(
                    "choice",
                    "Autorité parentale",
                    "autorite_parentale",
                    choices=lines(BOTH_PARENTS, ONE_PARENT),
                    widget="radio",
                ),
                field(
                    "short_text",
                    "Nom et prénom de l'autre parent",
                    "autre_parent",
                    help_text="Il est informé de l'inscription par l'école.",
                    when=("autorite_parentale", BOTH_PARENTS),
                ),
                document(
                    "Décision de justice relative à l'autorité parentale",
                    "decision_justice",
                    when=("autorite_parentale", ONE_PARENT),
                ),
                field(
                    "phone",
                    "Téléphone joignable en journée",
                    "telephone",
                    prefill="phone",
                    help_text="Pour vous joindre en cas d'urgence pendant le temps scolaire.",
                ),
            ),
            step(
                "Les pièces justificatives",
                help_text(
                    "",
                    "<p>Vous pouvez joindre chaque pièce (PDF ou photo lisible) ou l'envoyer "
                    "par courrier avec le bordereau qui vous sera remis.</p>",
                ),
                document(
                    "Justificatif de domicile",
                    "justificatif_domicile",
                    help_text="Facture d'énergie, de téléphone ou quittance de loyer de moins "
                    "de trois mois.",
                ),
                document(
                    "Livret de famille ou acte de naissance de l'enfant",
                    "livret_famille",
                    help_text="Les pages des parents et de l'enfant.",
                ),
                document(
                    "Carnet de santé : pages des vaccinations",
                    "vaccinations",
                    help_text="Ou un certificat médical attestant que les vaccinations "
                    "obligatoires sont à jour.",
                ),
                document(
                    "Certificat de radiation",
                    "certificat_radiation",
                    help_text="Délivré par la direction de l'école actuelle.",
                    when=("deja_scolarise", YES),
                ),
                field(
                    "consent",
                    "Je certifie l'exactitude des informations fournies.",
                    "certification",
                ),
            ),
        ],
    }


def meals_and_after_school(commune: Commune) -> dict:
    return {
        "slug": "restauration-et-periscolaire",
        "title": "Restauration scolaire et accueil périscolaire",
        "category": CHILDHOOD,
        "summary": "Inscrivez chaque enfant à la cantine et aux accueils du matin, du soir et "
        "du mercredi.",
        "requires_account": True,
        "intro": (
            "<p>Faites une demande par enfant. L'inscription vaut pour toute l'année "
            "scolaire ; vous pourrez modifier les jours de présence en cours d'année auprès "
            "du service enfance.</p>"
            "<p>Les repas et les accueils sont facturés chaque mois selon votre quotient "
            "familial ; les factures se paient en ligne depuis votre compte.</p>"
        ),
        "documents": (
            "<ul><li>Votre attestation de quotient familial (CAF ou MSA) de moins de trois "
            "mois</li>"
            "<li>Le cas échéant, le projet d'accueil individualisé (PAI) de l'enfant</li></ul>"
        ),
        "confirmation": (
            "<p>Votre demande est transmise au service enfance, qui vous confirme "
            "l'inscription avant le premier jour de présence.</p>"
        ),
        "form": [
            step(
                "L'enfant",
                _child_field("Pour quel enfant ?"),
                field(
                    "choice",
                    "École fréquentée",
                    "ecole",
                    choices=lines(*commune.schools),
                    widget="select",
                ),
                field("choice", "Classe", "niveau", choices=LEVELS, widget="select"),
            ),
            step(
                "La restauration scolaire",
                field(
                    "yes_no",
                    "Votre enfant déjeunera-t-il au restaurant scolaire ?",
                    "cantine",
                ),
                field(
                    "multiple_choice",
                    "Jours de restauration",
                    "jours_cantine",
                    choices=WEEKDAYS,
                    when=("cantine", YES),
                ),
                field(
                    "choice",
                    "Repas",
                    "menu",
                    choices=lines("Menu standard", "Menu sans porc", "Menu sans viande"),
                    widget="radio",
                    when=("cantine", YES),
                ),
                field(
                    "yes_no",
                    "Votre enfant a-t-il une allergie ou un régime alimentaire médical ?",
                    "allergie",
                ),
                document(
                    "Projet d'accueil individualisé (PAI)",
                    "pai",
                    required=False,
                    help_text="Établi avec le médecin scolaire. S'il est en cours "
                    "d'élaboration, vous pourrez le transmettre plus tard.",
                    when=("allergie", YES),
                ),
            ),
            step(
                "L'accueil périscolaire",
                help_text(
                    "Horaires",
                    "<p>Accueil du matin de 7 h 30 à 8 h 20, accueil du soir de 16 h 30 à "
                    "18 h 30, mercredi de 7 h 30 à 18 h 30. Laissez les cases vides si votre "
                    "enfant n'en a pas besoin.</p>",
                ),
                field(
                    "multiple_choice",
                    "Accueils souhaités",
                    "periscolaire",
                    required=False,
                    choices=lines(
                        "Accueil du matin",
                        "Accueil du soir",
                        "Mercredi matin",
                        "Mercredi journée complète",
                    ),
                ),
                field(
                    "long_text",
                    "Personnes autorisées à venir chercher l'enfant",
                    "personnes_autorisees",
                    required=False,
                    help_text="Nom, prénom, lien avec l'enfant et téléphone de chaque "
                    "personne, en plus des responsables légaux.",
                ),
                document(
                    "Attestation de quotient familial",
                    "quotient_familial",
                    required=False,
                    help_text="CAF ou MSA, de moins de trois mois. Sans attestation, le tarif "
                    "le plus élevé s'applique.",
                ),
            ),
            step(
                "Les autorisations",
                field(
                    "yes_no",
                    "Autorisez-vous la prise de photos de votre enfant pendant les activités, "
                    "pour un usage interne à l'école et à la commune ?",
                    "droit_image",
                ),
                field(
                    "consent",
                    "J'ai lu et j'accepte le règlement intérieur de la restauration scolaire "
                    "et des accueils périscolaires.",
                    "reglement",
                ),
            ),
        ],
    }


# Daily life.


def room_booking(commune: Commune) -> dict:
    return {
        "slug": "reservation-de-salle",
        "title": "Réservation d'une salle municipale",
        "category": DAILY_LIFE,
        "summary": "Demandez une salle municipale pour une fête familiale, une réunion ou un "
        "événement associatif.",
        "requires_account": True,
        "intro": (
            "<p>Faites votre demande au moins un mois avant la date souhaitée. La "
            "réservation n'est définitive qu'après la confirmation de la mairie, la "
            "signature de la convention de mise à disposition et le dépôt de la caution.</p>"
        ),
        "documents": (
            "<ul><li>Une attestation d'assurance responsabilité civile couvrant "
            "l'événement</li>"
            "<li>Pour une association : ses statuts ou le récépissé de sa déclaration en "
            "préfecture</li></ul>"
        ),
        "confirmation": (
            "<p>Votre demande est transmise au service de la vie associative, qui vérifie la "
            "disponibilité de la salle et vous répond sous quinze jours.</p>"
        ),
        "form": [
            step(
                "La salle et la date",
                field(
                    "choice",
                    "Salle souhaitée",
                    "salle",
                    choices=lines(*commune.rooms),
                    widget="select",
                ),
                field(
                    "date",
                    "Date de l'événement",
                    "date_evenement",
                    bounds="future",
                    help_text="Au moins un mois après votre demande.",
                ),
                field(
                    "choice",
                    "Créneau",
                    "creneau",
                    choices=lines(
                        "Journée (9 h – 18 h)",
                        "Soirée (18 h – 1 h)",
                        "Week-end (du samedi 9 h au dimanche 18 h)",
                    ),
                    widget="radio",
                ),
                field(
                    "number",
                    "Nombre de participants attendus",
                    "participants",
                    min_value=1,
                    max_value=300,
                ),
            ),
            step(
                "Votre événement",
                field(
                    "choice",
                    "Vous faites cette demande",
                    "demandeur",
                    choices=lines("À titre personnel", AS_ASSOCIATION, AS_COMPANY),
                    widget="radio",
                ),
                field(
                    "short_text",
                    "Nom de l'association",
                    "association",
                    when=("demandeur", AS_ASSOCIATION),
                ),
                document(
                    "Statuts de l'association ou récépissé de déclaration",
                    "statuts",
                    when=("demandeur", AS_ASSOCIATION),
                ),
                field(
                    "short_text",
                    "Nom de l'entreprise et numéro SIRET",
                    "entreprise",
                    when=("demandeur", AS_COMPANY),
                ),
                field(
                    "choice",
                    "Nature de l'événement",
                    "nature",
                    choices=lines(
                        "Fête familiale",
                        "Réunion ou assemblée générale",
                        "Spectacle, concert ou loto",
                        "Repas associatif",
                        OTHER,
                    ),
                    widget="select",
                ),
                field(
                    "short_text",
                    "Précisez la nature de l'événement",
                    "nature_autre",
                    when=("nature", OTHER),
                ),
                field(
                    "multiple_choice",
                    "Matériel souhaité",
                    "materiel",
                    required=False,
                    choices=lines(
                        "Tables et chaises",
                        "Sonorisation",
                        "Vidéoprojecteur et écran",
                        "Accès à la cuisine",
                    ),
                ),
                field(
                    "yes_no",
                    "Prévoyez-vous une buvette ?",
                    "buvette",
                    help_text="Une buvette temporaire demande une autorisation du maire, au "
                    "moins quinze jours avant l'événement.",
                ),
            ),
            step(
                "Assurance et engagement",
                help_text(
                    "Tarifs et caution",
                    "<p>Le tarif dépend de la salle, du créneau et de votre situation "
                    f"(habitant de {commune.name}, association de la commune, extérieur). Une "
                    "caution est demandée à la signature de la convention.</p>",
                ),
                document("Attestation d'assurance responsabilité civile", "assurance"),
                field(
                    "consent",
                    "Je m'engage à respecter le règlement d'utilisation des salles municipales "
                    "(horaires, bruit, rangement et nettoyage).",
                    "reglement",
                ),
            ),
        ],
    }


def road_report(commune: Commune) -> dict:
    return {
        "slug": "signalement-voirie",
        "title": "Signaler un problème sur la voie publique",
        "category": DAILY_LIFE,
        "summary": "Nid-de-poule, éclairage en panne, trottoir abîmé, dépôt sauvage : "
        "prévenez les services techniques.",
        "requires_account": True,
        "intro": (
            "<p>Votre signalement est transmis aux services techniques de la commune, qui "
            "interviennent selon l'urgence. Les routes départementales relèvent du "
            "Département : nous lui transmettons les signalements qui le concernent.</p>"
        ),
        "documents": (
            "<ul><li>Si possible, une photo du problème</li>"
            "<li>L'adresse ou un repère précis (numéro, carrefour, commerce proche)</li></ul>"
        ),
        "confirmation": (
            "<p>Merci pour votre signalement. Les services techniques l'examinent et vous "
            "tiennent informé de la suite donnée.</p>"
        ),
        "form": [
            step(
                "Le problème",
                help_text(
                    "En cas d'urgence",
                    "<p>Pour un danger immédiat (arbre sur la chaussée, câble électrique à "
                    "terre), appelez le 112 avant de faire ce signalement.</p>",
                ),
                field(
                    "choice",
                    "Type de problème",
                    "nature",
                    choices=lines(
                        "Chaussée abîmée ou nid-de-poule",
                        "Éclairage public en panne",
                        "Trottoir dégradé",
                        "Panneau ou signalisation endommagé",
                        "Dépôt sauvage de déchets",
                        OTHER,
                    ),
                    widget="radio",
                ),
                field(
                    "short_text",
                    "Précisez le type de problème",
                    "nature_autre",
                    when=("nature", OTHER),
                ),
                field("long_text", "Décrivez le problème", "description"),
                field(
                    "yes_no",
                    "Le problème présente-t-il un danger pour les piétons ou les véhicules ?",
                    "danger",
                ),
            ),
            step(
                "L'emplacement",
                field(
                    "short_text",
                    "Adresse ou lieu précis",
                    "lieu",
                    help_text=f"Par exemple : devant le 14 {commune.streets[0]}, ou à l'angle "
                    f"de la {commune.streets[0]} et de la {commune.streets[1]}.",
                ),
                document(
                    "Photo",
                    "photo",
                    required=False,
                    types=("jpeg", "png", "heic"),
                    max_size=10,
                    by_post=False,
                    help_text="Une photo aide les services techniques à préparer leur "
                    "intervention.",
                ),
            ),
            step(
                "Le suivi",
                field(
                    "yes_no",
                    "Souhaitez-vous être rappelé par les services techniques ?",
                    "rappel",
                ),
                field(
                    "phone",
                    "Téléphone",
                    "telephone",
                    prefill="phone",
                    when=("rappel", YES),
                ),
                field(
                    "consent",
                    "J'accepte que mes coordonnées soient transmises aux services techniques "
                    "pour le traitement de ce signalement.",
                    "consentement",
                ),
            ),
        ],
    }


DEMARCHES = (
    birth_certificate,
    marriage_certificate,
    death_certificate,
    school_enrolment,
    meals_and_after_school,
    room_booking,
    road_report,
)


#: What each démarche does with personal data: purpose, legal basis (GDPR
#: article 6) and months kept once the request is closed.
PERSONAL_DATA = {
    "acte-de-naissance": (
        "Délivrer une copie intégrale ou un extrait d'acte de naissance.",
        "legal_obligation",
        12,
    ),
    "acte-de-mariage": (
        "Délivrer une copie intégrale ou un extrait d'acte de mariage.",
        "legal_obligation",
        12,
    ),
    "acte-de-deces": ("Délivrer une copie d'acte de décès.", "legal_obligation", 12),
    "inscription-scolaire": (
        "Inscrire un enfant dans une école publique de la commune.",
        "public_task",
        36,
    ),
    "restauration-et-periscolaire": (
        "Inscrire un enfant à la restauration scolaire et à l'accueil périscolaire, "
        "et facturer ces services.",
        "public_task",
        24,
    ),
    "reservation-de-salle": (
        "Examiner une demande de réservation de salle municipale et en convenir.",
        "contract",
        24,
    ),
    "signalement-voirie": (
        "Traiter un signalement sur la voirie ou l'espace public et en informer le demandeur.",
        "public_task",
        12,
    ),
}


def demarches(commune: Commune) -> list[dict]:
    specs = [make(commune) for make in DEMARCHES]
    for spec in specs:
        purpose, legal_basis, months = PERSONAL_DATA[spec["slug"]]
        spec.update(processing_purpose=purpose, legal_basis=legal_basis, retention_months=months)
        if spec["slug"].startswith("acte-de-"):
            spec["data_subjects"] = (
                "Le demandeur et les personnes dont l'acte est demandé (titulaire, parents, époux)"
            )
    return specs


# Demo requests.


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
    return commune.schools[min(index, len(commune.schools) - 1)]


def demo_requests(*, hostname: str, commune: Commune, today: date) -> list[DemoRequest]:
    """The demo requests of a commune, oldest first."""
    if hostname == "carvin.localhost":
        requests = _carvin(commune, today)
    elif hostname == "saint-andre-des-eaux.localhost":
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
                ("in_review", ""),
                (
                    "accepted",
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
                "salle": commune.rooms[0],
                "date_evenement": (today + timedelta(days=45)).isoformat(),
                "creneau": "Week-end (du samedi 9 h au dimanche 18 h)",
                "participants": 120,
                "demandeur": "À titre personnel",
                "nature": "Fête familiale",
                "materiel": ["Tables et chaises", "Accès à la cuisine"],
                "buvette": "no",
                "assurance": Attached("attestation-assurance.pdf", "Attestation d'assurance"),
                "reglement": "on",
            },
            history=[
                (
                    "rejected",
                    "La salle des fêtes est déjà réservée ce week-end. La salle Jean-Moulin "
                    "est disponible à cette date : faites une nouvelle demande si elle vous "
                    "convient.",
                ),
            ],
            days_ago=9,
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
                "chaussée, côté droit en descendant vers la gare.",
                "danger": "yes",
                "lieu": f"Devant le 27 {commune.streets[1]}",
                "rappel": "no",
                "consentement": "on",
            },
            days_ago=1,
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
                "salle": commune.rooms[1],
                "date_evenement": (today + timedelta(days=60)).isoformat(),
                "creneau": "Journée (9 h – 18 h)",
                "participants": 40,
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
                    "incomplete",
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
                "lieu": f"{commune.streets[1]}, entre le numéro 3 et le numéro 15",
                "rappel": "yes",
                "telephone": "06 98 76 54 32",
                "consentement": "on",
            },
            history=[("in_review", "")],
            days_ago=5,
        ),
        DemoRequest(
            slug="signalement-voirie",
            account="yann.legoff@example.org",
            answers={
                "nature": "Panneau ou signalisation endommagé",
                "description": "Le panneau « Stop » est couché dans le fossé après un choc.",
                "danger": "yes",
                "lieu": f"Carrefour de la {commune.streets[0]} et de la route départementale",
                "rappel": "no",
                "consentement": "on",
            },
            history=[
                (
                    "rejected",
                    "Ce carrefour relève du Département de Loire-Atlantique, gestionnaire de "
                    "la route départementale : nous lui avons transmis votre signalement.",
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
            history=[("in_review", "")],
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
    ]
