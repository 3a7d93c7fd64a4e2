"""Agents validate and reject the citizen accounts of their own commune, in the admin."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from openpyxl import load_workbook
from wagtail.models import GroupSitePermission
from wagtail.users.models import UserProfile

from accounts.models import AccountStatus, User
from accounts.services import (
    ALREADY_DECIDED,
    REASON_REQUIRED,
    MemberData,
    account_register,
)

LIST = "wagtailsnippets_accounts_citizenaccount:list"
INSPECT = "wagtailsnippets_accounts_citizenaccount:inspect"
VALIDATE = "wagtailsnippets_accounts_citizenaccount:validate"
REJECT = "wagtailsnippets_accounts_citizenaccount:reject"


def citizen(site, first_name, last_name="Martin", *, joined=None, status=None, members=()):
    user = account_register(
        site=site,
        first_name=first_name,
        last_name=last_name,
        birth_date=date(1980, 3, 14),
        email=f"{first_name}.{last_name}@example.org".lower(),
        phone="+33 6 12 34 56 78",
        contact_preference="email",
        password="une phrase de passe solide",
        members=list(members),
    )
    changes = {}
    if joined:
        changes["date_joined"] = datetime(*joined, tzinfo=UTC)
    if status:
        changes["status"] = status
    if changes:
        User.objects.filter(pk=user.pk).update(**changes)
        user.refresh_from_db()
    return user


def working_in_english(user):
    """Staff choose the admin's language in their profile; English keeps the
    assertions readable whatever the French catalogue says."""
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


def english(message) -> str:
    with translation.override("en"):
        return escape(str(message))


def bulk_url(action, *accounts):
    ids = "&".join(f"id={account.pk}" for account in accounts)
    url = reverse("wagtail_bulk_action", args=["accounts", "citizenaccount", action])
    return f"{url}?{ids}"


def statuses(*accounts):
    return [User.objects.get(pk=account.pk).status for account in accounts]


@pytest.fixture
def agent(carvin, saint_andre, staff_of):
    return working_in_english(staff_of(carvin, "Agents"))


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def other_commune_account(saint_andre):
    return citizen(saint_andre, "Yann", "Le Goff")


def test_commune_agents_hold_the_account_permissions_for_their_own_commune_only(
    carvin, saint_andre
):
    def granted(group_name):
        return set(
            GroupSitePermission.objects.filter(group__name=group_name).values_list(
                "site__site_name", "permission__codename"
            )
        )

    assert {
        ("Carvin", "view_citizenaccount"),
        ("Carvin", "change_citizenaccount"),
    } <= granted("Carvin — Agents")
    assert not {name for _, name in granted("Carvin — Agents")} & {
        "add_citizenaccount",
        "delete_citizenaccount",
    }
    assert "Saint-André-des-Eaux" not in {site for site, _ in granted("Carvin — Agents")}
    assert not {
        name for _, name in granted("Carvin — Communication") if name.endswith("citizenaccount")
    }


def test_listing_shows_own_commune_pending_first_then_oldest(
    agent_client, carvin, other_commune_account
):
    validated = citizen(carvin, "Anne", joined=(2020, 1, 1), status=AccountStatus.VALIDATED)
    recent = citizen(carvin, "Bruno", joined=(2024, 3, 1))
    oldest = citizen(carvin, "Chloé", joined=(2024, 1, 1))

    response = agent_client.get(reverse(LIST))

    html = response.content.decode()
    assert response.status_code == 200
    positions = [html.index(account.username) for account in (oldest, recent, validated)]
    assert positions == sorted(positions)
    assert other_commune_account.username not in html
    assert "Le Goff" not in html
    assert "Saint-André" not in html


def test_communication_staff_have_no_access(client, carvin, saint_andre, staff_of):
    account = citizen(carvin, "Anne")
    client.force_login(staff_of(carvin, "Communication"))

    listing = client.get(reverse(LIST))
    inspect = client.get(reverse(INSPECT, args=[account.pk]))
    validate = client.post(reverse(VALIDATE, args=[account.pk]))
    home = client.get(reverse("wagtailadmin_home"))

    assert listing.status_code in (302, 403)
    assert inspect.status_code == 404
    assert validate.status_code == 404
    assert account.username not in listing.content.decode()
    assert reverse(LIST) not in home.content.decode()
    assert statuses(account) == [AccountStatus.PENDING]


def test_agent_sees_an_account_with_its_household_adults_then_children(agent_client, carvin):
    account = citizen(
        carvin,
        "Anne",
        members=[
            MemberData("Zoé", "Martin", date(2016, 6, 1), "child"),
            MemberData("Paul", "Martin", date(1979, 2, 2), "spouse"),
        ],
    )

    response = agent_client.get(reverse(INSPECT, args=[account.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "anne.martin@example.org" in html
    assert "+33 6 12 34 56 78" in html
    assert html.index("Paul") < html.index("Zoé")
    assert reverse(VALIDATE, args=[account.pk]) in html
    assert reverse(REJECT, args=[account.pk]) in html


def test_agent_validates_an_account(
    agent_client, agent, carvin, django_capture_on_commit_callbacks
):
    account = citizen(carvin, "Anne")
    confirmation = agent_client.get(reverse(VALIDATE, args=[account.pk]))
    assert confirmation.status_code == 200
    # A pending account can already make requests: validating it unlocks the rest.
    assert "(they can already make requests)" in confirmation.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(reverse(VALIDATE, args=[account.pk]), follow=True)

    account.refresh_from_db()
    assert account.status == AccountStatus.VALIDATED
    assert account.status_changed_by == agent
    assert [message.to for message in mail.outbox] == [["anne.martin@example.org"]]
    assert account.username in response.content.decode()


def test_agent_rejects_an_account_with_a_reason_sent_to_the_citizen(
    agent_client, carvin, django_capture_on_commit_callbacks
):
    account = citizen(carvin, "Anne")
    reason = "Le justificatif de domicile est illisible."

    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(reverse(REJECT, args=[account.pk]), {"reason": reason})

    account.refresh_from_db()
    assert response.status_code == 302
    assert account.status == AccountStatus.REJECTED
    assert account.rejection_reason == reason
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["anne.martin@example.org"]
    assert reason in mail.outbox[0].body


def test_reject_without_a_reason_is_refused_with_a_message(
    agent_client, carvin, django_capture_on_commit_callbacks
):
    one, two = citizen(carvin, "Anne"), citizen(carvin, "Bruno")

    with django_capture_on_commit_callbacks(execute=True):
        single = agent_client.post(reverse(REJECT, args=[one.pk]), {"reason": "   "})
        bulk = agent_client.post(bulk_url("reject", one, two), {"reason": ""})

    assert single.status_code == bulk.status_code == 200
    assert english(REASON_REQUIRED) in single.content.decode()
    assert english(REASON_REQUIRED) in bulk.content.decode()
    assert statuses(one, two) == [AccountStatus.PENDING] * 2
    assert mail.outbox == []


def test_agent_validates_several_accounts_at_once(
    agent_client, carvin, django_capture_on_commit_callbacks
):
    accounts = [citizen(carvin, name) for name in ("Anne", "Bruno", "Chloé")]
    confirmation = agent_client.get(bulk_url("validate", *accounts))
    assert confirmation.status_code == 200
    for account in accounts:
        assert account.username in confirmation.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(bulk_url("validate", *accounts), follow=True)

    assert statuses(*accounts) == [AccountStatus.VALIDATED] * 3
    assert len(mail.outbox) == 3
    assert "3 accounts validated" in response.content.decode()


def test_agent_rejects_several_accounts_with_one_reason(
    agent_client, carvin, django_capture_on_commit_callbacks
):
    accounts = [citizen(carvin, name) for name in ("Anne", "Bruno")]

    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post(bulk_url("reject", *accounts), {"reason": "Adresse hors commune."})

    assert statuses(*accounts) == [AccountStatus.REJECTED] * 2
    assert {tuple(message.to) for message in mail.outbox} == {
        ("anne.martin@example.org",),
        ("bruno.martin@example.org",),
    }
    assert all("Adresse hors commune." in message.body for message in mail.outbox)


def test_an_account_already_decided_gets_a_clear_message_not_an_error(
    agent_client, carvin, django_capture_on_commit_callbacks
):
    decided = citizen(carvin, "Anne", status=AccountStatus.VALIDATED)
    pending = citizen(carvin, "Bruno")

    single = agent_client.post(reverse(REJECT, args=[decided.pk]), {"reason": "x"}, follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        bulk = agent_client.post(bulk_url("validate", decided, pending), follow=True)

    assert single.status_code == bulk.status_code == 200
    assert english(ALREADY_DECIDED) in single.content.decode()
    assert english(ALREADY_DECIDED) in bulk.content.decode()
    assert decided.username in bulk.content.decode()
    assert "1 account validated" in bulk.content.decode()
    assert statuses(decided, pending) == [AccountStatus.VALIDATED] * 2
    assert [message.to for message in mail.outbox] == [["bruno.martin@example.org"]]


def test_an_account_of_another_commune_is_not_found_even_with_a_forged_id(
    agent_client, carvin, other_commune_account, django_capture_on_commit_callbacks
):
    own = citizen(carvin, "Anne")
    other = other_commune_account

    with django_capture_on_commit_callbacks(execute=True):
        responses = [
            agent_client.get(reverse(INSPECT, args=[other.pk])),
            agent_client.get(reverse(VALIDATE, args=[other.pk])),
            agent_client.post(reverse(VALIDATE, args=[other.pk])),
            agent_client.post(reverse(REJECT, args=[other.pk]), {"reason": "x"}),
            agent_client.get(bulk_url("validate", own, other)),
            agent_client.post(bulk_url("validate", own, other)),
            agent_client.post(bulk_url("reject", other), {"reason": "x"}),
        ]

    assert [response.status_code for response in responses] == [404] * len(responses)
    assert statuses(own, other) == [AccountStatus.PENDING] * 2
    assert mail.outbox == []


def test_search_and_filters_stay_within_the_agents_commune(
    agent_client, carvin, saint_andre, other_commune_account
):
    own = citizen(carvin, "Anne")
    url = reverse(LIST)

    search = agent_client.get(url, {"q": "Le Goff"}).content.decode()
    forged_filter = agent_client.get(url, {"site": saint_andre.pk}).content.decode()
    by_name = agent_client.get(url, {"q": "anne martin"}).content.decode()

    assert other_commune_account.username not in search + forged_filter
    assert own.username in forged_filter
    assert own.username in by_name
    assert 'name="site"' not in forged_filter


def test_exports_contain_only_the_agents_commune(agent_client, carvin, other_commune_account):
    own = citizen(carvin, "Anne")

    csv_response = agent_client.get(reverse(LIST), {"export": "csv"})
    xlsx_response = agent_client.get(reverse(LIST), {"export": "xlsx"})

    rows = list(
        csv.reader(
            io.StringIO(b"".join(csv_response.streaming_content).decode("utf-8-sig")),
            delimiter=";",
        )
    )
    sheet = load_workbook(io.BytesIO(b"".join(xlsx_response.streaming_content))).active
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(rows) == len(cells) == 2
    assert rows[1][:5] == [own.username, "Anne", "Martin", own.email, own.phone]
    assert cells[1][0] == own.username
    assert other_commune_account.username not in str(rows) + str(cells)


def test_nobody_adds_edits_or_deletes_a_citizen_account_here(
    client, carvin, agent, django_user_model
):
    account = citizen(carvin, "Anne")
    admin = working_in_english(django_user_model.objects.create_superuser("root", password="x"))
    prefix = "wagtailsnippets_accounts_citizenaccount"

    for user in (agent, admin):
        client.force_login(user)
        assert client.get(reverse(f"{prefix}:add")).status_code == 404
        assert client.post(reverse(f"{prefix}:edit", args=[account.pk])).status_code == 404
        assert client.post(reverse(f"{prefix}:delete", args=[account.pk])).status_code == 404
        client.post(bulk_url("delete", account))

    assert User.objects.filter(pk=account.pk).exists()
    bulk_delete = reverse("wagtail_bulk_action", args=["accounts", "citizenaccount", "delete"])
    assert bulk_delete not in client.get(reverse(LIST)).content.decode()


def test_platform_admin_sees_every_commune_and_filters_by_commune(
    client, carvin, saint_andre, other_commune_account, django_user_model
):
    own = citizen(carvin, "Anne")
    client.force_login(django_user_model.objects.create_superuser(username="root", password="x"))

    everything = client.get(reverse(LIST)).content.decode()
    filtered = client.get(reverse(LIST), {"site": saint_andre.pk}).content.decode()

    assert own.username in everything
    assert other_commune_account.username in everything
    assert "Saint-André-des-Eaux" in everything
    assert other_commune_account.username in filtered
    assert own.username not in filtered


def test_selecting_all_in_the_listing_acts_on_the_filtered_listing_only(
    agent_client, carvin, other_commune_account, django_capture_on_commit_callbacks
):
    anne = citizen(carvin, "Anne")
    bruno = citizen(carvin, "Bruno", "Durand")
    url = reverse("wagtail_bulk_action", args=["accounts", "citizenaccount", "validate"])

    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post(f"{url}?id=all&q=martin")
    searched = statuses(anne, bruno, other_commune_account)
    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post(f"{url}?id=all&status=pending")

    assert searched == [AccountStatus.VALIDATED, AccountStatus.PENDING, AccountStatus.PENDING]
    assert statuses(anne, bruno, other_commune_account) == [
        AccountStatus.VALIDATED,
        AccountStatus.VALIDATED,
        AccountStatus.PENDING,
    ]


def test_a_name_written_like_a_formula_is_exported_as_text(agent_client, carvin):
    citizen(carvin, "=HYPERLINK(1)", "Martin")

    response = agent_client.get(reverse(LIST), {"export": "csv"})

    rows = list(
        csv.reader(
            io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"
        )
    )
    assert rows[1][1] == "'=HYPERLINK(1)"
    assert rows[1][4] == "+33 6 12 34 56 78"


def test_the_accounts_listing_offers_its_own_bulk_actions_and_not_the_generic_delete(
    agent_client, carvin
):
    citizen(carvin, "Amélie", "Lire", status=AccountStatus.PENDING)

    page = agent_client.get(reverse(LIST)).content.decode()

    for action in ("validate", "reject"):
        assert bulk_url(action).split("?")[0] in page
    assert bulk_url("delete").split("?")[0] not in page
    assert 'data-bulk-action-footer="USER"' in page
