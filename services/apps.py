from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("Online procedures")

    def ready(self):
        from . import demo  # noqa: F401
