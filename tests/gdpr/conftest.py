from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group

from accounts.models import User

PARIS = ZoneInfo("Europe/Paris")
#: When the tests' requests are sent and decided.
START = datetime(2024, 1, 15, 10, 0, tzinfo=PARIS)


def at(moment):
    """Travel to ``moment`` (the clock stands still there)."""
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def supervisor_of(db):
    def make(site, username=None):
        user = User.objects.create_user(
            username=username or f"regie.{site.hostname}",
            password="a-long-password-1",
            email=f"regie@{site.hostname}",
        )
        user.groups.add(Group.objects.get(name=f"{site.site_name} — Supervisors"))
        return user

    return make
