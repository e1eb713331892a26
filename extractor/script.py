"""Traditional script: reports written in traditional characters (主動公開政府資訊40條) are read
as simplified text, character by character, so every offset stays that of the original text.

Every rule (numbers, qualifiers, units, cue words, sections, tables, subjects) is written for
simplified text. ``to_simplified`` maps each traditional character to its simplified form with
OpenCC's traditional→simplified table (a maintained converter); a character whose conversion is
not exactly one character stays as it is, so ``len`` and every position are unchanged.
``restore_original`` then puts the document's own characters back into every piece of text a
result carries (mention text and subject, field evidence, table notes): a user sees what the
report wrote, at the offsets it wrote it.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache
from typing import Any

from .layout import Grid
from .models import Report, Span, Tables

# The code points OpenCC is asked about: CJK punctuation, unified ideographs (with extension A),
# compatibility ideographs and full-width forms. Rarer planes hold no character of these reports.
CONVERTED_RANGES = ((0x3000, 0x303F), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF))
OPENCC_CONFIG = "t2s"
# A simplified text may hold a character that OpenCC also converts (乾坤, 於 as a surname): only
# a character outside GB2312, the simplified character set, shows that a text is traditional.
SIMPLIFIED_CHARSET = "gb2312"


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[int, str], re.Pattern[str]]:
    """The one-character conversions (a ``str.translate`` table) and a pattern of the characters
    that only a traditional text holds. Built once: one OpenCC call over every code point."""
    import opencc

    chars = [chr(i) for lo, hi in CONVERTED_RANGES for i in range(lo, hi + 1)]
    # One character per line: OpenCC's phrase tables cannot join characters across lines, so
    # each character gets its own conversion.
    converted = opencc.OpenCC(OPENCC_CONFIG).convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # a converter that merged or split lines: convert nothing
        return {}, re.compile(r"(?!)")
    table = {ord(c): s for c, s in zip(chars, converted, strict=True) if s != c and len(s) == 1}
    marks = sorted(chr(k) for k in table if not _in_charset(chr(k)))
    pattern = re.compile("[" + "".join(re.escape(c) for c in marks) + "]") if marks else re.compile(r"(?!)")
    return table, pattern


def _in_charset(char: str) -> bool:
    try:
        char.encode(SIMPLIFIED_CHARSET)
    except UnicodeEncodeError:
        return False
    return True


def is_traditional(text: str) -> bool:
    """Whether the text holds a character only traditional script writes (個, 條, 萬)."""
    if _tables.cache_info().currsize:  # built already: one search
        return _tables()[1].search(text) is not None
    # Every such character is outside GB2312: a text without one needs no tables (25 ms to build).
    # The encoder finds the characters GB2312 lacks (in C); the handler looks only at those.
    try:
        text.encode(SIMPLIFIED_CHARSET, errors=_FIND_CONVERTED)
        return False
    except _ConvertedOutsideCharset:
        return _tables()[1].search(text) is not None


def _outside_charset(char: str) -> bool:
    """A character OpenCC is asked about that GB2312 lacks: what a traditional mark must be."""
    code = ord(char)
    return any(lo <= code <= hi for lo, hi in CONVERTED_RANGES) and not _in_charset(char)


class _ConvertedOutsideCharset(Exception):
    """Raised by the encoding error handler at the first character ``_outside_charset``."""


def _skip_unless_converted(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    if any(_outside_charset(c) for c in error.object[error.start:error.end]):
        raise _ConvertedOutsideCharset
    return "", error.end  # a character OpenCC is never asked about (an emoji, a rare plane): go on


_FIND_CONVERTED = "xxgk-find-converted"
codecs.register_error(_FIND_CONVERTED, _skip_unless_converted)


def to_simplified(text: str) -> str:
    """The text in simplified characters, position for position; unchanged when it is simplified."""
    if not is_traditional(text):
        return text
    return text.translate(_tables()[0])


# Line ends the rules split on are line feeds. A lone CR (old Mac files, some converters), the
# Unicode line and paragraph separators and NEL are read as one, character for character, so a
# file written with them reads like its LF twin at the same offsets (a CRLF pair is left as it is).
_LONE_CR = re.compile(r"\r(?!\n)")
_OTHER_LINE_ENDS = re.compile("[\u2028\u2029\x85]")


def to_reading_text(text: str) -> str:
    """The text every rule reads: simplified script and line-feed line ends, same length and
    offsets as ``text`` (unchanged, the same object, when there is nothing to change)."""
    text = to_simplified(text)
    if "\r" in text:
        text = _LONE_CR.sub("\n", text)
    if _OTHER_LINE_ENDS.search(text):
        text = _OTHER_LINE_ENDS.sub("\n", text)
    return text


def simplify_grids(grids: list[Grid]) -> list[Grid]:
    """Table grids (HTML/PDF/DOCX cells) in simplified characters, cell for cell."""
    if not any(is_traditional(cell) for grid in grids for row in grid for cell in row):
        return grids
    table = _tables()[0]
    # type(cell): a slot a colspan covers stays marked as such (layout.SpanCopy)
    return [[[type(cell)(cell.translate(table)) for cell in row] for row in grid] for grid in grids]


# --- putting the document's characters back ------------------------------------------------------
def restore_original(report: Report, original: str, simplified: str) -> None:
    """Give every piece of text in ``report`` (extracted from ``simplified``) the characters of
    ``original`` it was read from. Spans are restored by position; a subject by the place it
    stands near its mention; other strings (table notes) by the document's own characters."""
    if original is simplified or original == simplified:
        return
    back = _reverse_map(original, simplified)
    for m in report.mentions:
        m.text = original[m.start:m.end]
        if m.subject:
            m.subject = _restore_near(m.subject, original, simplified, m.start, m.end) or m.subject.translate(back)
    for f in report.fields.values():
        f.evidence = [_restore_span(s, original) for s in f.evidence]
    if report.tables is not None:
        report.tables.map_texts(lambda note: _translate_any(note, back))


