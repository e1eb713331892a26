"""The PDFium reading of prose pages gives exactly what pdfplumber gives.

Every bundled PDF (evals/full), the seed typeset as a PDF and the seed with its tables set a
quarter turn is read twice, once with each
backend (``XXGK_PDF_BACKEND``), and the text, the table grids, the errors and the extracted
fields must be identical. The PDFium path must also really be taken: on every document some
pages are read by it (prose pages), or the comparison would prove nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor import extract_file
from extractor.ingest import load_document
from extractor.ingest.pdfium_chars import BACKEND_ENV, open_document, page_chars

from .test_ingest import FULL, seed_as_pdf, seed_with_turned_tables

pytest.importorskip("pypdfium2")

BUNDLED = sorted(FULL.glob("*.pdf"))


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory) -> Path:
    pytest.importorskip("reportlab")
    return seed_as_pdf(tmp_path_factory.mktemp("backends") / "seed.pdf")


def _read(path: Path, backend: str, monkeypatch) -> tuple:
    monkeypatch.setenv(BACKEND_ENV, backend)
    doc = load_document(path)
    report = extract_file(path)
    return doc.text, doc.grids, doc.errors, report.fields


def _assert_same(path: Path, monkeypatch) -> None:
    text_a, grids_a, errors_a, fields_a = _read(path, "pdfplumber", monkeypatch)
    text_b, grids_b, errors_b, fields_b = _read(path, "pdfium", monkeypatch)
    assert text_a.strip() and not errors_a
    assert text_b == text_a
    assert grids_b == grids_a
    assert errors_b == errors_a
    assert fields_b == fields_a


def _fast_pages(path: Path) -> int:
    document = open_document(path.read_bytes())
    return sum(page_chars(document, i) is not None for i in range(len(document)))


def test_bundled_pdfs_are_there():
    assert len(BUNDLED) >= 3


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_backends_identical_on_bundled_pdf(path, monkeypatch):
    assert _fast_pages(path) >= 1
    _assert_same(path, monkeypatch)


def test_backends_identical_on_seed_pdf(seed_pdf, monkeypatch):
    assert _fast_pages(seed_pdf) >= 1
    _assert_same(seed_pdf, monkeypatch)


def test_backends_identical_on_pdf_with_turned_tables(tmp_path, monkeypatch):
    """Pages set a quarter turn go to pdfplumber (which turns them upright), the others to PDFium."""
    pytest.importorskip("reportlab")
    path = seed_with_turned_tables(tmp_path / "turned.pdf", True)
    assert _fast_pages(path) >= 1
    _assert_same(path, monkeypatch)


def test_table_pages_go_to_pdfplumber():
    """A page with visible ruling (a table) is never read by PDFium: its cells need pdfplumber."""
    path = FULL / "hongze-2024.pdf"
    document = open_document(path.read_bytes())
    routed = [page_chars(document, i) is None for i in range(len(document))]
    assert any(routed) and not all(routed)
