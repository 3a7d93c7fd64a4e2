from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.staticfiles import versioned_static

from .admin_scoping import count_communes_pages, hide_platform_reports, scope_admin_api
from .checklist import cms_setup_items, commune_opening_urls, setup_panel
from .rich_text import LocalizedPageLinkHandler
from .tenancy import pages_visible_to

hooks.register("construct_reports_menu", hide_platform_reports)
hooks.register("construct_admin_api", scope_admin_api, order=100)
hooks.register("construct_homepage_summary_items", count_communes_pages, order=100)
hooks.register("construct_homepage_panels", setup_panel)
hooks.register("register_admin_urls", commune_opening_urls)
hooks.register("register_commune_setup_items", cms_setup_items, order=0)


@hooks.register("insert_global_admin_css")
def admin_css():
    """Our corrections to the admin's layout (``static/css/admin.css``)."""
    return format_html('<link rel="stylesheet" href="{}">', versioned_static("css/admin.css"))


@hooks.register("construct_page_chooser_queryset")
def limit_page_chooser_to_own_communes(pages, request):
    return pages_visible_to(request.user, pages)


@hooks.register("register_rich_text_features", order=100)
def localized_page_links(features):
    """Registered after Wagtail's own page link handler, which it replaces."""
    features.register_link_type(LocalizedPageLinkHandler)


@hooks.register("register_admin_urls")
def agents_actions_urls():
    from .audit import audit_urls

    return audit_urls()


@hooks.register("register_reports_menu_item")
def agents_actions_menu_item():
    from .audit import audit_menu_item

    return audit_menu_item()


@hooks.register("register_commune_exchange", order=0)
def commune_settings_exchange():
    from .commune_file import commune_settings_export, commune_settings_import
    from .extensions import CommuneExchange

    return CommuneExchange(
        key="cms", export=commune_settings_export, import_=commune_settings_import
    )


@hooks.register("register_admin_urls")
def commune_files_urls():
    from .commune_file_views import commune_file_urls

    return commune_file_urls()


@hooks.register("register_settings_menu_item")
def commune_files_menu_item():
    from .commune_file_views import commune_files_menu_item

    return commune_files_menu_item()


@hooks.register("register_log_actions")
def commune_opening_actions(actions):
    """A platform admin opening or closing a commune, in its log (``cms.audit``)."""
    from .checklist import LOG_ACTIONS
    from .models import AuditLogEntry, CommuneSettings

    actions.register_model(CommuneSettings, AuditLogEntry)
    for action, label, message in LOG_ACTIONS:
        actions.register_action(action, label, message)


@hooks.register("register_admin_urls")
def commune_create_urls():
    from .commune_admin import commune_create_urls

    return commune_create_urls()


@hooks.register("register_settings_menu_item")
def commune_create_menu_item():
    from .commune_admin import commune_create_menu_item

    return commune_create_menu_item()


@hooks.register("construct_homepage_panels")
def sms_panel(request, panels):
    """Text messages sent this month (``cms.sms.dashboard``)."""
    from .sms.dashboard import sms_panel

    sms_panel(request, panels)
