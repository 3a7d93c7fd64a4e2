"""Creating communes: a Wagtail Site with its pages, groups and permissions."""

import ipaddress
import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.contrib.settings.registry import registry as settings_registry
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    GroupSitePermission,
    Locale,
    Page,
    Site,
)

from .extensions import (
    CommunePermissions,
    commune_home_page_model,
    commune_installables,
    commune_pages,
    commune_permissions,
)
from .models import CommuneSettings

COMMUNICATION_GROUP = "{name} — Communication"
AGENTS_GROUP = "{name} — Agents"
SUPERVISORS_GROUP = "{name} — Supervisors"

COMMUNICATION_PAGE_PERMISSIONS = [
    "add_page",
    "change_page",
    "publish_page",
    "lock_page",
    "unlock_page",
]
AGENTS_PAGE_PERMISSIONS = ["add_page", "change_page"]
#: On the pages the apps open to them (``CommunePage.supervisors_edit``).
SUPERVISORS_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page"]
COLLECTION_PERMISSIONS = {
    "wagtailimages": ["add_image", "change_image", "choose_image"],
    "wagtaildocs": ["add_document", "change_document", "choose_document"],
}
# The permissions of cms's own models; the apps declare theirs through
# ``register_commune_permissions`` (``cms.extensions``).
CMS_PERMISSIONS = CommunePermissions(
    communication=("cms.change_communesettings",),
    supervisors=("cms.view_auditlogentry", "cms.change_smssettings"),
)


HOSTNAME_INVALID = _(
    "Enter a host name such as ile-d-yeu.example.fr: letters, digits and hyphens in parts "
    "separated by dots, without http:// and without a slash."
)
HOSTNAME_USED = _("The host name %(hostname)s is already the address of %(commune)s.")
COMMUNE_EXISTS = _("A commune named %(name)s already exists.")
GROUP_EXISTS = _(
    "The group %(group)s already exists: a commune of this name was started and removed, "
    "or the group was made by hand. Rename or delete that group first."
)
NO_DNS_TARGET = _("<the address of this platform>")
NAME_REQUIRED = _("Enter the official name of the commune.")

LABEL_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
TOP_LABEL_RE = re.compile(r"(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})")


def hostname_clean(hostname: str) -> str:
    """The host name as a Site stores it: lower case, an internationalised
    name in its ASCII form (``île-d-yeu.fr`` becomes ``xn--le-d-yeu-....fr``).
    Raises ``ValidationError(HOSTNAME_INVALID)`` for anything else than a
    host name: an address with a scheme, a path, a port or a space."""
    hostname = hostname.strip().lower().rstrip(".")
    try:
        hostname = hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValidationError(HOSTNAME_INVALID, code="invalid") from None
    labels = hostname.split(".")
    if (
        len(hostname) > 253
        or len(labels) < 2
        or not all(LABEL_RE.fullmatch(label) for label in labels)
        or not TOP_LABEL_RE.fullmatch(labels[-1])
    ):
        raise ValidationError(HOSTNAME_INVALID, code="invalid")
    return hostname


def commune_check(*, name: str, hostname: str, completing: bool = False) -> str:
    """Why a commune of this name cannot be created at this host name, as a
    ``ValidationError`` whose messages are keyed by ``"name"`` or
    ``"hostname"``; the cleaned host name otherwise (``hostname_clean``).

    With ``completing``, the commune that has both this name and this host
    name may be completed (``create_commune`` run again)."""
    errors: dict[str, list] = {}
    name = name.strip()
    if not name:
        errors["name"] = [ValidationError(NAME_REQUIRED, code="required")]
    try:
        hostname = hostname_clean(hostname)
    except ValidationError as error:
        errors["hostname"] = error.error_list
    if errors:
        raise ValidationError(errors)

    site = Site.objects.filter(hostname=hostname).first()
    if site is not None:
        commune = CommuneSettings.objects.filter(site=site).first()
        if completing and (commune is None or commune.official_name == name):
            return hostname
        errors["hostname"] = [
            ValidationError(
                HOSTNAME_USED,
                code="used",
                params={"hostname": hostname, "commune": commune or site.site_name},
            )
        ]
    if CommuneSettings.objects.filter(official_name__iexact=name).exists():
        errors["name"] = [ValidationError(COMMUNE_EXISTS, code="exists", params={"name": name})]
    else:
        for template in (COMMUNICATION_GROUP, AGENTS_GROUP, SUPERVISORS_GROUP):
            group = template.format(name=name)
            if Group.objects.filter(name=group).exists():
                errors["name"] = [
                    ValidationError(GROUP_EXISTS, code="group", params={"group": group})
                ]
                break
    if errors:
        raise ValidationError(errors)
    return hostname


