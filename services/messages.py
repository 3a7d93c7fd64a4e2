"""Message templates: ready-made messages to citizens, with placeholders
filled for each request."""

import re

from cms.models import CommuneSettings

from .statuses import SubmissionStatus

PLACEHOLDER_RE = re.compile(r"\{([a-z_]+)\}")
MESSAGE_PLACEHOLDERS = ("prenom", "nom", "reference", "demarche", "commune", "mairie")


def message_values(submission) -> dict[str, str]:
    if submission.account_id:
        first_name, last_name = submission.account.first_name, submission.account.last_name
    else:
        first_name, last_name = submission.contact_first_name, submission.contact_last_name
    commune = CommuneSettings.for_site(submission.site)
    return {
        "prenom": first_name,
        "nom": last_name,
        "reference": submission.reference,
        "demarche": submission.title,
        "commune": commune.official_name,
        "mairie": commune.phrase,
    }


def fill_message(body: str, values: dict[str, str]) -> str:
    return PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), body)


def unknown_placeholders(body: str) -> list[str]:
    return sorted(
        {name for name in PLACEHOLDER_RE.findall(body) if name not in MESSAGE_PLACEHOLDERS}
    )


#: The message templates every commune may start with (``message_templates``
#: installable): product texts in French, with the placeholders above. They
#: are the message only: the e-mail that carries it greets the citizen and
#: signs in the town hall's name.
DEFAULT_MESSAGE_TEMPLATES = [
    (
        SubmissionStatus.INCOMPLETE,
        "Justificatif illisible",
        "Le justificatif joint à votre demande {reference} (« {demarche} ») est illisible. "
        "Merci d'en envoyer une copie nette depuis la page de votre demande.",
    ),
    (
        SubmissionStatus.ACCEPTED,
        "Demande acceptée",
        "Votre demande {reference} (« {demarche} ») est acceptée. Vous recevrez les "
        "informations pratiques par courrier.",
    ),
    (
        SubmissionStatus.REJECTED,
        "Hors des conditions",
        "Votre demande {reference} (« {demarche} ») ne remplit pas les conditions prévues. "
        "Nous restons à votre disposition à l'accueil de la mairie.",
    ),
]


def message_templates_install(site, choice) -> list[str]:
    """Give the commune the default message templates it does not have."""
    from .models import MessageTemplate

    created = []
    for status, title, body in DEFAULT_MESSAGE_TEMPLATES:
        _template, made = MessageTemplate.objects.get_or_create(
            site=site, status=status, title=title, defaults={"body": body}
        )
        if made:
            created.append(f"message template {title}")
    return created
