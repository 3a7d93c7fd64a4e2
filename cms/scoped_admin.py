"""What every admin screen of a commune's records is built from.

A commune's records (citizen accounts, requests, message templates, régies,
invoices, transactions...) carry their commune (``site``) and are guarded by
a ``cms.policies.CommunePermissionPolicy``, whose permissions are granted per commune
(``GroupSitePermission``). Their screens are ``CommuneViewSet`` subclasses:
its views start from the records of the user's communes
(``cms.tenancy.communes_for``), so that a record of another commune is a 404
whatever id is put in the URL; the viewset refuses, when it is declared, a
view class that is not built from ``ScopedViewMixin``. Listings show the
commune column and the commune filter to those who work for several
communes; bulk actions derive from ``ScopedBulkAction``.
"""

from collections import defaultdict

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.widgets.button import ListingButton
from wagtail.models import Site
from wagtail.permissions import policy_registry
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.views.snippets import (
    DeleteView,
    EditView,
    HistoryView,
    IndexView,
    InspectView,
    SnippetViewSet,
    UsageView,
)

from .formdata import ids_out_of_range, repaired
from .spreadsheets import SpreadsheetMixin
from .tenancy import SEE, communes_for, shows_communes

#: The permission a change to a record asks for (a decision, a bulk action).
DECIDE = ("change",)


def not_found(request, *args, **kwargs):
    """A view that does not exist on a screen (nobody creates a request...)."""
    raise Http404


def commune_column() -> Column:
    return Column("site", label=_("Commune"), accessor="site.site_name", sort_key="site__site_name")


class CommuneFilter(django_filters.ModelChoiceFilter):
    """The commune of each record, among the user's communes; a
    ``CommuneFilterSet`` leaves it out for those who work for one commune."""

    def __init__(self, policy, actions=SEE, **kwargs):
        self.policy, self.actions = policy, actions
        kwargs.setdefault("field_name", "site")
        kwargs.setdefault("label", gettext_lazy("Commune"))
        kwargs.setdefault("empty_label", gettext_lazy("All"))
        super().__init__(
            queryset=lambda request: communes_for(request.user, policy, actions).order_by(
                "site_name"
            ),
            **kwargs,
        )


class StatusFilter(django_filters.ChoiceFilter):
    """A record's status among ``choices``, as radio buttons, "All" first."""

    def __init__(self, choices, **kwargs):
        kwargs.setdefault("label", gettext_lazy("Status"))
        kwargs.setdefault("empty_label", gettext_lazy("All"))
        kwargs.setdefault("widget", forms.RadioSelect)
        super().__init__(choices=choices, **kwargs)


class CommuneFilterSet(WagtailFilterSet):
    """A listing's filters, whose commune filters show to those who work for
    several communes only."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        for name, listed in list(self.filters.items()):
            if isinstance(listed, CommuneFilter) and (
                request is None or not shows_communes(request.user, listed.policy, listed.actions)
            ):
                del self.filters[name]


class CommuneModelForm(WagtailAdminModelForm):
    """A record's form whose commune is one of the user's; a user of one
    commune never sees another."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            chosen = [
                name
                for name, field in self.fields.items()
                if isinstance(field, forms.ModelChoiceField)
            ]
            self.data = repaired(self.data, ids_out_of_range(self.data, chosen))
        user = self.for_user
        policy = policy_registry.get_by_type(self._meta.model)
        self.fields["site"].queryset = (
            communes_for(user, policy, ("add", "change")).order_by("site_name")
            if user
            else Site.objects.none()
        )
        self.fields["site"].empty_label = None


# --- Views ----------------------------------------------------------------------


class ScopedViewMixin:
    """A view of a commune's records: those of the communes where the user
    holds one of ``scope_actions`` on the model, and nothing else. A view
    that serves a selector overrides ``get_scoped_queryset``."""

    scope_actions = SEE

    def get_communes(self) -> QuerySet[Site]:
        return communes_for(self.request.user, self.permission_policy, self.scope_actions)

    def get_scoped_queryset(self) -> QuerySet:
        records = self.model._default_manager.filter(site__in=self.get_communes())
        within = getattr(self.permission_policy, "within_commune", None)
        return within(self.request.user, records) if within is not None else records


