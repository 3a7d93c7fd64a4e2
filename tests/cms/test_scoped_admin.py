"""Every admin screen of a commune's records is built from the tenancy
toolkit (``cms.scoped_admin``): a screen that forgets to keep to the user's
communes cannot be declared."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from wagtail.admin.views.bulk_action.registry import bulk_action_registry
from wagtail.models import Site
from wagtail.permission_policies.sites import SitePermissionPolicy
from wagtail.permissions import policy_registry
from wagtail.snippets.models import get_snippet_models
from wagtail.snippets.views.snippets import EditView, IndexView

from cms.scoped_admin import CommuneViewSet, ScopedBulkAction
from cms.spreadsheets import spreadsheet_text
from services.models import MessageTemplate


def commune_models():
    return [
        model
        for model in get_snippet_models()
        if any(
            getattr(field, "related_model", None) is Site and field.name == "site"
            for field in model._meta.get_fields()
        )
    ]


@pytest.mark.parametrize("view", ["index_view_class", "edit_view_class"])
def test_a_commune_screen_with_a_view_that_does_not_keep_to_the_communes_is_refused(view):
    unscoped = {"index_view_class": IndexView, "edit_view_class": EditView}[view]

    with pytest.raises(ImproperlyConfigured, match="does not keep to the user's communes"):
        type("Unscoped", (CommuneViewSet,), {"model": MessageTemplate, view: unscoped})


def test_every_admin_screen_of_a_communes_records_is_a_commune_screen():
    models = commune_models()

    assert len(models) >= 6
    for model in models:
        assert isinstance(model.snippet_viewset, CommuneViewSet), model
        assert isinstance(policy_registry.get_by_type(model), SitePermissionPolicy), model


def test_the_apps_bulk_actions_on_commune_records_are_scoped():
    actions = [
        action
        for model in commune_models()
        for action in bulk_action_registry.get_bulk_actions_for_model(
            model._meta.app_label, model._meta.model_name
        )
        if action.__module__.split(".")[0] in ("accounts", "services", "payments")
    ]

    assert len(actions) >= 4
    assert all(issubclass(action, ScopedBulkAction) for action in actions)


@pytest.mark.parametrize(
    ("value", "cell"),
    [("=SUM(A1)", "'=SUM(A1)"), ("+33 6 12 34 56 78", "+33 6 12 34 56 78"), ("Dupont", "Dupont")],
)
def test_a_spreadsheet_cell_never_runs_a_formula_typed_by_a_citizen(value, cell):
    assert spreadsheet_text(value) == cell
