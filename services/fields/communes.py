"""A French commune, asked with its postcode: the postcode is checked against
the communes it serves (``postcodes``), and the commune typed against them."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.validators import PostcodeField

from .base import ANSWER_PREFIX, FieldType, field_options, subfield
from .blocks import FieldBlock
from .postcodes import commune_named, communes_of, comparable
from .registry import registry
from .schema import SUBFIELD, normalise

POSTCODE_UNKNOWN = _("No commune has this postcode: check it on a letter you received.")
COMMUNE_NOT_AT_POSTCODE = _(
    "%(commune)s is not served by the postcode %(postcode)s, which serves: %(communes)s."
)
POSTCODE_MISSING = _("Type the commune's postcode too.")
COMMUNE_MISSING = _("Type the commune, or choose it among those of the postcode.")
#: The most communes an error message names.
MOST_NAMED = 12


class PostcodeCommuneBlock(FieldBlock):
    class Meta:
        icon = "site"
        label = _("Commune (with its postcode)")
        help_text = _(
            "A French commune and its postcode, checked against the official list; "
            "the communes of the postcode are offered as it is typed."
        )
        preview_value = {"label": "Commune de résidence", "required": True}


@registry.register
class PostcodeCommune(FieldType):
    """Stored as ``{"postcode", "commune", "insee"}``, the commune's official
    name and INSEE code. A condition on the field compares the commune typed;
    a rule on a stored answer (a routing rule, a price for residents) expects
    the commune's name, its postcode or its INSEE code."""

    name = "postcode_commune"
    block_class = PostcodeCommuneBlock
    template = "services/fields/postcode_commune.html"

    def form_fields(self, block, context):
        required = field_options(block)["required"]
        postcode = PostcodeField(label=gettext("Postcode"), required=required)
        postcode.widget.attrs.update(
            {
                "class": "input--short",
                "data-postcode-lookup": reverse("services:postcodes", args=["00000"]),
                "data-postcode-communes": f"{block.key}-communes",
            }
        )
        # Never required itself: a postcode serving one commune is enough.
        commune = forms.CharField(
            label=gettext("Commune"),
            max_length=120,
            required=False,
            widget=forms.TextInput(
                attrs={"autocomplete": "address-level2", "list": f"{block.key}-communes"}
            ),
        )
        return {subfield(block, "postcode"): postcode, block.key: commune}

    def set_required(self, item, form, *, required):
        form.fields[subfield(item.block, "postcode")].required = required

    def clean_form(self, item, form, cleaned):
        block = item.block
        postcode_name = subfield(block, "postcode")
        postcode = cleaned.get(postcode_name) or ""
        typed = (cleaned.get(block.key) or "").strip()
        if postcode_name in form.errors or block.key in form.errors:
            return
        if not postcode:
            if typed:
                form.add_error(
                    postcode_name, forms.ValidationError(POSTCODE_MISSING, code="required")
                )
            return
        communes = communes_of(postcode)
        if not communes:
            form.add_error(postcode_name, forms.ValidationError(POSTCODE_UNKNOWN, code="unknown"))
            return
        if not typed and len(communes) == 1:
            typed = communes[0].name
        if not typed:
            form.add_error(block.key, forms.ValidationError(COMMUNE_MISSING, code="required"))
            return
        commune = commune_named(postcode, typed)
        if commune is None:
            named = ", ".join(c.name for c in communes[:MOST_NAMED])
            if len(communes) > MOST_NAMED:
                named += ", …"
            message = COMMUNE_NOT_AT_POSTCODE % {
                "commune": typed,
                "postcode": postcode,
                "communes": named,
            }
            form.add_error(block.key, forms.ValidationError(message, code="not_at_postcode"))
            return
        cleaned[block.key] = commune

    def example_input(self, key):
        return {f"{key}{SUBFIELD}postcode": ["44117"], key: ["Saint-André-des-Eaux"]}

    def answer(self, block, cleaned, context):
        commune = cleaned.get(block.key)
        if not commune or isinstance(commune, str):
            return None
        return {
            "postcode": cleaned.get(subfield(block, "postcode")),
            "commune": commune.name,
            "insee": commune.insee,
        }

    def text(self, block, value):
        return f"{value.get('postcode', '')} {value.get('commune', '')}".strip()

    def reload(self, block, value):
        return {
            subfield(block, "postcode"): [value.get("postcode") or ""],
            block.key: [value.get("commune") or ""],
        }

    def matches(self, block, values, expected):
        wanted = comparable(expected)
        return bool(wanted) and any(comparable(v) == wanted for v in values)

    def stored_matches(self, block, value, expected):
        wanted = normalise(expected)
        if not wanted or not isinstance(value, dict):
            return False
        return wanted in (
            normalise(value.get("postcode") or ""),
            normalise(value.get("insee") or ""),
        ) or comparable(expected) == comparable(value.get("commune") or "")

    def export_columns(self, block):
        label = block.label or block.key
        postcode = gettext("postcode")
        insee = gettext("INSEE code")
        return [
            (f"{ANSWER_PREFIX}{block.key}", label),
            (f"{ANSWER_PREFIX}{block.key}:postcode", f"{label} ({postcode})"),
            (f"{ANSWER_PREFIX}{block.key}:insee", f"{label} ({insee})"),
        ]

    def export_cells(self, block, value, *, submission):
        (commune, _h1), (postcode, _h2), (insee, _h3) = self.export_columns(block)
        value = value if isinstance(value, dict) else {}
        return {
            commune: value.get("commune") or "",
            postcode: value.get("postcode") or "",
            insee: value.get("insee") or "",
        }
