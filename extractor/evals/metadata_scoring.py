"""Scoring document metadata: body (names of one body compared as such), year, admin_level."""

from __future__ import annotations

import re
from typing import Any

from .counts import DocScore, ErrorItem
from .gold import Gold, Json

# --- metadata: body, year, admin_level ---------------------------------------------------------------
META_KEYS = ("body", "year", "admin_level")
# Parentheses and spaces differ between copies of one name: 中国(河北) / 中国（河北）
_NAME_NOISE = re.compile(r"\s+")
# A 街道 is run by its 街道办事处: both name the same body
_STREET_OFFICE = re.compile(r"街道(?:办事处)?$")


def _name_form(name: str) -> str:
    import unicodedata

    from ..script import to_simplified

    name = unicodedata.normalize("NFKC", _NAME_NOISE.sub("", name))
    return _STREET_OFFICE.sub("街道", to_simplified(name))


# The shorter name must still say where the body is (a bare 公安局 is no name of 汕尾市公安局)
_PLACE_MARK = re.compile(r"[省市县区旗州盟镇乡]|街道")


def _prefixed_by_places(longer: str, shorter: str) -> bool:
    """``longer`` is ``shorter`` with whole division names in front (襄阳市 + 襄城区人民政府)."""
    from .. import divisions

    if not longer.endswith(shorter) or longer == shorter or not _PLACE_MARK.search(shorter):
        return False
    front, pos = longer[: len(longer) - len(shorter)], 0
    for s in divisions.find_names(front):
        if s.start != pos:
            return False
        pos = s.end
    return pos == len(front)


NATIONAL_PREFIX = "中华人民共和国"


def same_body(gold: str, pred: str) -> bool:
    """Two names of one body: equal once script, full-width forms and spaces are normalised and
    the names of the divisions that contain the body are taken off the front of both
    (襄城区人民政府 = 襄阳市襄城区人民政府, 水利部 = 中华人民共和国水利部, 东街街道 = 甘州区东街街道办事处)."""
    a, b = _name_form(gold), _name_form(pred)
    if a == b:
        return True
    a, b = a.removeprefix(NATIONAL_PREFIX), b.removeprefix(NATIONAL_PREFIX)
    return a == b or _prefixed_by_places(a, b) or _prefixed_by_places(b, a)


def _meta_equal(key: str, gold: Any, pred: Any, strict: bool = False) -> bool:
    if gold is None or pred is None:
        return gold is None and pred is None
    if key == "body":
        return _name_form(gold) == _name_form(pred) if strict else same_body(gold, pred)
    return gold == pred


def score_metadata(gold: Gold, pred: Json, score: DocScore) -> None:
    """Exact match of body (as ``same_body`` says), year and admin_level, where gold labels them."""
    for key in META_KEYS:
        if key not in gold.data:
            continue
        g, p = gold.data[key], pred.get(key)
        right = _meta_equal(key, g, p)
        score.meta[key] = (p is not None, right, _meta_equal(key, g, p, strict=True))
        if not right:
            kind = "miss" if p is None else "false positive" if g is None else "wrong"
            score.errors.append(ErrorItem(score.name, "metadata", kind, key, g, p))