class ScopedIndexMixin(ScopedViewMixin):
    """A listing of the user's communes' records, with their commune when
    the user works for several (at ``commune_column_at`` among the columns)."""

    commune_column_at = 1

    def get_base_queryset(self):
        return self.get_scoped_queryset()

    @cached_property
    def shows_communes(self) -> bool:
        return shows_communes(self.request.user, self.permission_policy, self.scope_actions)

    @cached_property
    def columns(self):
        columns = super().columns
        if self.shows_communes:
            columns.insert(self.commune_column_at, commune_column())
        return columns


class ScopedObjectMixin(ScopedViewMixin):
    """A view of one record (inspect, history, usage): of the user's
    communes, or a 404."""

    def get_base_object_queryset(self):
        return self.get_scoped_queryset()

    def get_object(self, queryset=None):
        return get_object_or_404(self.get_base_object_queryset(), pk=unquote(str(self.pk)))


class ScopedSingleObjectMixin(ScopedViewMixin):
    """An edit or delete view (Django's ``SingleObjectMixin``, which finds
    its object in ``get_queryset``): of the user's communes, or a 404."""

    def get_queryset(self):
        return self.get_scoped_queryset()


class ReadOnlyMixin:
    """Records nobody adds, edits, copies or deletes in the admin."""

    def get_add_url(self):
        return None

    def get_edit_url(self, *instance):
        return None

    def get_copy_url(self, *instance):
        return None

    def get_delete_url(self, *instance):
        return None


class ScopedIndexView(ScopedIndexMixin, SpreadsheetMixin, IndexView):
    pass


class ScopedInspectView(ScopedObjectMixin, InspectView):
    pass


class ScopedEditView(ScopedSingleObjectMixin, EditView):
    scope_actions = ("change",)


class ScopedDeleteView(ScopedSingleObjectMixin, DeleteView):
    scope_actions = ("delete",)


class ScopedHistoryView(ScopedObjectMixin, HistoryView):
    pass


class ScopedUsageView(ScopedObjectMixin, UsageView):
    pass


class InspectURLFinder(ModelAdminURLFinder):
    """Admin links to a record nobody edits open its inspect view, for those
    who may see it."""

    inspect_url_name = None
    permission_policy = None

    def linkable(self, instance) -> bool:
        return True

    def construct_edit_url(self, instance):
        return reverse(self.inspect_url_name, args=[quote(instance.pk)])

    def get_edit_url(self, instance):
        if not self.linkable(instance):
            return None
        if self.user and not self.permission_policy.user_has_any_permission_for_instance(
            self.user, SEE, instance
        ):
            return None
        return self.construct_edit_url(instance)


#: The views of a ``CommuneViewSet`` that show or change existing records.
SCOPED_VIEWS = (
    "index_view_class",
    "inspect_view_class",
    "edit_view_class",
    "delete_view_class",
    "history_view_class",
    "usage_view_class",
)


class CommuneViewSet(SnippetViewSet):
    """The admin screen of a commune's records. Its views keep to the user's
    communes: a subclass naming a view class that is not built from
    ``ScopedViewMixin`` is refused as soon as it is declared. Its
    permissions are granted per commune by ``commune_create``, never as
    global permissions of a group; no admin form picks such a record."""

    add_to_reference_index = False
    copy_view_enabled = False
    index_view_class = ScopedIndexView
    inspect_view_class = ScopedInspectView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in SCOPED_VIEWS:
            view_class = getattr(cls, name)
            if not issubclass(view_class, ScopedViewMixin):
                raise ImproperlyConfigured(
                    f"{cls.__name__}.{name} ({view_class.__name__}) does not keep to the "
                    "user's communes: build it from cms.scoped_admin.ScopedViewMixin."
                )

    def get_permissions_to_register(self):
        return Permission.objects.none()

    def register_chooser_viewset(self):
        """No chooser: commune records are picked within their own screens."""


