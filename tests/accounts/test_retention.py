"""Unused citizen accounts (accounts/retention.py): the apps say which ones
they still need and erase what they keep of the others."""

from datetime import UTC, datetime

from django.db.models import Q
from wagtail import hooks

from accounts.models import User
from accounts.retention import account_inactive_erase, accounts_to_warn
from cms.dates import months_after
from tests.accounts.factories import citizen

LONG_AGO = datetime(2024, 1, 15, 10, 0, tzinfo=UTC)
NOW = months_after(LONG_AGO, 25)


def unused(site, first_name):
    user = citizen(site, first_name=first_name)
    User.objects.filter(pk=user.pk).update(last_login=LONG_AGO, date_joined=LONG_AGO)
    return user


def test_an_account_an_app_still_needs_is_not_warned(carvin):
    needed, other = unused(carvin, "Amélie"), unused(carvin, "Léa")

    with hooks.register_temporarily("register_account_in_use", lambda: Q(pk=needed.pk)):
        warned = set(accounts_to_warn(site=carvin, now=NOW))

    assert warned == {other}


def test_the_apps_erase_what_they_keep_before_the_account_is(carvin):
    user = unused(carvin, "Amélie")
    seen = []

    def erase_records(*, account, now):
        seen.append((account.pk, User.objects.filter(pk=account.pk).exists(), now))
        return 2

    with hooks.register_temporarily("register_inactive_account_eraser", erase_records):
        files = account_inactive_erase(user=user, now=NOW)

    assert seen == [(user.pk, True, NOW)]
    assert files == 2
    assert not User.objects.filter(pk=user.pk).exists()
