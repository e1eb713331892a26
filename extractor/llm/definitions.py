"""The canonical fields as the LLM layer sees them, read once: keys, what each counts, its wording
and measure-word group from the schema; cues and grounding rules from ``field_definitions.toml``.

Measure-word groups are those of ``data/field_rules.toml``, so the rules and the LLM accept
the same units for a key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources

from .. import schema
from ..vocab import FIELD_RULES


@dataclass(frozen=True)
class FieldDef:
    key: str
    counts: str
    wording: str
    cues: re.Pattern[str]
    units: frozenset[str | None]
    parts: bool
    competes: tuple[str, ...]
    sentence: re.Pattern[str] | None  # the sentence must match
    not_: re.Pattern[str] | None  # the mention's own stretch must not match
    none: bool  # an explicit statement of none can fill it

    def unit_fits(self, unit: str | None) -> bool:
        return unit in self.units

    def cued(self, own: str, sentence: str) -> bool:
        """Whether a figure with this stretch (``own``) of ``sentence`` may be about this key."""
        return (bool(self.cues.search(own)) and not (self.not_ and self.not_.search(own))
                and not (self.sentence and not self.sentence.search(sentence)))


def _compile(pattern: str | None) -> re.Pattern[str] | None:
    return re.compile(pattern) if pattern else None


def _load() -> tuple[str, dict[str, FieldDef]]:
    data = tomllib.loads((resources.files(__package__) / "field_definitions.toml").read_text(encoding="utf-8"))
    groups = {name: frozenset(u or None for u in units) for name, units in FIELD_RULES["units"].items()}
    fields = {
        key: FieldDef(key=key, counts=spec.counts, wording=spec.wording, cues=re.compile(d["cues"]),
                      units=groups[spec.units], parts=bool(d.get("parts", False)),
                      competes=tuple(d.get("competes", ())), sentence=_compile(d.get("sentence")),
                      not_=_compile(d.get("not")), none=bool(d.get("none", False)))
        for key, spec in schema.FIELDS.items() for d in [data["field"][key]]
    }
    return {k: v.strip() for k, v in data["general"].items()}, fields


GENERAL, FIELDS = _load()
FIELD_KEYS: tuple[str, ...] = schema.FIELD_KEYS


def definitions_text(keys: list[str] | None = None, *, general: str = "text") -> str:
    """The definitions block of a prompt: general rules (``text`` or ``short``), one line per key."""
    chosen = [FIELDS[k] for k in (keys if keys is not None else FIELD_KEYS)]
    lines = [GENERAL[general], ""]
    lines += [f"- {f.key}: {f.counts} ({f.wording})" for f in chosen]
    return "\n".join(lines)
