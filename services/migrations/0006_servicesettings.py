"""The prefix of request numbers and the default retention of requests move
from the commune's settings (cms) to the online procedures' own: each
commune keeps its values, and its communication staff, who edited them
there, edit them here.
"""

import django.core.validators
import django.db.models.deletion
import re
from django.db import migrations, models

from cms.settings_moves import SettingsMove

FIELDS = ("reference_prefix", "retention_months")


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
        SettingsMove(
            app_label="services", model_name="servicesettings", fields=FIELDS, name="Can change online procedures"
        ),
    ]
