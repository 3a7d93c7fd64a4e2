"""The anti-robot check moves from the commune's settings (cms) to the
accounts' own: each commune keeps its choice and its keys, and its
communication staff, who edited them there, edit them here.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

from cms.settings_moves import SettingsMove

FIELDS = ("captcha", "recaptcha_public_key", "recaptcha_private_key", "recaptcha_score_threshold")


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0007_agents_do_not_import_invoices"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("accounts", "0006_user_email_changed_at"),
        ("wagtailcore", "0098_apitoken"),
    ]

    # Before cms drops the columns it copies.
    run_before = [("cms", "0008_settings_moved_to_their_apps")]

    operations = [
        migrations.CreateModel(
            name="AccountSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "captcha",
                    models.CharField(
                        choices=[
                            ("altcha", "Self-hosted (ALTCHA)"),
                            ("recaptcha_v2", "Google reCAPTCHA v2"),
                            ("recaptcha_v3", "Google reCAPTCHA v3"),
                        ],
                        default="altcha",
                        help_text="Check of the registration form against robots. The self-hosted check sends nothing to anyone; Google reCAPTCHA sends data about each visitor to Google.",
                        max_length=20,
                        verbose_name="anti-robot check",
                    ),
                ),
                (
                    "recaptcha_public_key",
                    models.CharField(
                        blank=True,
                        help_text="Public key that Google gives for this portal's domain.",
                        max_length=100,
                        verbose_name="reCAPTCHA site key",
                    ),
                ),
                (
                    "recaptcha_private_key",
                    models.CharField(
                        blank=True,
                        help_text="Secret key that Google gives with the site key.",
                        max_length=100,
                        verbose_name="reCAPTCHA secret key",
                    ),
                ),
                (
                    "recaptcha_score_threshold",
                    models.FloatField(
                        default=0.5,
                        help_text="reCAPTCHA v3 only: from 0 (surely a robot) to 1 (surely a person). Visitors with a lower score are refused; Google advises 0.5.",
                        validators=[
                            django.core.validators.MinValueValidator(0.0),
                            django.core.validators.MaxValueValidator(1.0),
                        ],
                        verbose_name="reCAPTCHA v3 minimum score",
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
                "verbose_name": "citizen accounts",
                "verbose_name_plural": "citizen accounts",
            },
        ),
        SettingsMove(
            app_label="accounts", model_name="accountsettings", fields=FIELDS, name="Can change citizen accounts"
        ),
    ]
