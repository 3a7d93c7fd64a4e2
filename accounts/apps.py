from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import second_factor, sessions  # noqa: F401 (their signal receivers)
        from .sessions import connect_session_endings
        from .signals import cancel_inactivity_warning

        connect_session_endings()

        user_logged_in.connect(
            cancel_inactivity_warning, dispatch_uid="accounts.cancel_inactivity_warning"
        )
