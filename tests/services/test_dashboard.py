"""The figures of their communes' requests that agents find on the admin home page."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.users.models import UserProfile

from accounts.models import User
from services.models import StatusChange, Submission, SubmissionStatus
from services.services import submission_change_status
from tests.accounts.factories import citizen
from tests.services.factories import service_page

PARIS = ZoneInfo("Europe/Paris")
#: A Wednesday; its week starts on Monday 16 November 2026.
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=PARIS)
QUEUE = "wagtailsnippets_services_submission:list"
INSPECT = "wagtailsnippets_services_submission:inspect"
ACCOUNTS = "wagtailsnippets_accounts_citizenaccount:list"


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOW, tick=False):
        yield


def in_english(user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


@pytest.fixture
def agent(carvin, saint_andre, staff_of):
    return in_english(staff_of(carvin, "Agents"))


@pytest.fixture
def carvin_page(carvin):
    return service_page(carvin)


@pytest.fixture
def saint_andre_page(saint_andre):
    return service_page(saint_andre, "Réservation de salle")


def sent(
    page, on, status=SubmissionStatus.SUBMITTED, *, assigned_to=None, account=None, name="Amélie"
):
    """A request of ``page`` sent ``on`` (a datetime in Paris), in ``status``."""
    number = Submission.objects.count() + 1
    return Submission.objects.create(
        site=page.get_site(),
        page=page,
        account=account,
        title=page.title,
        reference=f"2026-{number:05d}",
        contact_first_name=name,
        contact_last_name="Lire",
        status=status,
        submitted_at=on,
        status_changed_at=on,
        assigned_to=assigned_to,
    )


def decided(page, on, after: timedelta, status=SubmissionStatus.ACCEPTED):
    """A request sent ``on`` and given its final ``status`` ``after`` that, as an agent does."""
    submission = sent(page, on)
    with time_machine.travel(on + after, tick=False):
        submission_change_status(
            submission=submission, status=status, author=None, message="Décision."
        )
    return submission


def dashboard(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    return response.content.decode()


def tile(html: str, url: str) -> int:
    """The figure shown on the dashboard tile that links to ``url``."""
    match = re.search(
        rf'href="{re.escape(url)}">\s*<span class="request-figures__count">(\d+)</span>', html
    )
    assert match, f"no tile links to {url}"
    return int(match[1])


def queue(**params) -> str:
    query = "&amp;".join(f"{key}={value}" for key, value in params.items())
    return reverse(QUEUE) + (f"?{query}" if query else "")


def weekly_table(html: str) -> list[tuple[str, int]]:
    rows = re.findall(r'<th scope="row">([^<]+)</th>\s*<td>(\d+)</td>', html)
    return [(week, int(count)) for week, count in rows]


def oldest_references(html: str) -> list[str]:
    table = html[html.index('id="oldest-requests-content"') :]
    return re.findall(r'<td class="title"><a href="[^"]+">([^<]+)</a>', table)


def test_an_agent_sees_the_figures_of_own_commune_and_never_another(
    client, agent, carvin_page, saint_andre_page
):
    week_ago = NOW - timedelta(days=7)
    for _ in range(3):
        sent(carvin_page, week_ago)
    sent(carvin_page, week_ago, SubmissionStatus.IN_REVIEW, assigned_to=agent)
    sent(carvin_page, week_ago, SubmissionStatus.INCOMPLETE, assigned_to=agent)
    sent(carvin_page, week_ago, SubmissionStatus.COMPLETE)
    sent(carvin_page, week_ago, SubmissionStatus.ACCEPTED)
    sent(carvin_page, NOW - timedelta(weeks=20), SubmissionStatus.REJECTED)
    sent(carvin_page, week_ago, SubmissionStatus.DRAFT)
    for status in (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED, SubmissionStatus.CLOSED):
        for _ in range(4):
            sent(saint_andre_page, week_ago, status)
    citizen(carvin_page.get_site(), "Paul", "Attente")
    citizen(carvin_page.get_site(), "Rose", "Validée", validated=True)
    citizen(saint_andre_page.get_site(), "Yann", "Le Goff")

    html = dashboard(client, agent)

    assert "Requests — Carvin" in html
    assert "Saint-André" not in html
    assert tile(html, queue(status="submitted")) == 3
    assert tile(html, queue(status="in_review")) == 1
    assert tile(html, queue(status="incomplete")) == 1
    assert tile(html, queue(status="complete")) == 1
    assert tile(html, queue(assigned="me")) == 2
    assert "6 in all" in html
    # Decided in the last 12 weeks: the rejection of 20 weeks ago is not counted.
    assert tile(html, queue(status="accepted")) == 1
    assert tile(html, queue(status="rejected")) == 0
    assert tile(html, queue(status="closed")) == 0
    assert tile(html, reverse(ACCOUNTS) + "?status=pending") == 1
    assert sum(count for _, count in weekly_table(html)) == 7


def test_the_weekly_chart_has_twelve_weeks_in_the_project_time_zone(
    client, agent, carvin_page, saint_andre_page
):
    sent(carvin_page, NOW)
    sent(carvin_page, datetime(2026, 11, 16, 0, 30, tzinfo=PARIS))  # Monday, Sunday in UTC
    sent(carvin_page, datetime(2026, 11, 15, 23, 30, tzinfo=PARIS))  # Sunday night
    sent(carvin_page, datetime(2026, 9, 2, 12, 0, tzinfo=PARIS))
    sent(carvin_page, datetime(2026, 9, 2, 13, 0, tzinfo=PARIS), SubmissionStatus.ACCEPTED)
    sent(carvin_page, datetime(2026, 8, 30, 23, 0, tzinfo=PARIS))  # the week before
    sent(saint_andre_page, NOW)

    html = dashboard(client, agent)

    assert weekly_table(html) == [
        ("31 August 2026", 2),
        ("7 September 2026", 0),
        ("14 September 2026", 0),
        ("21 September 2026", 0),
        ("28 September 2026", 0),
        ("5 October 2026", 0),
        ("12 October 2026", 0),
        ("19 October 2026", 0),
        ("26 October 2026", 0),
        ("2 November 2026", 0),
        ("9 November 2026", 1),
        ("16 November 2026", 2),
    ]
    chart = html[html.index('id="weekly-requests-content"') :]
    chart = chart[chart.index("<svg") : chart.index("</svg>")]
    assert 'role="img"' in chart
    assert len(re.findall(r"<rect class=\"request-chart__bar", chart)) == 12
    assert "<title>Week of 31 Aug.: 2 requests</title>" in chart
    assert "<title>Week of 9 Nov.: 1 request</title>" in chart
    assert "<title>Week of 16 Nov.: 2 requests</title>" in chart
    assert ">31 Aug.</text>" in chart


def test_the_weekly_chart_names_the_months_in_french(client, carvin, staff_of, carvin_page):
    sent(carvin_page, datetime(2026, 9, 16, 12, 0, tzinfo=PARIS))

    html = dashboard(client, staff_of(carvin, "Agents"))

    chart = html[html.index('id="weekly-requests-content"') :]
    assert ">14 sept.</text>" in chart
    assert "Sep<" not in chart


def test_the_request_waiting_the_longest_comes_first(client, agent, carvin_page):
    recent = sent(carvin_page, NOW - timedelta(days=2), name="Récente")
    oldest = sent(carvin_page, NOW - timedelta(days=12), SubmissionStatus.COMPLETE)
    sent(carvin_page, NOW - timedelta(days=20), SubmissionStatus.INCOMPLETE)
    middle = sent(carvin_page, NOW - timedelta(days=5), SubmissionStatus.IN_REVIEW)
    sent(carvin_page, NOW - timedelta(days=40), SubmissionStatus.ACCEPTED)
    today = sent(carvin_page, NOW - timedelta(hours=3))

    html = dashboard(client, agent)

    assert oldest_references(html) == [
        oldest.reference,
        middle.reference,
        recent.reference,
        today.reference,
    ]
    assert reverse(INSPECT, args=[oldest.pk]) in html
    assert "12 days" in html
    assert "less than a day" in html
    assert "Récente Lire" in html


def test_only_five_requests_are_listed_as_waiting_the_longest(client, agent, carvin_page):
    requests = [sent(carvin_page, NOW - timedelta(days=days)) for days in range(10, 2, -1)]

    html = dashboard(client, agent)

    assert oldest_references(html) == [request.reference for request in requests[:5]]


def test_average_time_to_decision_runs_from_sending_to_the_first_final_status(
    client, agent, carvin_page, saint_andre_page
):
    sent_on = NOW - timedelta(days=30)
    decided(carvin_page, sent_on, timedelta(days=2))
    decided(carvin_page, sent_on, timedelta(days=5), SubmissionStatus.REJECTED)
    decided(carvin_page, NOW - timedelta(weeks=30), timedelta(days=40))
    decided(saint_andre_page, sent_on, timedelta(days=20))

    html = dashboard(client, agent)

    figure = html[html.index('id="decision-time"') :]
    assert re.match(r'id="decision-time">\s*<span class="request-figures__count">\s*3.5', figure)
    assert "over 2 requests decided" in figure


def test_average_time_to_decision_is_a_dash_without_decisions(client, agent, carvin_page):
    sent(carvin_page, NOW - timedelta(days=3))

    html = dashboard(client, agent)

    figure = html[html.index('id="decision-time"') :]
    assert re.match(r'id="decision-time">\s*<span class="request-figures__count">\s*—', figure)
    assert "over 0 requests decided" in figure


def test_staff_who_may_not_see_requests_get_no_request_panel(client, carvin, staff_of):
    html = dashboard(client, in_english(staff_of(carvin, "Communication")))

    assert 'id="request-counts-section"' not in html
    assert 'id="weekly-requests-section"' not in html


def test_a_superuser_sees_both_communes_together(client, carvin_page, saint_andre_page):
    admin = in_english(User.objects.create_superuser("admin", password="a-long-password-1"))
    sent(carvin_page, NOW - timedelta(days=1))
    sent(saint_andre_page, NOW - timedelta(days=2))
    sent(saint_andre_page, NOW - timedelta(days=3), SubmissionStatus.IN_REVIEW)
    citizen(saint_andre_page.get_site(), "Yann", "Le Goff")

    html = dashboard(client, admin)

    assert "Figures of all your communes together: Carvin, Saint-André-des-Eaux." in html
    assert tile(html, queue(status="submitted")) == 2
    assert tile(html, queue(status="in_review")) == 1
    assert tile(html, reverse(ACCOUNTS) + "?status=pending") == 1
    oldest = html[html.index('id="oldest-requests-content"') :]
    assert "<td>Saint-André-des-Eaux</td>" in oldest


def add_requests(pages, accounts, agent, count):
    """``count`` requests of every kind the dashboard counts, spread over the
    weeks, some made from a citizen account."""
    statuses = list(SubmissionStatus)[1:]
    for number in range(count):
        page, account = pages[number % 3 % 2], accounts[number % 3 % 2]
        status = statuses[number % len(statuses)]
        on = NOW - timedelta(days=100 - number % 90, hours=number % 7)
        submission = sent(
            page,
            on,
            status,
            assigned_to=agent if number % 2 else None,
            account=account if number % 4 else None,
        )
        if submission.status in {"accepted", "rejected", "closed"}:
            StatusChange.objects.create(submission=submission, status=status)
            StatusChange.objects.filter(submission=submission).update(
                created_at=on + timedelta(days=number % 9)
            )


def test_the_dashboard_queries_do_not_grow_with_the_number_of_requests(
    client, agent, carvin_page, saint_andre_page
):
    pages = [carvin_page, saint_andre_page]
    accounts = [citizen(page.get_site(), "Paul", f"Famille {page.pk}") for page in pages]
    client.force_login(agent)
    home = reverse("wagtailadmin_home")
    client.get(home)

    def queries_with(count):
        add_requests(pages, accounts, agent, count - Submission.objects.count())
        with CaptureQueriesContext(connection) as queries:
            response = client.get(home)
        assert response.status_code == 200
        assert 'id="request-counts-section"' in response.content.decode()
        return len(queries)

    assert queries_with(10) == queries_with(60)


def test_the_queue_queries_do_not_grow_with_the_requests_it_lists(
    client, agent, carvin_page, saint_andre_page
):
    """Each row's status reads its request's workflow: with the rows, not
    one query per row."""
    from services.workflows import standard_workflow

    pages = [carvin_page, saint_andre_page]
    accounts = [citizen(page.get_site(), "Paul", f"Famille {page.pk}") for page in pages]
    client.force_login(agent)
    client.get(queue(status="all"))

    def queries_with(count):
        add_requests(pages, accounts, agent, count - Submission.objects.count())
        for page in pages:
            Submission.objects.filter(site=page.get_site()).update(
                workflow=standard_workflow(page.get_site())
            )
        client.get(queue(status="all"))  # the workflows' statuses, read once per process
        with CaptureQueriesContext(connection) as queries:
            response = client.get(queue(status="all"))
        assert response.status_code == 200
        return len(queries)

    assert queries_with(3) == queries_with(12)
