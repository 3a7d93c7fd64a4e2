from django.contrib.auth.backends import ModelBackend
from wagtail.models import Site

from .models import User
from .selectors import citizen_by_login


class _Backend(ModelBackend):
    def _authenticate(self, user, password):
        if user is None:
            User().set_password(password)
            return None
        if user.check_password(password, count_failure=False) and self.user_can_authenticate(user):
            return user
        return None


class CitizenBackend(_Backend):
    """Authenticates citizens on their own commune's portal only.

    The identifier is compared accent-sensitively and case-insensitively (it
    is stored in lower case); the e-mail address is accepted too.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or username is None or password is None:
            return None
        site = Site.find_for_request(request)
        if site is None:
            return None
        return self._authenticate(citizen_by_login(site=site, login=username), password)


class StaffBackend(_Backend):
    """Authenticates staff users, who belong to no commune, by identifier.

    Citizen accounts are never authenticated here: they log in on their own
    commune's portal only.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = User.objects.filter(site__isnull=True, username__iexact=username).first()
        return self._authenticate(user, password)
