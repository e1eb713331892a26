"""Table cells as printed: a cell's value and note (``parse_cell``), row labels normalised
(``normalize_label``), and the patterns of printed figures the table readers share."""

from __future__ import annotations

import re
from functools import lru_cache

from .schema import TEMPLATE

Cell = int | float | None
TABLES = ("active", "requests", "review")
CUT_OFF = "cut off at the end of the text"

# A printed figure: 43, -35, 4068.208, 1,234; full-width digits are made ASCII first.
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
# A figure with a unit or a remark in brackets: 22（其中修订16件）, 3件.
_ANNOTATED = re.compile(r"(?P<num>[+-]?\d+(?:\.\d+)?)\s*(?:件|条|个|项|万元|元)?\s*(?P<note>[（(].*)?")
# A line of figures after an optional label, separated by spaces: 行政许可 97, 43 0 0 0 0 0 43.
_SPACED_VALUE = r"(?:[+-]?\d+(?:\.\d+)?|/|／|—+|-+|无)"
_SPACED_ROW = re.compile(rf"(?:(?P<label>.*?\S)\s+)?(?P<values>{_SPACED_VALUE}(?:\s+{_SPACED_VALUE})*)")
# A remark printed under a figure: （其中修订 16 件）; not a row label such as （二）部分公开（…）.
_REMARK = re.compile(r"[（(](?![一二三四五六七八九十]+[）)])[^（()）]*[）)]")
_MD_RULE = re.compile(r"^\|?\s*:?-{3,}")
_FULLWIDTH = str.maketrans("０１２３４５６７８９（）：，．／－", "0123456789():,./-")


# ---------------------------------------------------------------------------- cells


@lru_cache(maxsize=4096)  # cells repeat ("0", "/", "43") within and across reports
def parse_cell(raw: str) -> tuple[Cell, str | None]:
    """A printed cell → (value, note). The note keeps the raw text of a cell that is not a plain number.

    >>> parse_cell("43"), parse_cell("-35"), parse_cell(""), parse_cell("/")
    ((43, None), (-35, None), (None, None), (None, '/'))
    >>> parse_cell("22（其中修订16件）")
    (22, '22（其中修订16件）')
    """
    text = raw.strip()
    if not text:
        return None, None
    if text.isascii() and text.isdigit():  # the usual cell: a printed count
        return int(text), None
    plain = text.translate(_FULLWIDTH).replace(" ", "")
    if _NUMBER.fullmatch(plain):
        return _number(plain), None
    if text in TEMPLATE.null_marks or plain in TEMPLATE.null_marks:
        return None, text
    m = _ANNOTATED.fullmatch(plain)
    if m:
        return _number(m["num"]), text
    return None, text


def _number(text: str) -> int | float:
    text = text.replace(",", "")
    return float(text) if "." in text else int(text)


@lru_cache(maxsize=4096)
def _is_value(raw: str) -> bool:
    """True for a cell that holds a figure or a printed null mark (not a label)."""
    text = raw.strip()
    if not text:
        return False
    value, note = parse_cell(text)
    return value is not None or note in TEMPLATE.null_marks or text in TEMPLATE.null_marks


_NUMBERED = re.compile(r"(\d)[、.]")
# Full-width forms to ASCII, whitespace and quotes dropped: one pass over the string
_LABEL_TABLE = str.maketrans(
    {**{k: v for k, v in _FULLWIDTH.items()}, ord("．"): ".", **dict.fromkeys(map(ord, " \t\n\r\f\v\u3000\u00a0“”\""), None)}
)


@lru_cache(maxsize=8192)  # the same row labels recur in every report
def normalize_label(text: str) -> str:
    """Label text as the template patterns expect it: ``（三） 不予公开 1、属于…`` → ``(三)不予公开1.属于…``."""
    text = text.translate(_LABEL_TABLE)
    if "、" in text or "." in text:  # most labels number nothing so: no substitution to run
        text = _NUMBERED.sub(r"\1.", text)
    return text.lstrip("#*")
