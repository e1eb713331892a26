"""Seeded hostile inputs (benchmarks/fuzz_inputs.py): no exception, spans equal their text, the
result serialises, and no input costs more than a generous CPU bound. ``python
benchmarks/fuzz.py`` runs 10,000 of them; here a few hundred, so the suite stays quick."""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import pytest

from extractor import extract, extract_file

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from fuzz_inputs import TEXT_KINDS, file_bytes  # noqa: E402

# CPU seconds one input may take: far above what any takes (under 2 s on a loaded machine),
# far below the minutes a quadratic rule took on the same inputs.
CPU_BOUND = 10.0


@pytest.mark.parametrize("kind", sorted(TEXT_KINDS))
def test_hostile_texts(kind: str) -> None:
    for seed in range(60 if kind in ("pieces", "mutated_report") else 8):
        text = TEXT_KINDS[kind](random.Random(seed))
        start = time.process_time()
        report = extract(text)
        assert time.process_time() - start < CPU_BOUND, (kind, seed)
        report.model_dump_json()
        assert all(text[m.start:m.end] == m.text for m in report.mentions), (kind, seed)


def test_hostile_files(tmp_path: Path) -> None:
    for seed in range(120):
        name, data = file_bytes(random.Random(seed))
        path = tmp_path / f"{seed}-{name}"
        path.write_bytes(data)
        start = time.process_time()
        report = extract_file(path)
        assert time.process_time() - start < CPU_BOUND, (name, seed)
        report.model_dump_json()
        assert report.mentions or report.errors or report.fields is not None
