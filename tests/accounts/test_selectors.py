"""Reads of accounts and households, within one commune."""

from accounts.selectors import household_member_of
from tests.accounts.factories import citizen, member


def test_a_request_is_about_a_member_of_the_citizens_own_household_only(carvin):
    family = citizen(carvin, validated=True, members=[member("Léa")])
    other = citizen(carvin, "Bruno", "Autre", validated=True, members=[member("Zoé")])
    lea = family.household_members.get()
    zoe = other.household_members.get()

    assert household_member_of(account=family, pk=lea.pk) == lea
    assert household_member_of(account=family, pk=zoe.pk) is None
    assert household_member_of(account=None, pk=lea.pk) is None
