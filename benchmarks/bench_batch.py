"""Bulk runs of the command line: ``--workers 2`` against ``--workers 1``, and peak memory (RSS)
of the CLI process at two corpus sizes, for ``.jsonl`` and ``.parquet`` output.

Not a test: timings depend on the machine (and on what else runs on it). Usage:

    python benchmarks/bench_batch.py [--docs 5000] [--rss 2000 20000] [--skip-workers] [--skip-rss]

The corpus is the bundled excerpts (evals/dev, evals/dev2, examples) or, with ``--corpus
complete``, the bundled complete reports as text (evals/full, evals/seed: .txt and .md), repeated
to the number of files asked for, in a temporary folder. Each run is ``python -m extractor.cli extract DIR -o
OUT`` as a fresh process; its wall time is measured around it, its peak RSS is the process's
own ``ru_maxrss`` (``os.wait4``: the CLI process, not traced Python memory; with workers, the
parent's). The parent's own CPU time (``RUSAGE_SELF`` at its exit, its workers not counted) is
what bounds ``--workers N``: the parent writes every result and pairs the years, one at a time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "evals" / "dev", ROOT / "evals" / "dev2", ROOT / "examples"]
# corpus kind → its source files
CORPORA = {
    "excerpts": lambda: sorted(p for d in SOURCES for p in d.glob("*.txt")),
    "complete": lambda: sorted(p for d in ("full", "seed") for s in ("*.txt", "*.md")
                               for p in (ROOT / "evals" / d).glob(s)),
}


def make_corpus(folder: Path, n: int, kind: str = "excerpts") -> Path:
    """``n`` files repeating the bundled excerpts (or complete reports), 1,000 to a subfolder."""
    sources = CORPORA[kind]()
    texts = [p.read_bytes() for p in sources]
    folder.mkdir(parents=True)
    for i in range(n):
        sub = folder / f"{i // 1000:03d}"
        sub.mkdir(exist_ok=True)
        (sub / f"{i:06d}-{sources[i % len(sources)].name}").write_bytes(texts[i % len(texts)])
    return folder


# ``python -m extractor.cli``, telling its own CPU time (not its workers') on stderr as it exits
CLI = ("import atexit, resource, sys\n"
       "def own():\n"
       "    r = resource.getrusage(resource.RUSAGE_SELF)\n"
       "    print(f'parent CPU {r.ru_utime + r.ru_stime}', file=sys.stderr)\n"
       "atexit.register(own)\n"
       "from extractor.cli import main\n"
       "sys.argv[0] = 'xxgk'\n"
       "main()\n")


def run_cli(corpus: Path, out: Path, *args: str) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MiB) and CPU seconds (with its workers) of one ``xxgk extract`` process."""
    return run_cli_parent(corpus, out, *args)[:3]


def run_cli_parent(corpus: Path, out: Path, *args: str) -> tuple[float, float, float, float]:
    """``run_cli`` and the parent's own CPU seconds."""
    for leftover in out.parent.glob(out.name + "*"):
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    cmd = [sys.executable, "-c", CLI, "extract", str(corpus), "-o", str(out), *args]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode() if proc.stderr else ""
    if status != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {err or status}")
    own = [float(line.split()[-1]) for line in err.splitlines() if line.startswith("parent CPU ")]
    # ru_maxrss: KiB on Linux
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, own[-1] if own else float("nan")


def time_pairing(n: int) -> float:
    """CPU seconds ``CrossYear`` (the pairing every batch does in its parent) takes for ``n``
    results: ``n / 2`` bodies with a report in each of two consecutive years, the earlier years
    first, as a corpus arrives year by year. The benchmark corpus repeats a few reports, whose
    copies all share a body and year; real corpora hold one report per body and year."""
    from extractor.checks import YearEnds
    from extractor.cross_year import CrossYear

    bodies = [f"测试省{i // 100:03d}市{i:06d}区人民政府" for i in range(n // 2)]
    results = [(body, YearEnds(f"{i}.txt", year, (True, 3), (True, 3)))
               for year in (2023, 2024) for i, body in enumerate(bodies)]
    pairs = CrossYear()
    start = time.process_time()
    checks = sum(len(pairs.add_ends(body, ends, {"doc": ends.doc})[1]) for body, ends in results)
    seconds = time.process_time() - start
    if checks != n // 2:
        raise SystemExit(f"pairing found {checks} checks for {n // 2} pairs")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=5000, help="documents for the workers comparison")
    parser.add_argument("--rss", type=int, nargs=2, default=[2000, 20000], metavar=("SMALL", "LARGE"))
    parser.add_argument("--repeat", type=int, default=2, help="runs of each workers setting (best kept)")
    parser.add_argument("--skip-workers", action="store_true")
    parser.add_argument("--skip-rss", action="store_true")
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="excerpts",
                        help="what the corpus repeats: the bundled excerpts or complete reports as text")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-") as tmp:
        base = Path(tmp)
        if not args.skip_workers:
            corpus = make_corpus(base / f"c{args.docs}", args.docs, args.corpus)
            times, cpus, parents = {}, {}, {}
            print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
            for workers in (1, 2):
                runs = [run_cli_parent(corpus, base / "w.jsonl", "--workers", str(workers)) for _ in range(args.repeat)]
                wall, _, cpus[workers], parents[workers] = min(runs)
                times[workers] = wall
                print(f"--workers {workers}: {args.docs} documents in {wall:.2f} s ({args.docs / wall:.0f} docs/s; "
                      f"runs {', '.join(f'{r[0]:.2f}' for r in runs)}); CPU {cpus[workers]:.2f} s "
                      f"({1000 * cpus[workers] / args.docs:.2f} ms/doc, parent and workers), "
                      f"the parent's own {parents[workers]:.2f} s", flush=True)
            print(f"throughput --workers 2 / --workers 1: {times[1] / times[2]:.2f}x (wall); "
                  f"CPU of w2 / w1: {cpus[2] / cpus[1]:.2f}x (the cost of running in parallel)", flush=True)
            shutil.rmtree(corpus)
        if not args.skip_rss:
            small, large = args.rss
            corpora = {n: make_corpus(base / f"r{n}", n, args.corpus) for n in (small, large)}
            walls = []
            for suffix in (".jsonl", ".parquet"):
                peaks = {}
                for n, corpus in corpora.items():
                    wall, peaks[n], _ = run_cli(corpus, base / f"out{suffix}")
                    walls.append(wall) if n == large else None
                    print(f"{suffix} {n} documents: peak RSS {peaks[n]:.0f} MiB ({wall:.1f} s)", flush=True)
                print(f"{suffix} peak RSS {large} / {small} documents: {peaks[large] / peaks[small]:.2f}x", flush=True)
            pairing = time_pairing(large)
            print(f"cross-year pairing of {large} results ({large // 2} bodies, two consecutive years each): "
                  f"{pairing:.3f} s CPU, {100 * pairing / min(walls):.2f} % of the {large}-document run "
                  f"({min(walls):.1f} s)", flush=True)


if __name__ == "__main__":
    main()
