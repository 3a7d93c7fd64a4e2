"""What every public page of the portal shares."""

from django.core.cache import cache
from django.shortcuts import redirect
from django.utils import translation
from wagtail.models import Locale, Site

LOCALES_KEY = "portal:locales"


def locale_languages() -> dict[int, str]:
    """Language code of each locale, from the cache shared by all processes;
    forgotten when a locale is saved or deleted (see ``cms.signals``)."""
    languages = cache.get(LOCALES_KEY)
    if languages is None:
        languages = dict(Locale.objects.values_list("pk", "language_code"))
        cache.set(LOCALES_KEY, languages, timeout=None)
    return languages


def forget_locale_languages() -> None:
    cache.delete(LOCALES_KEY)


def locale_id_for_language(language_code: str) -> int | None:
    return next((pk for pk, code in locale_languages().items() if code == language_code), None)


class PortalPageMixin:
    """Mixin for the portal's page models.

    - A page asked for in a language it does not exist in (``/en/...`` for a
      page with no English translation) redirects to the page in its own
      language, rather than showing its text under the wrong ``lang``.
    - Anonymous, query-less views may be cached whole (see ``cms.cache``).
    """

    def serve(self, request, *args, **kwargs):
        if translation.get_language() != locale_languages().get(self.locale_id) and not getattr(
            request, "is_preview", False
        ):
            return redirect(self.get_url(request))
        response = super().serve(request, *args, **kwargs)
        if not request.GET and not getattr(request, "is_preview", False):
            request.page_cache_site_id = Site.find_for_request(request).pk
        return response
