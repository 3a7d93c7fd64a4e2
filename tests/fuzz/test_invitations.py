"""Generated input sent to the staff invitation's link and to the form that
invites: any token, any password, any code, any names, e-mail address and
group ids. Never a server error; a refused form says why; a group id out of
the supervisor's reach is never given."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from accounts.invitations import invitation_create
from accounts.models import StaffInvitation, User
from tests.fuzzing import SCALAR_JUNK, TEXT, Fuzzer, assert_refusal_explained, hypothesis_settings

HOST = "carvin.localhost"


@pytest.fixture
def link():
    tokens = []
    invitation_create(
        by=User.objects.get(username="regie.carvin"),
        first_name="Zoé",
        last_name="Fuzz",
        email="zoe.fuzz@example.org",
        groups=[Group.objects.get(name="Carvin — Agents")],
        link=lambda token: tokens.append(token) or token,
    )
    return f"/admin/invitation/{tokens[0]}/"


def test_the_invitation_link_takes_any_value(link):
    fuzzer = Fuzzer(Client(), HOST)

    @hypothesis_settings(30)
    @given(
        token=TEXT.filter(lambda t: "/" not in t and t.strip()),
        password=SCALAR_JUNK,
        again=SCALAR_JUNK,
        code=SCALAR_JUNK,
    )
    def send(token, password, again, code):
        fuzzer.send("invitation: any link", "get", f"/admin/invitation/{token}/")
        fuzzer.send(
            "invitation: password",
            "post",
            link,
            {"new_password1": password, "new_password2": again},
        )
        fuzzer.send("invitation: code or password", "post", link, {"code": code, "password": code})

    send()


def test_the_invite_form_takes_any_value():
    client = Client()
    client.force_login(User.objects.get(username="regie.carvin"))
    fuzzer = Fuzzer(client, HOST)
    others = list(Group.objects.exclude(name__startswith="Carvin").values_list("pk", flat=True))
    before = list(StaffInvitation.objects.values_list("pk", flat=True))

    @hypothesis_settings(30)
    @given(
        names=st.tuples(SCALAR_JUNK, SCALAR_JUNK),
        email=SCALAR_JUNK,
        username=SCALAR_JUNK,
        groups=st.lists(st.one_of(SCALAR_JUNK, st.sampled_from(others)), max_size=3),
    )
    def send(names, email, username, groups):
        data = {
            "first_name": names[0],
            "last_name": names[1],
            "email": email,
            "username": username,
            "groups": groups,
        }
        response = fuzzer.send("invitation: invite form", "post", "/admin/staff/invite/", data)
        if response.status_code == 200:
            assert_refusal_explained(response)
        given_out = StaffInvitation.objects.exclude(pk__in=before).filter(groups__pk__in=others)
        assert not given_out.exists()

    send()
