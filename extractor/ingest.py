"""Ingest: turn one input file into one plain text (plus any table grids found on the way).

Plain-text inputs (``.txt``, ``.md`` and anything else that is text) are decoded and kept
exactly as they are, so that offsets index the decoded text. HTML, PDF and DOCX are
converted into one plain text by ``ingest_html``, ``ingest_pdf`` and ``ingest_docx``; the
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
from dataclasses import dataclass, field
from pathlib import Path

from charset_normalizer import from_bytes

from .models import ErrorEntry

# A table as cells: rows of cell texts (rowspan/colspan expanded by repeating the text).
Grid = list[list[str]]


class SpanCopy(str):
    """The text of a grid slot a cell covers by its colspan, right of the cell's own slot.

    It is still the cell's text (a plain ``str`` to every reader), so a grid stays a grid of
    strings; the table reader uses the type to tell one spanned cell from equal cells side by
    side (``0`` spanning two columns is one cell, not ``0 | 0``).
    """

    __slots__ = ()

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


@dataclass
class Document:
    text: str = ""
    kind: str = "text"
    grids: list[Grid] = field(default_factory=list)
    errors: list[ErrorEntry] = field(default_factory=list)
    warnings: list[ErrorEntry] = field(default_factory=list)

    def error(self, message: str) -> Document:
        self.errors.append(ErrorEntry(stage="ingest", message=message))
        return self

    def warn(self, message: str) -> Document:
        """Something was repaired on the way in (the document is still read in full)."""
        self.warnings.append(ErrorEntry(stage="ingest", message=message))
        return self


# --- decoding -----------------------------------------------------------------------------

# A UTF-8 file may carry a few stray bytes (a cut multi-byte character, one byte of another
# encoding pasted in): when no more than this share of its non-ASCII bytes is invalid, it is
# read as UTF-8 with replacement characters rather than lost. A GBK or Big5 file read as UTF-8
# is invalid in nearly all its non-ASCII bytes, so the two cannot be confused.
STRAY_BYTE_SHARE = 0.01
# Double-byte Chinese encodings: a Big5 file often decodes without error as GB18030 (as
# garbage), so when both decode, charset-normalizer's coherence measure chooses.
CJK_LEGACY_ENCODINGS = ("gb18030", "big5")
_HIGH_BYTES = bytes(range(0x80, 0x100))


def decode_text(data: bytes) -> tuple[str, str | None]:
    """Decode bytes of a text file; returns (text, error message or None)."""
    text, _warning, error = decode_text_verbose(data)
    return text, error


def decode_text_verbose(data: bytes) -> tuple[str, str | None, str | None]:
    """Decode bytes of a text file: (text, warning or None, error or None).

    Tried in order: a byte-order mark; strict UTF-8; UTF-16 without a mark (zero bytes on one
    parity); UTF-8 with a few stray bytes (replaced, counted in the warning); GB18030 or Big5
    (both decodable: charset-normalizer chooses); charset-normalizer's best guess.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return _decode_counting(data[3:], "utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode_counting(data, "utf-16")
    try:
        return data.decode("utf-8"), None, None
    except UnicodeDecodeError:
        pass
    utf16 = _bomless_utf16(data)
    if utf16 is not None:
        return utf16, None, None
    non_ascii = len(data) - len(data.translate(None, _HIGH_BYTES))
    replaced = data.decode("utf-8", errors="replace")
    bad = replaced.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd")
    if bad <= max(1, non_ascii * STRAY_BYTE_SHARE):
        return replaced, _replaced_warning(bad, "UTF-8"), None
    decoded = {}
    for encoding in CJK_LEGACY_ENCODINGS:
        try:
            decoded[encoding] = data.decode(encoding)
        except UnicodeDecodeError:
            continue
    if len(decoded) == 1:
        return next(iter(decoded.values())), None, None
    if len(decoded) > 1:
        best = from_bytes(data, cp_isolation=list(decoded)).best()
        encoding = best.encoding if best is not None else CJK_LEGACY_ENCODINGS[0]
        for name, text in decoded.items():
            if _same_codec(name, encoding):
                return text, None, None
        return decoded[CJK_LEGACY_ENCODINGS[0]], None, None
    best = from_bytes(data).best()
    if best is not None:
        return str(best), None, None
    # Nothing decodes cleanly: keep the encoding that loses the fewest bytes, if that is few.
    fewest = min(("utf-8", *CJK_LEGACY_ENCODINGS), key=lambda enc: data.decode(enc, errors="replace").count("\ufffd"))
    text, warning, _ = _decode_counting(data, fewest)
    if text.count("\ufffd") <= max(8, len(text) // 100):
        return text, warning, None
    return "", None, "could not detect the text encoding"


def _decode_counting(data: bytes, encoding: str) -> tuple[str, str | None, str | None]:
    text = data.decode(encoding, errors="replace")
    bad = text.count("\ufffd") - data.decode(encoding, errors="ignore").count("\ufffd")
    return text, _replaced_warning(bad, encoding.upper()), None


def _replaced_warning(bad: int, encoding: str) -> str | None:
    if bad <= 0:
        return None
    return f"{bad} invalid {encoding} byte sequence{'s' if bad != 1 else ''} replaced by U+FFFD"


def _same_codec(a: str, b: str) -> bool:
    import codecs

    try:
        return codecs.lookup(a).name == codecs.lookup(b).name
    except LookupError:
        return False


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a byte-order mark: the zero bytes of ASCII characters (digits, line
    breaks, spaces — every report has them) all fall on one parity. None when it is not so."""
    head = data[:8192]
    even = head[0::2].count(0)
    odd = head[1::2].count(0)
    # (a Chinese character may hold a zero byte too — 一 is U+4E00 — so one parity dominates,
    # it need not be alone)
    if len(data) % 2 or even + odd < 4 or min(even, odd) * 4 > max(even, odd):
        return None
    encoding = "utf-16-le" if odd > even else "utf-16-be"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    return None if _looks_garbled(text) else text


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
            from .ingest_pdf import load_pdf

            return _within_text_limit(load_pdf(data, doc))
        if kind == "docx":
            from .ingest_docx import load_docx

            too_big = zip_over_limits(data)
            if too_big:
                return doc.error(too_big)
            return _within_text_limit(load_docx(data, doc))
        if kind == "html":
            from .ingest_html import load_html

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
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")) and _bomless_utf16(data) is None:
        return doc.error("file is binary, not a text report")
    text, warning, err = decode_text_verbose(data)
    if warning:
        doc.warn(warning)
    if err:
        doc.error(err)
    elif _looks_garbled(text):
        return doc.error("file is binary, not a text report (mostly control or replacement characters)")
    doc.text = text
    return doc


# Control characters other than line and page breaks, and replacement characters.
_GARBLE_CHAR = re.compile(r"[\x00-\x08\x0e-\x1f\ufffd]")


def _looks_garbled(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return False
    return len(_GARBLE_CHAR.findall(sample)) > max(8, len(sample) // 20)


# --- shared by the converters: inline text, line joining, tables as text --------------------

# Chinese characters and full-width punctuation: no space belongs between two of them.
_CJK = r"\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_FULLWIDTH_PUNCT = r"\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2018-\u201f\u2026\u2014\u00b7"
_WS = r"[ \t\u00a0\u3000\u2002-\u200b\ufeff]"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}]){_WS}+(?=[{_CJK}])")
_SPACE_AT_PUNCT = re.compile(rf"{_WS}+(?=[{_FULLWIDTH_PUNCT}])|(?<=[{_FULLWIDTH_PUNCT}]){_WS}+")
_WS_RUN = re.compile(rf"{_WS}+")
_WIDE_CHAR = re.compile(rf"[{_CJK}{_FULLWIDTH_PUNCT}]")
_PUNCT_CHAR = re.compile(rf"[{_FULLWIDTH_PUNCT}]")


def clean_inline(s: str) -> str:
    """One line of text: whitespace runs → one space; none between Chinese characters or
    next to full-width punctuation (``邮 编 ： 223100 ，`` → ``邮编：223100，``)."""
    s = s.replace("\r", " ").replace("\n", " ")
    s = _SPACE_AT_PUNCT.sub("", s)
    s = _SPACE_BETWEEN_CJK.sub("", s)
    return _WS_RUN.sub(" ", s).strip()


def join_lines(lines: list[str]) -> str:
    """Join the hard-wrapped lines of one paragraph (or one table cell).

    Between two Chinese characters (or next to full-width punctuation) nothing is inserted;
    between a number and a Chinese measure word one space, as such text is set inline in
    these reports (``常务会议 7`` + ``期`` → ``常务会议 7 期``, like ``1136 条``); between two
    ASCII words one space, except inside a number or an address split by the wrap
    (``0517-`` + ``87222589``, ``hzzwgk@`` + ``126.com``).
    """
    out = ""
    for raw in lines:
        line = clean_inline(raw)
        if not line:
            continue
        if out:
            out += _wrap_separator(out[-1], line[0]) + line
        else:
            out = line
    return out


def _wrap_separator(a: str, b: str) -> str:
    """What stands between the last character of a line and the first of the next."""
    wide_a, wide_b = bool(_WIDE_CHAR.match(a)), bool(_WIDE_CHAR.match(b))
    if wide_a and wide_b or _PUNCT_CHAR.match(a) or _PUNCT_CHAR.match(b):
        return ""
    if wide_a or wide_b:  # Chinese next to a number or a Latin word
        return " " if (a.isascii() and a.isalnum() or b.isascii() and b.isalnum() or a == "%") else ""
    if a.isdigit() and b.isdigit() or a in "-/@._:（(" or b in "-/@._:%)）,.;":
        return ""
    return " "


def grid_from_slots(slots: dict[tuple[int, int], tuple[str, bool]], n_rows: int) -> tuple[Grid, list[list[str]]]:
    """Span-expanded cells (row, column) → (text, is the span's own cell) as a grid and as text rows.

    The grid repeats a spanned cell's text in every slot it covers; the text rows keep it only
    in its own cell, as a printed table shows it. Empty rows are dropped.
    """
    if not slots:
        return [], []
    width = max(c for _, c in slots) + 1
    grid: Grid = []
    text_rows: list[list[str]] = []
    for r in range(n_rows):
        cells = [slots.get((r, c), ("", True)) for c in range(width)]
        if not any(t for t, _ in cells):
            continue
        grid.append([t for t, _ in cells])
        text_rows.append([t if origin else "" for t, origin in cells])
    return grid, text_rows


def grid_rows_text(rows: list[list[str]]) -> str:
    """A table as text: one line per row, cells separated by a tab (cells are one line)."""
    return "\n".join("\t".join(c.replace("\t", " ").replace("\n", " ") for c in row) for row in rows)


def assemble(blocks: list[tuple[str, str]]) -> str:
    """Blocks (``("p", paragraph)`` or ``("table", rows text)``) → the document text."""
    parts = [text for _, text in blocks if text.strip()]
    return "\n\n".join(parts).strip("\n") + ("\n" if parts else "")
