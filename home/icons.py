"""The icons of the home page's tiles: small inline SVG drawings of our own
(``templates/home/icons/<name>.svg``), chosen by staff or guessed from a
démarche's category and title."""

from django.utils.translation import gettext_lazy as _

from cms.placeholders import strip_accents

ICONS = [
    ("document", _("Document")),
    ("family", _("Family")),
    ("school", _("School")),
    ("road", _("Road")),
    ("building", _("Building")),
    ("calendar", _("Calendar")),
    ("leaf", _("Nature")),
    ("euro", _("Payment")),
    ("town-hall", _("Town hall")),
    ("info", _("Information")),
]
ICON_NAMES = {name for name, _label in ICONS}
DEFAULT_ICON = "document"

#: Words of a category or title, without accents, and the icon they suggest.
KEYWORDS = [
    (("etat civil", "naissance", "mariage", "deces", "acte"), "document"),
    (("ecole", "scolaire", "periscolaire", "cantine", "restauration", "education"), "school"),
    (("enfance", "famille", "petite enfance", "creche"), "family"),
    (("voirie", "travaux", "signalement", "route", "chaussee"), "road"),
    (("salle", "reservation", "location"), "building"),
    (("marche", "evenement", "manifestation", "fete"), "calendar"),
    (("cimetiere", "concession", "environnement", "espaces verts", "dechets"), "leaf"),
    (("paiement", "facture", "regie"), "euro"),
]


def icon_for(*texts: str) -> str:
    """The icon suggested by the first text (a category, then a title) that
    names a known subject."""
    for text in texts:
        plain = strip_accents(text or "").lower()
        for words, icon in KEYWORDS:
            if any(word in plain for word in words):
                return icon
    return DEFAULT_ICON
