"""The PDFium reading of pages (prose, and tables from the ruling PDFium reads) gives exactly
what pdfplumber gives.

Every bundled PDF (evals/full), the seed typeset as a PDF (in a font it embeds, and in one it
does not) and the seed with its tables set a quarter turn is read twice, once with each
backend (``XXGK_PDF_BACKEND``), and the text, the table grids, the errors and the extracted
fields must be identical. The PDFium path must also really be taken: on every document some
pages are read by it, table pages among them, or the comparison would prove nothing. The
pieces are checked against pdfplumber's own on their own: the ruling as edges, the indexed
steps of the table finder, the removal of doubled characters.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from extractor import extract_file
from extractor.ingest import load_document
from extractor.ingest.pdfium_chars import BACKEND_ENV, open_document, page_chars, read_page

from .pdf_fonts import embedded_song
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


def test_backends_identical_on_seed_pdf_in_a_font_it_does_not_embed(tmp_path, monkeypatch):
    """STSong-Light, named and not held: on a machine with no CJK font PDFium gives a
    one-character line no width and leaves its character out (the title's last, narrow cells'
    labels set a character a line); such pages go to pdfplumber, the others (longer lines keep
    their width) to PDFium, so nothing is lost wherever this runs. (Where a CJK font is
    installed, as install.sh installs one, every page goes to PDFium.)"""
    pytest.importorskip("reportlab")
    path = seed_as_pdf(tmp_path / "seed-unembedded.pdf", embed_font=False)
    assert _fast_pages(path) >= 1
    _assert_same(path, monkeypatch)
    text = load_document(path).text
    assert "行政复议\t" in text and "年度报告\n" in text


def _spaced_figures_pdf(path: Path, font: str) -> Path:
    """One line set a text object a piece, as WPS sets a line: "Total", " ", "12", " ", "345"."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path))
    c.setFont(font, 12)
    x = 72.0
    for piece in ("Total", " ", "12", " ", "345"):
        c.drawString(x, 700, piece)
        x += stringWidth(piece, font, 12)
    c.save()
    return path


@pytest.mark.parametrize("font, routed", [("Helvetica", True), ("blank space", True), ("boxed space", False)])
def test_text_object_of_no_width_sends_its_page_to_pdfplumber(tmp_path, monkeypatch, font, routed):
    """PDFium's text page skips a text object less than 0.01 pt wide (its glyphs' boxes: a
    space's glyph is blank), whatever its font; pdfminer reads its characters. A page with one
    goes to pdfplumber, or "12 345" would read "12345": shown with a space in Helvetica (never
    embedded) and in a font the PDF embeds; where the space's glyph has a box, PDFium keeps it."""
    pytest.importorskip("reportlab")
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    name = {"blank space": embedded_song(blank_space=True), "boxed space": embedded_song()}.get(font, font)
    path = _spaced_figures_pdf(tmp_path / "spaced.pdf", name)
    page = pdfium.PdfDocument(path.read_bytes())[0]
    bounds = [obj.get_bounds() for obj in page.get_objects() if obj.type == raw.FPDF_PAGEOBJ_TEXT]
    widths = [right - left for left, _, right, _ in bounds]
    assert len(widths) == 5 and (min(widths) < 0.01) is routed
    assert (read_page(open_document(path.read_bytes()), 0) is None) is routed
    _assert_same(path, monkeypatch)
    assert "Total 12 345" in load_document(path).text


def test_glyphs_without_a_character_send_their_page_to_pdfplumber(tmp_path, monkeypatch):
    """A font the PDF embeds without its ToUnicode map: PDFium gives each code it cannot map as
    that code (a control character), pdfminer as ``(cid:N)``; such a page goes to pdfplumber."""
    pytest.importorskip("reportlab")
    from reportlab.pdfgen import canvas

    source = tmp_path / "mapped.pdf"
    c = canvas.Canvas(str(source))
    c.setFont(embedded_song(), 12)
    c.drawString(72, 700, "政府信息公开 2024年")
    c.save()
    data = source.read_bytes()
    assert data.count(b"/ToUnicode") == 1
    path = tmp_path / "unmapped.pdf"
    path.write_bytes(data.replace(b"/ToUnicode", b"/XoUnicode"))  # same length: offsets hold
    assert read_page(open_document(source.read_bytes()), 0) is not None
    assert read_page(open_document(path.read_bytes()), 0) is None
    _assert_same(path, monkeypatch)
    assert "(cid:" in load_document(path).text


