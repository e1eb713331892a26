"""Every labelled real report, one test each: its fields must equal gold, except the misses
listed in ``tests/data/known_misses.toml`` (one line per document and key, with the reason).

The list only shrinks: an error that is not listed fails, and so does a listed miss that now
passes (remove its line). Run one suite with ``-k dev2/``, one report with ``-k n006``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from extractor import evals as ev

ROOT = Path(__file__).resolve().parents[1]
EVALS = ROOT / "evals"
SUITES = ("dev", "dev2", "full", "seed")
KNOWN_MISSES_FILE = Path(__file__).parent / "data" / "known_misses.toml"


def _gold_files() -> list[Path]:
    return [p for suite in SUITES for p in ev.find_gold_files([EVALS / suite])]


def _doc_id(gold_path: Path) -> str:
    """``dev2/n006.txt``: the suite folder and the name of the labelled file."""
    gold = ev.load_gold(gold_path)
    return f"{gold_path.parent.name}/{gold.name}"


def load_known_misses(path: Path = KNOWN_MISSES_FILE) -> dict[str, dict[str, str]]:
    """doc id → {field key: reason}, from lines ``"dev2/n006.txt proactive.new_media" = "reason"``."""
    entries = tomllib.loads(path.read_text(encoding="utf-8"))["misses"]
    known: dict[str, dict[str, str]] = {}
    for entry, reason in entries.items():
        doc, _, key = entry.partition(" ")
        assert key and reason.strip(), f"{path.name}: {entry!r} needs a doc, a key and a reason"
        known.setdefault(doc, {})[key] = reason
    return known


GOLD_FILES = _gold_files()
DOC_IDS = {p: _doc_id(p) for p in GOLD_FILES}
KNOWN = load_known_misses()


def field_errors(gold_path: Path) -> dict[str, str]:
    """key → "miss/wrong/false positive: gold … predicted …" for every field that differs from gold."""
    gold = ev.load_gold(gold_path)
    score = ev.score_document(gold, ev.extract_for_eval(gold.doc_path))
    return {e.key: f"{e.kind}: gold {e.gold}, predicted {e.pred}"
            for e in score.errors if e.area == "field" and e.key}


def test_every_listed_document_exists() -> None:
    assert set(KNOWN) <= set(DOC_IDS.values()), f"known misses for documents not in evals/: {set(KNOWN) - set(DOC_IDS.values())}"


@pytest.mark.parametrize("gold_path", GOLD_FILES, ids=[DOC_IDS[p] for p in GOLD_FILES])
def test_fields_equal_gold_but_for_known_misses(gold_path: Path) -> None:
    doc = DOC_IDS[gold_path]
    errors = field_errors(gold_path)
    listed = KNOWN.get(doc, {})
    new = {k: v for k, v in errors.items() if k not in listed}
    fixed = sorted(k for k in listed if k not in errors)
    lines = [f'new error "{doc} {k}" ({v})' for k, v in sorted(new.items())]
    lines += [f'fixed: remove "{doc} {k}" from {KNOWN_MISSES_FILE.name}' for k in fixed]
    assert not lines, "\n".join(lines)
