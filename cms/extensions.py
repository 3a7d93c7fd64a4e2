"""Extension points through which the apps take part in creating a commune
(``cms.services.commune_create``) without ``cms`` importing them (see
DESIGN.md, "Apps").

An app registers, in its ``wagtail_hooks.py``:

- ``register_commune_home_page``: a function ``() -> type[Page]``, the page
  type of a new commune's home page, the root of its Site. One app registers
  it; the last one registered wins.
- ``register_commune_page``: a function ``() -> CommunePage``, a page every
  commune has under its home page. It is created once, published, in the
  order of the hooks (``hooks.register(..., order=...)``), which is the order
  of the menu; a commune that has a page of that type keeps it as it is.
- ``register_commune_permissions``: a function ``() -> CommunePermissions``,
  what each group of the commune may do with the app's models in that
  commune only.
- ``register_commune_installable``: a function ``() -> CommuneInstallable``,
  content the operator may install into a new commune (legal pages, FAQ,
  message templates, démarches...), in the order of the hooks.
- ``register_commune_exchange``: a function ``() -> CommuneExchange``, the
  app's part of a commune file (``cms.commune_file``): how it writes its
  configuration of a commune, and reads it back into another, in the order
  of the hooks (a part reads what the parts before it created).


And to the setup checklist of a commune (``cms.checklist``), on the admin's
home page:

- ``register_commune_setup_items``: a function ``(site) -> list[SetupItem]``,
  the steps of the commune's setup that the app checks, each computed from
  the commune's data (never ticked by hand), in the order of the hooks.

And to who sees a commune "en préparation" (``cms.preparation``):

- ``register_staff_session_check``: a function ``(request) -> bool``, whether
  the signed-in staff member's session may work as staff (``accounts``: the
  second factor was given). A commune's staff see its portal before it opens
  only when every check says so.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from wagtail import hooks
from wagtail.models import Page

NO_HOME_PAGE = (
    "No app registers the page type of a commune's home page (register_commune_home_page)."
)


@dataclass(frozen=True)
class CommunePage:
    model: type[Page]
    title: str
    slug: str
    fields: dict = field(default_factory=dict)
    """Values of the page type's own fields, for those it requires."""
    supervisors_edit: bool = False
    """Whether the commune's supervisors also add, edit and publish this page
    and the pages under it (the démarches, whose processing they set)."""


@dataclass(frozen=True)
class CommunePermissions:
    """Permissions as ``"app_label.codename"``, held for the commune's Site
    only (``GroupSitePermission``), never globally, by its groups
    "<name> — Communication", "<name> — Agents" and "<name> — Supervisors"."""

    communication: tuple[str, ...] = ()
    agents: tuple[str, ...] = ()
    supervisors: tuple[str, ...] = ()


@dataclass(frozen=True)
class CommuneInstallable:
    """Content an app installs into a new commune, as the operator chooses.

    ``install(site, choice)`` installs it and returns what it created, one
    description each ("page Mentions légales"). The choice is ``True`` or
    ``False`` when there are no ``choices``; one of their values otherwise,
    or a list of them when ``multiple``.
    """

    key: str
    label: str
    install: Callable[..., list[str]]
    choices: Callable[[], list[tuple[str, str]]] | None = None
    multiple: bool = False
    default: object = None
    help_text: str = ""


@dataclass(frozen=True)
class CommuneExchange:
    """An app's part of a commune file (``cms.commune_file``), under ``key``.

    ``export(exporter)`` returns the part, plain JSON data, for the commune
    ``exporter.site``: its configuration only, never a citizen's data nor a
    secret (``exporter.reenter`` names a secret left out).
    ``import_(importer, part)`` creates it in ``importer.site``, or replaces
    what is there when ``importer.replace``; it refuses what it cannot read
    with ``importer.error(path, message)`` and says what it did with
    ``importer.created`` and ``importer.replaced``. Images, documents and
    links to the commune's pages go through the exporter's and importer's
    ``image``, ``document``, ``page``, ``rich_text`` and ``stream``.
    """

    key: str
    export: Callable[..., object]
    import_: Callable[..., None]


@dataclass(frozen=True)
class SetupItem:
    """One step of a commune's setup: what it is, whether the commune's data
    says it is done, the admin screen where it is done, and what is missing
    (or what was found)."""

    label: str
    done: bool
    url: str
    detail: str = ""


def commune_home_page_model() -> type[Page]:
    models = [fn() for fn in hooks.get_hooks("register_commune_home_page")]
    if not models:
        raise ImproperlyConfigured(NO_HOME_PAGE)
    return models[-1]


def commune_pages() -> list[CommunePage]:
    return [fn() for fn in hooks.get_hooks("register_commune_page")]


def commune_permissions() -> list[CommunePermissions]:
    return [fn() for fn in hooks.get_hooks("register_commune_permissions")]


def commune_installables() -> list[CommuneInstallable]:
    return [fn() for fn in hooks.get_hooks("register_commune_installable")]


def commune_exchanges() -> list[CommuneExchange]:
    return [fn() for fn in hooks.get_hooks("register_commune_exchange")]


def commune_setup_items(site) -> list[SetupItem]:
    return [item for fn in hooks.get_hooks("register_commune_setup_items") for item in fn(site)]


def staff_session_checked(request) -> bool:
    return all(fn(request) for fn in hooks.get_hooks("register_staff_session_check"))


def installable_default(installable: CommuneInstallable):
    """What the creation form and ``create_commune`` offer for an installable
    until the operator chooses: its ``default``, where ``"all"`` of a
    ``multiple`` one stands for every choice."""
    if installable.multiple:
        values = [value for value, _label in installable.choices()]
        if installable.default == "all":
            return values
        default = installable.default or []
        return [value for value in values if value in default]
    if installable.choices is None:
        return bool(installable.default)
    return installable.default
