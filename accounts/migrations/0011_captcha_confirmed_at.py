from django.db import migrations, models
from django.utils import timezone


def communes_open_chose_their_check(apps, schema_editor):
    """A commune already open to the public runs the check it has: that is
    its choice."""
    AccountSettings = apps.get_model("accounts", "AccountSettings")
    CommuneSettings = apps.get_model("cms", "CommuneSettings")
    open_sites = CommuneSettings.objects.filter(is_open=True).values("site_id")
    AccountSettings.objects.filter(site_id__in=open_sites).update(
        captcha_confirmed_at=timezone.now()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0010_phone_numbers_as_written_in_france"),
        ("cms", "0011_commune_is_open"),
    ]

    operations = [
        migrations.AddField(
            model_name="accountsettings",
            name="captcha_confirmed_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When someone of the commune last saved its choice of anti-robot check.",
                null=True,
                verbose_name="anti-robot check chosen on",
            ),
        ),
        migrations.RunPython(communes_open_chose_their_check, migrations.RunPython.noop),
    ]
