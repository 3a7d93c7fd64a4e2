"""The agents' figures on the Wagtail admin home page.

Staff who may see requests find there how many requests wait in each status,
how many came in each week, the ones waiting the longest and how long a
decision takes. Every figure comes from ``submissions_visible_to(user=...)``: someone who
works for several communes (or a platform admin) sees them all together,
and the panel names those communes. Each figure is one aggregate query,
whatever the number of requests.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, DurationField, F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.admin.ui.components import Component

from accounts.models import AccountStatus, CitizenAccount
from accounts.policies import citizen_account_policy
from accounts.selectors import citizen_accounts_visible_to
from cms.tenancy import communes_for

from .models import StatusChange, Submission, Workflow
from .policies import submission_policy
from .selectors import submissions_visible_to
from .statuses import OPEN_GROUPS, StatusGroup, StatusInfo, unknown_status
from .workflows import definition_of

#: Weeks shown in the chart and over which decisions are counted.
WEEKS = 12
#: Open requests listed as waiting the longest.
OLDEST = 5

CHART_WIDTH = 960
CHART_HEIGHT = 260
CHART_LEFT = 52
CHART_RIGHT = 8
CHART_TOP = 24
CHART_BOTTOM = 32


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int
    url: str
    info: StatusInfo | None = None


@dataclass(frozen=True)
class Week:
    start: date
    count: int


@dataclass(frozen=True)
class Waiting:
    submission: Submission
    waited: str
    url: str


@dataclass(frozen=True)
class Decisions:
    count: int
    average_days: float | None


def weeks_until(now: datetime) -> list[date]:
    """The Mondays of the last ``WEEKS`` weeks, in the project's time zone,
    the current week last."""
    today = timezone.localtime(now, timezone.get_default_timezone()).date()
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]


def start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def queue_url(**params) -> str:
    url = reverse(Submission.snippet_viewset.get_url_name("list"))
    return f"{url}?{urlencode(params)}" if params else url


def waited_for(since: datetime, now: datetime) -> str:
    days = (now - since).days
    if days < 1:
        return _("less than a day")
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}


@dataclass(frozen=True)
class Counts:
    #: status key -> (group, label, requests): open ones and those decided since the start.
    by_status: dict[str, tuple[str, str, int]]
    mine: int


def status_counts(requests, *, user, since: datetime) -> Counts:
    """Requests in each open status, decided ones since ``since``, and open
    ones assigned to ``user``: two queries, whatever the number of requests
    and workflows."""
    rows = (
        requests.filter(
            Q(stage__in=OPEN_GROUPS) | Q(stage=StatusGroup.FINAL, status_changed_at__gte=since)
        )
        .order_by()
        .values("workflow", "stage", "status")
        .annotate(count=Count("pk"))
    )
    workflows = {}
    by_status: dict[str, tuple[str, str, int]] = {}
    for row in rows:
        if row["workflow"] not in workflows:
            workflows[row["workflow"]] = definition_of(
                Workflow.objects.filter(pk=row["workflow"]).first() if row["workflow"] else None
            )
        info = workflows[row["workflow"]].info(row["status"])
        _group, label, count = by_status.get(row["status"], (row["stage"], str(info.label), 0))
        by_status[row["status"]] = (row["stage"], label, count + row["count"])
    mine = requests.filter(stage__in=OPEN_GROUPS, assigned_to=user).count()
    return Counts(by_status=by_status, mine=mine)


def weekly_counts(requests, *, mondays: list[date]) -> list[Week]:
    """Requests sent in each week starting on one of ``mondays``, weeks
    without any at 0: one query. Each week is a range of ``submitted_at``
    between two local midnights, so the index serves it and a week across a
    change of summer time keeps its true bounds."""
    bounds = [start_of(monday) for monday in [*mondays, mondays[-1] + timedelta(weeks=1)]]
    counts = requests.filter(submitted_at__gte=bounds[0]).aggregate(
        **{
            f"week_{index}": Count(
                "pk", filter=Q(submitted_at__gte=bounds[index], submitted_at__lt=bounds[index + 1])
            )
            for index in range(len(mondays))
        }
    )
    return [
        Week(start=monday, count=counts[f"week_{index}"]) for index, monday in enumerate(mondays)
    ]


def decision_time(requests, *, since: datetime) -> Decisions:
    """How long requests decided since ``since`` took, from their sending to
    their first change into a final status: one query."""
    first_final = (
        StatusChange.objects.filter(submission=OuterRef("pk"), status=OuterRef("status"))
        .order_by("created_at", "pk")
        .values("created_at")[:1]
    )
    decided = (
        # A request's last change is never older than its first final one:
        # the index on its status narrows the requests the subquery runs for.
        requests.filter(stage=StatusGroup.FINAL, status_changed_at__gte=since)
        .annotate(decided_at=Subquery(first_final))
        .filter(decided_at__gte=since)
    )
    result = decided.aggregate(
        count=Count("pk"),
        average=Avg(F("decided_at") - F("submitted_at"), output_field=DurationField()),
    )
    average = result["average"]
    days = round(average.total_seconds() / 86400, 1) if average is not None else None
    return Decisions(count=result["count"], average_days=days)


class RequestFigures:
    """The figures of the requests ``user`` may see, each computed once and
    shared by the panels."""

    def __init__(self, user, communes, *, now: datetime | None = None):
        self.user = user
        self.communes = communes
        self.now = now or timezone.now()
        self.requests = submissions_visible_to(user=user)
        self.mondays = weeks_until(self.now)
        self.since = start_of(self.mondays[0])

    @property
    def commune_names(self) -> str:
        return ", ".join(site.site_name for site in self.communes if site.site_name)

    @cached_property
    def counts(self) -> Counts:
        return status_counts(self.requests, user=self.user, since=self.since)

    def _in(self, groups) -> list[StatusCount]:
        """The statuses of the user's workflows in ``groups``, in their
        workflows' order, each with its count (0 when none)."""
        listed: dict[str, StatusInfo] = {}
        workflows = Workflow.objects.filter(site__in=self.communes).order_by(
            "-is_standard", "name", "pk"
        )
        definitions = [definition_of(workflow) for workflow in workflows]
        if {workflow.site_id for workflow in workflows if workflow.is_standard} != {
            site.pk for site in self.communes
        }:
            # A commune whose standard workflow is not made yet still reads it.
            definitions.append(definition_of(None))
        for definition in definitions:
            for info in definition.statuses:
                if info.group in groups:
                    listed.setdefault(info.value, info)
        for key, (group, _label, _count) in self.counts.by_status.items():
            if group in groups:
                listed.setdefault(key, unknown_status(key))
        return [
            StatusCount(
                status=key,
                label=str(info.label),
                count=self.counts.by_status.get(key, ("", "", 0))[2],
                url=queue_url(status=key),
                info=info,
            )
            for key, info in listed.items()
        ]

    @cached_property
    def open(self) -> list[StatusCount]:
        return self._in(OPEN_GROUPS)

    @cached_property
    def decided(self) -> list[StatusCount]:
        return self._in((StatusGroup.FINAL,))

    @property
    def open_total(self) -> int:
        return sum(item.count for item in self.open)

    @property
    def assigned_to_me(self) -> StatusCount:
        return StatusCount(
            status="",
            label=_("Assigned to me"),
            count=self.counts.mine,
            url=queue_url(assigned="me"),
        )

    @cached_property
    def pending_accounts(self) -> StatusCount | None:
        """Accounts awaiting validation, for those who may see accounts."""
        if not communes_for(self.user, citizen_account_policy).exists():
            return None
        accounts = citizen_accounts_visible_to(user=self.user)
        count = accounts.filter(status=AccountStatus.PENDING).count()
        url = reverse(CitizenAccount.snippet_viewset.get_url_name("list"))
        return StatusCount(
            status=AccountStatus.PENDING,
            label=_("Accounts awaiting validation"),
            count=count,
            url=f"{url}?{urlencode({'status': AccountStatus.PENDING.value})}",
        )

    @cached_property
    def weeks(self) -> list[Week]:
        return weekly_counts(self.requests, mondays=self.mondays)

    @cached_property
    def oldest(self) -> list[Waiting]:
        inspect = Submission.snippet_viewset.get_url_name("inspect")
        waiting = self.requests.filter(stage=StatusGroup.TO_PROCESS).order_by("submitted_at", "pk")
        return [
            Waiting(
                submission=submission,
                waited=waited_for(submission.submitted_at, self.now),
                url=reverse(inspect, args=[submission.pk]),
            )
            for submission in waiting[:OLDEST]
        ]

    @cached_property
    def decisions(self) -> Decisions:
        return decision_time(self.requests, since=self.since)


