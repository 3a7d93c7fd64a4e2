"""Posted StreamField data that a hand-made request may garble.

Wagtail reads a StreamField's (and a ListBlock's) posted rows by their count
and expects each row's ``type``, ``order`` and ``deleted`` fields: a count
that is no number, or a row that lacks one of them, is a server error. A
form that takes a StreamField from people who may post anything asks
``stream_repairs`` first: a stream that cannot be read is posted as empty,
and the form then says what it lacks."""

#: The most rows a posted stream or list may say it has.
MOST_ROWS = 200


def _whole(data, name: str, most: int) -> int | None:
    count = data.get(name)
    if isinstance(count, str) and count.isascii() and count.isdigit() and int(count) <= most:
        return int(count)
    return None


def _rows_readable(data, prefix: str, count: int, *, typed: bool) -> bool:
    parts = ("deleted", "order", "type") if typed else ("deleted", "order")
    for row in range(count):
        values = [data.get(f"{prefix}-{row}-{part}") for part in parts]
        if any(not isinstance(value, str) for value in values):
            return False
        if not (values[1].isascii() and values[1].isdigit()):
            return False
    return True


def stream_repairs(
    data, prefix: str, *, types, lists: tuple[str, ...] = (), most: int = MOST_ROWS
) -> dict[str, str]:
    """What to change in ``data`` for the StreamField posted under ``prefix``
    to be read safely: ``{}`` when it can be, else its count set to 0. Each
    row must be of one of ``types``; ``lists`` names the ListBlocks of a row's
    value, whose rows must be readable too."""
    count = _whole(data, f"{prefix}-count", most)
    readable = count is not None and _rows_readable(data, prefix, count, typed=True)
    if readable:
        for row in range(count):
            if data[f"{prefix}-{row}-type"] not in types:
                readable = False
                break
            for name in lists:
                inner = f"{prefix}-{row}-value-{name}"
                inner_count = _whole(data, f"{inner}-count", most)
                if inner_count is None or not _rows_readable(data, inner, inner_count, typed=False):
                    readable = False
                    break
    return {} if readable else {f"{prefix}-count": "0"}


def repaired(data, changes: dict[str, str]):
    """``data`` with ``changes`` (a copy when there are any)."""
    if not changes:
        return data
    data = data.copy()
    for name, value in changes.items():
        data[name] = value
    return data


#: The largest id a database holds (a signed 64-bit integer).
LARGEST_ID = 2**63 - 1


def ids_out_of_range(data, names) -> dict[str, str]:
    """The posted ids among ``names`` that no database holds, replaced by
    "0": the form then says "choose a valid option" instead of the database
    failing on a number it cannot store."""
    changes = {}
    for name in names:
        value = data.get(name)
        if not isinstance(value, str):
            continue
        try:
            number = int(value.strip())
        except ValueError:
            continue
        if abs(number) > LARGEST_ID:
            changes[name] = "0"
    return changes
