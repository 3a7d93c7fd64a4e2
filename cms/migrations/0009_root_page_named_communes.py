"""The tree's root page, above the communes' home pages, is named "Communes"
rather than Wagtail's "Root": staff whose commune has pages in two languages
see it at the top of the page explorer."""

from django.db import migrations

ROOT_TITLE = "Communes"


def name_root(apps, schema_editor):
    Page = apps.get_model("wagtailcore", "Page")
    Page.objects.filter(depth=1, title="Root").update(title=ROOT_TITLE, draft_title=ROOT_TITLE)


def name_root_back(apps, schema_editor):
    Page = apps.get_model("wagtailcore", "Page")
    Page.objects.filter(depth=1, title=ROOT_TITLE).update(title="Root", draft_title="Root")


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0008_settings_moved_to_their_apps"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(name_root, name_root_back)]
