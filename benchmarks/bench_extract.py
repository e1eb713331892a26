"""Throughput and peak memory of rules-only extraction, side by side with jieba.lcut.

Not a test: timings depend on the machine. Usage:

    python benchmarks/bench_extract.py [CORPUS_DIR ...] [--repeat N]

Defaults to the labelled reports under evals/ and the bundled sample. Prints docs/s and
peak memory (tracemalloc) of ``extractor.extract`` and the time ``jieba.lcut`` takes over
the same documents in the same run, and their ratio (the target is ≤ 0.5). Times are CPU
time of this process (``time.process_time``), so other work on the machine does not skew
the ratio; each pass starts as a fresh run that has read only the bundled sample report.
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPORA = [ROOT / "evals", ROOT / "examples"]
TEXT_SUFFIXES = {".txt", ".md"}


def load_corpus(dirs: list[Path]) -> list[str]:
    from extractor.ingest import load_document

    texts = []
    for d in dirs:
        if d.is_file():
            paths = [d]
        elif d.is_dir():
            paths = sorted(p for p in d.rglob("*") if p.suffix in TEXT_SUFFIXES and p.is_file())
        else:
            continue
        for p in paths:
            doc = load_document(p)
            if doc.text.strip():
                texts.append(doc.text)
    return texts


def clear_caches() -> None:
    """Forget memoised clauses, labels and numerals (they pay off within a corpus, not across repeats)."""
    from extractor import mentions, numerals, tables

    for fn in (mentions._trim, numerals.parse_numeral, tables.normalize_label, tables._label_index_cached,
               tables.parse_cell, tables._is_value):
        fn.cache_clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=5, help="passes over the corpus (default 5)")
    args = parser.parse_args()
    texts = load_corpus(args.corpus or DEFAULT_CORPORA)
    if not texts:
        raise SystemExit("no text documents found")

    import jieba

    from extractor import extract

    jieba.initialize()
    sample = (ROOT / "examples" / "longting-2024.txt").read_text(encoding="utf-8")
    extract(sample)  # warm-up: loads the tokenizer and the rule tables once

    # Passes alternate: extract, then jieba.lcut, over the same documents, so that both see the
    # same state of the machine; the ratio is of the median passes.
    extract_passes: list[float] = []
    jieba_passes: list[float] = []
    for _ in range(args.repeat):
        # Each pass starts as a fresh run whose first document was the bundled sample: memo
        # tables hold only what the sample put there, so repeats are not served from memory.
        clear_caches()
        extract(sample)
        t0 = time.process_time()
        for text in texts:
            extract(text)
        extract_passes.append(time.process_time() - t0)
        t0 = time.process_time()
        for text in texts:
            jieba.lcut(text)
        jieba_passes.append(time.process_time() - t0)
    t_extract, t_jieba = sum(extract_passes), sum(jieba_passes)
    ratio = statistics.median(extract_passes) / statistics.median(jieba_passes)
    # memory in a separate pass: tracing slows Python down several times
    tracemalloc.start()
    for text in texts:
        extract(text)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    n = len(texts) * args.repeat
    chars = sum(len(t) for t in texts) * args.repeat
    print(f"documents: {len(texts)} × {args.repeat} passes, {chars / n:.0f} chars/doc on average")
    print(f"{'':18}{'seconds':>10}{'docs/s':>10}{'MB/s':>8}")
    print(f"{'extract (rules)':18}{t_extract:10.3f}{n / t_extract:10.1f}{chars * 3 / 1e6 / t_extract:8.2f}")
    print(f"{'jieba.lcut':18}{t_jieba:10.3f}{n / t_jieba:10.1f}{chars * 3 / 1e6 / t_jieba:8.2f}")
    print(f"ratio extract / jieba.lcut (median pass): {ratio:.2f} (target ≤ 0.5)")
    print(f"peak traced memory during extract: {peak / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
