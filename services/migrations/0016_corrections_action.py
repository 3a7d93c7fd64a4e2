import uuid

from django.db import migrations

import wagtail.fields


def with_corrections_action(raw: list[dict]) -> list[dict]:
    """The actions of a status that asked for corrections: the action doing
    it first, sending corrected requests to the first status as before."""
    action = {"type": "ask_corrections", "value": {"back_to": ""}, "id": str(uuid.uuid4())}
    return [action, *raw]


def to_action(apps, schema_editor):
    WorkflowStatus = apps.get_model("services", "WorkflowStatus")
    for status in WorkflowStatus.objects.filter(asks_corrections=True):
        status.actions = with_corrections_action(list(status.actions.raw_data))
        status.save(update_fields=["actions"])


def to_field(apps, schema_editor):
    WorkflowStatus = apps.get_model("services", "WorkflowStatus")
    for status in WorkflowStatus.objects.all():
        raw = list(status.actions.raw_data)
        kept = [block for block in raw if block.get("type") != "ask_corrections"]
        if len(kept) != len(raw):
            status.asks_corrections = True
            status.actions = kept
            status.save(update_fields=["actions", "asks_corrections"])


class Migration(migrations.Migration):
    dependencies = [("services", "0015_email_to_service")]

    operations = [
        migrations.AlterField(
            model_name="workflowstatus",
            name="actions",
            field=wagtail.fields.StreamField(
                [
                    ("ask_corrections", 1),
                    ("deadline", 9),
                    ("document", 18),
                    ("email", 23),
                    ("tell_citizen", 25),
                ],
                blank=True,
                block_lookup={
                    0: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {
                            "help_text": "Leave empty for the workflow's first status.",
                            "label": "Once corrected, the request goes to the status (key)",
                            "required": False,
                        },
                    ),
                    1: ("wagtail.blocks.StructBlock", [[("back_to", 0)]], {}),
                    2: (
                        "wagtail.blocks.IntegerBlock",
                        (),
                        {"label": "After (days)", "max_value": 3650, "min_value": 1},
                    ),
                    3: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {
                            "choices": [("calendar", "calendar days"), ("working", "working days")],
                            "help_text": "Working days skip weekends and French public holidays.",
                            "label": "Counted in",
                        },
                    ),
                    4: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {
                            "choices": [
                                ("", "nobody"),
                                ("citizen", "the citizen"),
                                ("address", "an address"),
                            ],
                            "label": "Send a reminder to",
                            "required": False,
                        },
                    ),
                    5: (
                        "wagtail.blocks.EmailBlock",
                        (),
                        {"label": "Reminder address", "required": False},
                    ),
                    6: (
                        "wagtail.blocks.TextBlock",
                        (),
                        {
                            "help_text": "Placeholders: {prenom}, {nom}, {reference}, {demarche}, {commune}, {mairie}.",
                            "label": "Reminder",
                            "required": False,
                        },
                    ),
                    7: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {
                            "help_text": "Leave empty for a reminder only.",
                            "label": "Then move the request to the status (key)",
                            "required": False,
                        },
                    ),
                    8: (
                        "wagtail.blocks.TextBlock",
                        (),
                        {"label": "Message to the citizen when it moves", "required": False},
                    ),
                    9: (
                        "wagtail.blocks.StructBlock",
                        [
                            [
                                ("days", 2),
                                ("kind", 3),
                                ("remind", 4),
                                ("remind_address", 5),
                                ("reminder", 6),
                                ("move_to", 7),
                                ("message", 8),
                            ]
                        ],
                        {},
                    ),
                    10: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {"help_text": "E.g. “Autorisation d'occupation”.", "label": "Title"},
                    ),
                    11: (
                        "wagtail.blocks.RichTextBlock",
                        (),
                        {
                            "features": ["h2", "h3", "bold", "italic", "ol", "ul"],
                            "help_text": "Placeholders: {prenom}, {nom}, {reference}, {demarche}, {commune}, {mairie}, {date}, {date_envoi}, {statut}, {message}, {texte_libre} (what the agent writes when issuing it), and {champ:…} for the answer to a field, … being its key.",
                            "label": "Text",
                        },
                    ),
                    12: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {"help_text": "E.g. “Marie Dupont”.", "label": "Signed by"},
                    ),
                    13: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {
                            "help_text": "E.g. “Le Maire” or “L'adjoint délégué”.",
                            "label": "Role of the signatory",
                        },
                    ),
                    14: (
                        "wagtail.images.blocks.ImageChooserBlock",
                        (),
                        {"label": "Signature image", "required": False},
                    ),
                    15: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {
                            "help_text": "Leave empty to run it for every request.",
                            "label": "Only when the answer to the field (key)",
                            "required": False,
                        },
                    ),
                    16: ("wagtail.blocks.CharBlock", (), {"label": "is", "required": False}),
                    17: (
                        "wagtail.blocks.StructBlock",
                        [[("field", 15), ("value", 16)]],
                        {"required": False},
                    ),
                    18: (
                        "wagtail.blocks.StructBlock",
                        [
                            [
                                ("title", 10),
                                ("body", 11),
                                ("signatory_name", 12),
                                ("signatory_role", 13),
                                ("signature", 14),
                                ("condition", 17),
                            ]
                        ],
                        {},
                    ),
                    19: (
                        "wagtail.blocks.BooleanBlock",
                        (),
                        {
                            "help_text": "At the e-mail address of its service, when it has one.",
                            "label": "To the municipal service handling the request",
                            "required": False,
                        },
                    ),
                    20: (
                        "wagtail.blocks.EmailBlock",
                        (),
                        {"label": "To the address", "required": False},
                    ),
                    21: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {
                            "help_text": "The request's number is added after it.",
                            "label": "Subject",
                        },
                    ),
                    22: (
                        "wagtail.blocks.TextBlock",
                        (),
                        {
                            "help_text": "Placeholders: {prenom}, {nom}, {reference}, {demarche}, {commune}, {mairie}. The answers and a link to the request follow it.",
                            "label": "Message",
                        },
                    ),
                    23: (
                        "wagtail.blocks.StructBlock",
                        [
                            [
                                ("to_service", 19),
                                ("to", 20),
                                ("subject", 21),
                                ("message", 22),
                                ("condition", 17),
                            ]
                        ],
                        {},
                    ),
                    24: (
                        "wagtail.blocks.TextBlock",
                        (),
                        {
                            "help_text": "Placeholders filled for each request: {prenom}, {nom}, {reference}, {demarche}, {commune}, {mairie}. The agent's own message follows it.",
                            "label": "Message",
                        },
                    ),
                    25: ("wagtail.blocks.StructBlock", [[("message", 24), ("condition", 17)]], {}),
                },
                help_text="Run in this order, once, each time a request enters the status.",
                verbose_name="when a request enters it",
            ),
        ),
        migrations.RunPython(to_action, to_field),
        migrations.RemoveField(model_name="workflowstatus", name="asks_corrections"),
    ]