def _starts_with_vowel_sound(word: str) -> bool:
    first = unicodedata.normalize("NFD", word[:1]).encode("ascii", "ignore").decode().lower()
    return first in set("aeiouyh")


def mairie_phrase(name: str) -> str:
    """How texts name the town hall: "la mairie de Carvin", "la mairie
    d'Yffiniac", "la mairie du Mans", "la mairie des Sables-d'Olonne", "la
    mairie de L'Île-d'Yeu"."""
    name = " ".join(name.split())
    for article, contracted in (("Le ", "du "), ("Les ", "des ")):
        if name.startswith(article):
            return f"la mairie {contracted}{name[len(article) :]}"
    if _starts_with_vowel_sound(name):
        return f"la mairie d'{name}"
    return f"la mairie de {name}"


def dns_target() -> str:
    """Where a commune's host name points: ``PORTAL_DNS_TARGET``, or else the
    first host name of ``ALLOWED_HOSTS`` that is no pattern; empty when
    neither says."""
    if settings.PORTAL_DNS_TARGET:
        return settings.PORTAL_DNS_TARGET.rstrip(".")
    for host in settings.ALLOWED_HOSTS:
        if host != "*" and not host.startswith(".") and "." in host:
            return host
    return ""


def dns_record(hostname: str) -> str:
    """The DNS record that sends a commune's host name to the platform, as a
    zone file writes it: an alias of the platform's name (CNAME), or the
    address itself when the platform is known by its address (A, AAAA)."""
    target = dns_target()
    if not target:
        return f"{hostname}. CNAME {NO_DNS_TARGET}"
    try:
        address = ipaddress.ip_address(target.strip("[]"))
    except ValueError:
        return f"{hostname}. CNAME {target}."
    return f"{hostname}. {'AAAA' if address.version == 6 else 'A'} {address}"


@dataclass
class CommuneCreation:
    site: Site
    created: list[str] = field(default_factory=list)


