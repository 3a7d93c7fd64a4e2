"""The citizen's pages, inside the language prefix (``cms.urls``)."""

from django.urls import path

from . import views
from .backends import testbank

app_name = "payments"

urlpatterns = [
    path("", views.invoices_view, name="invoices"),
    path("releve/", views.statement_view, name="statement"),
    path("facture/<int:pk>/pdf/", views.invoice_pdf_view, name="invoice_pdf"),
    path("panier/", views.cart_view, name="cart"),
    path("panier/ajouter/<int:pk>/", views.cart_add_view, name="cart_add"),
    path("panier/retirer/<int:pk>/", views.cart_remove_view, name="cart_remove"),
    path("panier/payer/", views.cart_pay_view, name="cart_pay"),
    path("payer-une-facture/", views.pay_without_account_view, name="pay_without_account"),
    path("payer-une-facture/paiement/", views.pay_invoice_view, name="pay_invoice"),
    path("transaction/<uuid:public_id>/", views.transaction_view, name="transaction"),
    path("transaction/<uuid:public_id>/recu/", views.receipt_view, name="receipt"),
    path("transaction/<uuid:public_id>/recu.pdf", views.receipt_pdf_view, name="receipt_pdf"),
    path("banque-de-test/<str:bank_order_id>/", testbank.bank_page, name="testbank"),
]