def test_backends_identical_on_pdf_with_turned_tables(tmp_path, monkeypatch):
    """Pages set a quarter turn go to pdfplumber (which turns them upright), the others to PDFium."""
    pytest.importorskip("reportlab")
    path = seed_with_turned_tables(tmp_path / "turned.pdf", True)
    assert _fast_pages(path) >= 1
    _assert_same(path, monkeypatch)


def _table_pages(path: Path) -> int:
    document = open_document(path.read_bytes())
    return sum(bool(page and page.ruling) for page in map(lambda i: read_page(document, i), range(len(document))))


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_table_pages_are_read_by_pdfium(path):
    """Ruled pages are read by PDFium too (their cells from the ruling it reads)."""
    assert _table_pages(path) >= 1


def test_seed_pdf_tables_read_by_pdfium(seed_pdf):
    assert _table_pages(seed_pdf) >= 3


def test_vertical_writing_goes_to_pdfplumber():
    """hongze's table 三 labels its rows with characters set top to bottom (a vertical font):
    PDFium's boxes for them are not pdfminer's, so that page is read by pdfplumber."""
    path = FULL / "hongze-2024.pdf"
    document = open_document(path.read_bytes())
    routed = [read_page(document, i) is None for i in range(len(document))]
    assert any(routed) and not all(routed)


