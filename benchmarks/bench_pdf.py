"""Milliseconds per PDF page for the two readers: pdfplumber alone, and PDFium for prose pages.

Reads every bundled PDF (evals/full/*.pdf) and, when reportlab is installed, the seed typeset
as a PDF (the test fixture), ``--repeat`` times with each backend (``XXGK_PDF_BACKEND``), and
prints the best time per page of ``load_document`` (text, lines, tables) and how many pages
PDFium read. CPU time of this process (the machine is shared).

    python benchmarks/bench_pdf.py --repeat 3
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor.ingest import load_document  # noqa: E402
from extractor.ingest.pdfium_chars import BACKEND_ENV, open_document, page_chars  # noqa: E402

BACKENDS = ("pdfplumber", "pdfium")


def pdfs() -> list[Path]:
    paths = sorted((ROOT / "evals" / "full").glob("*.pdf"))
    try:
        from tests.test_ingest import seed_as_pdf

        paths.append(seed_as_pdf(Path(tempfile.mkdtemp()) / "seed-longting-2024.pdf"))
    except Exception as exc:  # reportlab missing: bundled PDFs only
        print(f"(seed PDF skipped: {type(exc).__name__}: {exc})")
    return paths


def best_cpu(path: Path, backend: str, repeat: int) -> float:
    os.environ[BACKEND_ENV] = backend
    times = []
    for _ in range(repeat):
        start = time.process_time()
        load_document(path)
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    total = {b: 0.0 for b in BACKENDS}
    all_pages = 0
    print(f"{'file':<24}{'pages':>6}{'pdfium pages':>14}" + "".join(f"{b + ' ms/page':>20}" for b in BACKENDS))
    for path in pdfs():
        document = open_document(path.read_bytes())
        pages = len(document)
        fast = sum(page_chars(document, i) is not None for i in range(pages))
        row = {b: best_cpu(path, b, args.repeat) for b in BACKENDS}
        for b in BACKENDS:
            total[b] += row[b]
        all_pages += pages
        print(f"{path.name:<24}{pages:>6}{fast:>14}" + "".join(f"{row[b] / pages * 1000:>20.1f}" for b in BACKENDS))
    print(f"{'all':<24}{all_pages:>6}{'':>14}" + "".join(f"{total[b] / all_pages * 1000:>20.1f}" for b in BACKENDS))


if __name__ == "__main__":
    main()
