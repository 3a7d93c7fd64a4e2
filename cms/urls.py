from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import uploads
from cms.admin_scoping import platform_admin_urls, scoped_admin_urls
from cms.health import healthz
from cms.preparation import robots_txt

handler400 = "cms.errors.bad_request"
handler500 = "cms.errors.server_error"

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("robots.txt", robots_txt, name="robots_txt"),
    *platform_admin_urls(),
    *scoped_admin_urls(),
    path("admin/", include("accounts.admin_urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [
    path("", include("accounts.captcha")),
    path("", include("accounts.sessions")),
    path("paiement/", include("payments.bank_urls")),
]

urlpatterns += i18n_patterns(
    path("", include("services.urls")),
    path("", include("fees.urls")),
    path("", include("home.urls")),
    path("compte/", include("accounts.urls")),
    path("paiement/", include("payments.urls")),
    # Wagtail's own URLs, its page view replaced by one able to limit each
    # upload of a démarche step.
    *[url for url in wagtail_urls.urlpatterns if url.name != "wagtail_serve"],
    re_path(wagtail_urls.serve_pattern, uploads.serve, name="wagtail_serve"),
    prefix_default_language=False,
)
