"""Throughput, cost beside ``jieba.lcut``, stage shares, peak RSS and cold start of rules-only
extraction, separately for excerpts, complete texts, HTML and PDF.

Not a test: timings depend on the machine. Usage:

    python benchmarks/bench_extract.py [--repeat N] [--rss SMALL LARGE] [--json] [--save]

Kinds: ``excerpts`` (evals/dev, evals/dev2), ``texts`` (complete reports as .txt/.md: evals/full
and evals/seed), ``html`` and ``pdf`` (evals/full). For each kind:

- docs/s and MB/s (input file bytes) of ``extract_file`` (ingest included), CPU time of this
  process (``time.process_time``), so other work on the machine does not skew the figures;
- the ratio of that CPU time to ``jieba.lcut`` over the same (converted) text: passes alternate
  between the two, each pass with cold memo tables, and the ratio is of the median passes;
- the share of each stage (ingest, sections/metadata, mentions, fields, tables, checks; the
  rest is "other"), from one more pass with the stage functions wrapped by timers.

Then peak RSS of the CLI process at two corpus sizes (``bench_batch.py``'s corpus and runner),
cold start (wall time of ``xxgk extract examples/longting-2024.txt`` as a fresh process, median
of 3) and the seed report typeset as a PDF (``tests/test_ingest.py``'s helper) against the seed
as text. ``--save`` writes ``benchmarks/latest.json`` and the README's ``benchmark`` block
(``evals/readme_numbers.py``) from it.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_batch import make_corpus, run_cli  # noqa: E402
from common import ROOT, SAMPLE, clear_memo  # noqa: E402

LATEST = ROOT / "benchmarks" / "latest.json"
EVALS = ROOT / "evals"
TEXT_SUFFIXES = (".txt", ".md")
# kind → the files it times
KINDS: dict[str, Callable[[], list[Path]]] = {
    "excerpts": lambda: sorted(p for d in ("dev", "dev2") for p in (EVALS / d).glob("*.txt")),
    "texts": lambda: sorted(p for d in ("full", "seed") for s in TEXT_SUFFIXES for p in (EVALS / d).glob("*" + s)),
    "html": lambda: sorted((EVALS / "full").glob("*.htm*")),
    "pdf": lambda: sorted((EVALS / "full").glob("*.pdf")),
}
SEED_PDF_RUNS = 15  # each of the seed as PDF and as text, in turn
STAGES = ("ingest", "sections/metadata", "mentions", "fields", "tables", "checks")
# stage → (module, attribute) of the functions ``extractor.pipeline`` calls for it
STAGE_FUNCTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "ingest": (("extractor.ingest", "load_document"),),
    "sections/metadata": (("extractor.pipeline", "split_sections"), ("extractor.pipeline", "read_metadata")),
    "mentions": (("extractor.pipeline", "find_mentions"),),
    "fields": (("extractor.pipeline", "resolve_fields"),),
    "tables": (("extractor.tables", "parse_tables_text"), ("extractor.tables", "parse_tables_grids"),
               ("extractor.pipeline", "simplify_grids"), ("extractor.pipeline", "restore_grid_notes")),
    "checks": (("extractor.checks", "run_checks"),),
}


@contextmanager
def stage_timers() -> Iterator[dict[str, float]]:
    """Wrap the stage functions so each call adds its CPU time to its stage (outermost call only:
    a stage calling another is charged once)."""
    totals = dict.fromkeys(STAGES, 0.0)
    depth = [0]
    saved: list[tuple[Any, str, Any]] = []

    def timed(stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if depth[0]:
                return fn(*args, **kwargs)
            depth[0] += 1
            t0 = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                totals[stage] += time.process_time() - t0
                depth[0] -= 1
        return wrapper

    for stage, targets in STAGE_FUNCTIONS.items():
        for module_name, attr in targets:
            module = sys.modules[module_name]
            original = getattr(module, attr)
            saved.append((module, attr, original))
            setattr(module, attr, timed(stage, original))
    try:
        yield totals
    finally:
        for module, attr, original in saved:
            setattr(module, attr, original)


def bench_kind(paths: list[Path], repeat: int) -> dict[str, Any]:
    import jieba

    from extractor import extract, extract_file
    from extractor.ingest import load_document

    sample = SAMPLE.read_text(encoding="utf-8")
    texts = [load_document(p).text for p in paths]
    size = sum(p.stat().st_size for p in paths)
    extract_passes: list[float] = []
    jieba_passes: list[float] = []
    for _ in range(repeat):
        # each pass starts as a fresh run whose first document was the bundled sample
        clear_memo()
        extract(sample)
        t0 = time.process_time()
        for p in paths:
            extract_file(p)
        extract_passes.append(time.process_time() - t0)
        t0 = time.process_time()
        for text in texts:
            jieba.lcut(text)
        jieba_passes.append(time.process_time() - t0)
    clear_memo()
    extract(sample)
    with stage_timers() as stages:
        t0 = time.process_time()
        for p in paths:
            extract_file(p)
        total = time.process_time() - t0
    shares = {s: stages[s] / total for s in STAGES}
    shares["other"] = max(0.0, 1 - sum(shares.values()))
    t = statistics.median(extract_passes)
    return {
        "docs": len(paths), "mb": size / 1e6, "chars_per_doc": sum(map(len, texts)) / len(paths),
        "seconds_per_pass": t, "docs_per_s": len(paths) / t, "mb_per_s": size / 1e6 / t,
        "ratio_to_jieba_lcut": t / statistics.median(jieba_passes), "stage_shares": shares,
    }


def _test_ingest_module() -> Any:
    """tests/test_ingest.py (the tests package, from the checkout): its seed-as-PDF helper."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module("tests.test_ingest")


