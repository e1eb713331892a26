"""Ingest: turn one input file into one plain text (plus any table grids found on the way).

Plain-text inputs (``.txt``, ``.md`` and anything else that is text) are decoded and kept
exactly as they are, so that offsets index the decoded text. HTML, PDF and DOCX are
converted into one plain text by ``ingest.html``, ``ingest.pdf`` and ``ingest.docx``; the
offsets of a result index that converted text. Bad input never raises: it yields a
``Document`` with ``errors``.

The format is told by content (magic bytes), not by the file name: ``%PDF`` is a PDF, a zip
holding ``word/document.xml`` is a DOCX, text starting with ``<!DOCTYPE html`` / ``<html``
(or holding ``<body``/``<table`` tags near the start) is HTML, other text is text.

Converted text, the same for every converted format:

* paragraphs are separated by a blank line (``"\\n\\n"``); inside a paragraph, hard line
  wraps are joined (see ``join_lines``) and whitespace between two Chinese characters or
  next to full-width punctuation is dropped, other whitespace runs become one space;
* a table is written where it stands, one line per row, cells separated by a tab; a cell
  covered by a rowspan/colspan is written as an empty string there (as a browser or Word
  copies a table), and the table is set off by blank lines.

Grids (``Document.grids``): one per table, rows of cell strings with rowspan/colspan
expanded by **repeating** the spanning cell's text into every slot it covers, so that each
row carries its full row labels (``三、本年度办理结果 | （三）不予公开 | 1.属于国家秘密 | 0 …``)
and each column its full header path. Every row of a grid has the same length. A cell's
text is on one line (inner line breaks joined as in prose).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ..layout import (  # the converters' toolkit, still importable from here
    Document,
    Grid,
    GridBuilder,
    SpanCopy,
    assemble,
    clean_inline,
    grid_rows_text,
    is_data_table,
    join_lines,
)
from .decoding import bomless_utf16, decode_text, decode_text_verbose, looks_garbled

MAX_BYTES = 50 * 1024 * 1024  # a report is a few hundred KB; anything this large is not one
# A DOCX is a zip: its size on disk says little about what it unpacks to (a 2.4 MB file can hold
# 1 GB of XML). The declared sizes are checked before anything is unpacked; zipfile never
# yields more than an entry declares, so the check bounds memory and time.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # all entries together (a report's images included)
MAX_XML_PART_BYTES = 40 * 1024 * 1024  # one XML part: a long report's document.xml is a few MB
MAX_ZIP_ENTRIES = 5000
# The longest real reports run to about 100,000 characters; 20 times that is no report.
MAX_TEXT_CHARS = 2_000_000

KINDS = ("text", "html", "pdf", "docx")


__all__ = [  # the dispatcher's own names, then the converters' toolkit (extractor.layout) and decoding
    "KINDS", "MAX_BYTES", "MAX_TEXT_CHARS", "MAX_UNZIPPED_BYTES", "MAX_XML_PART_BYTES", "MAX_ZIP_ENTRIES",
    "load_document", "sniff_kind", "zip_over_limits",
    "Document", "Grid", "GridBuilder", "SpanCopy", "assemble", "clean_inline", "grid_rows_text", "is_data_table",
    "join_lines",
    "decode_text", "decode_text_verbose",
]


# --- format detection ---------------------------------------------------------------------

_HTML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|meta|body)\b",
                         re.IGNORECASE | re.DOTALL)
_HTML_TAGS = re.compile(rb"<(?:body|table|div|p)\b[^>]*>", re.IGNORECASE)
_OTHER_BINARY = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\xd0\xcf\x11\xe0": "an old Word/Excel (OLE) file; save it as .docx",
    b"{\\rtf": "an RTF file; save it as .docx",
    b"Rar!": "a RAR archive",
    b"\x1f\x8b": "a gzip archive",
    b"7z\xbc\xaf": "a 7z archive",
}


def sniff_kind(data: bytes, path: Path | None = None) -> tuple[str | None, str | None]:
    """Tell the format from the bytes: (kind, None), or (None, why it is not a report)."""
    head = data[:2048]
    if b"%PDF-" in data[:1024]:
        return "pdf", None
    if head.startswith(b"PK\x03\x04"):
        try:
            import io

            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            return None, f"file is a damaged zip archive ({exc})"
        if "word/document.xml" in names:
            return "docx", None
        return None, "file is a zip archive without word/document.xml (not a .docx)"
    for magic, what in _OTHER_BINARY.items():
        if head.startswith(magic):
            return None, f"file is {what}, not a report"
    suffix = (path.suffix.lower() if path else "")
    text_head = _ascii_view(head)
    if _HTML_START.match(text_head):
        return "html", None
    if suffix in (".html", ".htm", ".shtml", ".xhtml") and _HTML_TAGS.search(text_head):
        return "html", None
    if suffix in (".pdf", ".docx"):
        return None, f"file named {suffix} is not a {suffix[1:].upper()} (no {suffix[1:].upper()} signature)"
    return "text", None


def _ascii_view(head: bytes) -> bytes:
    """Bytes to match ASCII markup in, whatever the encoding (UTF-16 drops its zero bytes)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head[2:].replace(b"\x00", b"")
    if head.startswith(b"\xef\xbb\xbf"):
        return head[3:]
    return head


