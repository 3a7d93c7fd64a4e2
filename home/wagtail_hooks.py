from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from cms.extensions import CommuneInstallable

from .models import HomePage


@hooks.register("register_commune_home_page")
def commune_home_page():
    return HomePage


@hooks.register("register_commune_exchange", order=50)
def commune_file_part():
    from cms.extensions import CommuneExchange

    from .commune_file import home_export, home_import

    return CommuneExchange(key="home", export=home_export, import_=home_import)


#: The legal pages every commune has under its home page, by slug.
LEGAL_PAGE_SLUGS = ("mentions-legales", "accessibilite", "donnees-personnelles")


@hooks.register("register_commune_setup_items", order=40)
def legal_pages_setup_item(site):
    """The three legal pages exist, and a person saved each one since they
    were installed from their templates (saved with no user)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from cms.extensions import SetupItem

    from .models import ContentPage

    home = site.root_page
    pages = {
        page.slug: page
        for page in ContentPage.objects.child_of(home)
        .filter(slug__in=LEGAL_PAGE_SLUGS)
        .select_related("latest_revision")
    }
    missing = [slug for slug in LEGAL_PAGE_SLUGS if slug not in pages]
    unreviewed = [
        pages[slug]
        for slug in LEGAL_PAGE_SLUGS
        if slug in pages
        and (pages[slug].latest_revision is None or pages[slug].latest_revision.user_id is None)
    ]
    details = []
    if missing:
        details.append(_("Missing: %(pages)s") % {"pages": ", ".join(f"/{s}/" for s in missing)})
    if unreviewed:
        details.append(
            _("Not reviewed yet: %(pages)s")
            % {"pages": ", ".join(page.title for page in unreviewed)}
        )
    url = (
        reverse("wagtailadmin_pages:edit", args=[unreviewed[0].pk])
        if unreviewed and not missing
        else reverse("wagtailadmin_explore", args=[home.pk])
    )
    return [
        SetupItem(
            label=_("Legal pages reviewed"),
            done=not (missing or unreviewed),
            url=url,
            detail="; ".join(details),
        )
    ]


@hooks.register("register_commune_installable", order=10)
def legal_pages_installable():
    from .legal import legal_pages_install

    return CommuneInstallable(
        key="legal_pages",
        label=_("Legal pages"),
        install=legal_pages_install,
        default=True,
        help_text=_(
            "Legal notice, accessibility statement (RGAA) and personal data, linked in the "
            "footer, filled from the commune's settings."
        ),
    )
