"""The page of a server error, the one of a database out of reach, and the
one of a bad request.

When the database cannot be reached (a restart, a failover, the network), a
request fails with ``OperationalError`` or ``InterfaceError`` wherever it
touches it, in a view or in a middleware. The portal then answers 503
"temporarily unavailable" with ``Retry-After``, a page that needs no database,
instead of the 500 of a fault in the portal itself: the citizen is told to try
again shortly (nothing they sent before is lost), nginx passes the 503 on
(deploy/nginx/proxy_params.conf) or serves its last copy of an anonymous page,
and monitoring tells an outage from a bug. The exception is still logged with
its traceback, as any server error.
"""

import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseBadRequest
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.defaults import server_error as default_server_error

RETRY_AFTER_SECONDS = 30


def database_reachable() -> bool:
    """Whether the database answers a trivial query now."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return False
    return True


def database_unavailable(error: BaseException | None) -> bool:
    """An error of the connection, and the database does not answer: an
    outage, not a query of ours the database refused."""
    return isinstance(error, OperationalError | InterfaceError) and not database_reachable()


@never_cache
def server_error(request, template_name: str = "500.html"):
    """``handler500``: Django calls it while it handles the exception."""
    if database_unavailable(sys.exc_info()[1]):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return default_server_error(request, template_name)


def bad_request(request, exception, template_name: str = "400.html"):
    """Django's 400 page without its ``requires_csrf_token``, whose check
    reads the request's body: the body of a bad request may be what is bad
    (a multipart body without its boundary, behind a host refused), and
    reading it there would turn the 400 into a server error. The page holds
    no form that needs a token."""
    return HttpResponseBadRequest(loader.get_template(template_name).render(request=request))
