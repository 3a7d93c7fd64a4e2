"""The app servers' warm-up before they fork their workers (cms.warmup)."""

import pytest
from django.template import engines

from cms.warmup import project_templates, warm_up


def test_the_warm_up_finds_the_project_templates_and_none_of_the_libraries():
    names = project_templates()
    assert "base.html" in names
    assert "accounts/login.html" in names
    assert "emails/account_created.txt" in names
    # Wagtail's own admin templates are not compiled, only those the project overrides.
    assert "wagtailadmin/home.html" not in names
    assert "wagtailadmin/panels/inline_panel.html" in names


def test_every_project_template_compiles_without_the_database():
    """Outside ``django_db``, any query would fail the test: the master process
    that warms up holds no database connection when it forks its workers."""
    assert warm_up() == len(project_templates())


def test_the_compiled_templates_are_kept_for_the_first_request(settings):
    engine = engines["django"].engine
    loader = engine.template_loaders[0]
    if not hasattr(loader, "get_template_cache"):
        pytest.skip("templates are not cached with these settings")
    loader.reset()
    warm_up()
    assert "base.html" in loader.get_template_cache
