"""Who is asking, on the public side: the citizen of the request's commune.

Reads ``request.user`` (Django's ``AuthenticationMiddleware``) and
``request.commune`` (``cms.tenancy.CommuneMiddleware``), each found once per
request, so asking again costs nothing.
"""

from functools import wraps
from urllib.parse import urlencode

from django.http import HttpResponseRedirect
from django.urls import reverse


def citizen_of(request):
    """The citizen logged in on their own commune's portal, or None (nobody,
    staff, or a citizen of another commune)."""
    user = request.user
    if user.is_authenticated and user.site_id == request.commune.pk:
        return user
    return None


def citizen_required(view):
    """The citizen must be logged in on their own commune's portal."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if citizen_of(request) is None:
            return redirect_to_login(request)
        return view(request, *args, **kwargs)

    return wrapped


def redirect_to_login(request):
    return HttpResponseRedirect(login_url_for(request))


def login_url_for(request) -> str:
    """The login page, to come back to this page (its query string included)."""
    return f"{reverse('accounts:login')}?{urlencode({'next': request.get_full_path()}, safe='/')}"
