"""E-mails to citizens, in the commune's name and colours, sent by the task queue."""

from django.conf import settings
from django.db import transaction
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import translation
from django.utils.html import strip_tags

from .models import CommuneSettings
from .tasks import send_email


def commune_sender(commune: CommuneSettings) -> str:
    address = commune.email_sender or settings.DEFAULT_FROM_EMAIL
    return f"{commune.official_name} <{address}>"


def render_plain_text(template: str, context: dict) -> str:
    """A plain-text template rendered as text: nothing in it is HTML-escaped
    ("L'Île-d'Yeu", never "L&#x27;Île-d&#x27;Yeu")."""
    return get_template(template).template.render(Context(context, autoescape=False))


def render_commune_email(
    *, site, to: str, subject: str, template: str, context: dict, language: str | None = None
) -> dict:
    """The e-mail as keyword arguments of ``cms.tasks.send_email``.

    ``template`` names ``templates/emails/<template>.html`` and ``.txt``; both
    receive ``commune``, ``site`` and ``portal_url`` besides ``context``.
    """
    commune = CommuneSettings.for_site(site)
    with translation.override(language or settings.LANGUAGE_CODE):
        full_context = {
            "commune": commune,
            "site": site,
            "portal_url": site.root_url,
            **context,
        }
        html = render_to_string(f"emails/{template}.html", full_context)
        try:
            body = render_plain_text(f"emails/{template}.txt", full_context)
        except TemplateDoesNotExist:
            body = strip_tags(html)
        subject = f"{commune.official_name} – {subject}"
    return {
        "subject": subject,
        "body": body,
        "html": html,
        "from_email": commune_sender(commune),
        "to": [to],
    }


def send_commune_email(
    *, site, to: str, subject: str, template: str, context: dict, language: str | None = None
) -> None:
    """Queue an e-mail (see ``render_commune_email``) once the current
    transaction commits."""
    message = render_commune_email(
        site=site, to=to, subject=subject, template=template, context=context, language=language
    )
    transaction.on_commit(lambda: send_email.enqueue(**message))
