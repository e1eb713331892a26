"""The notebooks run offline from a fresh clone, without error, and show what they promise.

They are stored without outputs and import only the package's public API (plus the eval harness,
``extractor.evals``). Each is executed with nbclient on the ``python3`` kernel (ipykernel): on
the bundled sample and corpus (what they show is checked here, not in the notebooks), then on
another report and corpus given through their parameters cell or environment variables, from a
working directory outside the repository; notebook 02 also runs with the eval harness hidden, to
exercise its fall-backs.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import nbformat
import pytest
from lxml import html as lhtml
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

import extractor
from extractor import extract_file, run_checks

from .conftest import ROOT, SEED_TEXT

NOTEBOOKS = ROOT / "notebooks"
NB01 = NOTEBOOKS / "01_inspect_report.ipynb"
NB02 = NOTEBOOKS / "02_batch_overview.ipynb"
EVAL_HARNESS = {"extractor.evals"}  # allowed besides ``from extractor import <public name>``
CORPUS_DIRS = ("evals/dev", "evals/dev2", "evals/full", "evals/seed", "examples")  # notebook 02's default
SUFFIXES = {".txt", ".md", ".html", ".htm", ".pdf", ".docx"}
DEV_EXCERPT = ROOT / "evals" / "dev" / "r004.txt"  # a report other than the sample: no tables, no checks


def execute(path: Path, cwd: Path, *, first_cell: str | None = None,
            parameters: dict[str, Any] | None = None) -> nbformat.NotebookNode:
    """Run every cell as Jupyter would (working directory ``cwd``); any cell error fails the test.

    ``parameters`` are set in a cell after the one tagged ``parameters`` (as papermill does)."""
    nb = nbformat.read(path, as_version=4)
    if parameters:
        (at,) = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
        source = "\n".join(f"{name} = {value!r}" for name, value in parameters.items())
        nb.cells.insert(at + 1, nbformat.v4.new_code_cell(source))
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


@pytest.fixture(autouse=True)
def _no_notebook_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """The notebooks read $XXGK_REPORT / $XXGK_CORPUS: a test sets them only when it means to."""
    monkeypatch.delenv("XXGK_REPORT", raising=False)
    monkeypatch.delenv("XXGK_CORPUS", raising=False)


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
                    names = {a.name for a in node.names} - {"evals"}
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
    # the sample itself: offsets index the text, every check passes
    assert "every span indexes the text exactly: True" in text_of(tagged(nb, "mentions-table"))
    assert all(c.ok for c in report.checks) and "#ffe0e0" not in html_of(tagged(nb, "checks"))
    assert run_checks(report) == report.checks


def highlighted(nb: nbformat.NotebookNode) -> list[str]:
    marks = lhtml.fromstring(html_of(tagged(nb, "highlighted-text"))).xpath('//mark[contains(@class, "mention")]')
    return [m.text_content() for m in marks]


def test_01_on_another_report_from_any_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A dev excerpt named by $XXGK_REPORT, the kernel started outside the repository."""
    report_path = tmp_path / "reports" / "其他报告.txt"
    report_path.parent.mkdir()
    shutil.copy(DEV_EXCERPT, report_path)
    monkeypatch.setenv("XXGK_REPORT", str(report_path))
    nb = execute(NB01, tmp_path)
    report = extract_file(report_path, with_text=True)
    assert report.tables is None and report.mentions  # not the sample: no tables, no checks
    assert highlighted(nb) == [m.text for m in report.mentions]
    assert f"report: {report_path}" in text_of(tagged(nb, "summary"))
    assert "No check could be run" in text_of(tagged(nb, "checks"))
    assert "no failure to show" in text_of(tagged(nb, "checks-failing"))


def test_01_parameters_cell_with_a_relative_path_from_another_directory(tmp_path: Path) -> None:
    """``REPORT`` relative and missing from the working directory: found in the package's repository."""
    relative = DEV_EXCERPT.relative_to(ROOT).as_posix()
    nb = execute(NB01, tmp_path, parameters={"REPORT": relative})
    assert highlighted(nb) == [m.text for m in extract_file(DEV_EXCERPT).mentions]
    assert f"report: {DEV_EXCERPT}" in text_of(tagged(nb, "summary"))


