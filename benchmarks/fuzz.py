"""The long fuzz run: 10,000 seeded inputs through ``extract`` and ``extract_file``.

    python benchmarks/fuzz.py [--n 10000] [--seed 0]

Checks what tests/test_fuzz.py checks, on more inputs, and prints the slowest ones: no
exception, every mention's text is the text at its offsets, the result serialises to JSON.
Not a test: it takes minutes.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fuzz_inputs import TEXT_KINDS, file_bytes  # noqa: E402

from extractor import extract, extract_file  # noqa: E402


def check(report, text: str | None) -> None:
    report.model_dump_json()
    if text is not None:
        for m in report.mentions:
            assert text[m.start:m.end] == m.text, (m.start, m.end, m.text)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    slowest: list[tuple[float, str]] = []
    failures = 0
    kinds = list(TEXT_KINDS)
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.n):
            seed = args.seed * 1_000_003 + i
            rng = random.Random(seed)
            label = ""
            start = time.process_time()
            try:
                if i % 5 == 4:
                    name, data = file_bytes(rng)
                    label = f"file {name}"
                    path = Path(tmp) / f"{i}-{name}"
                    path.write_bytes(data)
                    check(extract_file(path), None)
                else:
                    kind = kinds[i % len(kinds)]
                    label = kind
                    text = TEXT_KINDS[kind](rng)
                    check(extract(text), text)
            except Exception as exc:  # noqa: BLE001 — count and show every failure
                failures += 1
                print(f"seed {seed} ({label}): {type(exc).__name__}: {exc}"[:300])
            slowest.append((time.process_time() - start, f"seed {seed} ({label})"))
            slowest = sorted(slowest, reverse=True)[:10]
    print(f"{args.n} inputs, {failures} failures; slowest (CPU s):")
    for seconds, what in slowest:
        print(f"  {seconds:6.2f}  {what}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
