from django.urls import path

from . import identity_views, views

app_name = "accounts"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("connexion/", views.login_view, name="login"),
    path("deconnexion/", views.logout_view, name="logout"),
    path("creer/", views.RegistrationView.as_view(), name="register"),
    path("creer/termine/", views.registered_view, name="registered"),
    path("profil/", views.profile_view, name="profile"),
    path("profil/modifier/", views.profile_edit_view, name="profile_edit"),
    path("profil/notifications/", views.notifications_view, name="notifications"),
    path("profil/notifications/telephone/", views.phone_verify_view, name="phone_verify"),
    path(
        "adresse-electronique/<str:token>/",
        views.email_change_confirm_view,
        name="email_change_confirm",
    ),
    path("foyer/ajouter/", views.member_edit_view, name="member_add"),
    path("foyer/<int:pk>/modifier/", views.member_edit_view, name="member_edit"),
    path("foyer/<int:pk>/supprimer/", views.member_delete_view, name="member_delete"),
    path("mot-de-passe/", views.PasswordChangeView.as_view(), name="password_change"),
    path("mot-de-passe-oublie/", views.password_reset_view, name="password_reset"),
    path("mot-de-passe-oublie/envoye/", views.password_reset_sent_view, name="password_reset_sent"),
    path(
        "nouveau-mot-de-passe/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "nouveau-mot-de-passe/termine/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("donnees/", views.personal_data_view, name="personal_data"),
    path("donnees/telecharger/", views.personal_data_download_view, name="personal_data_download"),
    path("supprimer/", views.erase_view, name="erase"),
    path("franceconnect/connexion/", identity_views.start_view, name="franceconnect_start"),
    path("franceconnect/retour/", identity_views.callback_view, name="franceconnect_callback"),
    path("franceconnect/bienvenue/", identity_views.welcome_view, name="franceconnect_welcome"),
    path("franceconnect/relier/", identity_views.link_view, name="franceconnect_link"),
    path(
        "franceconnect/relier/<str:token>/",
        identity_views.link_confirm_view,
        name="franceconnect_link_confirm",
    ),
    path("franceconnect/delier/", identity_views.unlink_view, name="franceconnect_unlink"),
    path(
        "franceconnect/deconnecte/",
        identity_views.logged_out_view,
        name="franceconnect_logged_out",
    ),
]
