from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.staticfiles import versioned_static

from .admin_scoping import count_communes_pages, hide_platform_reports, scope_admin_api
from .rich_text import LocalizedPageLinkHandler
from .tenancy import pages_visible_to

hooks.register("construct_reports_menu", hide_platform_reports)
hooks.register("construct_admin_api", scope_admin_api, order=100)
hooks.register("construct_homepage_summary_items", count_communes_pages, order=100)


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


@hooks.register("register_admin_urls")
def commune_create_urls():
    from .commune_admin import commune_create_urls

    return commune_create_urls()


@hooks.register("register_settings_menu_item")
def commune_create_menu_item():
    from .commune_admin import commune_create_menu_item

    return commune_create_menu_item()
