"""Background work of accounts, through Django's task API (django-tasks)."""

from django_tasks import task


@task()
def send_password_reset(*, site_id: int, login: str, base_url: str, language: str) -> None:
    """E-mail a link to choose a new password, if ``login`` names an active
    account of the commune with an address (``accounts.services``). Run by
    the worker, so that the page answers in the same time whether an account
    matches or not."""
    from wagtail.models import Site

    from .services import password_reset_send

    site = Site.objects.filter(pk=site_id).first()
    if site is not None:
        password_reset_send(site=site, login=login, base_url=base_url, language=language)
