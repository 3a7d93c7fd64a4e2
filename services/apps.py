from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("Online procedures")

    def ready(self):
        from cms.scheduling import register_daily_job

        from . import personal_data  # noqa: F401

        register_daily_job("retention", "services.tasks.apply_retention", hour=3)
        register_daily_job("deadlines", "services.tasks.fire_deadlines", hour=6)
