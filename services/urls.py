from django.urls import include, path

from . import tracking
from .postcodes import postcodes_view

app_name = "services"

account_patterns = [
    path("", tracking.submission_view, name="submission"),
    path("recepisse/", tracking.submission_receipt_view, name="submission_receipt"),
    path("bordereau/", tracking.submission_cover_sheet_view, name="submission_cover_sheet"),
    path("documents/<int:pk>/", tracking.submission_document_view, name="submission_document"),
    path("delivres/<int:pk>/", tracking.submission_issued_view, name="submission_issued"),
    path("message/", tracking.submission_message_view, name="submission_message"),
    path(
        "messages/<int:pk>/", tracking.submission_message_file_view, name="submission_message_file"
    ),
]

key_patterns = [
    path("", tracking.tracking_view, name="tracking"),
    path("recepisse/", tracking.tracking_receipt_view, name="tracking_receipt"),
    path("bordereau/", tracking.tracking_cover_sheet_view, name="tracking_cover_sheet"),
    path("documents/<int:pk>/", tracking.tracking_document_view, name="tracking_document"),
    path("delivres/<int:pk>/", tracking.tracking_issued_view, name="tracking_issued"),
    path("message/", tracking.tracking_message_view, name="tracking_message"),
    path("messages/<int:pk>/", tracking.tracking_message_file_view, name="tracking_message_file"),
]

urlpatterns = [
    path("codes-postaux/<str:postcode>/", postcodes_view, name="postcodes"),
    path("compte/demandes/", tracking.submissions_view, name="submissions"),
    path("compte/demandes/<str:reference>/", include(account_patterns)),
    path("suivi/<str:key>/", include(key_patterns)),
]
