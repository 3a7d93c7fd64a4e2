from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Communes")

    def ready(self):
        from . import checks, signals  # noqa: F401
        from .admin_scoping import scope_page_filters, scope_privacy_forms
        from .pages import active_locale_from_cache
        from .scheduling import register_daily_job
        from .security import nonce_wagtail_chooser_scripts
        from .tenancy import site_root_paths_in_two_queries, sites_from_cache
        from .translation import name_segments_by_their_block

        scope_page_filters()
        scope_privacy_forms()
        nonce_wagtail_chooser_scripts()
        active_locale_from_cache()
        sites_from_cache()
        site_root_paths_in_two_queries()
        name_segments_by_their_block()
        register_daily_job(
            "sms_morning", "cms.sms.tasks.sms_morning", hour=settings.SMS_QUIET_HOURS[1]
        )
