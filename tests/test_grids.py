"""One grid builder (``layout.GridBuilder``) for HTML, DOCX and PDF, and one data-table test
(``layout.is_data_table``) for HTML and DOCX."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.ingest import load_document
from extractor.layout import GridBuilder, SpanCopy, is_data_table

from .test_tables import SPANS_2019, layout_as_docx


def marked(grid: list[list[str]]) -> list[list[str]]:
    """A grid with each colspan copy marked, so that two grids compare types as well as text."""
    return [[("~" if isinstance(c, SpanCopy) else "") + c for c in row] for row in grid]


def test_builder_repeats_spans_in_the_grid_and_blanks_them_in_the_text():
    b = GridBuilder()
    b.place(0, 0, "项目", rowspan=2, colspan=2)
    b.place(0, 2, "申请人情况", colspan=2)
    b.place(1, b.free_column(1), "自然人")
    b.place(1, b.free_column(1), "总计")
    grid, text_rows = b.build()
    assert marked(grid) == [["项目", "~项目", "申请人情况", "~申请人情况"], ["项目", "~项目", "自然人", "总计"]]
    assert text_rows == [["项目", "", "申请人情况", ""], ["", "", "自然人", "总计"]]


def test_builder_continuation_and_overlap():
    b = GridBuilder()
    b.place(0, 0, "三、本年度办理结果")
    b.place(1, 0, b.text_at(0, 0) or "", own=False)  # a Word vMerge continuation
    b.place(0, 1, "A", rowspan=2)
    b.place(1, 1, "B")  # overlaps A's rowspan: a filled slot keeps its first text
    b.place(3, 0, "")  # a row with no text is dropped
    grid, text_rows = b.build()
    assert grid == [["三、本年度办理结果", "A"], ["三、本年度办理结果", "A"]]
    assert text_rows == [["三、本年度办理结果", "A"], ["", ""]]
    assert GridBuilder().build() == ([], [])


def _as_docx(tables: list[list[list[str]]], path: Path) -> Path:
    """Tables of plain cells (rows of texts) as Word tables."""
    import docx

    document = docx.Document()
    for rows in tables:
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                table.cell(r, c).text = text
        document.add_paragraph("表后文字。")
    document.save(path)
    return path


def test_html_and_word_spans_give_the_same_grids(tmp_path):
    """The spanned tables of a 2019-format page, written again as Word tables with merged cells:
    the same grids, colspan copies included (rowspans there are vMerge continuations)."""
    html = load_document(SPANS_2019)
    word = load_document(layout_as_docx(SPANS_2019, tmp_path))
    assert len(html.grids) == 3 and any(isinstance(c, SpanCopy) for g in html.grids for row in g for c in row)
    assert [marked(g) for g in word.grids] == [marked(g) for g in html.grids]
    header = html.grids[1][:3]
    assert [row[0] for row in header] == ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"] * 3


def test_one_data_table_test_for_html_and_word(tmp_path):
    """A one-column table and a table holding a passage are layout boxes in both formats."""
    passage = "本机关认真贯彻落实条例，" * 40  # 480 characters
    tables = [[["规章", "0"]], [["一、总体情况"], ["2024 年共发布信息。"]], [["说明", passage]]]
    assert is_data_table([["规章", "0"]]) and not is_data_table([["一、总体情况"]])
    assert not is_data_table([["说明", passage]]) and not is_data_table([])
    page = "".join("<table>" + "".join("<tr>" + "".join(f"<td>{t}</td>" for t in row) + "</tr>" for row in rows)
                   + "</table>" for rows in tables)
    html_path = tmp_path / "boxes.html"
    prose = "<p>" + "全年共发布政府信息一千三百余条。" * 40 + "</p>"  # no one table holds most of the page
    html_path.write_text(f"<html><head><meta charset='utf-8'></head><body><div>{prose}{page}{prose}</div></body></html>",
                         encoding="utf-8")
    html = load_document(html_path)
    word = load_document(_as_docx(tables, tmp_path / "boxes.docx"))
    assert html.grids == word.grids == [[["规章", "0"]]]
    for doc in (html, word):  # the boxes' text is read as paragraphs
        assert "一、总体情况\n\n2024 年共发布信息。" in doc.text and passage in doc.text


REPORT_HTML = Path(__file__).resolve().parent.parent / "evals" / "full" / "shuyang-fgj-2023.html"


def _count_text_readings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    from extractor import tables

    calls: list[int] = []
    read_text = tables.parse_tables_text

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return read_text(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tables, "parse_tables_text", counted)
    return calls


def test_grids_that_read_every_row_spare_the_texts_table_reading(monkeypatch: pytest.MonkeyPatch):
    from extractor import extract_file

    calls = _count_text_readings(monkeypatch)
    report = extract_file(REPORT_HTML)
    assert report.tables is not None and report.tables.unread == []
    assert report.tables.requests["new"].cells[0].value is not None  # table 三 read from the grids
    assert calls == []
    assert [c for c in report.checks if c.name == "requests.balance"]  # checks ran on the grids' tables


def test_grids_that_fail_leave_the_tables_to_the_text(monkeypatch: pytest.MonkeyPatch):
    from extractor import extract_file, tables

    calls = _count_text_readings(monkeypatch)

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("grid reader broke")

    monkeypatch.setattr(tables, "parse_tables_grids", broken)
    report = extract_file(REPORT_HTML)
    assert calls == [1]
    assert report.tables is not None  # the text's reading
    assert any(e.stage == "tables" and "grid reader broke" in e.message for e in report.errors)
