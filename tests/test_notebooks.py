"""The notebooks run offline from a fresh clone, without error, and show what they promise.

They are stored without outputs and import only the package's public API (plus the eval harness,
``extractor.evaluate``). Each is executed with nbclient on the ``python3`` kernel (ipykernel);
notebook 02 also runs on a minimal corpus (only ``examples/`` and a one-file ``evals/seed``) with
the eval harness hidden, to exercise its fall-backs.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import json
import shutil
from pathlib import Path

import nbformat
import pytest
from lxml import html as lhtml
from nbclient import NotebookClient

import extractor
from extractor import extract_file

from .conftest import ROOT, SEED_TEXT

NOTEBOOKS = ROOT / "notebooks"
NB01 = NOTEBOOKS / "01_inspect_report.ipynb"
NB02 = NOTEBOOKS / "02_batch_overview.ipynb"
EVAL_HARNESS = {"extractor.evaluate"}  # allowed besides ``from extractor import <public name>``
CORPUS_DIRS = ("evals/dev", "evals/full", "evals/seed", "examples")  # as notebook 02 reads them
SUFFIXES = {".txt", ".md", ".html", ".htm", ".pdf", ".docx"}


def execute(path: Path, cwd: Path, *, first_cell: str | None = None) -> nbformat.NotebookNode:
    """Run every cell as Jupyter would (working directory ``cwd``); any cell error fails the test."""
    nb = nbformat.read(path, as_version=4)
    if first_cell:
        nb.cells.insert(0, nbformat.v4.new_code_cell(first_cell))
    NotebookClient(nb, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    for cell in nb.cells:
        assert not [o for o in cell.get("outputs", []) if o.output_type == "error"]
    return nb


def tagged(nb: nbformat.NotebookNode, tag: str) -> list[dict]:
    cells = [c for c in nb.cells if tag in c.metadata.get("tags", [])]
    assert cells, f"no cell tagged {tag!r}"
    return [o for c in cells for o in c.outputs]


def html_of(outputs: list[dict]) -> str:
    return "\n".join(o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {}))


def text_of(outputs: list[dict]) -> str:
    return "".join(o.get("text", "") for o in outputs if o.output_type == "stream")


def pngs(outputs: list[dict]) -> list[bytes]:
    return [base64.b64decode(o["data"]["image/png"]) for o in outputs if "image/png" in o.get("data", {})]


# --- as stored ----------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [NB01, NB02], ids=lambda p: p.name)
def test_stored_without_outputs_and_public_api_only(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert not cell.outputs and cell.execution_count is None, "notebooks are stored without outputs"
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("extractor"):
                if node.module == "extractor":
                    names = {a.name for a in node.names} - {"evaluate"}
                    assert names <= set(extractor.__all__), f"not public API: {names - set(extractor.__all__)}"
                else:
                    assert node.module in EVAL_HARNESS, f"private import: from {node.module} import …"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    assert not alias.name.startswith("extractor.") or alias.name in EVAL_HARNESS, alias.name


# --- executed -----------------------------------------------------------------------------------
def test_01_inspect_report() -> None:
    nb = execute(NB01, NOTEBOOKS)
    report = extract_file(SEED_TEXT, with_text=True)
    # every mention highlighted, in text order, with its exact text
    marks = lhtml.fromstring(html_of(tagged(nb, "highlighted-text"))).xpath('//mark[contains(@class, "mention")]')
    assert [m.text_content() for m in marks] == [m.text for m in report.mentions]
    assert len(marks) == len(report.mentions) >= 20
    # fields with evidence, tables 二三四, checks
    fields = html_of(tagged(nb, "fields-table"))
    for key, f in report.fields.items():
        assert key in fields and f.evidence[0].text in fields
    tables = [o for o in tagged(nb, "tables") if "text/html" in o.get("data", {})]
    assert len(tables) == 3
    assert "natural_person" in tables[1]["data"]["text/html"] and "carried_forward" in tables[1]["data"]["text/html"]
    checks = html_of(tagged(nb, "checks"))
    assert all(c.name in checks for c in report.checks)
    failing = html_of(tagged(nb, "checks-failing"))
    assert "#ffe0e0" in failing and "✗ FAILED" in failing and "requests.balance" in failing


def corpus_size(root: Path) -> int:
    """Documents notebook 02 reads under ``root`` (the same report in two folders counts once)."""
    digests = {hashlib.sha1(p.read_bytes()).hexdigest()
               for d in CORPUS_DIRS if (root / d).is_dir()
               for p in (root / d).iterdir() if p.suffix.lower() in SUFFIXES}
    return len(digests)


def test_02_batch_overview() -> None:
    nb = execute(NB02, NOTEBOOKS)
    assert f"{corpus_size(ROOT)} documents extracted" in text_of(tagged(nb, "extract"))
    shapes = text_of(tagged(nb, "fact-tables"))
    assert "docs (" in shapes and "cell_facts (" in shapes
    for tag in ("chart-distributions", "chart-checks", "chart-coverage"):
        images = pngs(tagged(nb, tag))
        assert len(images) == 1 and images[0][:4] == b"\x89PNG" and len(images[0]) > 5_000, tag
    eval_out = tagged(nb, "chart-eval")
    if (ROOT / "evals").is_dir():
        assert len(pngs(eval_out)) == 1
        assert "fields: P " in text_of(eval_out)  # scored by extractor.evaluate
        assert "requests.received" in html_of(eval_out)


def test_02_on_a_minimal_corpus_without_eval_harness(tmp_path: Path) -> None:
    """Only examples/ and a one-document evals/seed; ``extractor.evaluate`` cannot be imported."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    seed = tmp_path / "evals" / "seed"
    seed.mkdir(parents=True)
    shutil.copy(SEED_TEXT, seed / SEED_TEXT.name)
    (seed / "longting-2024.gold.json").write_text(json.dumps({
        "doc": SEED_TEXT.name, "truncated": False, "mentions": None,
        "fields": {"requests.received": {"value": 43, "qualifier": "exact"},
                   "proactive.total": {"value": 1300, "qualifier": "over"},
                   "requests.granted": {"value": 4, "qualifier": "exact", "optional": True}},
    }), encoding="utf-8")
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nb = execute(NB02, notebooks, first_cell='import sys\nsys.modules["extractor.evaluate"] = None')
    assert "folders not found, skipped: evals/dev, evals/full" in text_of(tagged(nb, "extract"))
    assert "1 documents extracted" in text_of(tagged(nb, "extract"))
    out = tagged(nb, "chart-eval")
    assert "eval harness unavailable" in text_of(out)
    assert len(pngs(out)) == 1
