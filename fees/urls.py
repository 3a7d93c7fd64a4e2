from django.urls import path

from . import views

app_name = "fees"

urlpatterns = [
    path(
        "compte/demandes/<str:reference>/payer/<int:pk>/",
        views.submission_pay_view,
        name="submission_pay",
    ),
    path("suivi/<str:key>/payer/<int:pk>/", views.tracking_pay_view, name="tracking_pay"),
]
