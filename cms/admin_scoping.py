"""Keep the Wagtail admin within the user's communes.

The explorer's filters ("Site", "Owner", "Edited by") list every site and
every editor of the platform. Their querysets accept a callable of the request,
so each is replaced by one that keeps to the trees the user may work in.
Wagtail's generic bulk actions and wagtail-localize's views name any object
whose id they are given: both keep to the objects of the user's communes
(``cms.tenancy.objects_in_reach``).
"""

from functools import cache

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404
from django.urls import path
from django.views.decorators.cache import never_cache
from wagtail.admin.auth import require_admin_access
from wagtail.admin.forms.collections import CollectionViewRestrictionForm
from wagtail.admin.forms.pages import PageViewRestrictionForm
from wagtail.admin.site_summary import PagesSummaryItem
from wagtail.admin.views import collection_privacy, page_privacy
from wagtail.admin.views.bulk_action.registry import bulk_action_registry
from wagtail.admin.views.pages.listing import PageFilterSet
from wagtail.admin.views.reports.page_types_usage import PageTypesUsageReportView
from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.images.api.admin.views import ImagesAdminAPIViewSet
from wagtail.models import Page, PageLogEntry
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.permissions import policy_registry
from wagtail_localize.models import Translation, TranslationSource
from wagtail_localize.views import report as localize_report
from wagtail_localize.views import snippets_api as localize_snippets_api

from .tenancy import (
    communes_for,
    current_request,
    groups_of_communes,
    in_reach,
    objects_in_reach,
    pages_visible_to,
    permitted_page_roots,
)

#: Which communes' pages a user sees (``communes_for(user, page_policy)``).
page_policy = PagePermissionPolicy()


def _owners(request):
    pages = pages_visible_to(request.user, Page.objects.all())
    return get_user_model().objects.filter(pk__in=pages.order_by().values("owner_id"))


def _editors(request):
    pages = pages_visible_to(request.user, Page.objects.all())
    entries = PageLogEntry.objects.filter(action="wagtail.edit", page__in=pages.values("pk"))
    return get_user_model().objects.filter(pk__in=entries.order_by().values("user_id"))


def scope_page_filters():
    filters = PageFilterSet.base_filters
    filters["site"].queryset = lambda request: communes_for(request.user, page_policy)
    filters["owner"].queryset = _owners
    filters["edited_by"].queryset = _editors


def privacy_groups(user):
    """The groups a page or a collection may be restricted to: those of the
    user's communes (every group for platform admins)."""
    if user is None or not user.is_authenticated:
        return Group.objects.none()
    if user.is_superuser:
        return Group.objects.order_by("name")
    return groups_of_communes(communes_for(user)).order_by("name")


