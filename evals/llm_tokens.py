"""Prompt tokens of ``--llm ambiguous`` vs ``--llm all`` over a labelled set, without calling a model.

For each document the requests of both modes are sent, through the LLM client, to the local
stand-in server of ``extractor.llm.testing`` (no model, no network), so what is counted is
exactly what goes over the wire — the rendered prompt plus the JSON schema instructor appends
in JSON mode — and their tokens are estimated (``extractor.llm.tokens``: 1 per CJK character, 1 per 4 other characters, 4 per
message; the ratio between the modes hardly depends on the tokenizer). Output tokens and
re-asks are not counted: they depend on the model.

    python evals/llm_tokens.py                      # evals/dev
    python evals/llm_tokens.py evals/full --json    # any directories or files
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor import extract_file  # noqa: E402
from extractor.ingest import load_document  # noqa: E402
from extractor.llm.client import LLMClient, Usage  # noqa: E402
from extractor.llm.config import LLMConfig  # noqa: E402
from extractor.llm.request import build_request  # noqa: E402
from extractor.llm.schema import Answer  # noqa: E402
from extractor.llm.testing import FakeOpenAIServer, Reply  # noqa: E402
from extractor.llm.tokens import estimate_messages  # noqa: E402

SUFFIXES = {".txt", ".md", ".html", ".htm", ".pdf", ".docx"}


def default_set() -> Path:
    candidate = ROOT / "evals" / "dev"
    if candidate.is_dir():
        return candidate
    raise SystemExit("no dev set found (evals/dev)")


def documents(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for p in paths:
        found += sorted(f for f in p.iterdir() if f.suffix.lower() in SUFFIXES) if p.is_dir() else [p]
    return found


class Wire:
    """The requests as sent: the LLM client talking to a local stand-in server that answers nothing."""

    def __init__(self, server: FakeOpenAIServer):
        self.server = server
        self.client = LLMClient(LLMConfig(mode="ambiguous", model="any", base_url=server.base_url, cache=False))

    def tokens(self, messages: list[dict[str, str]]) -> int:
        before = len(self.server.requests)
        self.client.ask(messages, Answer, Usage())
        return estimate_messages(self.server.requests[before]["messages"])


def measure(paths: list[Path]) -> dict:
    with FakeOpenAIServer(default=Reply.answer({"assignments": []})) as server:
        return _measure(paths, Wire(server))


def _measure(paths: list[Path], wire: Wire) -> dict:
    rows, reasons = [], Counter()
    for path in documents(paths):
        text = load_document(path).text
        report = extract_file(path)
        ambiguous = build_request(report, text, "ambiguous")
        whole = build_request(report, text, "all")
        reasons.update(c.reason for c in ambiguous.candidates)
        rows.append({
            "doc": path.name, "chars": len(text), "candidates": len(ambiguous.candidates),
            "ambiguous": wire.tokens(ambiguous.messages) if ambiguous.messages else 0,
            "all": wire.tokens(whole.messages),
        })
    total_amb = sum(r["ambiguous"] for r in rows)
    total_all = sum(r["all"] for r in rows)
    needing = [r for r in rows if r["candidates"]]
    return {
        "documents": len(rows),
        "documents_needing_llm": len(needing),
        "candidates": sum(r["candidates"] for r in rows),
        "candidates_by_reason": dict(reasons.most_common()),
        "prompt_tokens_ambiguous": total_amb,
        "prompt_tokens_all": total_all,
        "ratio": round(total_amb / total_all, 4) if total_all else None,
        "ambiguous_per_needing_doc": round(total_amb / len(needing)) if needing else 0,
        "all_per_doc": round(total_all / len(rows)) if rows else 0,
        "per_document": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="directories or files (default: the dev set)")
    parser.add_argument("--json", action="store_true", help="print the whole measurement as JSON")
    args = parser.parse_args()
    result = measure(args.paths or [default_set()])
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return
    print(f"documents                     {result['documents']}")
    print(f"documents needing the LLM     {result['documents_needing_llm']}"
          f" ({result['candidates']} candidates: {result['candidates_by_reason']})")
    print(f"prompt tokens, all            {result['prompt_tokens_all']:,} ({result['all_per_doc']:,} per document)")
    print(f"prompt tokens, ambiguous      {result['prompt_tokens_ambiguous']:,}"
          f" ({result['ambiguous_per_needing_doc']:,} per document sent)")
    ratio = result["ratio"]
    print(f"ambiguous / all               {ratio:.1%}" if ratio is not None else "ambiguous / all  n/a")


if __name__ == "__main__":
    main()
