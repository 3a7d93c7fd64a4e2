"""Strings of Wagtail and wagtail-localize that their French catalogues get
wrong for this portal, translated again in ours.

Django reads the project's catalogue (``LOCALE_PATHS``) before the apps'
own, so a msgid listed here, with its French in ``locale/fr``, replaces
theirs; listing it keeps ``makemessages`` from dropping it. Their
JavaScript strings are translated in ``locale/fr/LC_MESSAGES/djangojs.po``.
"""

from django.utils.translation import gettext_noop

WAGTAIL_STRINGS = (
    # The button that opens a request, an account or an invoice: "Consulter",
    # not "Inspecter".
    gettext_noop("Inspect"),
    # The bulk actions' footer of the requests, accounts and invoices: the
    # French catalogue calls every snippet a "fragment".
    gettext_noop("1 snippet selected"),
    gettext_noop("%(objects)s snippets selected"),
    gettext_noop("All %(objects)s snippets on this screen selected"),
    gettext_noop("All snippets in listing selected"),
    # wagtail-localize calls the languages "Régions".
    gettext_noop("Locales"),
    gettext_noop("Locale"),
)
