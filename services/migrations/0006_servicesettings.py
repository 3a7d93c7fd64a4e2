"""The prefix of request numbers and the default retention of requests move
from the commune's settings (cms) to the online procedures' own: each
commune keeps its values, and its communication staff, who edited them
there, edit them here.
"""

import django.core.validators
import django.db.models.deletion
import re
from django.db import migrations, models

FIELDS = ("reference_prefix", "retention_months")


def copy_from_commune_settings(apps, schema_editor):
    CommuneSettings = apps.get_model("cms", "CommuneSettings")
    ServiceSettings = apps.get_model("services", "ServiceSettings")
    for row in CommuneSettings.objects.values("site_id", *FIELDS):
        ServiceSettings.objects.update_or_create(site_id=row.pop("site_id"), defaults=row)


def copy_to_commune_settings(apps, schema_editor):
    CommuneSettings = apps.get_model("cms", "CommuneSettings")
    ServiceSettings = apps.get_model("services", "ServiceSettings")
    for row in ServiceSettings.objects.values("site_id", *FIELDS):
        CommuneSettings.objects.filter(site_id=row.pop("site_id")).update(**row)


def grant_to_commune_settings_editors(apps, schema_editor):
    """The groups that edit a commune's settings edit these too, in the same
    commune. The permission is made here when the migrations run on a
    database that has groups already (Django makes the others after them)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    GroupSitePermission = apps.get_model("wagtailcore", "GroupSitePermission")
    Permission = apps.get_model("auth", "Permission")
    editors = GroupSitePermission.objects.filter(
        permission__content_type__app_label="cms", permission__codename="change_communesettings"
    )
    if not editors.exists():
        return
    content_type, _created = ContentType.objects.get_or_create(
        app_label="services", model="servicesettings"
    )
    change, _created = Permission.objects.get_or_create(
        content_type=content_type,
        codename="change_servicesettings",
        defaults={"name": "Can change online procedures"},
    )
    for group_id, site_id in editors.values_list("group_id", "site_id"):
        GroupSitePermission.objects.get_or_create(
            group_id=group_id, site_id=site_id, permission=change
        )


def move(apps, schema_editor):
    copy_from_commune_settings(apps, schema_editor)
    grant_to_commune_settings_editors(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0007_agents_do_not_import_invoices"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("services", "0005_personal_data_retention"),
        ("wagtailcore", "0098_apitoken"),
    ]

    # Before cms drops the columns it copies.
    run_before = [("cms", "0008_settings_moved_to_their_apps")]

    operations = [
        migrations.CreateModel(
            name="ServiceSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "reference_prefix",
                    models.CharField(
                        blank=True,
                        help_text="Starts the number of each request, as in CAR-2026-000123. Left empty, the first three letters of the commune's name.",
                        max_length=6,
                        validators=[
                            django.core.validators.RegexValidator(
                                re.compile("^[A-Z]{2,6}$"),
                                "Two to six capital letters without accents, for example CAR.",
                            )
                        ],
                        verbose_name="prefix of request numbers",
                    ),
                ),
                (
                    "retention_months",
                    models.PositiveSmallIntegerField(
                        default=36,
                        help_text="Months a request is kept once decided or closed, for démarches that set no retention of their own. Then its answers, documents and messages are erased; its number, démarche, status and dates stay for statistics.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(1200),
                        ],
                        verbose_name="default retention of requests (months)",
                    ),
                ),
                (
                    "site",
                    models.OneToOneField(
                        editable=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        to="wagtailcore.site",
                    ),
                ),
            ],
            options={
                "verbose_name": "online procedures",
                "verbose_name_plural": "online procedures",
            },
        ),
        migrations.RunPython(move, copy_to_commune_settings),
    ]
