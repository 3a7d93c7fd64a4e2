"""Reading a FAQ written as a document: a table of contents, then the answers.

Both layouts of the product we replace are understood: Markdown, where titles
are headings, and plain text, where they are bare lines. The table of contents
is what gives the structure: it runs from the first title to the place where
that title comes again, and the body must then repeat every title in the same
order. A title followed directly by another one is a category; a title followed
by text is a question, and that text is its answer (Markdown allowed).
"""

import re
from dataclasses import dataclass, field
from functools import cache

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

NO_TABLE_OF_CONTENTS = gettext_noop(
    "No table of contents found: no title at the start of the document comes again later."
)
TOC_ENTRY_MISSING = gettext_noop(
    "Line {line}: “{title}” is in the table of contents but not in the text."
)
TOC_ENTRY_TWICE = gettext_noop("Line {line}: “{title}” is twice in the table of contents.")
QUESTION_WITHOUT_CATEGORY = gettext_noop(
    "Line {line}: the question “{title}” belongs to no category."
)
CATEGORY_WITHOUT_QUESTION = gettext_noop("Line {line}: the category “{title}” has no question.")
EMPTY_DOCUMENT = gettext_noop("The document is empty.")
NOT_UTF8 = gettext_noop("Line {line}: the file is not UTF-8 encoded text.")

HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+")
SEPARATOR_RE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
BACK_TO_TOC_RE = re.compile(r"^\s*\[?\s*retour au sommaire\s*\]?(\([^)]*\))?\s*$", re.IGNORECASE)
EMPHASIS_RE = re.compile(r"^(\*\*|__)(.+)\1$")


class FAQImportError(Exception):
    """A document that cannot be read as a FAQ; the message names the line."""

    def __init__(self, message: str, *, line: int | None = None):
        super().__init__(message)
        self.line = line


@dataclass
class ParsedQuestion:
    question: str
    answer: str
    line: int


@dataclass
class ParsedCategory:
    title: str
    line: int
    questions: list[ParsedQuestion] = field(default_factory=list)


def _title_of(line: str) -> str:
    """The text of a line as a title: no heading marks, emphasis or extra spaces."""
    text = HEADING_RE.sub("", line).strip()
    match = EMPHASIS_RE.match(text)
    if match:
        text = match.group(2).strip()
    return " ".join(text.split())


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FAQImportError(_(NOT_UTF8).format(line=line), line=line) from error


def parse_faq(text: str) -> list[ParsedCategory]:
    lines = text.splitlines()
    titles = [
        (number, _title_of(line))
        for number, line in enumerate(lines, start=1)
        if _title_of(line) and not SEPARATOR_RE.match(line) and not BACK_TO_TOC_RE.match(line)
    ]
    if not titles:
        raise FAQImportError(_(EMPTY_DOCUMENT), line=1)

    first_seen: dict[str, int] = {}
    toc_start = body_start = None
    for index, (_number, title) in enumerate(titles):
        if title in first_seen:
            toc_start, body_start = first_seen[title], index
            break
        first_seen.setdefault(title, index)
    if toc_start is None:
        raise FAQImportError(_(NO_TABLE_OF_CONTENTS), line=1)

    toc = titles[toc_start:body_start]
    seen = {}
    for number, title in toc:
        if title in seen:
            raise FAQImportError(_(TOC_ENTRY_TWICE).format(line=number, title=title), line=number)
        seen[title] = number

    sections: list[tuple[int, str, list[str]]] = []
    expected = 0
    for number, line in enumerate(lines[titles[body_start][0] - 1 :], start=titles[body_start][0]):
        if expected < len(toc) and _title_of(line) == toc[expected][1]:
            sections.append((number, toc[expected][1], []))
            expected += 1
        elif SEPARATOR_RE.match(line) or BACK_TO_TOC_RE.match(line):
            sections[-1][2].append("")
        else:
            sections[-1][2].append(line)
    if expected < len(toc):
        number, title = toc[expected]
        raise FAQImportError(_(TOC_ENTRY_MISSING).format(line=number, title=title), line=number)

    categories: list[ParsedCategory] = []
    for number, title, content in sections:
        answer = "\n".join(content).strip()
        if not answer:
            if categories and not categories[-1].questions:
                previous = categories[-1]
                raise FAQImportError(
                    _(CATEGORY_WITHOUT_QUESTION).format(line=previous.line, title=previous.title),
                    line=previous.line,
                )
            categories.append(ParsedCategory(title=title, line=number))
        elif not categories:
            raise FAQImportError(
                _(QUESTION_WITHOUT_CATEGORY).format(line=number, title=title), line=number
            )
        else:
            categories[-1].questions.append(
                ParsedQuestion(question=title, answer=answer, line=number)
            )
    if not categories[-1].questions:
        last = categories[-1]
        raise FAQImportError(
            _(CATEGORY_WITHOUT_QUESTION).format(line=last.line, title=last.title), line=last.line
        )
    return categories


@cache
def _markdown():
    # Imported here: only an import of a FAQ document reads Markdown.
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "breaks": True})


_TAGS = [
    ("<strong>", "<b>"),
    ("</strong>", "</b>"),
    ("<em>", "<i>"),
    ("</em>", "</i>"),
    ("<br />", "<br/>"),
]


def markdown_to_rich_text(text: str) -> str:
    """Markdown converted to the HTML that Wagtail stores for rich text."""
    html = _markdown().render(text)
    for old, new in _TAGS:
        html = html.replace(old, new)
    return re.sub(r">\s*\n\s*", ">", html).strip()
