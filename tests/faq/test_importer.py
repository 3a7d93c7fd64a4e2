import pytest

from faq.importer import (
    FAQImportError,
    decode,
    markdown_to_rich_text,
    parse_faq,
)
from tests.conftest import SEEDS

SEED_FILES = ["faq-carvin.md", "faq-saint-andre-des-eaux.txt"]

SMALL = """Foire aux questions

Compte
Comment créer un compte ?
Sécurité
Que faire si j'ai perdu mon mot de passe ?

Compte

Comment créer un compte ?

Cliquez sur « Créer un compte ».

[Retour au sommaire](#)

Sécurité

Que faire si j'ai perdu mon mot de passe ?

Suivez le lien « Mot de passe oublié ? ».

[Retour au sommaire](#)
"""


@pytest.mark.parametrize("name", SEED_FILES)
def test_each_seed_document_gives_five_categories_and_eighteen_questions(name):
    categories = parse_faq((SEEDS / name).read_text(encoding="utf-8"))

    assert [c.title for c in categories][:3] == [
        "Gestion de mon compte",
        "Sécurité",
        "Démarches en ligne",
    ]
    assert len(categories) == 5
    assert sum(len(c.questions) for c in categories) == 18


def test_both_seed_documents_have_the_same_questions():
    carvin, saint_andre = (
        parse_faq((SEEDS / name).read_text(encoding="utf-8")) for name in SEED_FILES
    )
    assert [q.question for c in carvin for q in c.questions] == [
        q.question for c in saint_andre for q in c.questions
    ]


def test_back_to_table_of_contents_lines_and_separators_are_dropped():
    categories = parse_faq((SEEDS / "faq-carvin.md").read_text(encoding="utf-8"))
    answers = [q.answer for c in categories for q in c.questions]
    assert not any("Retour au sommaire" in a or "---" in a for a in answers)


def test_text_before_the_table_of_contents_is_ignored():
    categories = parse_faq((SEEDS / "faq-carvin.md").read_text(encoding="utf-8"))
    assert "HORANET" not in str(categories)


def test_markdown_answers_become_wagtail_rich_text():
    html = markdown_to_rich_text("Voici :\n\n- **Relevé** : payées\n- *À payer*")
    assert html == "<p>Voici :</p><ul><li><b>Relevé</b> : payées</li><li><i>À payer</i></li></ul>"


def test_raw_html_in_a_document_is_not_kept_as_markup():
    html = markdown_to_rich_text('<script>alert("x")</script>')
    assert "<script>" not in html


def test_a_title_missing_from_the_body_is_reported_with_its_line():
    text = SMALL.replace("\nSécurité\n\nQue faire", "\nQue faire")
    with pytest.raises(FAQImportError) as error:
        parse_faq(text)
    assert error.value.line == 5
    assert "Sécurité" in str(error.value)


def test_a_category_without_question_is_reported_with_its_line():
    text = SMALL.replace("Comment créer un compte ?\n", "").replace(
        "Cliquez sur « Créer un compte ».\n", ""
    )
    with pytest.raises(FAQImportError) as error:
        parse_faq(text)
    assert "Compte" in str(error.value)
    assert error.value.line is not None


def test_a_document_without_table_of_contents_is_refused():
    with pytest.raises(FAQImportError) as error:
        parse_faq("Une question ?\n\nUne réponse.\n")
    assert error.value.line == 1


def test_an_empty_document_is_refused():
    with pytest.raises(FAQImportError):
        parse_faq("\n\n---\n")


def test_a_file_that_is_not_utf8_names_the_line():
    with pytest.raises(FAQImportError) as error:
        decode("Titre\nQuestion ?\nR\xe9ponse".encode("latin-1"))
    assert error.value.line == 3
