"""Addresses called by banks and billing software: no session, no language
prefix (``cms.urls`` includes them before the localised pages)."""

from django.urls import path

from . import views

app_name = "payments_bank"

urlpatterns = [
    path("retour/<uuid:public_id>/", views.bank_return_view, name="return"),
    path("notification/<uuid:public_id>/", views.notification_view, name="notification"),
    path("api/regies/<uuid:public_id>/factures/", views.invoices_push_view, name="invoices_push"),
]
