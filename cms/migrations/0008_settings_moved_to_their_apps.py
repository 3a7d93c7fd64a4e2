"""The anti-robot check (now ``accounts.AccountSettings``), the prefix of
request numbers and the default retention of requests (now
``services.ServiceSettings``) leave the commune's settings: those apps'
migrations copy them first (their ``run_before``)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0007_agents_do_not_import_invoices"),
    ]

    operations = [
        migrations.RemoveField(model_name="communesettings", name="captcha"),
        migrations.RemoveField(model_name="communesettings", name="recaptcha_private_key"),
        migrations.RemoveField(model_name="communesettings", name="recaptcha_public_key"),
        migrations.RemoveField(model_name="communesettings", name="recaptcha_score_threshold"),
        migrations.RemoveField(model_name="communesettings", name="reference_prefix"),
        migrations.RemoveField(model_name="communesettings", name="retention_months"),
    ]
