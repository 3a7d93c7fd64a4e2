"""The portal's template backend frees what a template was given as soon as
the template is rendered, without waiting for the garbage collector."""

import gc
import weakref

import pytest
from django.template import TemplateDoesNotExist, engines
from django.test import RequestFactory


class Marker:
    def __str__(self):
        return "marker"


def test_what_a_page_template_was_given_is_freed_once_it_is_rendered():
    marker = Marker()
    freed = weakref.ref(marker)
    template = engines["django"].from_string("{{ marker }}")
    request = RequestFactory().get("/")
    gc.disable()
    try:
        assert template.render({"marker": marker}, request) == "marker"
        del marker
        assert freed() is None
    finally:
        gc.enable()


def test_a_missing_template_is_reported_by_the_portal_backend():
    engine = engines["django"]
    with pytest.raises(TemplateDoesNotExist) as missing:
        engine.get_template("no/such/template.html")
    assert missing.value.backend is engine
