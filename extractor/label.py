"""Labelling aid: pre-annotate a report in the gold format with the current extractor.

The result is a starting point for a person to correct (gold-format.md): mention offsets,
values, units, qualifiers, subjects and fields as the extractor reads them, the fields as
``{value, qualifier}``, the tables as extracted, ``truncated`` false. For a PDF, HTML or
DOCX report the offsets would index a converted text, so ``mentions`` is ``null`` there.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .evals import FIELD_KEYS, GOLD_SUFFIX, TABLES, extract_for_eval

if TYPE_CHECKING:
    from .llm import LLMConfig

PLAIN_TEXT_SUFFIXES = {".txt", ".md", ".text"}

Json = dict[str, Any]


def gold_path_for(report: Path) -> Path:
    """``reports/r001.txt`` → ``reports/r001.gold.json`` (the gold file sits beside its text)."""
    return report.with_name(report.stem + GOLD_SUFFIX)


def _gold_mention(m: Json) -> Json:
    field = m.get("field")
    return {"start": m["start"], "end": m["end"], "text": m["text"], "value": m["value"],
            "unit": m.get("unit"), "qualifier": m["qualifier"], "subject": m.get("subject"),
            "field": field if field in FIELD_KEYS else None}


def _gold_mentions(result: Json, text: str) -> list[Json]:
    """The extracted mentions whose span reads back from the file text, one per span."""
    seen: set[tuple[int, int]] = set()
    out = []
    for m in sorted(result.get("mentions") or [], key=lambda m: (m["start"], m["end"])):
        span = (m["start"], m["end"])
        if span in seen or text[m["start"]:m["end"]] != m["text"]:
            continue
        seen.add(span)
        out.append(_gold_mention(m))
    return out


def _gold_tables(tables: Any) -> Json | None:
    if not isinstance(tables, dict):
        return None
    kept = {t: tables[t] for t in TABLES if t in tables}
    return kept or None


def _read_utf8(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None


def pre_annotate(report: str | Path, *, llm: str | LLMConfig = "off") -> tuple[Json, list[str]]:
    """A gold-format dict for ``report`` and notes for the person who will correct it."""
    path = Path(report)
    result = extract_for_eval(path, llm)
    notes = [f"extractor: {e.get('stage')}: {e.get('message')}" for e in result.get("errors") or []]
    mentions: list[Json] | None = None
    if path.suffix.lower() in PLAIN_TEXT_SUFFIXES:
        text = _read_utf8(path)
        if text is None:
            notes.append("the file is not UTF-8: mentions left null (convert it to UTF-8 to label offsets)")
        else:
            mentions = _gold_mentions(result, text)
    fields = {k: {"value": f["value"], "qualifier": f["qualifier"]}
              for k, f in sorted((result.get("fields") or {}).items()) if k in FIELD_KEYS}
    gold = {
        "doc": path.name,
        "source": None,
        "body": result.get("body"),
        "year": result.get("year"),
        "admin_level": result.get("admin_level"),
        "truncated": False,
        "mentions": mentions,
        "fields": fields,
        "tables": _gold_tables(result.get("tables")),
        "notes": "Pre-annotated by xxgk label; every entry still needs checking by a person. "
                 "Fill in 'source' with the address of the report.",
    }
    return gold, notes
