"""What the benchmark scripts share."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "longting-2024.txt"


def clear_memo() -> None:
    """Forget memoised clauses, labels, cells and numerals and the dictionary entries the shared
    tokenizer looked up (they pay off within a corpus, not across repeats), keeping the loaded
    tokenizer and rule tables (caches of one entry)."""
    for name, module in list(sys.modules.items()):
        if not name.startswith("extractor") or module is None:
            continue
        for value in vars(module).values():
            info = getattr(value, "cache_info", None)
            if callable(info) and (info().maxsize or 0) > 1:
                value.cache_clear()
    segmenter = sys.modules.get("extractor.segmenter")
    if segmenter is not None:
        segmenter.shared_tokenizer().forget_lookups()
