"""Text messages in the GSM 03.38 alphabet (GSM-7): a message in it holds 160
characters in one segment, against 70 for one that needs Unicode. Whatever is
not in the alphabet is transliterated (``ê`` → ``e``, ``’`` → ``'``)."""

import math
import unicodedata

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: Characters that take two units (an escape, then the character).
GSM7_EXTENSION = "^{}\\[~]|€\f"
SINGLE_SEGMENT = 160
MULTI_SEGMENT = 153

REPLACEMENTS = {
    "‘": "'",
    "’": "'",
    "‚": "'",
    "“": '"',
    "”": '"',
    "«": '"',
    "»": '"',
    "–": "-",
    "—": "-",
    "…": "...",
    "\u00a0": " ",
    "\u202f": " ",
    "œ": "oe",
    "Œ": "OE",
    "•": "-",
    "\t": " ",
}


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def _transliterate_char(char: str) -> str:
    if char in GSM7_BASIC or char in GSM7_EXTENSION:
        return char
    if char in REPLACEMENTS:
        return REPLACEMENTS[char]
    decomposed = unicodedata.normalize("NFKD", char)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    if base and all(c in GSM7_BASIC for c in base):
        return base
    return "?"


def to_gsm7(text: str) -> str:
    """``text`` in the GSM-7 alphabet, on one line of single spaces."""
    text = " ".join(text.split())
    return "".join(_transliterate_char(char) for char in text)


def units(text: str) -> int:
    return sum(2 if char in GSM7_EXTENSION else 1 for char in text)


def segment_count(text: str) -> int:
    """How many SMS ``text`` (GSM-7) takes."""
    length = units(text)
    if length <= SINGLE_SEGMENT:
        return 1
    return math.ceil(length / MULTI_SEGMENT)
