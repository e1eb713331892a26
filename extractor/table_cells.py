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
    plain = fullwidth_to_ascii(text).replace(" ", "")
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


def _is_value(raw: str) -> bool:
    """True for a cell that holds a figure or a printed null mark (not a label)."""
    text = raw.strip()
    if not text:
        return False
    if not text[0].isdecimal() and text[0] not in _SIGNS:  # a label (most cells tried): no figure, only a null mark
        return text in TEMPLATE.null_marks
    return _holds_value(text)


@lru_cache(maxsize=4096)
def _holds_value(text: str) -> bool:
    value, note = parse_cell(text)
    return value is not None or note in TEMPLATE.null_marks or text in TEMPLATE.null_marks


# 1、 → 1.: a 、 after a digit (1. stays as it is). A lookbehind and a literal replacement, not
# ``(\d)[、.]`` → ``\1.``: a group in the replacement costs a Python call per match (each 1. too)
_NUMBERED = re.compile(r"(?<=\d)、")
# Full-width forms to ASCII, whitespace and quotes dropped (applied by _replace_all, as pairs)
_LABEL_TABLE = str.maketrans(
    {**{k: v for k, v in _FULLWIDTH.items()}, ord("．"): ".", **dict.fromkeys(map(ord, " \t\n\r\f\v\u3000\u00a0“”\""), None)}
)


def _pairs(table: dict[int, int | str | None]) -> tuple[tuple[str, str], ...]:
    """A ``str.translate`` table as (character, replacement) pairs for ``_replace_all``."""
    pairs = tuple((chr(k), "" if v is None else v if isinstance(v, str) else chr(v)) for k, v in table.items())
    if any(old in new for old, _ in pairs for _, new in pairs):
        raise ValueError("a replacement holds a character replaced: the order would matter")
    return pairs


def _replace_all(text: str, pairs: tuple[tuple[str, str], ...], table: dict[str, str], keys: frozenset[str]) -> str:
    """``text.translate`` by ``pairs``. ``str.translate`` looks every character up in its table, slow on
    Chinese text (hardly a character is in it: 16× slower on a report's tables); ``str.replace``
    scans in C, and as no replacement holds a character replaced, their order does not matter.
    A short text (a cell, a label) is looked at once as a set of characters: only those of the
    pairs it holds are replaced (``table``: the pairs as a dict, ``keys``: its keys), not a scan per pair."""
    if len(text) <= SHORT_TEXT:
        for old in keys.intersection(text):
            text = text.replace(old, table[old])
        return text
    for old, new in pairs:
        if old in text:
            text = text.replace(old, new)
    return text


SHORT_TEXT = 64  # characters: below this a set of the text's characters costs less than a scan per pair


_FULLWIDTH_PAIRS = _pairs(_FULLWIDTH)
_LABEL_PAIRS = _pairs(_LABEL_TABLE)
# the pairs as dicts (character → replacement), for short texts
_FULLWIDTH_MAP = dict(_FULLWIDTH_PAIRS)
# A cell that reads as a figure (``_NUMBER``, ``_ANNOTATED``) starts with a digit (``\d``: any
# decimal digit, full-width ones too) or a sign, once full-width forms are ASCII: these signs
_SIGNS = frozenset("+-").union(k for k, v in _FULLWIDTH_MAP.items() if v in "+-")
_FULLWIDTH_KEYS = frozenset(_FULLWIDTH_MAP)
_LABEL_MAP = dict(_LABEL_PAIRS)
_LABEL_KEYS = frozenset(_LABEL_MAP)


def fullwidth_to_ascii(text: str) -> str:
    """Full-width digits and punctuation as ASCII (``_FULLWIDTH``), for text of any length."""
    return _replace_all(text, _FULLWIDTH_PAIRS, _FULLWIDTH_MAP, _FULLWIDTH_KEYS)


@lru_cache(maxsize=8192)  # the same row labels recur in every report
def normalize_label(text: str) -> str:
    """Label text as the template patterns expect it: ``（三） 不予公开 1、属于…`` → ``(三)不予公开1.属于…``."""
    text = _replace_all(text, _LABEL_PAIRS, _LABEL_MAP, _LABEL_KEYS)
    if "、" in text:  # the substitution only changes 1、 (1. stays as it is): most text has none
        text = _NUMBERED.sub(".", text)
    return text.lstrip("#*")
