"""How pages are translated with wagtail-localize.

- ``TranslatedTextMixin``: a StructBlock whose text children are translated
  and whose other children (keys, conditions, settings) are kept as in the
  source page. An empty text gives no segment, and a text of several lines
  (the choices of a question, one per line) gives one segment per line, so
  that the translation editor shows no ``<br/>`` and a translation keeps
  one line per line of the source.
- ``SynchronisedBlockMixin``: a block kept as in the source page, never
  offered for translation.
- ``name_segments_by_their_block``: the translation editor names each
  segment of a StreamField by the question, field or step it belongs to
  ("How do I edit my account? — Answer") instead of the list it is in
  ("Questions").
"""

import re
from collections import defaultdict

from django.utils.text import capfirst
from wagtail import blocks
from wagtail.rich_text import RichText

#: The children whose text names the block they are in, by preference.
NAMING_CHILDREN = ("question", "label", "title", "heading")
LINE = "line"
LINE_BREAK = re.compile(r"<br\s*/?>")
#: Stands for a line break while a rich text is cut into segments, so that
#: the lines it separates are two segments, as two paragraphs would be.
LINE_BREAK_MARK = "<line-break></line-break>"


class SynchronisedBlockMixin:
    """Kept as in the source page by every translation."""

    def get_translatable_segments(self, value):
        return []

    def restore_translated_segments(self, value, segments):
        return value


def _text_lines(text: str) -> list[str]:
    return str(text).split("\n")


def rich_text_segments(html: str) -> list:
    """The segments of a rich text, cut at its line breaks too."""
    from wagtail_localize.segments import (
        OverridableSegmentValue,
        StringSegmentValue,
        TemplateSegmentValue,
    )
    from wagtail_localize.segments.extract import quote_path_component
    from wagtail_localize.strings import extract_strings

    template, strings = extract_strings(LINE_BREAK.sub(LINE_BREAK_MARK, html or ""))
    hrefs = sorted(
        {attrs["href"] for _string, tags in strings for attrs in tags.values() if "href" in attrs}
    )
    return [
        TemplateSegmentValue("", "html", template, len(strings)),
        *(StringSegmentValue("", string, attrs=attrs) for string, attrs in strings),
        *(OverridableSegmentValue(quote_path_component(href), href) for href in hrefs),
    ]


def restore_rich_text(segments) -> RichText:
    from wagtail_localize.segments.ingest import organise_template_segments
    from wagtail_localize.strings import restore_strings

    _format, template, strings = organise_template_segments(segments)
    return RichText(restore_strings(template, strings).replace(LINE_BREAK_MARK, "<br/>"))


class TranslatedTextMixin:
    """A StructBlock whose texts are translated, line by line."""

    def get_translatable_segments(self, value):
        from wagtail_localize.segments import StringSegmentValue
        from wagtail_localize.segments.extract import StreamFieldSegmentExtractor

        extractor = StreamFieldSegmentExtractor(None)
        segments = []
        for name, child in self.child_blocks.items():
            child_value = value.get(name)
            if child_value in (None, ""):
                continue
            if isinstance(child, blocks.TextBlock) and not hasattr(
                child, "get_translatable_segments"
            ):
                child_segments = [
                    StringSegmentValue("", line.strip()).wrap(f"{LINE}{index}")
                    for index, line in enumerate(_text_lines(child_value))
                    if line.strip()
                ]
            elif isinstance(child, blocks.RichTextBlock):
                child_segments = rich_text_segments(child_value.source)
            else:
                child_segments = extractor.handle_block(child, child_value)
            segments.extend(segment.wrap(name) for segment in child_segments)
        return segments

    def restore_translated_segments(self, value, segments):
        from wagtail_localize.segments.ingest import StreamFieldSegmentsWriter

        writer = StreamFieldSegmentsWriter(None, None, None)
        by_child = defaultdict(list)
        for segment in segments:
            name, rest = segment.unwrap()
            by_child[name].append(rest)
        for name, child_segments in by_child.items():
            child = self.child_blocks[name]
            if isinstance(child, blocks.TextBlock) and not hasattr(
                child, "restore_translated_segments"
            ):
                lines = _text_lines(value[name])
                for segment in child_segments:
                    index, line = segment.unwrap()
                    position = int(index.removeprefix(LINE))
                    if position < len(lines):
                        lines[position] = line.render_text()
                value[name] = "\n".join(lines)
            elif isinstance(child, blocks.RichTextBlock):
                value[name] = restore_rich_text(child_segments)
            else:
                value[name] = writer.handle_block(child, value[name], child_segments)
        return value


def _children_of(value):
    """The children of a StreamField value's node by the path component
    naming each (a block id, or a StructBlock child's name)."""
    if isinstance(value, blocks.StructValue):
        return dict(value)
    if isinstance(value, blocks.list_block.ListValue):
        return {bound.id: bound.value for bound in value.bound_blocks}
    if isinstance(value, blocks.StreamValue):
        return {child.id: child.value for child in value}
    return {}


def segment_name(instance, content_path: str) -> str | None:
    """What names the segment at ``content_path`` of ``instance``'s
    StreamField: the question, label or title of the block it belongs to,
    with the name of the part it is ("Answer", "Help text"); ``None`` when
    the segment is not in a named block."""
    field_name, *components = content_path.split(".")
    value = getattr(instance, field_name, None)
    named = None
    for component in components:
        if isinstance(value, blocks.StructValue):
            named = (value, component)
        children = _children_of(value)
        if component not in children:
            break
        value = children[component]
    if named is None:
        return None
    struct, part = named
    part_label = capfirst(struct.block.child_blocks[part].label)
    for name in NAMING_CHILDREN:
        text = struct.get(name)
        if isinstance(text, str) and text.strip():
            return part_label if name == part else f"{text.strip()} — {part_label}"
    return None


def name_segments_by_their_block():
    """Wrap wagtail-localize's description of where a segment is."""
    from wagtail_localize.views import edit_translation

    describe = edit_translation.get_segment_location_info
    if getattr(describe, "names_blocks", False):
        return

    def get_segment_location_info(source_instance, tab_helper, content_path, field_path, **kw):
        info = describe(source_instance, tab_helper, content_path, field_path, **kw)
        if info.get("blockId"):
            name = segment_name(source_instance, content_path)
            if name:
                info["subField"] = name
        return info

    get_segment_location_info.names_blocks = True
    edit_translation.get_segment_location_info = get_segment_location_info
