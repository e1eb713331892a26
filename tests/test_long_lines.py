"""Linear time on long lines: a text without line or clause breaks costs time in
proportion to its length.

Each text below took from 12 s to over a minute of CPU when a rule read to the end of the
line per number; now each takes about a second. The bound is generous (10 s of CPU time, not
wall time) so the test stays deterministic on a loaded machine; the strict figures (< 2 s)
are held by ``benchmarks/long_lines.py``.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from extractor import extract

EVALS = Path(__file__).resolve().parent.parent / "evals"
CPU_BOUND = 10.0


@pytest.fixture(scope="module", autouse=True)
def warm(seed_text: str) -> None:
    extract(seed_text)  # the tokenizer and rule tables load once, outside the timed runs


def _timed(text: str):  # type: ignore[no-untyped-def]
    t0 = time.process_time()
    report = extract(text)
    return report, time.process_time() - t0


@pytest.mark.parametrize(("piece", "repeats", "value"), [
    ("1条 ", 16_000, 1),  # the right context of each number once ran to the end of the line
    ("１２条", 21_846, 12),  # 64 K characters of full-width numbers
    ("百分之", 40_000, 100),  # every number was tested against every percentage before it
])
def test_a_line_of_counts_is_read_in_linear_time(piece: str, repeats: int, value: int) -> None:
    report, seconds = _timed(piece * repeats)
    assert seconds < CPU_BOUND
    assert report.mentions and {m.value for m in report.mentions} == {value}


@pytest.mark.parametrize("text", [
    "一" * 40_000 + "件",  # the idiom test searched on through the whole numeral
    "1" * 60_000 + "条",  # the mail-address test rescanned the digit run at each digit
    "投诉无申请" * 40_000,  # each excluded statement of none copied the rest of the text
], ids=["chinese-numeral-run", "digit-run", "statements-of-none"])
def test_long_runs_are_read_in_linear_time(text: str) -> None:
    _, seconds = _timed(text)
    assert seconds < CPU_BOUND


def test_real_reports_without_line_ends() -> None:
    """The bundled complete texts as one line of about 1 MB (tabs and pipes dropped too, so
    the line is prose and every rule runs over it)."""
    texts = [p.read_text(encoding="utf-8") for d in ("full", "seed") for p in sorted((EVALS / d).glob("*"))
             if p.suffix in {".txt", ".md"}]
    one = re.sub(r"[\r\n|\t]+", "", "".join(texts))
    text = one * (1_000_000 // len(one.encode("utf-8")) + 1)
    report, seconds = _timed(text)
    assert seconds < CPU_BOUND
    assert len(report.mentions) > 1000
