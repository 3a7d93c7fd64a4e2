"""What the management commands share: the commune a ``--site`` names."""

from django.core.management.base import CommandError
from wagtail.models import Site


def commune_named(hostname: str) -> Site:
    """The commune whose site answers at ``hostname``; a ``CommandError``
    that says so when none does."""
    site = Site.objects.filter(hostname=hostname).select_related("root_page").first()
    if site is None:
        raise CommandError(f"No commune has the hostname {hostname!r}.")
    return site
