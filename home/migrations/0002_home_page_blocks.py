import json
import uuid

import wagtail.fields
from django.db import migrations

import home.blocks


def welcome_into_body(apps, schema_editor):
    """Each home page keeps its welcome text as the first block of its
    content, live and in its latest revision (a draft published later
    keeps it too)."""
    HomePage = apps.get_model("home", "HomePage")
    Revision = apps.get_model("wagtailcore", "Revision")
    for page in HomePage.objects.all():
        blocks = list(page.body.raw_data)
        if page.welcome:
            blocks.insert(0, {"type": "text", "value": page.welcome, "id": str(uuid.uuid4())})
        HomePage.objects.filter(pk=page.pk).update(body=json.dumps(blocks))
        if page.latest_revision_id is None:
            continue
        revision = Revision.objects.filter(pk=page.latest_revision_id).first()
        if revision is not None and isinstance(revision.content, dict):
            revision.content.pop("welcome", None)
            revision.content["body"] = json.dumps(blocks)
            revision.save(update_fields=["content"])


def body_into_welcome(apps, schema_editor):
    HomePage = apps.get_model("home", "HomePage")
    for page in HomePage.objects.all():
        texts = [block["value"] for block in page.body.raw_data if block["type"] == "text"]
        HomePage.objects.filter(pk=page.pk).update(welcome="".join(texts))


class Migration(migrations.Migration):

    dependencies = [
        ('home', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='homepage',
            name='body',
            field=wagtail.fields.StreamField([('text', 0), ('banner', 6), ('search', 8), ('popular', 17), ('categories', 18), ('opening_hours', 21), ('entry_points', 23)], blank=True, block_lookup={0: ('wagtail.blocks.RichTextBlock', (), {'features': ['h2', 'h3', 'bold', 'italic', 'ol', 'ul', 'link', 'document-link'], 'icon': 'pilcrow', 'label': 'Text', 'preview_value': '<p>Bienvenue sur le portail citoyen de la commune.</p>', 'template': 'home/blocks/text.html'}), 1: ('wagtail.blocks.CharBlock', (), {'label': 'Title', 'max_length': 120}), 2: ('wagtail.blocks.RichTextBlock', (), {'features': ['bold', 'italic', 'link', 'document-link'], 'label': 'Text', 'required': False}), 3: ('wagtail.blocks.ChoiceBlock', [], {'choices': [('info', 'Information'), ('warning', 'Warning')], 'label': 'Kind'}), 4: ('wagtail.blocks.DateBlock', (), {'help_text': 'First day the banner is shown.', 'label': 'Shown from'}), 5: ('wagtail.blocks.DateBlock', (), {'help_text': 'Last day the banner is shown; left empty: until removed.', 'label': 'Shown until', 'required': False}), 6: ('wagtail.blocks.StructBlock', [[('title', 1), ('text', 2), ('kind', 3), ('first_day', 4), ('last_day', 5)]], {}), 7: ('wagtail.blocks.CharBlock', (), {'help_text': 'Left empty: “Search”.', 'label': 'Heading', 'max_length': 120, 'required': False}), 8: ('wagtail.blocks.StructBlock', [[('heading', 7)]], {}), 9: ('wagtail.blocks.CharBlock', (), {'label': 'Heading', 'max_length': 120}), 10: ('wagtail.blocks.ChoiceBlock', [], {'choices': [('chosen', 'The démarches chosen below'), ('computed', 'The most used in the last months')], 'label': 'Which démarches'}), 11: ('home.blocks.ServicePageChooserBlock', (), {'label': 'Démarche', 'page_type': ['services.ServicePage']}), 12: ('wagtail.blocks.ChoiceBlock', [], {'choices': [('document', 'Document'), ('family', 'Family'), ('school', 'School'), ('road', 'Road'), ('building', 'Building'), ('calendar', 'Calendar'), ('leaf', 'Nature'), ('euro', 'Payment'), ('town-hall', 'Town hall'), ('info', 'Information')], 'help_text': "Left empty: chosen from the démarche's category.", 'label': 'Icon', 'required': False}), 13: ('wagtail.blocks.StructBlock', [[('page', 11), ('icon', 12)]], {}), 14: ('wagtail.blocks.ListBlock', (13,), {'default': [], 'help_text': 'Shown in this order; when the list is computed, they complete it while few requests have been sent.', 'label': 'Démarches'}), 15: ('wagtail.blocks.IntegerBlock', (), {'default': 6, 'label': 'Months counted', 'max_value': 24, 'min_value': 1}), 16: ('wagtail.blocks.IntegerBlock', (), {'default': 6, 'label': 'Number of tiles', 'max_value': 12, 'min_value': 1}), 17: ('wagtail.blocks.StructBlock', [[('heading', 9), ('mode', 10), ('demarches', 14), ('months', 15), ('count', 16)]], {}), 18: ('wagtail.blocks.StructBlock', [[('heading', 9)]], {}), 19: ('wagtail.blocks.BooleanBlock', (), {'default': True, 'label': 'Show the hours of the whole week', 'required': False}), 20: ('wagtail.blocks.BooleanBlock', (), {'default': True, 'label': 'Show the address, phone and e-mail', 'required': False}), 21: ('wagtail.blocks.StructBlock', [[('heading', 9), ('show_week', 19), ('show_contact', 20)]], {}), 22: ('wagtail.blocks.CharBlock', (), {'label': 'Heading', 'max_length': 120, 'required': False}), 23: ('wagtail.blocks.StructBlock', [[('heading', 22)]], {})}, default=home.blocks.default_body, help_text='The blocks of the home page, in the order citizens see them.', verbose_name='content'),
        ),
        migrations.RunPython(welcome_into_body, body_into_welcome),
        migrations.RemoveField(
            model_name='homepage',
            name='welcome',
        ),
    ]
