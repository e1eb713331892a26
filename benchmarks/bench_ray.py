"""The Ray engine against the local engine on one machine: ``xxgk extract DIR --engine ray``
against ``xxgk extract DIR --workers N`` (N = the machine's CPUs, the CPUs Ray uses), both to
long-format Parquet, on the same corpus; prints both wall times and their ratio, the CPU seconds
of each run's processes (Ray's included) and their ratio, and the CPU seconds one PDF costs (for
the cost per 100,000 PDFs in the README).

Not a test: timings depend on the machine and on what else runs on it (the load average is
printed before each run). Usage:

    python benchmarks/bench_ray.py [--docs 5000] [--pdf-every 50] [--repeat 1] [--by-process]
                                   [--python PATH]

``--python``: run both engines with another interpreter, e.g. a venv with ``.[ray]`` only, as a
Ray node is installed (README, Ray section): the dev venv's Jupyter brings rfc3987-syntax, which
costs every Python process of Ray about a second when it imports Ray, and the local engine
nothing.

The corpus: the bundled texts (evals/dev, evals/dev2, evals/seed, examples, the text reports of
evals/full) repeated to ``--docs`` files, one in ``--pdf-every`` replaced by a bundled PDF or
HTML report of evals/full (in turn). Each run is a fresh ``python -m extractor.cli`` process;
the Ray run starts its own local Ray (its start-up is in the time, as a user pays it). The two
outputs are compared row for row.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEXT_SOURCES = [ROOT / "evals" / "dev", ROOT / "evals" / "dev2", ROOT / "evals" / "seed", ROOT / "examples"]
FULL = ROOT / "evals" / "full"


def make_corpus(folder: Path, n: int, pdf_every: int) -> tuple[Path, int]:
    """``n`` files, 1,000 to a subfolder; returns the folder and how many are PDF or HTML."""
    texts = sorted(p for d in TEXT_SOURCES for p in d.glob("*.txt"))
    texts += sorted(p for p in FULL.iterdir() if p.suffix in (".txt", ".md"))
    converted = sorted(p for p in FULL.iterdir() if p.suffix in (".pdf", ".html"))
    folder.mkdir(parents=True)
    n_converted = 0
    for i in range(n):
        sub = folder / f"{i // 1000:03d}"
        sub.mkdir(exist_ok=True)
        if pdf_every and i % pdf_every == pdf_every - 1:
            source = converted[n_converted % len(converted)]
            n_converted += 1
        else:
            source = texts[i % len(texts)]
        shutil.copyfile(source, sub / f"{i:06d}-{source.stem}{source.suffix}")
    return folder, n_converted


def run_cli(corpus: Path, out: Path, *args: str, by_process: dict[str, float] | None = None,
            python: str = sys.executable) -> tuple[float, float | None]:
    """Wall seconds of one ``xxgk extract`` process, and the CPU seconds of it and every process
    it started (Ray's too), sampled every 50 ms (None without psutil, which Ray installs);
    ``by_process`` receives them by process (its title: ``ray::…`` for Ray's workers)."""
    for leftover in out.parent.glob(out.name + "*"):
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    cmd = [python, "-m", "extractor.cli", "extract", str(corpus), "-o", str(out), *args]
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        cpu = tree_cpu_seconds(proc, by_process)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd)} failed: {err.read().decode()[-2000:]}")
    return wall, cpu


def tree_cpu_seconds(proc: subprocess.Popen[bytes], by_process: dict[str, float] | None = None) -> float | None:
    """Wait for ``proc``; the CPU seconds (user + system) of it and its descendants, each
    process's last sample (a process that ends between two samples loses at most 50 ms).
    ``by_process``, when given, receives the CPU seconds by process title (summed over the
    processes of one title)."""
    try:
        import psutil
    except ImportError:
        proc.wait()
        return None
    root = psutil.Process(proc.pid)
    seen: dict[tuple[int, float], float] = {}  # (pid, start time): CPU seconds
    titles: dict[tuple[int, float], str] = {}
    while proc.poll() is None:
        try:
            family = [root, *root.children(recursive=True)]
        except psutil.Error:
            family = []
        for member in family:
            try:
                with member.oneshot():
                    times = member.cpu_times()
                    key = member.pid, member.create_time()
                    seen[key] = times.user + times.system
                    if by_process is not None and (title := _title(member)) != "?":
                        titles[key] = title  # a process ending (a zombie) has no command line
            except psutil.Error:
                pass
        time.sleep(0.05)
    if by_process is not None:
        for key, used in seen.items():
            title = titles.get(key, "?")
            by_process[title] = by_process.get(title, 0.0) + used
    return sum(seen.values())


