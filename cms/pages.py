"""What every public page of the portal shares."""

from functools import cache

from django.shortcuts import redirect
from django.utils import translation
from wagtail.models import Locale, Site


@cache
def language_of_locale(locale_id: int) -> str:
    """The language code of a locale, read once per process (cleared when a
    locale is saved, see ``cms.signals``)."""
    return Locale.objects.get(pk=locale_id).language_code


class PortalPageMixin:
    """Mixin for the portal's page models.

    - A page asked for in a language it does not exist in (``/en/...`` for a
      page with no English translation) redirects to the page in its own
      language, rather than showing its text under the wrong ``lang``.
    - Anonymous, query-less views may be cached whole (see ``cms.cache``).
    """

    def serve(self, request, *args, **kwargs):
        if translation.get_language() != language_of_locale(self.locale_id) and not getattr(
            request, "is_preview", False
        ):
            return redirect(self.get_url(request))
        response = super().serve(request, *args, **kwargs)
        if not request.GET and not getattr(request, "is_preview", False):
            request.page_cache_site_id = Site.find_for_request(request).pk
        return response