class CommuneGroupsRestrictionMixin:
    """Wagtail's privacy dialog offers every group of the platform: these
    forms offer the groups of the user's communes, and refuse any other
    group sent to them as a choice that does not exist. Wagtail builds them
    without the request, which ``current_request`` gives."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = current_request.get()
        self.fields["groups"].queryset = privacy_groups(getattr(request, "user", None))


class CommunePageViewRestrictionForm(CommuneGroupsRestrictionMixin, PageViewRestrictionForm):
    pass


class CommuneCollectionViewRestrictionForm(
    CommuneGroupsRestrictionMixin, CollectionViewRestrictionForm
):
    pass


def scope_privacy_forms():
    page_privacy.SetPrivacyView.form_class = CommunePageViewRestrictionForm
    collection_privacy.CollectionViewRestrictionForm = CommuneCollectionViewRestrictionForm


class CommunePagesSummaryItem(PagesSummaryItem):
    """The admin home's page count: the pages of the user's communes (in
    every language), linked to the commune's home when there is one; Wagtail
    counts every page below the nearest common ancestor, the root for a
    commune with a translation."""

    def get_context_data(self, parent_context):
        user = self.request.user
        if user.is_superuser:
            return super().get_context_data(parent_context)
        sites = communes_for(user, page_policy).select_related("root_page").order_by("site_name")
        sites = list(sites)
        return {
            "root_page": sites[0].root_page if len(sites) == 1 else Page.get_first_root_node(),
            "total_pages": pages_visible_to(user, Page.objects.all()).count(),
            "site_name": ", ".join(site.site_name for site in sites),
        }


def count_communes_pages(request, items):
    items[:] = [
        CommunePagesSummaryItem(request) if type(item) is PagesSummaryItem else item
        for item in items
    ]


def platform_admin_only(view):
    """Screens that sum up every commune of the platform are for platform
    admins only; to anyone else they do not exist."""

    def wrapped(request, *args, **kwargs):
        if not request.user.is_superuser:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def platform_admin_urls():
    """Admin URLs matched before Wagtail's own, to keep them to platform admins.

    wagtail-localize's translations report lists the translations of every
    commune's pages, and its snippets API any snippet of any commune (the
    requests, the message templates) to any staff member: no commune's
    snippet is translatable, and the report is the platform's."""
    report = PageTypesUsageReportView
    translations = localize_report.TranslationsReportView
    snippets = localize_snippets_api.SnippetViewSet
    return [
        path(
            "admin/reports/page-types-usage/",
            platform_admin_only(report.as_view()),
        ),
        path(
            "admin/reports/page-types-usage/results/",
            platform_admin_only(report.as_view(results_only=True)),
        ),
        path(
            "admin/localize/reports/translations/",
            platform_admin_only(translations.as_view()),
        ),
        path(
            "admin/localize/reports/translations/results/",
            platform_admin_only(translations.as_view(results_only=True)),
        ),
        path(
            "admin/localize/api/snippets/<slug:app_label>/<slug:model_name>/",
            platform_admin_only(snippets.as_view({"get": "list"})),
        ),
        path(
            "admin/localize/api/snippets/<slug:app_label>/<slug:model_name>/<str:pk>/",
            platform_admin_only(snippets.as_view({"get": "retrieve"})),
        ),
    ]


class _CollectionScopedAPI:
    """The admin API's images or documents: those of the collections the user
    may choose from, as in Wagtail's choosers (Wagtail's own endpoints list
    every collection's to any staff member)."""

    def get_queryset(self):
        queryset = super().get_queryset()
        user = self.request.user
        if user.is_superuser:
            return queryset
        policy = policy_registry.get_by_type(self.model)
        collections = policy.collections_user_has_any_permission_for(user, ["choose", "change"])
        return queryset.filter(collection__in=collections)


class ScopedImagesAdminAPIViewSet(_CollectionScopedAPI, ImagesAdminAPIViewSet):
    pass


class ScopedDocumentsAdminAPIViewSet(_CollectionScopedAPI, DocumentsAdminAPIViewSet):
    pass


def scope_admin_api(router):
    """Registered after Wagtail's own hooks, to replace their endpoints."""
    router.register_endpoint("images", ScopedImagesAdminAPIViewSet)
    router.register_endpoint("documents", ScopedDocumentsAdminAPIViewSet)


#: Reports menu items of the platform's reports (see platform_admin_urls).
PLATFORM_REPORTS = ("page-types-usage", "translations")


def hide_platform_reports(request, menu_items):
    if not request.user.is_superuser:
        menu_items[:] = [item for item in menu_items if item.name not in PLATFORM_REPORTS]


#: URL keyword arguments of the Wagtail admin that name a page.
PAGE_ID_KWARGS = ("parent_page_id", "page_id", "destination_id", "page_to_move_id")


def page_in_reach(user, page_id) -> bool:
    """Whether the page is in one of the user's trees, or above one of them
    (the explorer and the chooser go through the ancestors of a commune's
    home page, whose listings Wagtail already limits to what one may see)."""
    page = Page.objects.filter(pk=page_id).only("path").first()
    if page is None:
        return True  # Wagtail answers 404 itself
    return any(
        page.path.startswith(root.path) or root.path.startswith(page.path)
        for root in permitted_page_roots(user)
    )


#: Stands for an object that an admin URL names but that cannot be found
#: whole (a translation source whose object is gone): in nobody's commune.
UNREACHABLE = object()


