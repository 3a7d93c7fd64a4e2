"""Message templates: ready-made messages to citizens, with placeholders
filled for each request."""

import re

from cms.models import CommuneSettings

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