def _permission(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _site_permissions(group: Group, site: Site, permissions: tuple[str, ...]) -> None:
    for permission in permissions:
        app_label, codename = permission.split(".")
        GroupSitePermission.objects.get_or_create(
            group=group, site=site, permission=_permission(app_label, codename)
        )


def _child(parent: Page, model, *, title: str, slug: str, created: list[str], **fields):
    existing = model.objects.child_of(parent).first()
    if existing:
        return existing
    page = model(title=title, slug=slug, show_in_menus=True, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    created.append(f"page {title}")
    return page


@transaction.atomic
def commune_create(
    *,
    name: str,
    hostname: str,
    port: int = 80,
    phrase: str | None = None,
    open: bool = True,
    install: dict[str, object] | None = None,
) -> CommuneCreation:
    """Create a commune, or complete the one that has this hostname; never
    change what is there.

    Creates the Site and its commune settings, the home page and the pages
    the apps give every commune under it, a collection for its images and
    documents, and the groups "<name> — Communication", "<name> — Agents" and
    "<name> — Supervisors" whose permissions cover this commune only: the
    communication staff edit its pages and settings; agents and supervisors
    hold what the apps grant them (``cms.extensions``), supervisors also read
    the agents' log and publish the pages the apps open to them (the
    démarches).

    A new commune is open to the public unless ``open`` is false ("en
    préparation"). It receives the content of each installable the apps
    register (``cms.extensions.CommuneInstallable``) whose key ``install``
    gives a choice; the admin's creation form and ``create_commune`` offer
    each installable's default.
    """
    created: list[str] = []
    locale = Locale.get_default()
    site = Site.objects.filter(hostname=hostname).select_related("root_page").first()
    site_created = site is None
    if site_created:
        root = Page.get_first_root_node()
        home = commune_home_page_model()(title=name, slug=slugify(name), locale=locale)
        root.add_child(instance=home)
        home.save_revision().publish()
        site = Site.objects.create(hostname=hostname, port=port, site_name=name, root_page=home)
        created += [f"site {hostname}", f"page {name}"]
    home = site.root_page.specific

    if not CommuneSettings.objects.filter(site=site).exists():
        CommuneSettings.objects.create(
            site=site, official_name=name, phrase=phrase or mairie_phrase(name), is_open=open
        )
        created.append("commune settings")
    # The apps' own settings of the commune exist from the start, so that
    # reading a page never writes their row.
    for model in settings_registry:
        if model is not CommuneSettings and issubclass(model, BaseSiteSetting):
            model.objects.get_or_create(site=site)

    opened = []
    for page in commune_pages():
        child = _child(
            home, page.model, title=page.title, slug=page.slug, created=created, **page.fields
        )
        if page.supervisors_edit:
            opened.append(child)

    collection = Collection.objects.filter(name=name, depth=2).first()
    if collection is None:
        collection = Collection.get_first_root_node().add_child(name=name)
        created.append(f"collection {name}")

    access_admin = _permission("wagtailadmin", "access_admin")
    for template, page_permissions in (
        (COMMUNICATION_GROUP, COMMUNICATION_PAGE_PERMISSIONS),
        (AGENTS_GROUP, AGENTS_PAGE_PERMISSIONS),
    ):
        group, group_created = Group.objects.get_or_create(name=template.format(name=name))
        if group_created:
            created.append(f"group {group.name}")
        group.permissions.add(access_admin)
        homes = Page.objects.filter(translation_key=home.translation_key, depth=home.depth)
        for page in homes:
            for codename in page_permissions:
                GroupPagePermission.objects.get_or_create(
                    group=group, page=page, permission=_permission("wagtailcore", codename)
                )
        for app_label, codenames in COLLECTION_PERMISSIONS.items():
            for codename in codenames:
                GroupCollectionPermission.objects.get_or_create(
                    group=group,
                    collection=collection,
                    permission=_permission(app_label, codename),
                )

    communication = Group.objects.get(name=COMMUNICATION_GROUP.format(name=name))
    communication.permissions.add(_permission("wagtail_localize", "submit_translation"))
    agents = Group.objects.get(name=AGENTS_GROUP.format(name=name))
    supervisors, supervisors_created = Group.objects.get_or_create(
        name=SUPERVISORS_GROUP.format(name=name)
    )
    if supervisors_created:
        created.append(f"group {supervisors.name}")
    supervisors.permissions.add(access_admin)
    for page in opened:
        for translation in Page.objects.filter(translation_key=page.translation_key):
            for codename in SUPERVISORS_PAGE_PERMISSIONS:
                GroupPagePermission.objects.get_or_create(
                    group=supervisors,
                    page=translation,
                    permission=_permission("wagtailcore", codename),
                )
    for permissions in (CMS_PERMISSIONS, *commune_permissions()):
        _site_permissions(communication, site, permissions.communication)
        _site_permissions(agents, site, permissions.agents)
        _site_permissions(supervisors, site, permissions.supervisors)
    if site_created:
        choices = install or {}
        for installable in commune_installables():
            choice = choices.get(installable.key)
            if choice:
                created += installable.install(site, choice)
    return CommuneCreation(site=site, created=created)


COMMUNE_OPENED = "cms.commune_opened"
COMMUNE_CLOSED = "cms.commune_closed"


@transaction.atomic
def commune_open(*, site: Site, user, open: bool = True) -> bool:
    """Open the commune's portal to the public, or close it again ("en
    préparation", ``cms.preparation``); recorded in the commune's log.
    Saving the settings makes its cached pages stale at once
    (``cms.signals``). Returns whether anything changed."""
    from .audit import audit

    commune = CommuneSettings.objects.select_for_update().get(site=site)
    if commune.is_open == open:
        return False
    commune.is_open = open
    commune.save(update_fields=["is_open"])
    audit(commune, COMMUNE_OPENED if open else COMMUNE_CLOSED, user=user, site=site)
    return True
