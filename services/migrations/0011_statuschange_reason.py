"""A history row keeps, for the agents, why a decided request was reopened."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0010_search_saved_filters_alerts"),
    ]

    operations = [
        migrations.AddField(
            model_name="statuschange",
            name="reason",
            field=models.TextField(
                blank=True,
                help_text="Why a decided request was reopened: seen by the agents only.",
                verbose_name="reason",
            ),
        ),
    ]