class ReadOnlyCommuneViewSet(CommuneViewSet):
    """Records that the admin lists, inspects and exports, and acts upon
    through its own views only: nobody adds, edits, copies or deletes them,
    and links to one open its inspect view."""

    inspect_view_enabled = True
    url_finder_base = InspectURLFinder
    add_view = edit_view = delete_view = usage_view = staticmethod(not_found)
    history_view = history_results_view = staticmethod(not_found)

    @property
    def url_finder_class(self):
        return type(
            f"_{self.model.__name__}URLFinder",
            (self.url_finder_base,),
            {
                "inspect_url_name": self.get_url_name("inspect"),
                "permission_policy": self.permission_policy,
            },
        )


# --- Bulk actions -----------------------------------------------------------------


def bulk_action_buttons(model, actions: dict) -> list[ListingButton]:
    """The buttons of a listing's own bulk actions (``{action_type: action
    class}``), for screens that leave out the generic snippet ones."""
    return [
        ListingButton(
            action.display_name,
            reverse(
                "wagtail_bulk_action",
                args=[model._meta.app_label, model._meta.model_name, action_type],
            ),
            attrs={"aria-label": action.aria_label, "data-bulk-action-button": ""},
            priority=action.action_priority,
            classname=" ".join(action.classes | {"bulk-action-btn"}),
        )
        for action_type, action in actions.items()
    ]


class ScopedBulkAction(SnippetBulkAction):
    """An action on the selected records of the user's communes (where the
    user holds ``scope_actions``), each through the same service as one at a
    time. One id of another commune, or none at all, is a 404 for the whole
    request, and nothing changes; with "select all in listing", the listing's
    filters and search apply. Records the service refuses (raising
    ``error_class``) stay as they are and are named in an error message."""

    scope_actions = DECIDE
    error_class = Exception
    filterset_class = None
    #: The order records are acted upon; the scoped queryset's when empty.
    ordering = ()
    explanation = ""
    submit_label = ""

    def __init__(self, request, model):
        super().__init__(request, model)
        if not get_valid_next_url_from_request(request):
            self.next_url = reverse(model.snippet_viewset.get_url_name("list"))

    def get_scoped_queryset(self) -> QuerySet:
        policy = policy_registry.get_by_type(self.model)
        communes = communes_for(self.request.user, policy, self.scope_actions)
        return self.model._default_manager.filter(site__in=communes)

    def search(self, queryset: QuerySet, query: str) -> QuerySet:
        return queryset

    def _listing(self, objects: QuerySet) -> QuerySet:
        if self.filterset_class is not None:
            filters = self.filterset_class(self.request.GET, queryset=objects, request=self.request)
            if filters.is_valid():
                objects = filters.qs
        return self.search(objects, self.request.GET.get("q", ""))

    def _ordered(self, objects: QuerySet) -> QuerySet:
        return objects.order_by(*self.ordering) if self.ordering else objects

    @cached_property
    def selected(self) -> list[Model]:
        objects = self.get_scoped_queryset()
        ids = self.request.GET.getlist("id")
        if "all" in ids:
            return list(self._ordered(self._listing(objects)))
        try:
            pks = {self.model._meta.pk.to_python(pk) for pk in ids}
        except (ValidationError, ValueError) as error:
            raise Http404 from error
        selected = list(self._ordered(objects.filter(pk__in=pks)))
        if not pks or len(selected) != len(pks):
            raise Http404
        return selected

    def get_actionable_objects(self):
        return self.selected, {"items_with_no_access": []}

    def object_context(self, obj):
        return {
            "item": obj,
            "url": reverse(self.model.snippet_viewset.get_url_name("inspect"), args=[obj.pk]),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            explanation=self.explanation,
            submit_label=self.submit_label,
            page_title=self.display_name,
        )
        return context

    def act(self, obj) -> None:
        raise NotImplementedError

    def success_message(self, count: int) -> str:
        raise NotImplementedError

    def refused_message(self, objects: list, reason: str) -> str:
        raise NotImplementedError

    @classmethod
    def execute_action(cls, objects, **kwargs):
        action = kwargs["self"]
        done = 0
        action.refused = defaultdict(list)
        for obj in objects:
            try:
                action.act(obj)
            except action.error_class as error:
                action.refused[str(error)].append(obj)
            else:
                done += 1
        return done, 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        for reason, objects in self.refused.items():
            messages.error(self.request, self.refused_message(objects, reason))
        if num_parent_objects:
            return self.success_message(num_parent_objects)
        return None
