"""Helpers that scope everything to one commune (one Wagtail Site)."""

import re
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.http.request import split_domain_port
from django.utils.functional import SimpleLazyObject
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    GroupSitePermission,
    Page,
    Site,
    SiteRootPath,
)
from wagtail.models.sites import SITE_ROOT_PATHS_CACHE_KEY, SITE_ROOT_PATHS_CACHE_VERSION
from wagtail.permission_policies.collections import CollectionPermissionLookupMixin
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.permission_policies.sites import SitePermissionPolicy
from wagtail.permissions import policy_registry

from cms.cache import generation, new_generation

current_request: ContextVar = ContextVar("current_request", default=None)

SAFE_HOSTNAME = re.compile(r"[a-z0-9.-]{1,253}")


class CurrentRequestMiddleware:
    """Make the request being served known to code that Django or Wagtail call
    without it, such as rich text link handlers (see ``cms.rich_text``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


SITES_GENERATION_KEY = "portal:sites:generation"
SITE_KEY = "portal:site:{generation}:{hostname}:{port}"
SITE_TIMEOUT = 3600


def forget_sites() -> None:
    """Make every site kept by ``sites_from_cache`` stale (a site or a
    commune's home page changed)."""
    new_generation(SITES_GENERATION_KEY)


def sites_from_cache() -> None:
    """Wagtail looks for the site of every request with a query, then for its
    home page's specific page with another: keep both in the cache shared by
    all processes, per host name, until a site or a home page changes
    (``cms.signals``). Only hosts that name a site are kept, never whatever
    host a client sends."""
    find = Site._find_for_request
    if getattr(find, "reads_the_cache", False):
        return

    def find_from_cache(request):
        hostname = split_domain_port(request._get_raw_host())[0]
        port = request.get_port()
        key = SITE_KEY.format(
            generation=generation(SITES_GENERATION_KEY), hostname=hostname, port=port
        )
        site = cache.get(key) if SAFE_HOSTNAME.fullmatch(hostname) else None
        if site is None:
            site = find(request)
            if site is not None and site.hostname == hostname:
                site.root_page.specific  # noqa: B018  kept with it
                cache.set(key, site, timeout=SITE_TIMEOUT)
        return site

    find_from_cache.reads_the_cache = True
    Site._find_for_request = staticmethod(find_from_cache)


def site_root_paths_in_two_queries() -> None:
    """Wagtail lists the home page of every site with its translations
    (``Site.get_site_root_paths``, which every page address needs) with one
    query for the sites and then one per site: read the translations of every
    home page in a single query. The list is kept under Wagtail's own key,
    which Wagtail empties when a site or a home page is saved."""
    get_site_root_paths = Site.get_site_root_paths
    if getattr(get_site_root_paths, "reads_translations_once", False):
        return

    def root_paths_of_sites():
        if not getattr(settings, "WAGTAIL_I18N_ENABLED", False):
            return get_site_root_paths()
        result = cache.get(SITE_ROOT_PATHS_CACHE_KEY, version=SITE_ROOT_PATHS_CACHE_VERSION)
        if result is not None:
            return [SiteRootPath(*root_path) for root_path in result]
        sites = list(
            Site.objects.select_related("root_page").order_by(
                "-root_page__url_path", "-is_default_site", "hostname"
            )
        )
        translations = (
            Page.objects.filter(
                translation_key__in={site.root_page.translation_key for site in sites}
            )
            .order_by("path")
            .values_list("translation_key", "url_path", "locale__language_code")
        )
        homes: dict[str, list[tuple[str, str]]] = {}
        for key, url_path, language_code in translations:
            homes.setdefault(key, []).append((url_path, language_code))
        result = [
            SiteRootPath(site.id, url_path, site.root_url, language_code)
            for site in sites
            for url_path, language_code in homes.get(site.root_page.translation_key, [])
        ]
        cache.set(SITE_ROOT_PATHS_CACHE_KEY, result, 3600, version=SITE_ROOT_PATHS_CACHE_VERSION)
        return result

    root_paths_of_sites.reads_translations_once = True
    Site.get_site_root_paths = staticmethod(root_paths_of_sites)


def _commune_or_404(request) -> Site:
    site = Site.find_for_request(request)
    if site is None:
        raise Http404
    return site


class CommuneMiddleware:
    """Set ``request.commune``: the commune (Wagtail ``Site``) the request is
    addressed to, found on first use and once, as Django's
    ``AuthenticationMiddleware`` sets ``request.user``. Requests that never
    read it (the admin, the health check) cost no query.

    Reading it where no commune answers at the request's address (there is
    no default site) raises ``Http404``, as Wagtail's page serving does: the
    public side has nothing to show there. Code that must work without a
    commune, such as the layout of an error page, asks
    ``Site.find_for_request``, which may return ``None``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.commune = SimpleLazyObject(lambda: _commune_or_404(request))
        return self.get_response(request)


def permitted_page_roots(user) -> list[Page]:
    """The pages at the top of the trees the user's groups may work in."""
    permissions = GroupPagePermission.objects.filter(group__user=user).select_related("page")
    return list({p.page_id: p.page for p in permissions}.values())


def pages_visible_to(user, pages):
    """Restrict a page queryset to the trees of the user's communes."""
    if user.is_superuser:
        return pages
    roots = permitted_page_roots(user)
    if not roots:
        return pages.none()
    condition = Q()
    for root in roots:
        condition |= Q(path__startswith=root.path)
    return pages.filter(condition)


def commune_homes(site) -> QuerySet[Page]:
    """The commune's home page in each of its languages."""
    home = site.root_page
    return Page.objects.filter(translation_key=home.translation_key, depth=home.depth)


def _commune_paths() -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """The paths of every commune's trees: its home pages, and its collection
    (named after the commune, as ``cms.services.commune_create`` makes it)."""
    sites = list(Site.objects.select_related("root_page"))
    by_key = {(site.root_page.translation_key, site.root_page.depth): site.pk for site in sites}
    homes = Page.objects.filter(
        translation_key__in=[key for key, _ in by_key], depth__in={d for _, d in by_key}
    ).values_list("path", "translation_key", "depth")
    page_paths = [
        (path, by_key[(key, depth)]) for path, key, depth in homes if (key, depth) in by_key
    ]
    by_name = {site.site_name: site.pk for site in sites}
    collections = Collection.objects.filter(depth=2, name__in=by_name).values_list("path", "name")
    return page_paths, [(path, by_name[name]) for path, name in collections]


def _commune_of(path: str, trees: list[tuple[str, int]]) -> int | None:
    return next((site for root, site in trees if path.startswith(root)), None)


def group_communes(groups: QuerySet[Group] | None = None) -> dict[int, set[int | None]]:
    """For each group holding rights on pages, collections or sites: the
    communes (Site ids) where these rights lie, ``None`` standing for a right
    outside every commune (on the root page or collection, which covers every
    commune)."""
    if groups is None:
        groups = Group.objects.all()
    page_trees, collection_trees = _commune_paths()
    communes: dict[int, set[int | None]] = {}
    pages = GroupPagePermission.objects.filter(group__in=groups).values_list(
        "group_id", "page__path"
    )
    for group_id, path in pages:
        communes.setdefault(group_id, set()).add(_commune_of(path, page_trees))
    collections = GroupCollectionPermission.objects.filter(group__in=groups).values_list(
        "group_id", "collection__path"
    )
    for group_id, path in collections:
        communes.setdefault(group_id, set()).add(_commune_of(path, collection_trees))
    sites = GroupSitePermission.objects.filter(group__in=groups).values_list("group_id", "site_id")
    for group_id, site_id in sites:
        communes.setdefault(group_id, set()).add(site_id)
    return communes


#: What makes a commune's records visible in the admin: seeing them, or
#: changing them (which the screens also show).
SEE = ("view", "change")


def communes_for(user, policy=None, actions=SEE) -> QuerySet[Site]:
    """The communes the user works for; every commune for platform admins.

    This is the one answer to "which communes": screens, filters, forms,
    selectors and dashboards all ask it, with the permission policy of what
    they show:

    - no policy: the communes where the user's groups hold any right, on
      pages, collections or sites;
    - a page policy: the communes whose home page is in a tree the user's
      groups may work in;
    - a commune policy (``SitePermissionPolicy``, such as
      ``cms.scoped_admin.CommunePermissionPolicy``): the communes where the
      user holds one of ``actions`` on the policy's model.
    """
    if policy is None:
        if user.is_superuser:
            return Site.objects.all()
        communes = group_communes(Group.objects.filter(user=user)).values()
        return Site.objects.filter(pk__in=set().union(*communes) - {None})
    if isinstance(policy, PagePermissionPolicy):
        if user.is_superuser:
            return Site.objects.all()
        roots = {page.translation_key for page in permitted_page_roots(user)}
        return Site.objects.filter(root_page__translation_key__in=roots)
    if isinstance(policy, SitePermissionPolicy):
        return policy.sites_user_has_any_permission_for(user, actions)
    raise TypeError(f"{type(policy).__name__} does not hold permissions per commune")


def shows_communes(user, policy=None, actions=SEE) -> bool:
    """Whether the user works for several communes, and so needs to see, and
    filter by, the commune of each record."""
    return user.is_superuser or communes_for(user, policy, actions).count() > 1


def groups_of_communes(sites) -> QuerySet[Group]:
    """The groups whose rights all lie within these communes."""
    site_ids = {site.pk for site in sites}
    return Group.objects.filter(
        pk__in=[group for group, communes in group_communes().items() if communes <= site_ids]
    )


def groups_outside_communes() -> dict[Group, set[int | None]]:
    """Groups holding rights outside every commune, or in several: each one a
    wrong tick away from giving a commune's staff another commune's pages,
    images or documents. Platform admins are superusers and need no group."""
    wrong = {
        group: communes
        for group, communes in group_communes().items()
        if None in communes or len(communes) > 1
    }
    return {group: wrong[group.pk] for group in Group.objects.filter(pk__in=wrong)}


#: Any of these permissions on a commune (its site, its collection) brings its
#: objects within reach; what the user may then do with them is the views' say.
REACH_ACTIONS = ("view", "add", "change", "delete", "choose")


def objects_in_reach(user, model: type[Model]) -> QuerySet:
    """The objects of ``model`` that belong to a commune where the user holds a
    permission on such objects, as the model's permission policy tells:

    - pages: the trees of the user's communes (``pages_visible_to``);
    - objects of a commune's site (a ``SitePermissionPolicy``, as every
      commune record registers): those of the sites where the user holds a
      permission on the model, within the commune as the policy has it
      (``CommunePermissionPolicy.within_commune``);
    - images and documents (a collection policy): those of the collections
      where the user holds one.

    Objects of any other model belong to no commune: platform admins only.
    """
    objects = model._default_manager.all()
    if user.is_superuser:
        return objects
    if not (user.is_authenticated and user.is_active):
        return objects.none()
    policy = policy_registry.get_by_type(model)
    if isinstance(policy, PagePermissionPolicy):
        return pages_visible_to(user, objects)
    if isinstance(policy, SitePermissionPolicy):
        sites = communes_for(user, policy, REACH_ACTIONS)
        objects = objects.filter(**{f"{policy.site_field_name}__in": sites})
        within = getattr(policy, "within_commune", None)
        return within(user, objects) if within is not None else objects
    if isinstance(policy, CollectionPermissionLookupMixin):
        collections = policy.collections_user_has_any_permission_for(user, REACH_ACTIONS)
        return objects.filter(collection__in=collections)
    return objects.none()


def in_reach(user, instance: Model) -> bool:
    """Whether the object belongs to one of the user's communes (see ``objects_in_reach``)."""
    return objects_in_reach(user, type(instance)).filter(pk=instance.pk).exists()
