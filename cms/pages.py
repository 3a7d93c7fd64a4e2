"""What every public page of the portal shares."""

from django.shortcuts import redirect
from django.utils import translation
from wagtail.models import Site


class PortalPageMixin:
    """Mixin for the portal's page models.

    - A page asked for in a language it does not exist in (``/en/...`` for a
      page with no English translation) redirects to the page in its own
      language, rather than showing its text under the wrong ``lang``.
    - Anonymous, query-less views may be cached whole (see ``cms.cache``).
    """

    def serve(self, request, *args, **kwargs):
        if translation.get_language() != self.locale.language_code and not getattr(
            request, "is_preview", False
        ):
            return redirect(self.get_url(request))
        response = super().serve(request, *args, **kwargs)
        if not request.GET and not getattr(request, "is_preview", False):
            request.page_cache_site_id = Site.find_for_request(request).pk
        return response
