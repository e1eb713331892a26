"""The canonical fields as data: loads ``fields.toml`` (beside this module) once at import."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class FieldSpec:
    """One canonical field of docs/fields.md."""

    key: str
    counts: str  # what it counts
    wording: str  # typical wording
    units: str  # the group of measure words its value may carry (data/field_rules.toml [units])

    @property
    def family(self) -> str:
        """The part of the key before the dot (``requests`` for ``requests.received``)."""
        return self.key.split(".", 1)[0]


def _load() -> tuple[dict[str, FieldSpec], tuple[str, ...]]:
    raw = tomllib.loads((resources.files(__package__) / "fields.toml").read_text("utf-8"))
    fields = {key: FieldSpec(key=key, counts=d["counts"], wording=d["wording"], units=d["units"])
              for key, d in raw["field"].items()}
    return fields, tuple(raw["qualifiers"])


FIELDS, QUALIFIER_NAMES = _load()
FIELD_KEYS: tuple[str, ...] = tuple(FIELDS)  # in the order of docs/fields.md
FAMILIES: tuple[str, ...] = tuple(dict.fromkeys(f.family for f in FIELDS.values()))
QUALIFIERS: frozenset[str] = frozenset(QUALIFIER_NAMES)
