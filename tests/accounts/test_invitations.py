"""Inviting staff by e-mail (``accounts.invitations``): the staff screen, the
link's one flow (password, then authenticator app), its limits, and a person
removed from a commune signed out at once."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.test import Client
from django.utils import timezone, translation
from django_otp.oath import totp
from wagtail.models import GroupSitePermission

from accounts.admin.staff import NAME_REQUIRED
from accounts.invitations import (
    GROUP_NOT_GRANTABLE,
    GROUPS_OF_SEVERAL_COMMUNES,
    STAFF_ACCOUNT_DEACTIVATED,
)
from accounts.models import StaffInvitation, User, UserSession
from accounts.second_factor import app_device
from tests.accounts.factories import citizen
from tests.accounts.test_sessions import session_exists, staff_sign_in

PASSWORD = "une phrase de passe solide"


def french(message, **values) -> str:
    with translation.override("fr"):
        return str(message) % values if values else str(message)


@pytest.fixture
def supervisor(carvin, staff_of):
    user = staff_of(carvin, role="Supervisors")
    user.first_name, user.last_name = "Nathalie", "Lefebvre"
    user.save()
    return user


@pytest.fixture
def supervisor_client(supervisor):
    client = Client()
    client.force_login(supervisor)
    return client


def group(site, role) -> Group:
    return Group.objects.get(name=f"{site.site_name} — {role}")


def invite(client, capture, *, groups, **fields):
    data = {
        "first_name": "Léa",
        "last_name": "Martin-Dupré",
        "email": "lea.martin@example.org",
        "username": "",
        "groups": [g.pk for g in groups],
        **fields,
    }
    with capture(execute=True):
        return client.post("/admin/staff/invite/", data)


def link_of(message) -> str:
    return re.search(r"http://[^/\s]+(/admin/invitation/[^/\s]+/)", message.body)[1]


def code(device) -> str:
    return f"{totp(device.bin_key):06d}"


def test_an_invited_person_chooses_a_password_sets_up_the_app_and_lands_signed_in(
    carvin, supervisor_client, django_capture_on_commit_callbacks
):
    sent = invite(
        supervisor_client, django_capture_on_commit_callbacks, groups=[group(carvin, "Agents")]
    )
    assert sent.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["lea.martin@example.org"]
    assert "léa.martin-dupré" in message.body and "Carvin — Agents" in message.body
    assert "7 jours" in message.body
    link = link_of(message)
    invitation = StaffInvitation.objects.get()
    assert link.split("/")[-2] not in invitation.token_hash, "only a hash is stored"
    listing = supervisor_client.get("/admin/staff/")
    assert "Léa Martin-Dupré" in listing.content.decode()

    person = Client()
    page = person.get(link)
    text = page.content.decode()
    assert "Léa Martin-Dupré" in text and "léa.martin-dupré" in text and "Carvin — Agents" in text
    weak = person.post(link, {"new_password1": "court", "new_password2": "court"})
    assert weak.status_code == 200 and weak.context["form"].errors
    assert (
        person.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD}).status_code == 302
    )
    user = User.objects.get(username="léa.martin-dupré")
    assert (user.first_name, user.last_name, user.site) == ("Léa", "Martin-Dupré", None)
    assert not user.groups.exists(), "no group before the second factor"

    setup = person.get(link)
    assert "<svg" in setup.content.decode()
    device = app_device(user, confirmed=False)
    done = person.post(link, {"code": code(device)})

    assert done["Location"].startswith("/admin/second-factor/recovery-codes/")
    codes = person.get(done["Location"])
    assert len(codes.context["codes"]) == 10
    assert person.post(done["Location"]).status_code == 302
    assert person.get("/admin/").status_code == 200, "signed in and verified"
    assert list(user.groups.all()) == [group(carvin, "Agents")]
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    used = Client().get(link)
    assert "a déjà été acceptée" in used.content.decode()


def test_the_link_reopened_elsewhere_asks_the_password_then_goes_on(
    carvin, supervisor_client, django_capture_on_commit_callbacks
):
    invite(supervisor_client, django_capture_on_commit_callbacks, groups=[group(carvin, "Agents")])
    link = link_of(mail.outbox[0])
    Client().post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})

    other = Client()
    again = other.get(link)
    assert "password" in again.context["form"].fields
    wrong = other.post(link, {"password": "pas le bon mot de passe"})
    assert wrong.context["form"].errors["password"]
    other.post(link, {"password": PASSWORD})
    user = User.objects.get(username="léa.martin-dupré")
    other.get(link)
    other.post(link, {"code": code(app_device(user, confirmed=False))})

    assert user.groups.filter(pk=group(carvin, "Agents").pk).exists()
    assert User.objects.filter(email="lea.martin@example.org").count() == 1


def test_the_link_expires_after_seven_days_and_can_be_sent_again(
    carvin, supervisor_client, django_capture_on_commit_callbacks
):
    invite(supervisor_client, django_capture_on_commit_callbacks, groups=[group(carvin, "Agents")])
    old_link = link_of(mail.outbox[0])
    invitation = StaffInvitation.objects.get()

    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        expired = Client().get(old_link)
        assert "a expiré" in expired.content.decode()
        assert "Nathalie Lefebvre" in expired.content.decode(), "whom to ask"
        supervisor_client.force_login(invitation.invited_by)
        with django_capture_on_commit_callbacks(execute=True):
            supervisor_client.post(f"/admin/staff/invitations/{invitation.pk}/resend/")
        new_link = link_of(mail.outbox[1])
        assert new_link != old_link
        assert Client().get(old_link).status_code == 404, "the former link is replaced"
        assert "Choisissez votre mot de passe" in Client().get(new_link).content.decode()


def test_a_revoked_link_no_longer_works_and_the_account_begun_is_deleted(
    carvin, supervisor_client, django_capture_on_commit_callbacks
):
    invite(supervisor_client, django_capture_on_commit_callbacks, groups=[group(carvin, "Agents")])
    link = link_of(mail.outbox[0])
    Client().post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    invitation = StaffInvitation.objects.get()

    assert (
        supervisor_client.get(f"/admin/staff/invitations/{invitation.pk}/revoke/").status_code
        == 200
    )
    supervisor_client.post(f"/admin/staff/invitations/{invitation.pk}/revoke/")

    assert "a été révoquée" in Client().get(link).content.decode()
    assert not User.objects.filter(username="léa.martin-dupré").exists()
    assert not supervisor_client.get("/admin/staff/").context["invitations"]


def test_a_supervisor_invites_into_their_own_commune_s_groups_only(
    carvin, saint_andre, supervisor_client, django_capture_on_commit_callbacks
):
    platform = Group.objects.create(name="Opérateurs de la plateforme")
    custom = Group.objects.create(name="Carvin — Finances")
    GroupSitePermission.objects.create(
        group=custom, site=carvin, permission=Permission.objects.get(codename="change_regie")
    )
    form = supervisor_client.get("/admin/staff/invite/").context["form"]
    assert set(form.fields["groups"].queryset) == {
        group(carvin, role) for role in ("Communication", "Agents", "Supervisors")
    }

    for tampered in (group(saint_andre, "Agents"), platform, custom):
        refused = invite(supervisor_client, django_capture_on_commit_callbacks, groups=[tampered])
        assert refused.status_code == 200
        errors = [str(e) for e in refused.context["form"].errors["groups"]]
        assert errors == [french(GROUP_NOT_GRANTABLE)]
    assert not StaffInvitation.objects.exists() and not mail.outbox


def test_a_platform_admin_invites_into_any_group_but_one_commune_at_a_time_for_others(
    carvin, saint_andre, admin_client, django_capture_on_commit_callbacks
):
    platform = Group.objects.create(name="Opérateurs de la plateforme")
    sent = invite(
        admin_client, django_capture_on_commit_callbacks, groups=[platform, group(carvin, "Agents")]
    )

    assert sent.status_code == 302
    assert StaffInvitation.objects.get().site is None, "the platform's: its admins only"
    assert "Opérateurs de la plateforme" in mail.outbox[0].body


def test_a_supervisor_of_two_communes_invites_into_one_at_a_time(
    carvin, saint_andre, supervisor, supervisor_client, django_capture_on_commit_callbacks
):
    supervisor.groups.add(group(saint_andre, "Supervisors"))
    both = invite(
        supervisor_client,
        django_capture_on_commit_callbacks,
        groups=[group(carvin, "Agents"), group(saint_andre, "Agents")],
    )

    assert [str(e) for e in both.context["form"].errors["groups"]] == [
        french(GROUPS_OF_SEVERAL_COMMUNES)
    ]


def test_another_commune_s_invitations_and_staff_are_not_found(
    carvin,
    saint_andre,
    supervisor_client,
    staff_of,
    admin_client,
    django_capture_on_commit_callbacks,
):
    invite(admin_client, django_capture_on_commit_callbacks, groups=[group(saint_andre, "Agents")])
    invitation = StaffInvitation.objects.get()
    agent_sa = staff_of(saint_andre, role="Agents")

    listing = supervisor_client.get("/admin/staff/").content.decode()
    assert "Léa Martin-Dupré" not in listing and agent_sa.username not in listing
    for path in ("resend", "revoke"):
        url = f"/admin/staff/invitations/{invitation.pk}/{path}/"
        assert supervisor_client.post(url).status_code == 404
    assert supervisor_client.get(f"/admin/staff/{agent_sa.pk}/remove/").status_code == 404
    assert supervisor_client.post(f"/admin/staff/{agent_sa.pk}/remove/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    agents = Client()
    agents.force_login(staff_of(carvin, role="Agents"))
    refused = agents.get("/admin/staff/")
    assert (refused.status_code, refused["Location"]) == (302, "/admin/")


def test_names_are_required_and_nothing_typed_is_lost(
    carvin, supervisor_client, django_capture_on_commit_callbacks
):
    refused = invite(
        supervisor_client,
        django_capture_on_commit_callbacks,
        groups=[group(carvin, "Agents")],
        first_name=" ",
        last_name="",
    )

    errors = refused.context["form"].errors
    assert [str(e) for e in errors["first_name"]] == [french(NAME_REQUIRED)]
    assert "lea.martin@example.org" in refused.content.decode()
    assert not StaffInvitation.objects.exists()


def test_wagtail_s_user_form_requires_staff_names(carvin, admin_client):
    response = admin_client.post(
        "/admin/users/new/",
        {
            "username": "sans.nom",
            "email": "sans.nom@example.org",
            "first_name": "",
            "last_name": "",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 200
    assert {"first_name", "last_name"} <= set(response.context["form"].errors)


def test_an_existing_staff_member_accepts_signed_in_and_keeps_their_account(
    carvin, saint_andre, staff_of, admin_client, django_capture_on_commit_callbacks
):
    existing = staff_of(saint_andre, role="Agents")
    existing.email = "lea.martin@example.org"
    existing.save()
    invite(admin_client, django_capture_on_commit_callbacks, groups=[group(carvin, "Agents")])
    link = link_of(mail.outbox[0])
    assert existing.username in mail.outbox[0].body

    visitor = Client().get(link)
    assert "/admin/login/?next=" in visitor.content.decode()
    member = Client()
    member.force_login(existing)
    member.post(link)

    assert set(existing.groups.all()) == {group(carvin, "Agents"), group(saint_andre, "Agents")}
    assert User.objects.filter(email="lea.martin@example.org").count() == 1


def test_a_citizen_s_address_makes_a_separate_staff_account(
    carvin, supervisor_client, django_capture_on_commit_callbacks
):
    resident = citizen(carvin, "Léa", "Martin", email="lea.martin@example.org")
    invite(supervisor_client, django_capture_on_commit_callbacks, groups=[group(carvin, "Agents")])
    Client().post(link_of(mail.outbox[0]), {"new_password1": PASSWORD, "new_password2": PASSWORD})

    resident.refresh_from_db()
    assert resident.site == carvin and not resident.groups.exists()
    assert User.objects.filter(site__isnull=True, email="lea.martin@example.org").exists()


def test_a_deactivated_staff_account_is_not_invited(
    carvin, saint_andre, staff_of, admin_client, django_capture_on_commit_callbacks
):
    existing = staff_of(saint_andre, role="Agents")
    existing.email, existing.is_active = "lea.martin@example.org", False
    existing.save()

    refused = invite(
        admin_client, django_capture_on_commit_callbacks, groups=[group(carvin, "Agents")]
    )

    assert refused.context["form"].non_field_errors() == [
        french(STAFF_ACCOUNT_DEACTIVATED, email="lea.martin@example.org")
    ]


# --- Removing a person from a commune ends their sessions ---------------------------


def test_a_person_removed_from_the_commune_is_signed_out_and_keeps_other_communes(
    carvin, saint_andre, staff_of, supervisor_client
):
    agent = staff_of(carvin, role="Agents")
    agent.groups.add(group(saint_andre, "Agents"))
    laptop = Client()
    staff_sign_in(laptop, agent)
    key = laptop.cookies[settings.SESSION_COOKIE_NAME].value

    confirm = supervisor_client.get(f"/admin/staff/{agent.pk}/remove/?commune={carvin.pk}")
    assert "Carvin — Agents" in confirm.content.decode()
    supervisor_client.post(f"/admin/staff/{agent.pk}/remove/", {"commune": carvin.pk})

    assert list(agent.groups.all()) == [group(saint_andre, "Agents")]
    assert not session_exists(key)
    assert laptop.get("/admin/")["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("how", ["groups cleared", "deactivated", "deleted", "group deleted"])
def test_a_staff_member_loses_their_sessions_however_they_lose_access(carvin, staff_of, how):
    agent = staff_of(carvin, role="Agents")
    laptop = Client()
    staff_sign_in(laptop, agent)
    key = laptop.cookies[settings.SESSION_COOKIE_NAME].value

    if how == "groups cleared":
        agent.groups.clear()
    elif how == "deactivated":
        agent.is_active = False
        agent.save()
    elif how == "deleted":
        agent.delete()
    else:
        group(carvin, "Agents").delete()

    assert not session_exists(key)
    assert not UserSession.objects.filter(session_key=key).exists()
