"""Remove Wagtail's default "Editors" and "Moderators" groups and its
"Moderators approval" workflow.

Wagtail's own migrations create them: both groups hold rights on the root
page and the root collection, that is over every commune's pages, images and
documents, and the workflow offers to submit any page for an approval that
no commune's staff may give, which locks the page. Each commune has its own
groups (``cms.services.commune_create``); these belong to none.

A workflow already used keeps its history: its pages in moderation are
cancelled (and so unlocked), it is disabled and linked to no page.
"""

from django.db import migrations
from django.utils import timezone

DEFAULT_GROUPS = ["Editors", "Moderators"]


def remove_default_groups_and_workflow(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    Task = apps.get_model("wagtailcore", "Task")
    TaskState = apps.get_model("wagtailcore", "TaskState")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowContentType = apps.get_model("wagtailcore", "WorkflowContentType")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    WorkflowState = apps.get_model("wagtailcore", "WorkflowState")

    defaults = Group.objects.filter(name__in=DEFAULT_GROUPS)
    others = Group.objects.exclude(name__in=DEFAULT_GROUPS)
    tasks = set(
        GroupApprovalTask.objects.filter(groups__in=defaults)
        .exclude(groups__in=others)
        .values_list("pk", flat=True)
    )
    workflows = set(
        Workflow.objects.filter(workflow_tasks__task__in=tasks)
        .exclude(workflow_tasks__task__in=Task.objects.exclude(pk__in=tasks))
        .values_list("pk", flat=True)
    )
    TaskState.objects.filter(
        workflow_state__workflow__in=workflows, status="in_progress"
    ).update(status="cancelled", finished_at=timezone.now())
    WorkflowState.objects.filter(workflow__in=workflows, status="in_progress").update(
        status="cancelled"
    )
    WorkflowPage.objects.filter(workflow__in=workflows).delete()
    WorkflowContentType.objects.filter(workflow__in=workflows).delete()
    used = set(
        WorkflowState.objects.filter(workflow__in=workflows).values_list("workflow_id", flat=True)
    )
    Workflow.objects.filter(pk__in=used).update(active=False)
    Workflow.objects.filter(pk__in=workflows - used).delete()
    used = set(TaskState.objects.filter(task__in=tasks).values_list("task_id", flat=True))
    Task.objects.filter(pk__in=used).update(active=False)
    Task.objects.filter(pk__in=tasks - used).delete()
    defaults.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0005_commune_dpo_retention_and_scheduled_runs"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailimages", "0027_image_description"),
        ("wagtail_localize", "0016_rename_page_revision_translationlog_revision"),
    ]

    operations = [
        migrations.RunPython(remove_default_groups_and_workflow, migrations.RunPython.noop),
    ]