def grid_step(highest: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50… that reaches ``highest`` in four
    steps at most."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            if highest <= 4 * factor * magnitude:
                return factor * magnitude
        magnitude *= 10


def week_chart(weeks: list[Week]) -> dict:
    """The geometry of an SVG bar chart of ``weeks``: bars, their labels and
    the horizontal grid lines, on a scale rounded up to a readable step."""
    highest = max((week.count for week in weeks), default=0)
    step = grid_step(highest)
    top = max(step, -(-highest // step) * step)
    plot_width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    slot = plot_width / len(weeks)
    bar_width = slot * 0.6
    baseline = CHART_TOP + plot_height
    bars = []
    for index, week in enumerate(weeks):
        height = plot_height * week.count / top
        x = CHART_LEFT + index * slot + (slot - bar_width) / 2
        label = date_format(week.start, "j N")
        bars.append(
            {
                "x": round(x, 1),
                "y": round(baseline - height, 1),
                "width": round(bar_width, 1),
                "height": round(height, 1),
                "centre": round(x + bar_width / 2, 1),
                "count": week.count,
                "label": label,
                "title": ngettext(
                    "Week of %(date)s: %(count)d request",
                    "Week of %(date)s: %(count)d requests",
                    week.count,
                )
                % {"date": label, "count": week.count},
            }
        )
    grid = [
        {"value": value, "y": round(baseline - plot_height * value / top, 1)}
        for value in range(0, top + 1, step)
    ]
    total = sum(week.count for week in weeks)
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_LEFT,
        "right": CHART_WIDTH - CHART_RIGHT,
        "baseline": baseline,
        "label_y": baseline + 20,
        "bars": bars,
        "grid": grid,
        "total": total,
        "description": ngettext(
            "%(count)d request received over the last %(weeks)d weeks, from the week of "
            "%(first)s to the current week; the most in one week: %(highest)d.",
            "%(count)d requests received over the last %(weeks)d weeks, from the week of "
            "%(first)s to the current week; the most in one week: %(highest)d.",
            total,
        )
        % {"count": total, "weeks": len(weeks), "first": bars[0]["label"], "highest": highest},
    }


class FiguresPanel(Component):
    """A dashboard panel drawn from the user's ``RequestFigures``."""

    def __init__(self, figures: RequestFigures):
        self.figures = figures

    def get_context_data(self, parent_context=None):
        several = self.figures.user.is_superuser or len(self.figures.communes) > 1
        return {"figures": self.figures, "several": several, "weeks": WEEKS}


class RequestCountsPanel(FiguresPanel):
    name = "request_counts"
    template_name = "services/admin/dashboard/counts.html"
    order = 50


class WeeklyRequestsPanel(FiguresPanel):
    name = "weekly_requests"
    template_name = "services/admin/dashboard/weekly.html"
    order = 60

    def get_context_data(self, parent_context=None):
        context = super().get_context_data(parent_context)
        context["chart"] = week_chart(self.figures.weeks)
        return context


class OldestRequestsPanel(FiguresPanel):
    name = "oldest_requests"
    template_name = "services/admin/dashboard/oldest.html"
    order = 70

    def get_context_data(self, parent_context=None):
        context = super().get_context_data(parent_context)
        context["number_label"] = capfirst(Submission._meta.get_field("reference").verbose_name)
        return context


@hooks.register("construct_homepage_panels")
def request_panels(request, panels):
    communes = list(communes_for(request.user, submission_policy).order_by("site_name"))
    if not communes:
        return
    figures = RequestFigures(request.user, communes)
    panels.extend(
        [RequestCountsPanel(figures), WeeklyRequestsPanel(figures), OldestRequestsPanel(figures)]
    )
