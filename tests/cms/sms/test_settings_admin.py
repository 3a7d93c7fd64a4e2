"""A commune's SMS settings in the admin: its supervisors choose the
provider; secrets are never shown back; the sender name is checked; the
dashboard counts this month's messages."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import User
from cms.models import SentSms, SmsSettings, SmsStatus
from cms.sms.forms import SECRET_SAVED

KEY = "xkeysib-very-secret-key"


def supervisor_of(site, username="chef"):
    user = User.objects.create_user(username=username, password="a-long-password-1")
    user.groups.add(Group.objects.get(name=f"{site.site_name} — Supervisors"))
    return user


@pytest.fixture
def chef_client(client, carvin):
    client.force_login(supervisor_of(carvin))
    return client


def edit_url(site):
    return reverse("wagtailsettings:edit", args=["cms", "smssettings", site.pk])


def form(**values):
    return {
        "provider": "brevo",
        "brevo__api_key": KEY,
        "brevo__base_url": "",
        "sender": "MairieCarv",
        "monthly_cap": "500",
        **values,
    }


def test_a_supervisor_sets_the_provider_and_the_key_is_never_shown_back(chef_client, carvin):
    response = chef_client.post(edit_url(carvin), form())
    assert response.status_code == 302
    config = SmsSettings.for_site(carvin)
    assert (config.provider, config.options["api_key"], config.offered) == ("brevo", KEY, True)

    page = chef_client.get(edit_url(carvin)).content.decode()
    assert KEY not in page
    assert str(SECRET_SAVED)[:20] in page

    chef_client.post(edit_url(carvin), form(brevo__api_key="", monthly_cap="600"))
    config = SmsSettings.for_site(carvin)
    assert (config.options["api_key"], config.monthly_cap) == (KEY, 600)


def test_a_sender_name_phones_cannot_show_is_refused(chef_client, carvin):
    response = chef_client.post(edit_url(carvin), form(sender="Mairie de Carvin"))

    assert response.status_code == 200
    assert "11" in response.context["form"].errors["sender"][0]
    assert not SmsSettings.for_site(carvin).provider


def test_a_provider_without_its_key_is_refused(chef_client, carvin):
    response = chef_client.post(edit_url(carvin), form(brevo__api_key=""))

    assert response.status_code == 200
    assert response.context["form"].errors["brevo__api_key"]


def test_a_supervisor_cannot_open_another_communes_sms_settings(chef_client, saint_andre):
    response = chef_client.get(edit_url(saint_andre))

    assert response.status_code in (302, 403, 404)


def test_the_dashboard_counts_this_months_text_messages(chef_client, carvin):
    config = SmsSettings.for_site(carvin)
    config.provider, config.sender = "console", "MairieCarv"
    config.save()
    SentSms.objects.create(site=carvin, kind="status", status=SmsStatus.SENT, segments=1)
    SentSms.objects.create(site=carvin, kind="status", status=SmsStatus.CAPPED, segments=1)

    page = chef_client.get(reverse("wagtailadmin_home")).content.decode()

    assert 'id="sms-this-month' in page or "sms-this-month" in page