def corpus_size(root: Path) -> int:
    """Documents notebook 02 reads under ``root`` (the same report in two folders counts once)."""
    digests = {hashlib.sha1(p.read_bytes()).hexdigest()
               for d in CORPUS_DIRS if (root / d).is_dir()
               for p in (root / d).rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES}
    return len(digests)


def test_02_batch_overview() -> None:
    nb = execute(NB02, NOTEBOOKS)
    assert f"{corpus_size(ROOT)} documents extracted" in text_of(tagged(nb, "extract"))
    shapes = text_of(tagged(nb, "fact-tables"))
    assert "docs (" in shapes and "cell_facts (" in shapes
    for tag in ("chart-distributions", "chart-checks", "chart-coverage"):
        images = pngs(tagged(nb, tag))
        assert len(images) == 1 and images[0][:4] == b"\x89PNG" and len(images[0]) > 5_000, tag
    assert "not_stated" in html_of(tagged(nb, "chart-checks"))
    eval_out = tagged(nb, "chart-eval")
    assert len(pngs(eval_out)) == 1
    assert "fields: P " in text_of(eval_out)  # scored by extractor.evals
    assert "requests.received" in html_of(eval_out)
    # the same results in a DuckDB store, read back through its views
    store_out = text_of(tagged(nb, "store"))
    assert f"{corpus_size(ROOT)} documents in the store" in store_out
    assert ", table_cells " in store_out and ", cross_year" not in store_out
    body_year = lhtml.fromstring(html_of(tagged(nb, "store"))).xpath("//tbody/tr")
    assert body_year and len(body_year) <= 10
    pairs = [[td.text_content() for td in tr.xpath("td")]
             for tr in lhtml.fromstring(html_of(tagged(nb, "store-cross-year"))).xpath("//tbody/tr")]
    hongze = [row for row in pairs if "evals/full/hongze-2023.pdf" in row]
    assert len(hongze) == 1 and "evals/full/hongze-2024.pdf" in hongze[0] and "2023" in hongze[0]
    n = f"{len(pairs)} pair{'' if len(pairs) == 1 else 's'}"
    assert f"cross_year: {n} (" in text_of(tagged(nb, "store-cross-year"))
    assert f"{n} of consecutive years of one body" in text_of(tagged(nb, "store-year-on-year"))


def test_02_on_another_corpus_from_any_directory(tmp_path: Path) -> None:
    """A folder with one dev excerpt and its gold file, given as the CORPUS parameter; run outside the repository."""
    corpus = tmp_path / "my-reports"
    corpus.mkdir()
    shutil.copy(DEV_EXCERPT, corpus / DEV_EXCERPT.name)
    shutil.copy(DEV_EXCERPT.with_suffix(".gold.json"), corpus / DEV_EXCERPT.with_suffix(".gold.json").name)
    nb = execute(NB02, tmp_path, parameters={"CORPUS": str(corpus)})
    out = text_of(tagged(nb, "extract"))
    assert "1 document extracted" in out and "skipped" not in out
    report = extract_file(DEV_EXCERPT)
    shapes = text_of(tagged(nb, "fact-tables"))
    assert "docs (1, " in shapes and f"field_facts ({len(report.fields)}, " in shapes
    assert "cell_facts (0, " in shapes and report.tables is None
    eval_out = tagged(nb, "chart-eval")
    assert "1 gold files" in text_of(eval_out) and "fields: P " in text_of(eval_out)
    assert len(pngs(eval_out)) == 1
    assert "1 document in the store" in text_of(tagged(nb, "store"))
    assert "cross_year: 0 pairs (0 mismatched)" in text_of(tagged(nb, "store-cross-year"))


def test_02_a_corpus_folder_named_but_missing_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XXGK_CORPUS", str(tmp_path / "nowhere"))
    with pytest.raises(CellExecutionError, match="nowhere: not found"):
        execute(NB02, tmp_path)


def test_02_on_a_minimal_corpus_without_eval_harness(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two folders from $XXGK_CORPUS: examples/ and a one-document seed; ``extractor.evals`` cannot be imported."""
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
    monkeypatch.setenv("XXGK_CORPUS", f"examples:{seed}")
    nb = execute(NB02, tmp_path, first_cell='import sys\nsys.modules["extractor.evals"] = None')
    assert "1 document extracted" in text_of(tagged(nb, "extract"))  # the seed is the sample: counted once
    out = tagged(nb, "chart-eval")
    assert "eval harness unavailable" in text_of(out)
    assert len(pngs(out)) == 1
