"""What every public page of the portal shares."""

from functools import cache as memoize

from django.core.cache import cache
from django.db import models
from django.db.models import Q
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale, Site, get_page_models

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


class FooterLinkMixin(models.Model):
    """For a page type whose pages editors may link in the footer of every
    page of their commune (legal notice, accessibility statement...), when
    the page is a child of the commune's home page (see ``portal_navigation``)."""

    in_footer = models.BooleanField(
        _("link in the footer"),
        default=False,
        help_text=_("Legal notice, accessibility, personal data…"),
    )

    class Meta:
        abstract = True


@memoize
def _footer_link_models() -> tuple[type, ...]:
    return tuple(model for model in get_page_models() if issubclass(model, FooterLinkMixin))


def in_footer() -> Q:
    """The pages (``Page`` rows) linked in the footer, whatever their type."""
    condition = Q(pk__in=[])
    for model in _footer_link_models():
        condition |= Q(**{f"{model._meta.model_name}__in_footer": True})
    return condition
