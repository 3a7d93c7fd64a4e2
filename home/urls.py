from django.urls import path

from . import views

app_name = "home"

urlpatterns = [path("recherche/", views.search_view, name="search")]
