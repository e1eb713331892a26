"""Word files (.docx, python-docx): paragraphs and tables in document order.

The body is walked in order (content controls ``w:sdt`` included); each paragraph is one
paragraph of the text (whitespace normalised by ``clean_inline``), each table is written as
tab-separated rows and kept as a grid (a one-column table or one with a cell of more than 400
characters is a layout box: its paragraphs are read as prose) (see ``extractor.ingest`` for the conventions).
Merged cells are read from the XML: ``w:gridSpan`` (colspan) and ``w:vMerge`` (rowspan, a
``continue`` cell takes the text of the cell above); ``w:gridBefore`` shifts a row right.
Numbers that Word's automatic list numbering draws are not part of the text (they are not in
the file's text either); reports type their headings' numbers, as a rule.
"""

from __future__ import annotations

import io

from ..layout import (
    Document,
    Grid,
    GridBuilder,
    assemble,
    clean_inline,
    grid_rows_text,
    is_data_table,
    join_lines,
)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def load_docx(data: bytes, doc: Document) -> Document:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        return doc.error(f"DOCX is damaged or unreadable: {type(exc).__name__}: {exc}")
    blocks: list[tuple[str, str]] = []
    _walk(document.element.body, blocks, doc.grids)
    doc.text = assemble(blocks)
    if not doc.text.strip():
        doc.error("DOCX has no text")
    return doc


def _walk(parent, blocks: list[tuple[str, str]], grids: list[Grid]) -> None:
    for child in parent.iterchildren():
        tag = child.tag
        if tag == f"{W}p":
            text = clean_inline(_paragraph_text(child))
            if text:
                blocks.append(("p", text))
        elif tag == f"{W}tbl":
            grid, text_rows = _table_grid(child)
            if is_data_table(grid):
                grids.append(grid)
                blocks.append(("table", grid_rows_text(text_rows)))
            else:  # a layout box (one column, or a passage in a cell): its paragraphs
                for tc in child.iter(f"{W}tc"):
                    _walk(tc, blocks, grids)
        elif tag in (f"{W}sdt", f"{W}sdtContent", f"{W}customXml", f"{W}ins", f"{W}smartTag"):
            _walk(child, blocks, grids)


def _paragraph_text(p) -> str:
    """The text of a ``w:p``: runs, tabs as spaces, breaks as line breaks (deleted text left out)."""
    out: list[str] = []
    for el in p.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr", f"{W}delText", f"{W}noBreakHyphen"):
        tag = el.tag
        if tag == f"{W}t":
            out.append(el.text or "")
        elif tag == f"{W}tab":
            out.append(" ")
        elif tag in (f"{W}br", f"{W}cr"):
            out.append("\n")
        elif tag == f"{W}noBreakHyphen":
            out.append("-")
    return "".join(out)


def _cell_text(tc) -> str:
    lines: list[str] = []
    for p in tc.iter(f"{W}p"):
        lines += _paragraph_text(p).split("\n")
    return join_lines(lines)


def _int_attr(el, name: str, default: int) -> int:
    if el is None:
        return default
    try:
        return max(1, int(el.get(f"{W}{name}", default)))
    except (TypeError, ValueError):
        return default


def _table_grid(tbl) -> tuple[Grid, list[list[str]]]:
    """(grid with merged text repeated, rows for the text with merged slots empty)."""
    builder = GridBuilder()
    rows = tbl.findall(f"{W}tr")
    for r, tr in enumerate(rows):
        tr_pr = tr.find(f"{W}trPr")
        c = _int_attr(tr_pr.find(f"{W}gridBefore") if tr_pr is not None else None, "val", 0)
        for tc in tr.findall(f"{W}tc"):
            tc_pr = tc.find(f"{W}tcPr")
            span = _int_attr(tc_pr.find(f"{W}gridSpan") if tc_pr is not None else None, "val", 1)
            vmerge = tc_pr.find(f"{W}vMerge") if tc_pr is not None else None
            continues = vmerge is not None and vmerge.get(f"{W}val", "continue") == "continue"
            above = builder.text_at(r - 1, c) if continues else None
            if above is not None:  # a vMerge continuation: the merged cell's text, not its own slot
                builder.place(r, c, above, colspan=span, own=False)
            else:
                builder.place(r, c, _cell_text(tc), colspan=span)
            c += span
    return builder.build()
