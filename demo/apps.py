from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo portal: ``manage.py load_demo`` and the data only it needs
    (communes, people, démarches, requests, invoices). No other app imports it."""

    name = "demo"
    verbose_name = _("Demo")
