"""An agent's saved filters of the requests queue: listed above the queue's
results, saved from there, opened as a link, deleted after a confirmation."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin

from cms.tenancy import SEE, communes_for

from ..models import SavedFilter, Submission
from ..policies import submission_policy
from ..selectors import saved_filter_of, saved_filters_of
from ..services import (
    SAVED_FILTER_NAME_REQUIRED,
    SubmissionError,
    saved_filter_create,
    saved_filter_delete,
)
from .filters import SubmissionFilterSet

#: Parameters of the queue's address that are not filters.
NOT_FILTERS = {"p", "export", "_"}


def filters_query(query: str) -> str:
    """The queue's query string less what is not a filter (page, export)."""
    data = QueryDict(query, mutable=True)
    for name in NOT_FILTERS:
        data.pop(name, None)
    return data.urlencode()


def applicable_query(filters: SubmissionFilterSet, query: str) -> tuple[str, bool]:
    """The saved ``query`` less the filters that no longer apply (a démarche
    deleted, an agent gone), checked against the queue's current ``filters``;
    and whether any was dropped."""
    data = QueryDict(query, mutable=True)
    fields = filters.form.fields
    dropped = False
    for key in list(data):
        field = fields.get(key)
        if field is None or isinstance(field, forms.MultiValueField):
            continue  # the search, the order, the dates: always apply
        try:
            field.clean(data[key])
        except ValidationError:
            del data[key]
            dropped = True
    return data.urlencode(), dropped


def saved_filter_links(request, filters: SubmissionFilterSet, index_url: str) -> list[dict]:
    """The user's saved filters as the queue lists them."""
    links = []
    for saved in saved_filters_of(user=request.user):
        query, dropped = applicable_query(filters, saved.query)
        links.append(
            {
                "name": saved.name,
                "url": f"{index_url}?{query}" if query else index_url,
                "dropped": dropped,
                "delete_url": reverse(
                    Submission.snippet_viewset.get_url_name("delete_filter"), args=[saved.pk]
                ),
            }
        )
    return links


class SaveFilterForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Save these filters as"), max_length=80)
    query = forms.CharField(required=False, widget=forms.HiddenInput)


class SavedFilterMixin(PermissionCheckedMixin):
    """Staff who see the commune's requests, on their own filters only."""

    permission_policy = submission_policy
    any_permission_required = SEE
    index_url_name = None

    @cached_property
    def index_url(self) -> str:
        return reverse(self.index_url_name)


class SaveFilterView(SavedFilterMixin, View):
    """Posted from the queue: keep its current filters under a name, in the
    commune chosen among them, or the user's only one."""

    http_method_names = ["post"]

    def commune(self, query: str):
        communes = communes_for(self.request.user, submission_policy)
        chosen = QueryDict(query).get("site", "")
        if chosen.isdigit():
            return communes.filter(pk=chosen).first()
        return communes.first() if communes.count() == 1 else None

    def post(self, request, *args, **kwargs):
        form = SaveFilterForm(request.POST)
        query = filters_query(request.POST.get("query", ""))
        if not form.is_valid():
            messages.error(request, str(SAVED_FILTER_NAME_REQUIRED))
            return redirect(f"{self.index_url}?{query}")
        try:
            saved = saved_filter_create(
                owner=request.user,
                site=self.commune(query),
                name=form.cleaned_data["name"],
                query=query,
            )
        except SubmissionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Filter “%(name)s” saved.") % {"name": saved.name})
        return redirect(f"{self.index_url}?{query}")


class DeleteSavedFilterView(SavedFilterMixin, WagtailAdminTemplateMixin, TemplateView):
    """Asks, then deletes one of the user's saved filters."""

    template_name = "services/admin/saved_filter_delete.html"
    header_icon = "form"
    page_title = gettext_lazy("Delete saved filter")

    @cached_property
    def saved_filter(self) -> SavedFilter:
        return saved_filter_of(user=self.request.user, pk=self.kwargs["pk"])

    def get_page_subtitle(self):
        return self.saved_filter.name

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": self.index_url, "label": _("Requests")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            saved_filter=self.saved_filter, cancel_url=self.index_url, **kwargs
        )

    def post(self, request, *args, **kwargs):
        name = self.saved_filter.name
        saved_filter_delete(saved_filter=self.saved_filter)
        messages.success(request, _("Filter “%(name)s” deleted.") % {"name": name})
        return redirect(self.index_url)
