"""Loading what every app server process needs before its first request.

Django imports the URL configuration (and with it every view), reads the
translation catalogues and compiles each template on the first request that
needs them: about a second on the first request of a new process. gunicorn
(``deploy/gunicorn.conf.py``) loads the application once in its master
process, calls :func:`warm_up` there, then forks its workers, which start
with all of it already in memory.
"""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.core.files.storage import storages
from django.db import connections
from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.urls import get_resolver
from django.utils import translation


def project_templates() -> list[str]:
    """The names of the project's own templates (those of its apps and of
    ``templates/``), not those of installed libraries."""
    base = Path(settings.BASE_DIR).resolve()
    folders = [Path(folder) for engine in settings.TEMPLATES for folder in engine["DIRS"]]
    folders += [
        Path(config.path) / "templates"
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(base)
    ]
    names = set()
    for folder in folders:
        if ".venv" in folder.parts or not folder.is_dir():
            continue
        names.update(
            path.relative_to(folder).as_posix()
            for path in folder.rglob("*")
            if path.suffix in {".html", ".txt", ".xml"}
        )
    return sorted(names)


def warm_up() -> int:
    """Import the views, read the catalogues, compile the templates; returns
    the number of templates compiled. Opens no database connection that
    outlives it."""
    resolver = get_resolver()
    loaded = [resolver.url_patterns]
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            translation.gettext("Home")
            loaded.append(resolver.reverse_dict)
    for alias in settings.CACHES:
        client = getattr(caches[alias], "_cache", None)
        if hasattr(client, "get_client"):
            client.get_client()
    for storage in (storages["default"], storages["private"]):
        connection = getattr(storage, "connection", None)
        if connection is not None:
            loaded.append(connection.meta.client.meta.service_model)
    compiled = 0
    engine = engines["django"]
    for name in project_templates():
        try:
            engine.get_template(name)
        except (TemplateDoesNotExist, TemplateSyntaxError):
            continue
        compiled += 1
    connections.close_all()
    return compiled
