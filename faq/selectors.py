"""Reads of FAQ content as citizens see it: placeholders filled, search applied."""

import re
from dataclasses import dataclass, field
from html import unescape

from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from wagtail.models import Site
from wagtail.rich_text import expand_db_html

from cms.models import CommuneSettings
from cms.placeholders import fill_placeholders, placeholder_values, strip_accents


@dataclass
class Question:
    question: str
    anchor: str
    answer: SafeString
    category_title: str

    @property
    def answer_text(self) -> str:
        return unescape(strip_tags(self.answer)).strip()


@dataclass
class Category:
    title: str
    anchor: str
    questions: list[Question] = field(default_factory=list)


def faq_entries(*, page, request) -> list[Category]:
    """The page's categories and questions, with the commune's placeholders filled."""
    site = Site.find_for_request(request) or page.get_site()
    values = placeholder_values(commune=CommuneSettings.for_request(request), site=site)
    blocks = [block.value for block in page.body]
    answers = iter(
        expand_rich_texts(
            [question["answer"].source for value in blocks for question in value["questions"]]
        )
    )
    categories = []
    for value in blocks:
        category = Category(title=fill_placeholders(value["title"], values), anchor=value["anchor"])
        for question in value["questions"]:
            # Rich text expanded by Wagtail, with escaped values put in.
            answer = mark_safe(fill_placeholders(next(answers), values, html=True))  # noqa: S308  # nosec B308 B703
            category.questions.append(
                Question(
                    question=fill_placeholders(question["question"], values),
                    anchor=question["anchor"],
                    answer=answer,
                    category_title=category.title,
                )
            )
        categories.append(category)
    return categories


ANSWER_SEPARATOR = "<!--answer-->"


def expand_rich_texts(sources: list[str]) -> list[str]:
    """Expand many rich texts in one pass, so that the links of all of them
    are looked up together rather than text by text."""
    if not sources:
        return []
    return expand_db_html(ANSWER_SEPARATOR.join(sources)).split(ANSWER_SEPARATOR)


def _normalise(text: str) -> str:
    return strip_accents(text).lower()


WORD_RE = re.compile(r"\w+")


def faq_search(*, categories: list[Category], query: str) -> list[Question]:
    """Questions whose question or answer contains every word of the query,
    whatever the accents and capitals."""
    words = [w for w in WORD_RE.findall(_normalise(query)) if len(w) > 1]
    if not words:
        return []
    results = []
    for category in categories:
        for question in category.questions:
            haystack = _normalise(f"{question.question} {question.answer_text}")
            if all(word in haystack for word in words):
                results.append(question)
    return results


def faq_json_ld(*, categories: list[Category]) -> dict:
    """schema.org ``FAQPage`` data, so search engines can show the answers."""
    return {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": question.question,
                "acceptedAnswer": {"@type": "Answer", "text": str(question.answer)},
            }
            for category in categories
            for question in category.questions
        ],
    }