# --- the entry point ----------------------------------------------------------------------

def load_document(path: Path) -> Document:
    """Read one file of any supported format; never raises for bad input."""
    path = Path(path)
    doc = Document()
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return doc.error(f"file is {size} bytes, over the {MAX_BYTES}-byte limit")
        data = path.read_bytes()
    except OSError as exc:
        return doc.error(f"cannot read file: {exc}")
    if not data:
        return doc.error("file is empty")
    kind, why = sniff_kind(data, path)
    if kind is None:
        return doc.error(why or "unknown file format")
    doc.kind = kind
    try:
        if kind == "pdf":
            from .pdf import load_pdf

            return _within_text_limit(load_pdf(data, doc))
        if kind == "docx":
            from .docx import load_docx

            too_big = zip_over_limits(data)
            if too_big:
                return doc.error(too_big)
            return _within_text_limit(load_docx(data, doc))
        if kind == "html":
            from .html import load_html

            return _within_text_limit(load_html(data, doc))
    except Exception as exc:  # a converter bug must not stop a batch
        doc.text, doc.grids = "", []
        return doc.error(f"could not read {kind.upper()}: {type(exc).__name__}: {exc}")
    return _within_text_limit(_load_text(data, doc))


def zip_over_limits(data: bytes) -> str | None:
    """Why a zip-based input (DOCX) is refused before unpacking, or None: declared sizes only."""
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return f"file is a damaged zip archive ({exc})"
    if len(infos) > MAX_ZIP_ENTRIES:
        return f"DOCX holds {len(infos)} entries, over the {MAX_ZIP_ENTRIES}-entry limit"
    total = sum(i.file_size for i in infos)
    if total > MAX_UNZIPPED_BYTES:
        return f"DOCX unpacks to {total} bytes, over the {MAX_UNZIPPED_BYTES}-byte limit"
    for info in infos:
        if info.filename.endswith(".xml") and info.file_size > MAX_XML_PART_BYTES:
            return (f"DOCX part {info.filename} unpacks to {info.file_size} bytes, "
                    f"over the {MAX_XML_PART_BYTES}-byte limit for one XML part")
    return None


def _within_text_limit(doc: Document) -> Document:
    if len(doc.text) > MAX_TEXT_CHARS:
        n = len(doc.text)
        doc.text, doc.grids = "", []
        return doc.error(f"document text is {n} characters, over the {MAX_TEXT_CHARS}-character limit")
    return doc


def _load_text(data: bytes, doc: Document) -> Document:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")) and bomless_utf16(data) is None:
        return doc.error("file is binary, not a text report")
    text, warning, err = decode_text_verbose(data)
    if warning:
        doc.warn(warning)
    if err:
        doc.error(err)
    elif looks_garbled(text):
        return doc.error("file is binary, not a text report (mostly control or replacement characters)")
    doc.text = text
    return doc


