"""One grid builder (``layout.GridBuilder``) for HTML, DOCX and PDF, and one data-table test
(``layout.is_data_table``) for HTML and DOCX."""

from __future__ import annotations

from pathlib import Path

import lxml.html

from extractor.ingest import load_document
from extractor.layout import GridBuilder, SpanCopy, is_data_table

SPANS = Path(__file__).resolve().parent / "data" / "tables" / "trial-2019-spans.html"


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


def _html_tables(path: Path) -> list[list[tuple[str, int, int]]]:
    """Each table of a page as rows of (text, rowspan, colspan)."""
    root = lxml.html.fromstring(path.read_bytes())
    return [[[(td.text_content().strip(), int(td.get("rowspan", 1)), int(td.get("colspan", 1)))
              for td in tr if td.tag in ("td", "th")] for tr in table.iter("tr")]
            for table in root.iter("table")]


def _as_docx(tables: list[list[tuple[str, int, int]]], path: Path) -> Path:
    """The tables as Word tables, spans as merged cells (gridSpan, vMerge)."""
    import docx

    document = docx.Document()
    for rows in tables:
        taken: set[tuple[int, int]] = set()
        cells = []
        for r, row in enumerate(rows):
            c = 0
            for text, rs, cs in row:
                while (r, c) in taken:
                    c += 1
                taken |= {(r + dr, c + dc) for dr in range(rs) for dc in range(cs)}
                cells.append((r, c, rs, cs, text))
                c += cs
        table = document.add_table(rows=len(rows), cols=max(c for _, c in taken) + 1)
        for r, c, rs, cs, text in cells:
            cell = table.cell(r, c)
            if rs > 1 or cs > 1:
                cell = cell.merge(table.cell(r + rs - 1, c + cs - 1))
            cell.text = text
        document.add_paragraph("表后文字。")
    document.save(path)
    return path


def test_html_and_word_spans_give_the_same_grids(tmp_path):
    """The spanned tables of a 2019-format page, written again as Word tables with merged cells:
    the same grids, colspan copies included (rowspans there are vMerge continuations)."""
    html = load_document(SPANS)
    word = load_document(_as_docx(_html_tables(SPANS), tmp_path / "spans.docx"))
    assert len(html.grids) == 3 and any(isinstance(c, SpanCopy) for g in html.grids for row in g for c in row)
    assert [marked(g) for g in word.grids] == [marked(g) for g in html.grids]
    header = html.grids[1][:3]
    assert [row[0] for row in header] == ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"] * 3


def test_one_data_table_test_for_html_and_word(tmp_path):
    """A one-column table and a table holding a passage are layout boxes in both formats."""
    passage = "本机关认真贯彻落实条例，" * 40  # 480 characters
    tables = [[[("规章", 1, 1), ("0", 1, 1)]], [[("一、总体情况", 1, 1)], [("2024 年共发布信息。", 1, 1)]],
              [[("说明", 1, 1), (passage, 1, 1)]]]
    assert is_data_table([["规章", "0"]]) and not is_data_table([["一、总体情况"]])
    assert not is_data_table([["说明", passage]]) and not is_data_table([])
    page = "".join("<table>" + "".join("<tr>" + "".join(f"<td>{t}</td>" for t, _, _ in row) + "</tr>" for row in rows)
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
