"""The supervisors of every existing commune manage its municipal services:
they are given, in that commune, the rights ``commune_create`` gives the
supervisors of a new one (``services.wagtail_hooks``)."""

from django.db import migrations

ACTIONS = ("view", "add", "change", "delete")


def supervisors_manage_services(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    GroupSitePermission = apps.get_model("wagtailcore", "GroupSitePermission")
    Permission = apps.get_model("auth", "Permission")
    supervisors = GroupSitePermission.objects.filter(
        permission__content_type__app_label="services",
        permission__codename="export_submission",
    )
    if not supervisors.exists():
        return
    content_type, _created = ContentType.objects.get_or_create(
        app_label="services", model="municipalservice"
    )
    permissions = [
        Permission.objects.get_or_create(
            content_type=content_type,
            codename=f"{action}_municipalservice",
            defaults={"name": f"Can {action} municipal service"},
        )[0]
        for action in ACTIONS
    ]
    for group_id, site_id in supervisors.values_list("group_id", "site_id"):
        for permission in permissions:
            GroupSitePermission.objects.get_or_create(
                group_id=group_id, site_id=site_id, permission=permission
            )


def supervisors_no_longer_manage_services(apps, schema_editor):
    GroupSitePermission = apps.get_model("wagtailcore", "GroupSitePermission")
    GroupSitePermission.objects.filter(
        permission__content_type__app_label="services",
        permission__content_type__model="municipalservice",
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0013_municipal_services"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.RunPython(supervisors_manage_services, supervisors_no_longer_manage_services),
    ]
