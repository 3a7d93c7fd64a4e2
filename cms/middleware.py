"""Middleware of the project's own."""

from django.core.exceptions import SuspiciousOperation


class RefuseNulCharacterMiddleware:
    """Refuse (400) an address whose path or query string holds a NUL
    character (``%00``).

    PostgreSQL cannot store or even compare text holding one: a page route,
    a redirect lookup or a lookup by number made with it fails in the
    database, a server error. No address of the portal holds one, so the
    request is refused before any view sees it; SQLite, which accepts NUL,
    behaves the same way. Form fields refuse it themselves (Django's
    ``ProhibitNullCharactersValidator``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            raise SuspiciousOperation("NUL character in the address")
        return self.get_response(request)
