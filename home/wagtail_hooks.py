from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from cms.extensions import CommuneInstallable

from .models import HomePage


@hooks.register("register_commune_home_page")
def commune_home_page():
    return HomePage


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
