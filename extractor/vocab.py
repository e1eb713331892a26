"""Loaders for the word lists in ``extractor/data`` (one loader per file, read once at import)."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

DATA = resources.files("extractor") / "data"


def _lines(name: str) -> list[str]:
    text = (DATA / name).read_text(encoding="utf-8")
    return [line.rstrip("\n") for line in text.splitlines() if line.strip() and not line.startswith("#")]


def word_set(name: str) -> frozenset[str]:
    """A word list file: words separated by spaces or lines, ``#`` lines are comments."""
    return frozenset(word for line in _lines(name) for word in line.split())


def _load_units() -> dict[str, tuple[str, ...]]:
    """Measure word → words that, following it, make it part of another word."""
    units: dict[str, tuple[str, ...]] = {}
    for line in _lines("units.txt"):
        unit, *blockers = line.split("\t")
        units[unit] = tuple(b for b in blockers if b)
    return units


def _load_qualifiers() -> list[tuple[str, str, str]]:
    return [tuple(line.split("\t")[:3]) for line in _lines("qualifiers.tsv")]  # type: ignore[misc]


def _load_toml(name: str) -> dict[str, Any]:
    return tomllib.loads((DATA / name).read_text(encoding="utf-8"))


UNITS = _load_units()
QUALIFIERS = _load_qualifiers()
QUALIFIER_OF = {(word, pos): q for word, pos, q in QUALIFIERS}
EXCLUSIONS = _load_toml("exclusions.toml")
FIELD_RULES = _load_toml("field_rules.toml")
