"""The demo's pending staff invitation, one per commune: its supervisor
invited a new agent, whose e-mail (with the link) the task worker prints on
the demo's console."""

from django.contrib.auth.models import Group

from accounts.invitations import invitation_create
from accounts.models import StaffInvitation, User
from cms.services import AGENTS_GROUP

#: The person each demo commune's supervisor invited into its agents.
INVITED = {
    "carvin": ("Claire", "Dubois", "claire.dubois@example.org"),
    "saint-andre": ("Yannick", "Le Roux", "yannick.leroux@example.org"),
}


def add_demo_invitation(*, site, spec, port, stdout) -> StaffInvitation:
    """The commune's pending invitation, made once."""
    first_name, last_name, email = INVITED[spec["slug"]]
    existing = StaffInvitation.objects.filter(site=site, email=email).first()
    if existing is not None:
        return existing
    invitation = invitation_create(
        by=User.objects.get(username=f"regie.{spec['slug']}"),
        first_name=first_name,
        last_name=last_name,
        email=email,
        groups=[Group.objects.get(name=AGENTS_GROUP.format(name=spec["name"]))],
        link=lambda token: f"http://{site.hostname}:{port}/admin/invitation/{token}/",
    )
    stdout.write(
        f"Invited {first_name} {last_name} into {spec['name']}'s agents: the link is in the "
        "e-mail the task worker prints."
    )
    return invitation
