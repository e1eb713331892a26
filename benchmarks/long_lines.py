"""Linear time on long lines: texts without line or clause breaks, timed.

Not a test (the test suite holds a generous CPU bound, tests/test_long_lines.py); this script
holds the strict figures. Usage:

    python benchmarks/long_lines.py [--fuzz N] [--seed S] [--limit SECONDS]

Prints the CPU time of ``extractor.extract`` on each hostile text and on its first half,
after a warm-up (the tokenizer and the rule tables loaded once), and exits 1 when a text
takes more than three times its half (quadratic) or one of the TARGETS takes longer than
``--limit`` (default 2 s). ``--fuzz N`` adds N seeded random long lines built from the
pieces rules react to (numerals, measure words, cue words, separators).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections.abc import Iterator

from common import ROOT, SAMPLE, clear_memo

EVALS = ROOT / "evals"

# Pieces a random long line is made of: what numbers, fields, tables and checks look at
FUZZ_PIECES = [
    "1条", "１２条", "3件", "一千三百件", "12.5%", "共", "其中", "收到申请", "主动公开", "政府信息",
    "行政复议", "行政诉讼", "本年度", "2024年", "第3号", " ", "、", "万元", "0", "无",
    "网站", "微信", "（一）", "二、", "合计", "12", "三", "予以公开", "不予公开", "〇", "百",
]


def real_reports_without_newlines(size: int, cells: bool = True) -> str:
    """The bundled complete texts joined and stripped of line ends, repeated to ``size`` bytes
    (UTF-8). Without ``cells``, tabs and pipes go too: with them the one line is a table row
    and prose rules never run."""
    texts = [p.read_text(encoding="utf-8") for d in ("full", "seed") for p in sorted((EVALS / d).glob("*"))
             if p.suffix in {".txt", ".md"}]
    one = re.sub(r"[\r\n]+" if cells else r"[\r\n|\t]+", "", "".join(texts))
    out = one * (size // len(one.encode("utf-8")) + 1)
    return out.encode("utf-8")[:size].decode("utf-8", errors="ignore")


# Hostile texts of about 100 K characters (name, piece, repeats): one long line each, built from
# what the rules react to. Each of these once took quadratic time (a rule read to the end of the line).
HOSTILE = [
    ("'1条 ' × 8000", "1条 ", 8000),
    ("'１２条' × 21846 (64 K chars)", "１２条", 21846),
    ("'1条' × 50000", "1条", 50_000),
    ("'一千三百件' × 20000", "一千三百件", 20_000),
    ("100 K digits and a measure word", "1", 100_000),
    ("100 K full-width digits", "１", 100_000),
    ("100 K Chinese digits (idiom test)", "一", 100_000),
    ("'百分之' × 33333 (percentages)", "百分之", 33_333),
    ("'投诉无申请' × 20000 (statements of none)", "投诉无申请", 20_000),
    ("'1万' × 50000", "1万", 50_000),
    ("'共1万余件' × 20000", "共1万余件", 20_000),
    ("'其中1条' × 25000", "其中1条", 25_000),
    ("'a1' × 50000 (mail-address test)", "a1", 50_000),
    ("'1|2|3 ' × 10000 (one table-like line)", "1|2|3 ", 10_000),
    ("'2024年1月1日1条' × 10000", "2024年1月1日1条", 10_000),
    ("'0592-1234567 1条' × 6666", "0592-1234567 1条", 6_666),
    ("'1条\\n' × 33333 (short lines)", "1条\n", 33_333),
]
# The targets: these must each take less than --limit seconds
TARGETS = ("'1条 ' × 8000", "real reports, newlines removed, 1 MB", "the same without tabs and pipes")


def hostile_texts(fuzz: int, seed: int) -> Iterator[tuple[str, str, str]]:
    """(name, the text, its first half by pieces): time grows about twice from half to whole
    when it is linear, four times when quadratic."""
    for name, piece, n in HOSTILE:
        yield name, piece * n + "条", piece * (n // 2) + "条"
    for cells, name in ((True, TARGETS[1]), (False, TARGETS[2])):
        text = real_reports_without_newlines(1_000_000, cells=cells)
        yield name, text, text[: len(text) // 2]
    rng = random.Random(seed)
    for i in range(fuzz):
        pieces = [rng.choice(FUZZ_PIECES) for _ in range(rng.randrange(4_000, 40_000))]
        yield f"fuzz #{i} ({len(pieces)} pieces)", "".join(pieces), "".join(pieces[: len(pieces) // 2])


def cpu_seconds(text: str) -> float:
    from extractor import extract

    clear_memo()  # the half must not be served from what the whole left in memory
    t0 = time.process_time()
    extract(text)
    return time.process_time() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fuzz", type=int, default=10, help="random long lines (default 10)")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--limit", type=float, default=2.0, help="CPU seconds for each of the TARGETS (default 2)")
    args = parser.parse_args()

    from extractor import extract

    extract(SAMPLE.read_text(encoding="utf-8"))  # warm-up
    failed = 0
    print(f"{'text':48}{'chars':>9}{'CPU s':>7}{'half':>7}{'×':>6}")
    for name, text, half in hostile_texts(args.fuzz, args.seed):
        seconds, half_seconds = cpu_seconds(text), cpu_seconds(half)
        growth = seconds / half_seconds if half_seconds > 0 else 0.0
        # twice the text, four times the time: quadratic (judged only where timing is not noise)
        quadratic = seconds > 0.3 and growth > 3.0
        slow = name in TARGETS and seconds > args.limit
        failed += quadratic or slow
        flag = "  QUADRATIC" if quadratic else "  SLOW" if slow else ""
        print(f"{name:48}{len(text):9d}{seconds:7.2f}{half_seconds:7.2f}{growth:6.1f}{flag}", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
