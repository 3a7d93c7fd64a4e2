"""System checks of the platform's data."""

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError


@register(Tags.database)
def groups_within_one_commune(app_configs, databases=None, **kwargs):
    """Every group that holds rights on pages, collections or sites holds
    them within one commune (``manage.py check --database default``, and
    before each ``migrate``).

    Rights on the root page or the root collection cover every commune, as
    those of Wagtail's default "Editors" and "Moderators" groups did: a
    group holding them is one wrong tick away from giving a commune's staff
    another commune's pages, images and documents. Platform admins are
    superusers and need no group. A warning, not an error: ``migrate`` must
    still run the migrations that may repair it."""
    if not databases:
        return []
    from .tenancy import groups_outside_communes

    try:
        groups = groups_outside_communes()
    except DatabaseError:  # not migrated yet
        return []
    return [
        Warning(
            f"The group {group.name!r} holds rights outside any commune or in several.",
            hint="Give it rights on one commune's home page, collection and site only, "
            "or delete it; platform admins are superusers.",
            obj=group,
            id="cms.W001",
        )
        for group in groups
    ]
