"""The demo's pending staff invitations (``demo.staff``)."""

import io

from django.core.management import call_command
from django.test import Client

from accounts.models import InvitationStatus, StaffInvitation, User


def test_each_demo_commune_s_supervisor_sees_a_pending_invitation(demo):
    for slug, name in (("carvin", "Claire Dubois"), ("saint-andre", "Yannick Le Roux")):
        client = Client()
        client.force_login(User.objects.get(username=f"regie.{slug}"))
        screen = client.get("/admin/staff/")
        (invitation,) = screen.context["invitations"]
        assert invitation.get_full_name() == name
        assert invitation.status == InvitationStatus.PENDING

    call_command("load_demo", stdout=io.StringIO())
    assert StaffInvitation.objects.count() == 2, "loading the demo again changes nothing"
