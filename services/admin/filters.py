"""The filters of the requests queue; the status filter shows what needs
action by default."""

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import DateRangePickerWidget

from cms.filters import PeriodFilter
from cms.scoped_admin import CommuneFilter, CommuneFilterSet
from cms.tenancy import communes_for, shows_communes

from ..extensions import admin_filters
from ..models import ServicePage, Submission
from ..policies import submission_policy
from ..selectors import (
    municipal_services_of,
    open_counts_by_agent,
    services_by_commune,
    submissions_visible_to,
    with_unanswered,
)
from ..services import agent_name, agents_of
from ..statuses import SENT_STATUSES, StatusGroup
from ..workflows import status_choices

TO_PROCESS = "to_process"
UNANSWERED = "unanswered"
ALL = "all"
NO_SERVICE = "none"


def agents_for(user) -> QuerySet:
    """The agents of the user's communes: those a request may be assigned to."""
    return agents_of(sites=communes_for(user, submission_policy))


STATUS_CHOICES = [
    (TO_PROCESS, gettext_lazy("To process")),
    *SENT_STATUSES,
    (ALL, gettext_lazy("All")),
]


def requests_in_status(queryset, value: str):
    """The requests of the queue's status filter: a status, those to process, or all."""
    if value == TO_PROCESS:
        return queryset.filter(stage=StatusGroup.TO_PROCESS)
    if value == ALL or not value:
        return queryset
    return queryset.filter(status=value)


def requests_unanswered(queryset):
    """The requests whose citizen wrote a message that no town-hall message
    followed yet, with ``waiting_since``."""
    if "waiting_since" not in queryset.query.annotations:
        queryset = with_unanswered(queryset)
    return queryset.filter(waiting_since__isnull=False)


def requests_assigned(queryset, value: str, *, user):
    """The requests of the queue's assignment filter: the user's, nobody's or
    an agent's (by id); none for a value that names no one."""
    if value == "me":
        return queryset.filter(assigned_to=user)
    if value == "nobody":
        return queryset.filter(assigned_to__isnull=True)
    if value and str(value).isascii() and str(value).isdigit() and len(str(value)) < 19:
        return queryset.filter(assigned_to_id=int(value))
    if value:
        return queryset.none()
    return queryset


class SubmissionFilterSet(CommuneFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        choices=STATUS_CHOICES,
        empty_label=None,
        widget=forms.RadioSelect,
        method="filter_status",
    )
    assigned = django_filters.ChoiceFilter(
        label=gettext_lazy("Assigned to"),
        empty_label=gettext_lazy("Anyone"),
        method="filter_assigned",
    )
    page = django_filters.ChoiceFilter(
        label=gettext_lazy("Online procedure"),
        empty_label=gettext_lazy("All"),
        method="filter_page",
    )
    service = django_filters.ChoiceFilter(
        label=gettext_lazy("Service"),
        empty_label=gettext_lazy("All"),
        method="filter_service",
    )
    messages = django_filters.ChoiceFilter(
        label=gettext_lazy("Messages"),
        empty_label=gettext_lazy("All"),
        choices=[(UNANSWERED, gettext_lazy("Citizen's message to answer"))],
        method="filter_messages",
    )
    submitted_at = PeriodFilter(label=gettext_lazy("Sent between"), widget=DateRangePickerWidget)
    site = CommuneFilter(submission_policy)

    class Meta:
        model = Submission
        fields = ["status", "assigned", "messages", "page", "service", "submitted_at", "site"]

    def __init__(self, data=None, *args, request=None, **kwargs):
        if data is not None and not data.get("status"):
            # What needs action is the default view.
            data = data.copy()
            data["status"] = TO_PROCESS
        super().__init__(data, *args, request=request, **kwargs)
        several = request is not None and shows_communes(request.user, submission_policy)
        choices = []
        agents = []
        if request is not None:
            for site, pages in services_by_commune(user=request.user):
                for page in pages:
                    label = f"{page.title} ({site.site_name})" if several else page.title
                    choices.append((str(page.pk), label))
            counts = open_counts_by_agent(submissions_visible_to(user=request.user))
            agents = [
                (
                    str(agent.pk),
                    _("%(name)s (%(count)d open)")
                    % {"name": agent_name(agent), "count": counts.get(agent.pk, 0)},
                )
                for agent in agents_for(request.user)
            ]
        self.filters["page"].extra["choices"] = choices
        if request is not None:
            self.filters["status"].extra["choices"] = [
                (TO_PROCESS, _("To process")),
                *status_choices(communes_for(request.user, submission_policy)),
                (ALL, _("All")),
            ]
        services = []
        if request is not None:
            sites = communes_for(request.user, submission_policy)
            services = [
                (
                    str(service.pk),
                    f"{service.name} ({service.site.site_name})" if several else service.name,
                )
                for service in municipal_services_of(sites=sites).select_related("site")
            ]
        if services:
            self.filters["service"].extra["choices"] = [
                *services,
                (NO_SERVICE, _("No service")),
            ]
        else:
            # A commune without services: nothing to filter by.
            del self.filters["service"]
        self.filters["assigned"].extra["choices"] = [
            ("me", _("Me")),
            ("nobody", _("Nobody")),
            *agents,
        ]
        for extra in admin_filters():
            self.filters[extra.name] = django_filters.ChoiceFilter(
                label=extra.label,
                empty_label=_("All"),
                choices=extra.choices,
                method=lambda queryset, name, value, apply=extra.apply: (
                    apply(queryset, value) if value else queryset
                ),
            )
            self.filters[extra.name].parent = self
            self.filters[extra.name].model = Submission
            self.filters[extra.name].field_name = extra.name

    def filter_status(self, queryset, name, value):
        return requests_in_status(queryset, value)

    def filter_messages(self, queryset, name, value):
        return requests_unanswered(queryset) if value == UNANSWERED else queryset

    def filter_assigned(self, queryset, name, value):
        return requests_assigned(queryset, value, user=self.request.user)

    def filter_service(self, queryset, name, value):
        if value == NO_SERVICE:
            return queryset.filter(municipal_service__isnull=True)
        if value:
            return queryset.filter(municipal_service_id=value)
        return queryset

    def filter_page(self, queryset, name, value):
        if not value:
            return queryset
        same = ServicePage.objects.filter(pk=value).values("translation_key")
        return queryset.filter(page__translation_key__in=same)
