from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("Online procedures")

    def ready(self):
        from cms.scheduling import register_daily_job

        from . import (
            personal_data,  # noqa: F401
            search,  # noqa: F401 (refreshes search texts when an account is renamed)
        )

        register_daily_job("retention", "services.tasks.apply_retention", hour=3)
        register_daily_job("deadlines", "services.tasks.fire_deadlines", hour=6)
        register_daily_job("new_requests_digest", "services.tasks.send_daily_digests", hour=7)
