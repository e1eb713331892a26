"""Ingest: turn one input file into one plain text (plus any table grids found on the way).

Plain-text inputs are decoded and kept exactly as they are, so that offsets index the
decoded text. Bad input never raises: it yields a ``Document`` with ``errors``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from charset_normalizer import from_bytes

from .models import ErrorEntry

# A table as cells: rows of cell texts (after rowspan/colspan expansion for HTML).
Grid = list[list[str]]

MAX_BYTES = 50 * 1024 * 1024  # a report is a few hundred KB; anything this large is not one


@dataclass
class Document:
    text: str = ""
    kind: str = "text"
    grids: list[Grid] = field(default_factory=list)
    errors: list[ErrorEntry] = field(default_factory=list)


def decode_text(data: bytes) -> tuple[str, str | None]:
    """Decode bytes of a text file; returns (text, error message or None)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), None
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is a superset of GBK and GB2312: the usual encoding of older Chinese pages.
        return data.decode("gb18030"), None
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        return "", "could not detect the text encoding"
    return str(best), None


def load_document(path: Path) -> Document:
    path = Path(path)
    doc = Document()
    try:
        size = path.stat().st_size
    except OSError as exc:
        doc.errors.append(ErrorEntry(stage="ingest", message=f"cannot read file: {exc}"))
        return doc
    if size > MAX_BYTES:
        doc.errors.append(ErrorEntry(stage="ingest", message=f"file is {size} bytes, over the {MAX_BYTES}-byte limit"))
        return doc
    data = path.read_bytes()
    if not data:
        doc.errors.append(ErrorEntry(stage="ingest", message="file is empty"))
        return doc
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        doc.errors.append(ErrorEntry(stage="ingest", message="file is binary, not a text report"))
        return doc
    text, err = decode_text(data)
    if err:
        doc.errors.append(ErrorEntry(stage="ingest", message=err))
    doc.text = text
    return doc
