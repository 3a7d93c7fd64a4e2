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


class RefuseMalformedContentLengthMiddleware:
    """Refuse (400) a request whose ``Content-Length`` is not a number of
    bytes (``abc``, ``-1``, ``1e3``).

    Django reads the header again with ``int()`` when a view reads the body,
    and a value it cannot read is a server error there; gunicorn refuses such
    a request itself, other servers (the development server, an ASGI server)
    may not. An empty header is read as no body, as Django does.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = request.META.get("CONTENT_LENGTH", "")
        if length and not (length.isascii() and length.isdigit()):
            # Django's 400 view checks the CSRF token, which reads the form:
            # the body reads as empty, as Django does with a body it could not parse.
            request._mark_post_parse_error()
            raise SuspiciousOperation("malformed Content-Length header")
        return self.get_response(request)
