"""The supervisors of every existing commune set the prices of its
démarches, as ``commune_create`` lets those of a new one."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ("view_demarchefee", "add_demarchefee", "change_demarchefee", "delete_demarchefee")


def supervisors_set_prices(apps, schema_editor):
    config = apps.get_app_config("fees")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    GroupSitePermission = apps.get_model("wagtailcore", "GroupSitePermission")
    Permission = apps.get_model("auth", "Permission")
    permissions = list(
        Permission.objects.filter(content_type__app_label="fees", codename__in=CODENAMES)
    )
    supervisors = GroupSitePermission.objects.filter(
        permission__content_type__app_label="services",
        permission__codename="export_submission",
    )
    for group_id, site_id in supervisors.values_list("group_id", "site_id").distinct():
        for permission in permissions:
            GroupSitePermission.objects.get_or_create(
                group_id=group_id, site_id=site_id, permission=permission
            )


def supervisors_no_longer_set_prices(apps, schema_editor):
    GroupSitePermission = apps.get_model("wagtailcore", "GroupSitePermission")
    GroupSitePermission.objects.filter(
        permission__content_type__app_label="fees", permission__codename__in=CODENAMES
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("fees", "0001_initial"),
        ("services", "0018_payments_in_workflows"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(supervisors_set_prices, supervisors_no_longer_set_prices)]