def test_pdfplumber_opens_a_pdf_only_for_a_page_pdfium_leaves_to_it(seed_pdf, monkeypatch):
    """The default reader does not have pdfminer parse a file PDFium reads in full (the seed);
    it opens it for a file with a page left to pdfplumber (hongze's vertical writing)."""
    import pdfplumber

    opened: list[str] = []
    real_open = pdfplumber.open

    def spy(source: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append("open")
        return real_open(source, *args, **kwargs)

    monkeypatch.setattr(pdfplumber, "open", spy)
    monkeypatch.delenv(BACKEND_ENV, raising=False)
    seed = load_document(seed_pdf)
    assert seed.text and seed.grids and not seed.errors
    assert opened == []
    hongze = load_document(FULL / "hongze-2024.pdf")
    assert hongze.text and not hongze.errors
    assert opened == ["open"]


def test_characters_styled_once_a_text_object_as_once_a_character(seed_pdf, monkeypatch):
    """A character's matrix, font size and font are its text object's, read once an object:
    on every page we have, the characters are those read one by one (the object not asked),
    and on the seed (lines set as one object each) far fewer styles are read than characters."""
    from extractor.ingest import pdfium_calls, pdfium_chars

    documents = [(path, open_document(path.read_bytes())) for path in [*BUNDLED, seed_pdf]]
    reads: dict[Path, int] = {}
    real_reader = pdfium_chars._style_reader

    def counting(page: int, raw: Any) -> Any:
        style = real_reader(page, raw)

        def counted(i: int) -> Any:
            reads[current] = reads.get(current, 0) + 1
            return style(i)

        return counted

    monkeypatch.setattr(pdfium_chars, "_style_reader", counting)
    by_object = {}
    for current, document in documents:
        by_object[current] = [read_page(document, i) for i in range(len(document))]
    monkeypatch.setattr(pdfium_chars, "_style_reader", real_reader)
    monkeypatch.setattr(pdfium_chars, "lean", lambda raw, name, *types: None if name == "FPDFText_GetTextObject"
                        else pdfium_calls.lean(raw, name, *types))
    for path, document in documents:
        one_by_one = [read_page(document, i) for i in range(len(document))]
        assert [page and page.chars for page in by_object[path]] == [page and page.chars for page in one_by_one]
    seed_chars = sum(len(page.chars) for page in by_object[seed_pdf] if page)
    assert seed_chars > 1000 and reads[seed_pdf] < seed_chars / 2


def test_gutter_coverage_counts_each_row_once_a_point():
    """``_covered`` (rows' spans merged, counted by their ends) is the count, for each whole x,
    of the rows with a character over it, on random rows (overlapping, touching, off the page)."""
    import random

    from extractor.ingest.pdf_columns import _covered

    rng = random.Random(15)
    for _ in range(2000):
        n = rng.randint(1, 60)
        rows = [[{"x0": (x0 := rng.uniform(-10, 70)), "x1": x0 + rng.choice([0.0, 0.4, rng.uniform(0, 15)])}
                 for _ in range(rng.randint(1, 8))] for _ in range(rng.randint(1, 6))]
        expected = [sum(any(max(0, int(c["x0"])) <= x < min(n, int(c["x1"]) + 1) for c in row) for row in rows)
                    for x in range(n)]
        assert _covered(rows, n) == expected


def _upright_pages(paths: list[Path]):
    """(pypdfium2 page, pdfplumber page) of every page PDFium reads."""
    import pdfplumber
    import pypdfium2 as pdfium

    for path in paths:
        document = pdfium.PdfDocument(path.read_bytes())
        with pdfplumber.open(path) as pdf:
            for i, plumbed in enumerate(pdf.pages):
                if read_page(document, i) is not None:
                    yield document[i], plumbed


def _rounded(edges: list[dict]) -> list[tuple]:
    keys = ("orientation", "x0", "x1", "top", "bottom", "width", "height")
    return sorted(tuple(round(e[k], 3) if isinstance(e[k], float) else e[k] for k in keys) for e in edges)


def test_ruling_is_pdfplumbers_visible_edges(seed_pdf):
    """Every edge pdfplumber's table finder would get on a page, and no other, from PDFium."""
    import pypdfium2.raw as raw

    from extractor.ingest.pdf import _visible_ruling
    from extractor.ingest.pdfium_ruling import page_ruling

    compared = 0
    for page, plumbed in _upright_pages([*BUNDLED, seed_pdf]):
        expected = plumbed.filter(_visible_ruling).edges
        ruling = page_ruling(page, raw)
        assert ruling is not None
        if ruling:  # a page of prose keeps none (WPS's white boxes, invisible to the finder)
            assert _rounded(ruling) == _rounded(expected)
            compared += 1
        else:
            assert not [e for e in expected if e["object_type"] != "line"]
    assert compared >= 8


def _random_edges(rng) -> list[dict]:
    from extractor.ingest.pdf import _edge

    grid = [rng.choice([0, 0.5, 1, 2.5, 3]) + 20 * k for k in range(8)]
    edges = []
    for _ in range(rng.randint(4, 30)):
        a, b = sorted(rng.sample(grid, 2))
        edges.append(_edge(rng.choice("hv"), a + rng.choice([0, -1, 1.5]), b, rng.choice(grid)))
    return edges


def test_indexed_table_finder_steps_are_pdfplumbers(seed_pdf):
    """The crossings, cells and tables of the indexed steps are pdfplumber's, on every ruled
    page we have (merged as the finder merges them) and on random edges near one another."""
    import random

    from pdfplumber import table as plumber

    from extractor.ingest import pdf_table_finder as indexed
    from extractor.ingest.pdf import _settings_with_closing_edges, _visible_ruling

    cases = []
    for _, plumbed in _upright_pages([*BUNDLED, seed_pdf]):
        edges = plumbed.filter(_visible_ruling).edges
        if edges:
            cases.append(plumber.TableFinder(plumbed.filter(_visible_ruling), _settings_with_closing_edges(edges)).edges)
    rng = random.Random(15)
    cases += [_random_edges(rng) for _ in range(300)]
    for edges in cases:
        for tol in (1, 3):
            crossings = plumber.edges_to_intersections(edges, tol, tol)
            assert indexed.edges_to_intersections(edges, tol, tol) == crossings
            cells = plumber.intersections_to_cells(crossings)
            assert indexed.intersections_to_cells(crossings) == cells
            assert indexed.cells_to_tables(cells) == plumber.cells_to_tables(cells)


def test_doubled_characters_removed_as_pdfplumber_does(seed_pdf):
    """``dedupe_chars`` keeps the characters pdfplumber's keeps, in its order, with characters
    drawn twice or thrice a little apart (a bold effect) and exact copies."""
    import random

    from pdfplumber.utils import dedupe_chars as plumbers

    from extractor.ingest.pdfium_chars import dedupe_chars

    rng = random.Random(15)
    for path in [*BUNDLED, seed_pdf]:
        document = open_document(path.read_bytes())
        for i in range(len(document)):
            page = read_page(document, i)
            if page is None:
                continue
            doubled = [dict(c, x0=c["x0"] + rng.choice([0, 0.3, 1.0, 1.5, -1.0]),
                            doctop=c["doctop"] + rng.choice([0, 0.5, 1.0, -0.7]))
                       for c in rng.sample(page.chars, len(page.chars) // 2)]
            copies = [dict(c) for c in rng.sample(page.chars, len(page.chars) // 5)]
            chars = page.chars + doubled + copies
            rng.shuffle(chars)
            for given in (page.chars, chars):
                assert [id(c) for c in dedupe_chars(given)] == [id(c) for c in plumbers(given)]


def chars_handed_to(reader: Any, function: str, paths: list[Path]) -> list[list[dict]]:
    """The characters the PDF reader hands to its ``function`` (its first argument, each call)
    while every one of ``paths`` is read by each backend."""
    seen: list[list[dict]] = []
    real = getattr(reader, function)

    def keep(chars: list[dict], *args: Any, **kwargs: Any) -> Any:
        seen.append(chars)
        return real(chars, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(reader, function, keep)
        for backend in ("pdfplumber", "pdfium"):
            mp.setenv(BACKEND_ENV, backend)
            for path in paths:
                load_document(path)
    return seen


def test_cells_read_as_pdfplumber_reads_them(seed_pdf):
    """A cell's text is what pdfplumber's ``extract_text`` gives it, on every cell of every
    ruled page we have (pdfplumber's characters and PDFium's), and on random characters over
    a few lines: gaps and line offsets around the tolerances, blanks, ligatures, any order."""
    import random

    from pdfplumber.utils import extract_text

    import extractor.ingest.pdf as reader
    from extractor.ingest.pdf_words import plain_text, readable

    cells = chars_handed_to(reader, "_cell_text", [*BUNDLED, seed_pdf])
    real = sum(1 for chars in cells if chars)
    rng = random.Random(15)
    for _ in range(500):
        chars = []
        for line in range(rng.randint(1, 3)):
            x, top = 10.0, 5.0 + 12 * line + rng.choice([0, 0, 1.5, 3.0, 3.2, 8.9])
            for _ in range(rng.randint(1, 6)):
                width = rng.choice([4.0, 5.5, 10.0])
                jitter = rng.choice([0, 0, 0, 0.5, 2.9, 3.1])
                chars.append({"text": rng.choice("0123 年aﬁ"), "x0": x, "x1": x + width, "top": top + jitter,
                              "bottom": top + jitter + 10, "doctop": top + jitter, "upright": True, "size": 10.0})
                x += width + rng.choice([-2, 0, 1, 2.9, 3.0, 3.1, 6])
        rng.shuffle(chars)
        cells.append(chars)
    read = 0
    for chars in cells:
        text = plain_text(chars) if chars else None
        if text is not None:
            assert text == extract_text(chars, x_tolerance=3, y_tolerance=3), chars
            assert readable(chars) and plain_text(chars, checked=True) == text  # a page's check, once
            read += 1
        else:
            assert chars == [] or not readable(chars)
    assert read >= real + 500 > 800


def test_pdfium_generates_only_spaces_and_line_breaks(seed_pdf):
    """The reader asks PDFium whether a character is one it added only for a space, CR or LF:
    on every page we have, no other character is one it added."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    from extractor.ingest.pdfium_chars import GENERATED_CODES

    generated = set()
    for path in [*BUNDLED, seed_pdf]:
        document = pdfium.PdfDocument(path.read_bytes())
        for i in range(len(document)):
            textpage = document[i].get_textpage()
            generated |= {raw.FPDFText_GetUnicode(textpage.raw, k) for k in range(textpage.count_chars())
                          if raw.FPDFText_IsGenerated(textpage.raw, k) == 1}
    assert generated and generated <= GENERATED_CODES


def test_prose_lines_read_as_pdfplumber_reads_them(seed_pdf):
    """The lines of a page's prose are pdfplumber's (text, box and characters, ligatures
    counted once per letter), on every block of prose we have and on random characters."""
    import random

    from pdfplumber.utils import chars_to_textmap

    import extractor.ingest.pdf as reader
    from extractor.ingest.pdf_words import text_lines

    parts = chars_handed_to(reader, "text_lines", [*BUNDLED, seed_pdf])
    real = len(parts)
    rng = random.Random(15)
    for _ in range(300):
        chars = []
        for line in range(rng.randint(1, 4)):
            x, top = 10.0, 5.0 + 12 * line + rng.choice([0, 0, 1.5, 3.0, 3.2, 8.9])
            for _ in range(rng.randint(1, 8)):
                width, jitter = rng.choice([4.0, 5.5, 10.0]), rng.choice([0, 0, 0, 0.5, 2.9, 3.1, -2.9])
                chars.append({"text": rng.choice("0123 年aﬁ"), "x0": x, "x1": x + width, "top": top + jitter,
                              "bottom": top + jitter + 10, "doctop": top + jitter, "upright": True,
                              "size": rng.choice([10.0, 12.0])})
                x += width + rng.choice([-2, 0, 1, 2.9, 3.0, 3.1, 6])
        rng.shuffle(chars)
        parts.append(chars)
    read = 0
    for chars in parts:
        lines = text_lines(chars) if chars else None
        if lines is None:
            continue
        expected = chars_to_textmap(chars, layout=False).extract_text_lines(strip=True, return_chars=True)
        assert [(ln["text"], ln["x0"], ln["top"], ln["x1"], ln["bottom"], [id(c) for c in ln["chars"]]) for ln in lines] == \
            [(ln["text"], ln["x0"], ln["top"], ln["x1"], ln["bottom"], [id(c) for c in ln["chars"]]) for ln in expected]
        read += 1
    assert real >= 20 and read >= real + 300 - 5


def test_the_style_reader_holds_every_buffer_pdfium_writes_into(monkeypatch):
    """PDFium is given plain addresses: a buffer the reader gives it must live as long as the
    reader, or PDFium writes into freed memory (once a crash some runs into the test suite)."""
    import ctypes
    import gc
    import weakref

    import pypdfium2.raw as raw

    from extractor.ingest import pdfium_chars

    given: list[weakref.ref] = []
    real_addressof = ctypes.addressof

    def recording(obj: Any) -> int:
        try:
            given.append(weakref.ref(obj))
        except TypeError:  # a structure (no weak references): held by the reader's reads anyway
            pass
        return real_addressof(obj)

    monkeypatch.setattr(ctypes, "addressof", recording)
    style = pdfium_chars._style_reader(0, raw)
    gc.collect()
    assert len(given) >= 2  # the font name's buffer and the flags
    assert all(ref() is not None for ref in given)
    del style
    gc.collect()
    assert all(ref() is None for ref in given)  # held by the reader, not leaked


def test_cell_characters_found_by_bisection_are_those_in_the_box():
    """``ByMiddle.within`` (bisection on x and y, the narrower band tested) gives the characters
    whose middle is in the box, edges included, in page order, as a pass over all of them does:
    random characters on a coarse grid (many middles on a box's edge) and random boxes."""
    import random

    from extractor.ingest.pdf_cell_chars import ByMiddle, centres

    rng = random.Random(15)
    for _ in range(200):
        chars = []
        for _ in range(rng.randint(0, 40)):
            x, top = rng.randint(0, 20) * 2.5, rng.randint(0, 20) * 2.5
            chars.append({"x0": x, "x1": x + rng.choice([0, 5, 10]), "top": top, "bottom": top + rng.choice([0, 5, 10])})
        centred = centres(chars)
        index = ByMiddle(centred)
        for _ in range(20):
            x0, top = rng.randint(0, 25) * 2.5, rng.randint(0, 25) * 2.5
            box = (x0, top, x0 + rng.randint(0, 25) * 2.5, top + rng.randint(0, 25) * 2.5)
            expected = [c for cx, cy, c in centred if box[0] <= cx <= box[2] and box[1] <= cy <= box[3]]
            assert [id(c) for c in index.within(box)] == [id(c) for c in expected]