def bench_seed_pdf(repeat: int) -> dict[str, float] | None:
    """CPU time of the seed typeset as a PDF (in a font it embeds, as Word and WPS export)
    against the seed as text: the two read in turn ``repeat`` times, the ratio of the medians
    (a text takes 4–6 ms: a few runs each leave the ratio at the mercy of one slow one)."""
    try:
        import reportlab  # noqa: F401  (dev extra)
    except ImportError:
        return None
    from extractor import extract_file

    seed = EVALS / "seed" / "longting-2024.txt"
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-") as tmp:
        pdf = _test_ingest_module().seed_as_pdf(Path(tmp) / "longting-2024.pdf")
        runs: dict[str, list[float]] = {"text": [], "pdf": []}
        for _ in range(repeat):
            for name, path in (("text", seed), ("pdf", pdf)):
                clear_memo()
                t0 = time.process_time()
                extract_file(path)
                runs[name].append(time.process_time() - t0)
        times = {name: statistics.median(r) for name, r in runs.items()}
    return {"text_s": times["text"], "pdf_s": times["pdf"], "ratio": times["pdf"] / times["text"]}


def bench_cold_start(runs: int = 3) -> float:
    """Median wall seconds of ``xxgk extract examples/longting-2024.txt`` as a fresh process,
    as installed: bytecode may be cached (pip compiles it on install; PYTHONDONTWRITEBYTECODE
    would make every run compile the package again) and one untimed run comes first (it writes
    the bytecode and, on a new machine, the dictionary cache)."""
    cmd = [sys.executable, "-m", "extractor.cli", "extract", str(SAMPLE)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    walls = []
    for i in range(runs + 1):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env)
        if i:
            walls.append(time.perf_counter() - t0)
    return statistics.median(walls)


def bench_rss(sizes: tuple[int, int]) -> dict[str, dict[str, float]]:
    """Peak RSS (MiB) of the CLI process over ``bench_batch``'s excerpt corpus at two sizes."""
    out: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-") as tmp:
        base = Path(tmp)
        for n in sizes:
            corpus = make_corpus(base / f"r{n}", n)
            for suffix in (".jsonl", ".parquet"):
                _, peak, _ = run_cli(corpus, base / f"out{suffix}")
                out.setdefault(suffix, {})[str(n)] = peak
    return out


def run(repeat: int, rss: tuple[int, int] | None, kinds: list[str]) -> dict[str, Any]:
    import jieba

    from extractor import extract
    from extractor.batch import warm_up

    jieba.initialize()
    warm_up()  # as a batch's workers start: the whole dictionary (not a cold start's index)
    import cn2an  # noqa: F401 — a bulk run's worker imports it at the first numeral that needs it
    extract(SAMPLE.read_text(encoding="utf-8"))  # warm-up: tokenizer and rule tables loaded once
    result: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average": round(os.getloadavg()[0], 1)},
        "repeat": repeat, "kinds": {},
    }
    for kind in kinds:
        paths = KINDS[kind]()
        if paths:
            # PDF passes are slow (the converter dominates): fewer of them
            result["kinds"][kind] = bench_kind(paths, max(1, repeat // 2) if kind == "pdf" else repeat)
    result["seed_pdf_vs_text"] = bench_seed_pdf(SEED_PDF_RUNS)
    result["cold_start_s"] = bench_cold_start()
    result["rss_mib"] = bench_rss(rss) if rss else None
    return result


def print_table(result: dict[str, Any]) -> None:
    print(f"{'kind':10}{'docs':>6}{'docs/s':>9}{'MB/s':>8}{'×lcut':>7}  "
          + "  ".join(f"{s[:8]:>8}" for s in (*STAGES, "other")))
    for kind, r in result["kinds"].items():
        shares = "  ".join(f"{100 * r['stage_shares'][s]:7.1f}%" for s in (*STAGES, "other"))
        print(f"{kind:10}{r['docs']:6}{r['docs_per_s']:9.1f}{r['mb_per_s']:8.2f}{r['ratio_to_jieba_lcut']:7.2f}  {shares}")
    if result["seed_pdf_vs_text"]:
        s = result["seed_pdf_vs_text"]
        print(f"seed as PDF / as text: {s['ratio']:.1f}x ({s['pdf_s']:.3f} s / {s['text_s']:.3f} s)")
    print(f"cold start (xxgk extract one small file, wall, median of 3): {result['cold_start_s']:.2f} s")
    for suffix, peaks in (result["rss_mib"] or {}).items():
        print(f"peak RSS {suffix}: " + ", ".join(f"{n} docs {mib:.0f} MiB" for n, mib in peaks.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="passes per kind (default 5; PDF half)")
    parser.add_argument("--kind", action="append", choices=sorted(KINDS), help="only this kind (repeatable)")
    parser.add_argument("--rss", type=int, nargs=2, default=[500, 5000], metavar=("SMALL", "LARGE"),
                        help="corpus sizes for peak RSS (default 500 5000)")
    parser.add_argument("--skip-rss", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--save", action="store_true",
                        help=f"write {LATEST.relative_to(ROOT)} and the README's benchmark block from it")
    args = parser.parse_args()
    kinds = args.kind or list(KINDS)
    result = run(args.repeat, None if args.skip_rss else tuple(args.rss), kinds)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print_table(result)
    if args.save:
        LATEST.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        subprocess.run([sys.executable, str(ROOT / "evals" / "readme_numbers.py"), "--block", "benchmark"], check=True)


if __name__ == "__main__":
    main()