def restore_grid_notes(tables: Tables | None, grids: list[Grid], simple: list[Grid]) -> None:
    """Table notes read from simplified grid cells, in the characters of the original cells."""
    if grids is simple or tables is None:
        return
    joined = "\n".join(cell for grid in grids for row in grid for cell in row)
    joined_simple = "\n".join(cell for grid in simple for row in grid for cell in row)
    back = _reverse_map(joined, joined_simple)
    tables.map_texts(lambda note: _translate_any(note, back))


def _restore_span(span: Span, original: str) -> Span:
    if 0 <= span.start <= span.end <= len(original):
        return Span(start=span.start, end=span.end, text=original[span.start:span.end])
    return span


# How far from its mention a subject is looked for (mentions.SUBJECT_WINDOW and some slack)
SUBJECT_REACH = 40


def _restore_near(subject: str, original: str, simplified: str, start: int, end: int) -> str | None:
    """The subject as the original writes it: found near the mention in the simplified text
    (spaces the subject dropped allowed between its characters), then read from the original."""
    lo, hi = max(0, start - SUBJECT_REACH), min(len(simplified), end + SUBJECT_REACH)
    pattern = r"\s*".join(re.escape(c) for c in subject)
    found = list(re.finditer(pattern, simplified[lo:hi]))
    if not found:
        return None
    # the occurrence closest to the mention (a subject reads back from it, or on after it)
    best = min(found, key=lambda m: min(abs(lo + m.end() - start), abs(lo + m.start() - end)))
    return re.sub(r"\s+", "", original[lo + best.start():lo + best.end()])


def _reverse_map(original: str, simplified: str) -> dict[int, str]:
    """simplified → original character, for the characters this document converted (the most
    frequent original where one simplified character stands for several)."""
    counts: dict[str, dict[str, int]] = {}
    for o, s in zip(original, simplified, strict=False):
        if o != s:
            counts.setdefault(s, {}).setdefault(o, 0)
            counts[s][o] += 1
    return {ord(s): max(by, key=by.__getitem__) for s, by in counts.items()}


def _translate_any(value: Any, back: dict[int, str]) -> Any:
    if isinstance(value, str):
        return value.translate(back)
    if isinstance(value, list):
        return [_translate_any(v, back) for v in value]
    if isinstance(value, dict):
        return {k: _translate_any(v, back) for k, v in value.items()}
    return value
