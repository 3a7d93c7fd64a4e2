"""The apps depend downward only (docs/architecture.md): an import that runs
up a layer, or into another app's views, fails here with the file and line.

Imports inside functions count as much as those at the top of a module: a
lazy import is still a dependency."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: What each app may import among the project's apps, besides itself.
MAY_IMPORT = {
    "cms": set(),
    "accounts": {"cms"},
    "home": {"cms"},
    "faq": {"cms"},
    "services": {"cms", "accounts"},
    "payments": {"cms", "accounts"},
    "fees": {"cms", "accounts", "services", "payments"},
    "demo": {"cms", "accounts", "home", "faq", "services", "payments", "fees"},
}
#: Modules that serve requests: no other app imports them.
PRIVATE = ("views", "admin_views", "admin", "wagtail_hooks", "urls")


def imports_of(path: Path):
    """The absolute names a module imports, with their line numbers."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module
            yield node.lineno, module
            for alias in node.names:
                yield node.lineno, f"{module}.{alias.name}"


def modules_of(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def crossings():
    """Every import of one app's module by another, as (file:line, app, name)."""
    for app in MAY_IMPORT:
        for path in modules_of(app):
            for line, name in imports_of(path):
                other = name.split(".")[0]
                if other in MAY_IMPORT and other != app:
                    yield f"{path.relative_to(ROOT)}:{line}", app, other, name


def test_the_imports_are_read_from_every_app():
    found = {app for _, app, _, _ in crossings()}
    assert {"accounts", "services", "payments", "demo"} <= found


@pytest.mark.parametrize("app", sorted(MAY_IMPORT))
def test_an_app_imports_only_the_layers_below_it(app):
    upward = [
        f"{where} imports {name}"
        for where, importer, other, name in crossings()
        if importer == app and other not in MAY_IMPORT[app]
    ]
    assert upward == []


def test_no_app_imports_the_views_of_another():
    private = [
        f"{where} imports {name}"
        for where, _, other, name in crossings()
        if name.split(".")[1:2] and name.split(".")[1] in PRIVATE
    ]
    assert private == []
