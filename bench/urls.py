"""The project's URLs with a trivial view in front, as a baseline for timings."""

from django.http import HttpResponse
from django.urls import path

from cms.urls import urlpatterns as cms_urlpatterns


def trivial(request):
    return HttpResponse(b"<!DOCTYPE html><title>ok</title><p>ok</p>", content_type="text/html")


urlpatterns = [
    path("bench/trivial/", trivial),
    *cms_urlpatterns,
]
