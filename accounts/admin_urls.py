"""Admin URLs of ``accounts`` matched before Wagtail's own (``cms/urls.py``):
signing in with ProConnect, which anyone may reach (Wagtail's
``register_admin_urls`` would keep it to signed-in staff), and the admin's
logout, which ends a ProConnect session too; and the link of a staff
invitation, which its recipient opens before they have an account."""

from django.urls import path

from . import invitation_views, proconnect_views

urlpatterns = [
    path("logout/", proconnect_views.logout_view, name="wagtailadmin_logout"),
    path("proconnect/login/", proconnect_views.start_view, name="proconnect_start"),
    path("proconnect/callback/", proconnect_views.callback_view, name="proconnect_callback"),
    path("proconnect/logged-out/", proconnect_views.logged_out_view, name="proconnect_logged_out"),
    path("invitation/<str:token>/", invitation_views.invitation_view, name="staff_invitation"),
]
