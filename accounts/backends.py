from django.contrib.auth.backends import ModelBackend

from .models import User


class StaffBackend(ModelBackend):
    """Authenticates staff users, who belong to no commune, by identifier.

    Citizen accounts are never authenticated here: they log in on their own
    commune's portal only.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = User.objects.filter(site__isnull=True, username__iexact=username).first()
        if user is None:
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
