"""Every commune gets its standard workflow, the seven statuses and the
transitions requests had until then, and every sent request follows it: its
status keeps its key and its meaning. The supervisors get the workflows'
screens and the supervisors' transitions where they export requests."""

import uuid

from django.conf import settings
from django.db import migrations
from django.utils import translation
from django.utils.translation import gettext as _

#: key, name, group, colour, needs a message, asks for corrections
STATUSES = [
    ("submitted", "In progress", "to_process", "blue", False, False),
    ("in_review", "Under review", "to_process", "purple", False, False),
    ("incomplete", "Incomplete", "with_citizen", "amber", False, True),
    ("complete", "Complete", "to_process", "teal", False, False),
    ("accepted", "Accepted", "final", "green", False, False),
    ("rejected", "Rejected", "final", "red", True, False),
    ("closed", "Closed without action", "final", "grey", False, False),
]
BUTTONS = {
    "submitted": "Back to new",
    "in_review": "Start reviewing",
    "incomplete": "Ask for corrections",
    "complete": "Mark complete",
    "accepted": "Accept",
    "rejected": "Refuse",
    "closed": "Close without action",
}
TRANSITIONS = {
    "submitted": ["in_review", "incomplete", "complete", "accepted", "rejected", "closed"],
    "in_review": ["incomplete", "complete", "accepted", "rejected", "closed"],
    "incomplete": ["submitted", "in_review", "complete", "rejected", "closed"],
    "complete": ["in_review", "incomplete", "accepted", "rejected", "closed"],
}
SUPERVISOR_PERMISSIONS = [
    ("submission", "supervise_submission", "Can use the supervisors' transitions of requests"),
    ("workflow", "view_workflow", "Can view workflow"),
    ("workflow", "add_workflow", "Can add workflow"),
    ("workflow", "change_workflow", "Can change workflow"),
    ("workflow", "delete_workflow", "Can delete workflow"),
]


def create_standard_workflows(apps, schema_editor):
    Site = apps.get_model("wagtailcore", "Site")
    Submission = apps.get_model("services", "Submission")
    Workflow = apps.get_model("services", "Workflow")
    WorkflowStatus = apps.get_model("services", "WorkflowStatus")
    WorkflowTransition = apps.get_model("services", "WorkflowTransition")
    groups = {key: group for key, _name, group, *_rest in STATUSES}
    with translation.override(settings.LANGUAGE_CODE):
        for site in Site.objects.all():
            workflow, created = Workflow.objects.get_or_create(
                site=site,
                is_standard=True,
                defaults={"name": _("Standard workflow"), "version": uuid.uuid4()},
            )
            if created:
                for order, (key, name, group, colour, message, corrections) in enumerate(STATUSES):
                    WorkflowStatus.objects.create(
                        workflow=workflow,
                        sort_order=order,
                        key=key,
                        name=_(name),
                        citizen_name=_(name),
                        group=group,
                        colour=colour,
                        needs_message=message,
                        asks_corrections=corrections,
                    )
                order = 0
                for source, targets in TRANSITIONS.items():
                    for target in targets:
                        WorkflowTransition.objects.create(
                            workflow=workflow,
                            sort_order=order,
                            source=source,
                            target=target,
                            label=_(BUTTONS[target]),
                        )
                        order += 1
            sent = Submission.objects.filter(site=site).exclude(status="draft")
            sent.update(workflow=workflow)
            for key, group in groups.items():
                sent.filter(status=key).update(stage=group, citizen_status=key)


def back_to_statuses(apps, schema_editor):
    Submission = apps.get_model("services", "Submission")
    Submission.objects.update(workflow=None)
    apps.get_model("services", "Workflow").objects.all().delete()


def grant_supervisors(apps, schema_editor):
    """Where a group exports a commune's requests, it also builds its
    workflows (the permissions are made here when the migrations run on a
    database that has groups already; Django makes the others after them)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    GroupSitePermission = apps.get_model("wagtailcore", "GroupSitePermission")
    Permission = apps.get_model("auth", "Permission")
    exporters = GroupSitePermission.objects.filter(
        permission__content_type__app_label="services",
        permission__codename="export_submission",
    )
    if not exporters.exists():
        return
    for model, codename, name in SUPERVISOR_PERMISSIONS:
        content_type, _created = ContentType.objects.get_or_create(
            app_label="services", model=model
        )
        permission, _created = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        for group_id, site_id in exporters.values_list("group_id", "site_id"):
            GroupSitePermission.objects.get_or_create(
                group_id=group_id, site_id=site_id, permission=permission
            )


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0007_workflows"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_standard_workflows, back_to_statuses),
        migrations.RunPython(grant_supervisors, migrations.RunPython.noop),
    ]