def _title(process: object) -> str:
    """A short name for a process: the command for this run's own, Ray's title for Ray's
    (``ray::MapWorker(...)``, ``ray::IDLE``: a worker's title changes as it takes a task; the
    last one seen is kept), the program's file name for Ray's servers (gcs_server, raylet…)."""
    try:
        cmdline = process.cmdline()  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 — gone already
        return "?"
    if not cmdline:
        return "?"
    if "extractor.cli" in cmdline:
        return "xxgk extract (the command; the local engine's workers are forked from it)"
    if cmdline[0].startswith("ray::"):  # an actor's title, without the method it runs (…Extractor.extract)
        return cmdline[0].split()[0].split(".")[0]
    for part in cmdline[:3]:
        name = os.path.basename(part)
        if name.endswith(".py") or not name.startswith("python"):
            return name
    return os.path.basename(cmdline[0])


def _has_module(python: str, name: str) -> bool:
    if python == sys.executable:
        return importlib.util.find_spec(name) is not None
    probe = f"import importlib.util, sys; sys.exit(importlib.util.find_spec({name!r}) is None)"
    return subprocess.run([python, "-c", probe], check=False).returncode == 0


def pdf_cpu_seconds() -> dict[str, float]:
    """CPU seconds of one extraction of each bundled PDF, in this process (jieba loaded first)."""
    from extractor import extract_file
    from extractor.batch import warm_up

    warm_up()
    times = {}
    for pdf in sorted(FULL.glob("*.pdf")):
        start = time.process_time()
        extract_file(pdf)
        times[pdf.name] = time.process_time() - start
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--pdf-every", type=int, default=50, help="one document in this many is a PDF or HTML report")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each engine (best kept)")
    parser.add_argument("--by-process", action="store_true", help="print each run's CPU seconds by process")
    parser.add_argument("--python", default=sys.executable,
                        help="the interpreter both engines run with (default: this one)")
    args = parser.parse_args()
    cpus = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-ray-") as tmp:
        base = Path(tmp)
        corpus, converted = make_corpus(base / "corpus", args.docs, args.pdf_every)
        print(f"corpus: {args.docs} documents ({converted} PDF/HTML reports); {cpus} CPUs; {args.python}", flush=True)
        times: dict[str, float] = {}
        cpu: dict[str, float] = {}
        engines = (("local", ["--workers", str(cpus)]), ("ray", ["--engine", "ray"]))
        runs: dict[str, list[tuple[float, float | None]]] = {engine: [] for engine, _ in engines}
        for _ in range(args.repeat):  # the engines in turn, so a change of load hits both
            for engine, extra in engines:
                load = os.getloadavg()[0]
                split: dict[str, float] | None = {} if args.by_process else None
                runs[engine].append(run_cli(corpus, base / f"{engine}.parquet", *extra, by_process=split,
                                            python=args.python))
                wall, used = runs[engine][-1]
                print(f"{engine}: {wall:.1f} s wall, " + (f"{used:.1f} CPU-s" if used is not None else "CPU not measured")
                      + f" (load average before: {load:.1f})", flush=True)
                for title, seconds in sorted((split or {}).items(), key=lambda item: -item[1]):
                    print(f"    {seconds:6.1f} CPU-s  {title}", flush=True)
        for engine, extra in engines:
            times[engine] = min(wall for wall, _ in runs[engine])
            used = [c for _, c in runs[engine] if c is not None]
            if used:
                cpu[engine] = min(used)
            print(f"{engine} ({' '.join(extra)}): {times[engine]:.1f} s, "
                  f"{1000 * times[engine] / args.docs:.1f} ms/doc wall", flush=True)
        print(f"ratio ray / local: {times['ray'] / times['local']:.2f}x wall", flush=True)
        if len(cpu) == 2:
            print(f"CPU seconds (every process of the run, Ray's included): local {cpu['local']:.1f}, "
                  f"ray {cpu['ray']:.1f}, ratio {cpu['ray'] / cpu['local']:.2f}x", flush=True)
        if _has_module(args.python, "rfc3987_syntax"):
            print("note: rfc3987-syntax is installed (Jupyter's jsonschema[format-nongpl]); `import ray` "
                  "builds its parsers, about 1 CPU-s, in the command (the Ray it starts keeps it out of "
                  "its own processes)", flush=True)
        import pyarrow.parquet as pq

        same = pq.read_table(base / "local.parquet").equals(pq.read_table(base / "ray.parquet"))
        print(f"same rows: {same}", flush=True)
    pdfs = pdf_cpu_seconds()
    print("CPU seconds per PDF: " + ", ".join(f"{name} {s:.2f}" for name, s in pdfs.items())
          + f" (mean {sum(pdfs.values()) / len(pdfs):.2f})", flush=True)


if __name__ == "__main__":
    main()
