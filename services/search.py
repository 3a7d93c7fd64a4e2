"""What the agents' search of requests looks into.

Each sent request keeps one line of text, ``Submission.search_text``: its
number, the requester's and the person concerned's names and e-mail, and the
text of its answers as agents read them (typed values, choice labels; never
the content or name of a document), in lower case with accents folded. The
queue looks for each word of a search in it, through a trigram index on
PostgreSQL (migration ``services/0010``), so that a search stays as fast with
100,000 requests as with 1,000.

It is written when a request is sent (``submission_submit``) and when the
citizen corrects it (``submission_correct``), refreshed when a citizen
changes their name or e-mail, and cut down to the request's number when the
request is anonymised. A draft has none: the queue never lists drafts, and a
draft's answers are only what was typed (``submission_save_step``) until it
is sent.
"""

import unicodedata
from collections.abc import Iterable

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from .fields.answers import answer_rows
from .fields.schema import Step

#: Letters that Unicode does not decompose into a base letter and an accent.
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d"})


def search_normalise(text: str) -> str:
    """``text`` in lower case, accents folded, spaces collapsed: how search
    texts are stored and searched ("Élodie  CŒUR" → "elodie coeur")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(LIGATURES))
    folded = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(folded.split())


def search_text(*, reference: str, names: Iterable[str], steps: list[Step], data: dict) -> str:
    """The search text of a request numbered ``reference``, whose people are
    ``names`` (names and e-mail addresses), answered ``data`` on ``steps``."""
    parts = [reference, *names]
    for _step, rows in answer_rows(steps, data or {}):
        parts.extend(row.text for row in rows if not row.is_document)
    return search_normalise(" ".join(part for part in parts if part))


def submission_search_text(submission) -> str:
    """The search text of a request being sent, or sent, as it is now."""
    if submission.is_anonymised:
        return search_normalise(submission.reference)
    account = submission.account if submission.account_id else None
    names = [
        submission.concerns,
        submission.contact_first_name,
        submission.contact_last_name,
        submission.contact_email,
    ]
    if account is not None:
        names += [account.first_name, account.last_name, account.email]
    return search_text(
        reference=submission.reference, names=names, steps=submission.steps, data=submission.data
    )


def account_requests_search_refresh(*, account) -> int:
    """Write again the search texts of an account's requests (after a change
    of its name or e-mail); returns how many changed."""
    from .models import Submission, SubmissionStatus

    changed = 0
    requests = (
        Submission.objects.filter(account=account, anonymised_at__isnull=True)
        .exclude(status=SubmissionStatus.DRAFT)
        .select_related("account", "page_revision", "page")
    )
    for submission in requests.iterator(chunk_size=200):
        text = submission_search_text(submission)
        if text != submission.search_text:
            Submission.objects.filter(pk=submission.pk).update(search_text=text)
            changed += 1
    return changed


#: The account's fields that its requests' search texts hold.
ACCOUNT_SEARCH_FIELDS = {"first_name", "last_name", "email"}


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="services.search.account")
def account_saved(sender, instance, created, update_fields=None, **kwargs):
    if created or (update_fields is not None and not ACCOUNT_SEARCH_FIELDS & set(update_fields)):
        return
    account_requests_search_refresh(account=instance)
