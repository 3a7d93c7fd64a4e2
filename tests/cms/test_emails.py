"""The plain-text part of the e-mails to citizens reads as text."""

from types import SimpleNamespace

from cms.emails import render_commune_email
from cms.services import commune_create


def test_the_plain_text_part_is_never_html_escaped_and_speaks_french(migrated):
    site = commune_create(name="L'Île-d'Yeu", hostname="ile-d-yeu.localhost").site
    user = SimpleNamespace(first_name="Anne-Laure", username="anne-laure.l'helgouarc'h")

    message = render_commune_email(
        site=site,
        to="anne@example.org",
        subject="Compte validé",
        template="account_validated",
        context={"user": user},
    )

    body = message["body"]
    assert "&#x27;" not in body and "&amp;" not in body
    assert "L'Île-d'Yeu" in body
    assert "anne-laure.l'helgouarc'h" in body
    assert "Connexion : http://ile-d-yeu.localhost/compte/connexion/" in body
    assert message["subject"] == "L'Île-d'Yeu – Compte validé"
    # The HTML part stays escaped.
    assert "L&#x27;Île-d&#x27;Yeu" in message["html"]
