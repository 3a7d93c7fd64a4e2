"""Agents no longer import invoices: importing belongs to the supervisors,
who hold the money configuration (``cms.services.AGENTS_SITE_PERMISSIONS``).

Every commune's "<name> — Agents" group loses the right to add invoices to its
commune; its supervisors keep it.
"""

from django.db import migrations

AGENTS_GROUP_SUFFIX = " — Agents"


def agents_do_not_import_invoices(apps, schema_editor):
    GroupSitePermission = apps.get_model("wagtailcore", "GroupSitePermission")
    GroupSitePermission.objects.filter(
        group__name__endswith=AGENTS_GROUP_SUFFIX,
        permission__content_type__app_label="payments",
        permission__codename="add_invoice",
    ).delete()


def agents_import_invoices(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    GroupSitePermission = apps.get_model("wagtailcore", "GroupSitePermission")
    Permission = apps.get_model("auth", "Permission")
    add_invoice = Permission.objects.filter(
        content_type__app_label="payments", codename="add_invoice"
    ).first()
    if add_invoice is None:
        return
    viewers = GroupSitePermission.objects.filter(
        group__name__endswith=AGENTS_GROUP_SUFFIX,
        permission__content_type__app_label="payments",
        permission__codename="view_invoice",
    )
    for group_id, site_id in viewers.values_list("group_id", "site_id"):
        GroupSitePermission.objects.get_or_create(
            group=Group.objects.get(pk=group_id), site_id=site_id, permission=add_invoice
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0006_remove_wagtail_default_groups_and_workflow"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.RunPython(agents_do_not_import_invoices, agents_import_invoices),
    ]
