"""The démarche page and the views that fill it in."""

import ast
from pathlib import Path

from django.http import HttpResponse

import services.models
from services.models import ServicePage
from tests.services.factories import service_page


class StepOnlyViews:
    """Views class of a démarche whose steps answer with their number."""

    @staticmethod
    def step(request, page, number):
        return HttpResponse(f"{page.title}, step {number}")


def test_the_page_model_imports_nothing_from_its_views():
    tree = ast.parse(Path(services.models.__file__).read_text(encoding="utf-8"))
    imported = {
        (node.level, node.module) for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
    }

    assert (1, "views") not in imported
    assert (0, "services.views") not in imported


def test_the_steps_are_served_by_the_views_class_the_page_names(client, carvin, monkeypatch):
    page = service_page(carvin)
    monkeypatch.setattr(ServicePage, "views_class", f"{__name__}.StepOnlyViews")

    response = client.get(f"{page.url}etape/2/", HTTP_HOST=carvin.hostname)

    assert response.content.decode() == "Inscription scolaire, step 2"
