"""The supervisors of every existing commune add, edit and publish its
démarches (the page "Services" and the pages under it), as ``commune_create``
lets the supervisors of a new one: they set the démarches' processing."""

from django.db import migrations

CODENAMES = ("add_page", "change_page", "publish_page")


def supervisors_publish_demarches(apps, schema_editor):
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupSitePermission = apps.get_model("wagtailcore", "GroupSitePermission")
    Page = apps.get_model("wagtailcore", "Page")
    Permission = apps.get_model("auth", "Permission")
    Site = apps.get_model("wagtailcore", "Site")
    permissions = list(
        Permission.objects.filter(content_type__app_label="wagtailcore", codename__in=CODENAMES)
    )
    supervisors = GroupSitePermission.objects.filter(
        permission__content_type__app_label="services",
        permission__codename="export_submission",
    )
    for group_id, site_id in supervisors.values_list("group_id", "site_id").distinct():
        root = Site.objects.get(pk=site_id).root_page
        indexes = Page.objects.filter(
            path__startswith=root.path,
            depth=root.depth + 1,
            content_type__app_label="services",
            content_type__model="serviceindexpage",
        )
        keys = indexes.values_list("translation_key", flat=True)
        for page in Page.objects.filter(translation_key__in=list(keys)):
            for permission in permissions:
                GroupPagePermission.objects.get_or_create(
                    group_id=group_id, page=page, permission=permission
                )


def supervisors_no_longer_publish(apps, schema_editor):
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupPagePermission.objects.filter(
        group__name__endswith=" — Supervisors",
        page__content_type__app_label="services",
        page__content_type__model="serviceindexpage",
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("services", "0016_corrections_action")]

    operations = [
        migrations.RunPython(supervisors_publish_demarches, supervisors_no_longer_publish),
    ]
