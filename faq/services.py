"""Writes to FAQ pages."""

import uuid
from dataclasses import dataclass
from pathlib import Path

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from cms.models import CommuneSettings
from cms.placeholders import insert_placeholders

from .importer import markdown_to_rich_text, parse_faq
from .models import FAQPage


@dataclass
class FAQImportResult:
    categories: int
    questions: int
    changed: bool
    published: bool


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _content(stream_data: list[dict]) -> list:
    """What a reader sees of a FAQ body, without the block ids."""
    return [
        (
            c["value"]["title"],
            c["value"].get("anchor", ""),
            [
                (q["value"]["question"], q["value"]["answer"], q["value"].get("anchor", ""))
                for q in c["value"]["questions"]
            ],
        )
        for c in stream_data
    ]


def faq_import(*, page: FAQPage, text: str, user=None, publish: bool = True) -> FAQImportResult:
    """Create or update a commune's FAQ from a document (see ``faq.importer``).

    Categories and questions already on the page keep their block ids and
    anchors when their title comes again, so links keep working and a second
    import of the same document changes nothing. Names of the commune and of
    its portal, or of any other commune of the platform, become
    placeholders. Either the whole document is imported or,
    on an error, nothing is.
    """
    parsed = parse_faq(text)
    site = page.get_site()
    others = CommuneSettings.objects.exclude(site=site).select_related("site")
    communes = [(CommuneSettings.for_site(site), site)] + [(c, c.site) for c in others]

    def convert(value: str) -> str:
        return insert_placeholders(value, communes=communes)

    with transaction.atomic():
        page = FAQPage.objects.select_for_update().get(pk=page.pk)
        current = page.get_latest_revision_as_object()
        old_data = current.body.get_prep_value()
        old_categories = {_key(c["value"]["title"]): c for c in old_data}
        old_questions = {
            _key(q["value"]["question"]): q for c in old_data for q in c["value"]["questions"]
        }

        new_data = []
        for category in parsed:
            title = convert(category.title)
            old = old_categories.get(_key(title), {})
            questions = []
            for item in category.questions:
                question = convert(item.question)
                old_q = old_questions.get(_key(question), {})
                questions.append(
                    {
                        "type": "item",
                        "id": old_q.get("id") or str(uuid.uuid4()),
                        "value": {
                            "question": question,
                            "answer": markdown_to_rich_text(convert(item.answer)),
                            "anchor": old_q.get("value", {}).get("anchor", ""),
                        },
                    }
                )
            new_data.append(
                {
                    "type": "category",
                    "id": old.get("id") or str(uuid.uuid4()),
                    "value": {
                        "title": title,
                        "anchor": old.get("value", {}).get("anchor", ""),
                        "questions": questions,
                    },
                }
            )

        result = FAQImportResult(
            categories=len(new_data),
            questions=sum(len(c["value"]["questions"]) for c in new_data),
            changed=False,
            published=False,
        )
        current.body = new_data
        current.assign_anchors()
        if _content(current.body.get_prep_value()) == _content(old_data):
            if publish and page.has_unpublished_changes:
                page.get_latest_revision().publish(user=user)
                result.published = True
            return result

        revision = current.save_revision(user=user, log_action=True)
        result.changed = True
        if publish:
            revision.publish(user=user)
            result.published = True
        return result


SHARED_FAQ = Path(__file__).resolve().parent / "content" / "faq.md"
"""The FAQ every commune may start from: the questions of the portal, with
the placeholders ``{mairie}`` and ``{portail}`` its page fills."""


class FAQStart(models.TextChoices):
    NONE = "none", _("None: the FAQ page stays unpublished until it has questions")
    DRAFT = "draft", _("The shared FAQ, as a draft to review and publish")
    PUBLISHED = "published", _("The shared FAQ, published")


def faq_install(site, choice: str) -> list[str]:
    """Give the commune's FAQ page the shared FAQ, as a draft or published;
    a FAQ page left without a question is not published."""
    page = FAQPage.objects.child_of(site.root_page).first()
    if page is None:
        return []
    created = []
    if choice in (FAQStart.DRAFT, FAQStart.PUBLISHED):
        publish = choice == FAQStart.PUBLISHED
        result = faq_import(page=page, text=SHARED_FAQ.read_text(encoding="utf-8"), publish=publish)
        state = "published" if publish else "draft"
        created.append(f"FAQ ({result.questions} questions, {state})")
        page.refresh_from_db()
    if page.live and not page.body:
        page.unpublish(log_action=False)
    return created
