"""A workflow drawn as an SVG diagram, on the server: each status a box in the
column of its distance from the first status, each transition an arrow. The
template gives the same content as a list, for those who do not see it."""

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ..statuses import StatusGroup
from ..workflows import definition_of

BOX_WIDTH = 180
BOX_HEIGHT = 48
COLUMN_GAP = 70
ROW_GAP = 26
MARGIN = 16

#: Text and background of each colour: those of the citizen's badges.
COLOURS = {
    "blue": ("#1d4f91", "#e6eefa"),
    "purple": ("#5b2a86", "#f1eaf8"),
    "amber": ("#7a4f00", "#fff6e0"),
    "teal": ("#0b5f66", "#e3f4f5"),
    "green": ("#1f6f3b", "#e9f5ec"),
    "red": ("#b00020", "#fdecee"),
    "grey": ("#4a4a4a", "#eceef1"),
}


@dataclass(frozen=True)
class Box:
    key: str
    name: str
    group: str
    colour: str
    x: int
    y: int


@dataclass(frozen=True)
class Diagram:
    svg: SafeString
    statuses: list
    transitions: list[tuple[str, str, str]]


def _columns(statuses) -> dict[str, int]:
    """Each status's distance from the first one; the unreachable ones last."""
    depth = {statuses[0].value: 0}
    queue = [statuses[0]]
    by_key = {info.value: info for info in statuses}
    while queue:
        info = queue.pop(0)
        for target in info.next:
            if target in by_key and target not in depth:
                depth[target] = depth[info.value] + 1
                queue.append(by_key[target])
    last = max(depth.values()) + 1
    return {info.value: depth.get(info.value, last) for info in statuses}


def _label(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def workflow_diagram(workflow) -> Diagram | None:
    definition = definition_of(workflow)
    statuses = definition.statuses
    if not statuses:
        return None
    columns = _columns(statuses)
    rows: dict[int, int] = {}
    boxes = {}
    for info in statuses:
        column = columns[info.value]
        row = rows.get(column, 0)
        rows[column] = row + 1
        boxes[info.value] = Box(
            key=info.value,
            name=str(info.label),
            group=info.group,
            colour=info.colour,
            x=MARGIN + column * (BOX_WIDTH + COLUMN_GAP),
            y=MARGIN + row * (BOX_HEIGHT + ROW_GAP),
        )
    width = MARGIN * 2 + (max(columns.values()) + 1) * (BOX_WIDTH + COLUMN_GAP) - COLUMN_GAP
    height = MARGIN * 2 + max(rows.values()) * (BOX_HEIGHT + ROW_GAP) - ROW_GAP
    transitions = []
    arrows = []
    for info in statuses:
        for transition in info.transitions:
            source, target = boxes[info.value], boxes.get(transition.target)
            if target is None:
                continue
            transitions.append((source.name, str(transition.label), target.name))
            arrows.append(_arrow(source, target, str(transition.label)))
    title = _("Diagram of the workflow “%(name)s”") % {"name": definition.name}
    svg = format_html(
        '<svg class="workflow-diagram" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'role="img" aria-labelledby="workflow-diagram-title">'
        '<title id="workflow-diagram-title">{title}</title>'
        "<defs>"
        '<marker id="workflow-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#5c5c5c"/></marker>'
        "</defs>{arrows}{boxes}</svg>",
        w=width,
        h=height,
        title=title,
        arrows=format_html_join("", "{}", ((arrow,) for arrow in arrows)),
        boxes=format_html_join("", "{}", ((_box(box),) for box in boxes.values())),
    )
    return Diagram(svg=svg, statuses=list(statuses), transitions=transitions)


def _box(box: Box) -> SafeString:
    text, background = COLOURS.get(box.colour, COLOURS["grey"])
    final = box.group == StatusGroup.FINAL
    return format_html(
        '<g><rect x="{x}" y="{y}" width="{w}" height="{h}" rx="{r}" fill="{bg}" stroke="{fg}" '
        'stroke-width="{sw}"/>'
        '<text x="{tx}" y="{ty}" fill="{fg}" font-size="14" font-weight="700" '
        'text-anchor="middle">{name}</text>'
        '<text x="{tx}" y="{ty2}" fill="{fg}" font-size="11" text-anchor="middle">{key}</text></g>',
        x=box.x,
        y=box.y,
        w=BOX_WIDTH,
        h=BOX_HEIGHT,
        r=4 if final else 16,
        bg=background,
        fg=text,
        sw=3 if final else 1.5,
        tx=box.x + BOX_WIDTH // 2,
        ty=box.y + 21,
        ty2=box.y + 38,
        name=_label(box.name),
        key=box.key,
    )


def _arrow(source: Box, target: Box, label: str) -> str:
    if target.x > source.x:
        x1, y1 = source.x + BOX_WIDTH, source.y + BOX_HEIGHT // 2
        x2, y2 = target.x, target.y + BOX_HEIGHT // 2
        middle = (x1 + x2) // 2
        path = f"M{x1},{y1} C{middle},{y1} {middle},{y2} {x2},{y2}"
    elif target.x == source.x:
        # Within a column: a curve on the right of the boxes.
        x1, y1 = source.x + BOX_WIDTH, source.y + BOX_HEIGHT // 2 + 6
        x2, y2 = target.x + BOX_WIDTH, target.y + BOX_HEIGHT // 2 - 6
        bulge = x1 + min(60, 24 + abs(y2 - y1) // 6)
        path = f"M{x1},{y1} C{bulge},{y1} {bulge},{y2} {x2},{y2}"
    else:
        # Back to an earlier column: a curve under the boxes.
        x1, y1 = source.x + BOX_WIDTH // 2 - 20, source.y + BOX_HEIGHT
        x2, y2 = target.x + BOX_WIDTH // 2 + 20, target.y + BOX_HEIGHT
        dip = max(y1, y2) + ROW_GAP - 4
        path = f"M{x1},{y1} C{x1},{dip} {x2},{dip} {x2},{y2}"
    return format_html(
        '<path d="{d}" fill="none" stroke="#5c5c5c" stroke-width="1.4" '
        'marker-end="url(#workflow-arrow)"><title>{label}</title></path>',
        d=path,
        label=label,
    )
