from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeesConfig(AppConfig):
    name = "fees"
    verbose_name = _("Prices of démarches")

    def ready(self):
        from cms.scheduling import register_daily_job

        from . import receivers  # noqa: F401

        register_daily_job("unpaid_requests", "fees.tasks.abandon_unpaid_requests", hour=4)
