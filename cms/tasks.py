"""Background work shared by every app."""

from django.core.mail import EmailMultiAlternatives
from django_tasks import task


def email_message(
    *, subject: str, body: str, html: str, from_email: str, to: list[str]
) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=from_email, to=to)
    message.attach_alternative(html, "text/html")
    return message


@task()
def send_email(*, subject: str, body: str, html: str, from_email: str, to: list[str]) -> None:
    """Send one e-mail. Runs in the task worker: a failure is retried by
    re-running the task and never undoes what triggered the e-mail."""
    email_message(subject=subject, body=body, html=html, from_email=from_email, to=to).send()