def _source_instance(source):
    if source is None:
        return None
    try:
        return source.get_source_instance()
    except ObjectDoesNotExist:
        return UNREACHABLE


def named_object(kwargs):
    """The object, other than a page, that an admin URL's arguments name:
    wagtail-localize's translation source or translation (standing for the
    object translated), or an object by its model and primary key (the
    translation of a snippet, an editing session). ``None`` when the URL
    names none, or none that exists: the view answers that itself."""
    if "translation_source_id" in kwargs:
        source = TranslationSource.objects.filter(pk=kwargs["translation_source_id"]).first()
        return _source_instance(source)
    if "translation_id" in kwargs:
        translation = (
            Translation.objects.filter(pk=kwargs["translation_id"]).select_related("source").first()
        )
        return _source_instance(translation.source if translation else None)
    pk = kwargs.get("pk", kwargs.get("object_id"))
    if pk is None or "app_label" not in kwargs or "model_name" not in kwargs:
        return None
    try:
        model = apps.get_model(kwargs["app_label"], kwargs["model_name"])
        return model._default_manager.filter(pk=model._meta.pk.to_python(pk)).first()
    except (LookupError, ValidationError, ValueError):
        return None


class AdminPageScopeMiddleware:
    """Wagtail shows the explorer listing and the chooser of any page to any
    editor, even of a tree they may not work in: the titles of another
    commune's pages would show; wagtail-localize shows, updates and publishes
    the translations of any object to whoever may translate. Admin URLs
    naming a page, a translation or an object outside the user's communes are
    a 404 for everyone but platform admins."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_superuser:
            return None
        if not request.path.startswith("/admin/"):
            return None
        for name in PAGE_ID_KWARGS:
            if name in view_kwargs and not page_in_reach(user, view_kwargs[name]):
                raise Http404
        instance = named_object(view_kwargs)
        if instance is UNREACHABLE or (instance is not None and not in_reach(user, instance)):
            raise Http404
        return None


class InReachBulkAction:
    """Mixed into every registered bulk action: the selected objects must all
    be of the user's communes, or the whole request is a 404 (nothing is named,
    nothing changes); "select all" selects among those objects only."""

    def dispatch(self, request, *args, **kwargs):
        ids = request.GET.getlist("id")
        if "all" not in ids:
            try:
                pks = {self.model._meta.pk.to_python(pk) for pk in ids}
            except ValidationError as error:
                raise Http404 from error
            reach = objects_in_reach(request.user, self.model)
            if not pks or reach.filter(pk__in=pks).count() != len(pks):
                raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_actionable_objects(self):
        objects, extra = super().get_actionable_objects()
        others = list(extra.get("items_with_no_access", []))
        reach = objects_in_reach(self.request.user, self.model)
        kept = set(
            reach.filter(pk__in=[obj.pk for obj in objects + others]).values_list("pk", flat=True)
        )
        return (
            [obj for obj in objects if obj.pk in kept],
            {**extra, "items_with_no_access": [obj for obj in others if obj.pk in kept]},
        )


@cache
def in_reach_bulk_action(action_class):
    return type(action_class.__name__, (InReachBulkAction, action_class), {})


def bulk_action(request, app_label, model_name, action):
    """Wagtail's bulk-action dispatcher, each action kept to the user's communes."""
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError as error:
        raise Http404 from error
    action_class = bulk_action_registry.get_bulk_action_class(app_label, model_name, action)
    if action_class is None:
        raise Http404
    return in_reach_bulk_action(action_class)(request, model).dispatch(request)


def scoped_admin_urls():
    """Admin URLs matched before Wagtail's own, to keep them to the user's
    communes; decorated as Wagtail decorates its admin's."""
    from wagtail.admin.urls import display_custom_404  # it imports every app's hooks

    return [
        path(
            "admin/bulk/<str:app_label>/<str:model_name>/<str:action>/",
            never_cache(display_custom_404(require_admin_access(bulk_action))),
            name="wagtail_bulk_action",
        ),
    ]
