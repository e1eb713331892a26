"""Characters of a PDF page read with PDFium (pypdfium2), shaped like pdfplumber's.

pdfminer interprets a page's content in Python (70–100 ms a page); PDFium reads the same
characters in C (2–3 ms). This module gives, for a page PDFium can read on its own, the
characters as pdfplumber would: ``text``, ``x0``/``x1``, ``top``/``bottom`` (from the top of
the page, the box pdfminer draws: the baseline's descent up by the font size), ``size``,
``fontname``, ``upright``; and the page's visible ruling as pdfplumber's edges
(``extractor.ingest.pdfium_ruling``), which pdfplumber's table finder turns into cell boxes.
A page it cannot vouch for returns None and is read by pdfplumber: a page with characters not
set upright, a rotated page, a page whose media box is not at the origin, a page whose ruling
PDFium's reading does not cover (a form XObject), a page with a text object PDFium's text page
leaves out (one of no width: ``pdfium_ruling``).
"""

from __future__ import annotations

import ctypes
import math
import os
import re
import struct
from dataclasses import dataclass
from operator import itemgetter

from .pdfium_calls import address, lean
from .pdfium_ruling import page_ruling

# A glyph's box is at most this many times its font size across (a wide glyph, a tall font).
# PDFium gives a glyph of a vertical font (Identity-V, set top to bottom) a box of its unscaled
# size, twenty times that and more, where pdfminer places it otherwise: pdfplumber reads the page.
BOX_TO_SIZE = 3


# What PDFium puts between words and lines of its own accord (CPDF_TextPage's generated
# characters): a space, a carriage return, a line feed.
GENERATED_CODES = frozenset((0x20, 0x0D, 0x0A))
GENERATED_CHARS = frozenset(map(chr, GENERATED_CODES))
# A glyph PDFium knows no character for: NUL and the non-characters, and a control character (C0
# but tab and line ends, DEL, C1), which PDFium gives as the glyph's code where the font maps the
# code to no character (no ToUnicode, no encoding entry) and pdfminer writes ``(cid:N)``
UNKNOWN_CHARS = frozenset("\x00\ufffd\ufffe\uffff") | frozenset(
    chr(c) for c in (*range(0x01, 0x20), *range(0x7F, 0xA0)) if chr(c) not in "\t\n\r")
_SPECIAL_CHARS = GENERATED_CHARS | UNKNOWN_CHARS
_SURROGATE = re.compile("[\ud800-\udfff]")

# After this many text objects, a page whose characters have not been at least two an object
# on average reads each character's style on its own (asking for the object costs as much).
SHARED_STYLE_TRIAL = 32


def open_document(data: bytes):
    """The PDFium document, or None when PDFium cannot open it (pdfplumber reports why)."""
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except Exception:  # damaged or encrypted: the pdfplumber path gives the message
        return None


@dataclass
class FastPage:
    """What the PDF reader needs of a page, read by PDFium."""

    chars: list[dict]  # pdfplumber-shaped
    ruling: list[dict]  # pdfplumber-shaped edges of the visible ruling (none: a page of prose)
    width: float
    height: float
    media_height: float  # the height of the media box (at the origin): pdfplumber's page height


def read_page(document, index: int) -> FastPage | None:
    """Characters and ruling of page ``index``, or None when pdfplumber must read it."""
    import pypdfium2.raw as raw

    page = document[index]
    try:
        left, bottom, right, top_of_page = page.get_mediabox()
        if page.get_rotation() or left or bottom:
            return None
        ruling = page_ruling(page, raw)
        if ruling is None:
            return None
        textpage = page.get_textpage()
        try:
            chars = _chars(textpage, raw, top_of_page)
        finally:
            textpage.close()
        if chars is None:
            return None
        return FastPage(chars, ruling, float(page.get_width()), float(page.get_height()), float(top_of_page))
    finally:
        page.close()


def media_height(document, index: int) -> float:
    """The height of page ``index``'s media box (as pdfplumber gives a page's height; 0.0 when
    PDFium cannot load the page)."""
    try:
        page = document[index]
    except Exception:
        return 0.0
    try:
        left, bottom, right, top = page.get_mediabox()
        return float(abs(top - bottom))
    finally:
        page.close()


def page_chars(document, index: int) -> list[dict] | None:
    """pdfplumber-shaped characters of page ``index``, or None when pdfplumber must read it."""
    fast = read_page(document, index)
    return fast.chars if fast is not None else None


def _chars(textpage, raw, height: float) -> list[dict] | None:
    chars: list[dict] = []
    box = raw.FS_RECTF()
    unpack_box = struct.Struct("4f").unpack_from  # FS_RECTF's four c_float fields read at once
    # PDFium's functions bound once and called with plain numbers (pdfium_calls): this loop runs
    # for every character of the document
    page, box_at = address(textpage.raw), ctypes.addressof(box)
    is_generated = lean(raw, "FPDFText_IsGenerated", ctypes.c_int, ctypes.c_void_p, ctypes.c_int)
    unicode_of = lean(raw, "FPDFText_GetUnicode", ctypes.c_uint, ctypes.c_void_p, ctypes.c_int)
    box_of = lean(raw, "FPDFText_GetLooseCharBox", ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p)
    object_of = lean(raw, "FPDFText_GetTextObject", ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)
    style_of = _style_reader(page, raw)
    # a character's matrix, font size and font are its text object's: read once an object,
    # unless the page sets most characters in an object of their own (WPS): read for each
    styles: dict[int | None, tuple[float, str] | None] = {}
    read = 0
    count = textpage.count_chars()
    text = _page_text(textpage.raw, raw, count)
    if text is None:
        text = [chr(unicode_of(page, i)) for i in range(count)]
    for i, char in enumerate(text):
        if char in _SPECIAL_CHARS:  # (one test for most characters)
            # spaces and line breaks PDFium adds (it adds no other character: asked only for those)
            if char in GENERATED_CHARS and is_generated(page, i) == 1:
                continue
            if char in UNKNOWN_CHARS:
                return None  # a glyph without a known character: pdfminer's ``(cid:N)`` differs
        key = object_of(page, i) if object_of is not None else None
        style = styles.get(key, False) if key else False
        if style is False:
            style = style_of(i)
            read += 1
            if key:
                styles[key] = style
                if read == SHARED_STYLE_TRIAL and len(chars) < 2 * SHARED_STYLE_TRIAL:
                    object_of = None  # nearly an object a character so far: not worth asking
        if style is None:
            return None  # turned, mirrored or slanted text: pdfplumber turns such pages upright
        size, fontname = style
        if not box_of(page, i, box_at):  # PDF space, y upwards
            return None
        x0, y1, x1, y0 = unpack_box(box)  # left, top, right, bottom: the floats its fields give
        if x1 - x0 > BOX_TO_SIZE * size or y1 - y0 > BOX_TO_SIZE * size:
            return None  # vertical writing (a CJK font set top to bottom): PDFium's box is not pdfminer's
        bottom = height - y0
        top = bottom - size
        chars.append({"object_type": "char", "text": char, "x0": x0, "x1": x1, "top": top,
                      "bottom": bottom, "doctop": top, "width": x1 - x0, "height": size, "size": size,
                      "fontname": fontname, "upright": True})
    return chars


def _style_reader(page: int, raw):
    """A function giving the font size (scaled by the character's matrix) and font name of
    character ``i`` of the text page at address ``page``, or None when its matrix is turned,
    mirrored or slanted."""
    matrix, name, flags = raw.FS_MATRIX(), ctypes.create_string_buffer(256), ctypes.c_int()
    matrix_at, name_at, flags_at = ctypes.addressof(matrix), ctypes.addressof(name), ctypes.addressof(flags)
    # PDFium writes into these buffers by their plain addresses: ``style`` must hold every one of
    # them, or one it does not read (``flags``) is freed when this function returns and PDFium
    # writes into freed memory (a crash some runs later); a default argument holds them
    held = (matrix, name, flags)
    matrix_of = lean(raw, "FPDFText_GetMatrix", ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p)
    size_of = lean(raw, "FPDFText_GetFontSize", ctypes.c_double, ctypes.c_void_p, ctypes.c_int)
    font_of = lean(raw, "FPDFText_GetFontInfo", ctypes.c_ulong, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p,
                    ctypes.c_ulong, ctypes.c_void_p)
    hypot = math.hypot

    def style(i: int, _held: tuple = held) -> tuple[float, str] | None:
        matrix_of(page, i, matrix_at)
        if abs(matrix.b) > 1e-6 or abs(matrix.c) > 1e-6 or matrix.a <= 0 or matrix.d <= 0:
            return None
        size = size_of(page, i) * hypot(matrix.c, matrix.d)
        font_of(page, i, name_at, 256, flags_at)
        fontname = _FONTNAMES.get(name.value)
        if fontname is None:
            fontname = _FONTNAMES[name.value] = name.value.decode("utf-8", "replace")
        return size, fontname

    return style


_FONTNAMES: dict[bytes, str] = {}


def _page_text(page, raw, count: int) -> str | None:
    """Every character of the page in one call (``FPDFText_GetText``, UTF-16), one a string
    index: what ``FPDFText_GetUnicode`` gives one by one, while the page holds no character
    outside the Basic Multilingual Plane (two UTF-16 units for one index); else None."""
    buffer = (ctypes.c_ushort * (count + 1))()
    if raw.FPDFText_GetText(page, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort))) != count + 1:
        return None
    text = bytes(buffer)[:2 * count].decode("utf-16-le", "surrogatepass")
    if len(text) != count or _SURROGATE.search(text):
        return None
    return text


_DEDUPE_KEY = itemgetter("upright", "text", "fontname", "size")


def dedupe_chars(chars: list[dict], tolerance: float = 1) -> list[dict]:
    """``pdfplumber.utils.dedupe_chars`` (a character drawn twice, for a bold effect, kept once):
    the same characters in the same order, in linear rather than quadratic time. As there,
    characters of the same text, font and size are clustered by ``doctop``, then by ``x0``
    (values chained within ``tolerance``), and each cluster keeps its first by position (then
    by order); pdfplumber then orders what it keeps by ``chars.index`` (a search for each),
    here by index. Each group of two or more is sorted by ``doctop`` (stable: ties in page
    order, as sorting the whole page once would leave them)."""
    groups: dict[tuple, list[int]] = {}
    for i, key in enumerate(map(_DEDUPE_KEY, chars)):
        groups.setdefault(key, []).append(i)
    doctops = [c["doctop"] for c in chars]
    kept: list[int] = []
    rows: list[list[int]] = []  # a group's rows of two or more
    for members in groups.values():
        if len(members) == 1:
            kept += members
            continue
        # in page order, sorted by doctop (stable): as sorting the page once would order them;
        # cut into rows wherever a doctop exceeds the one before by more than the tolerance
        members.sort(key=doctops.__getitem__)
        row = [members[0]]
        last = doctops[row[0]]
        for i in members[1:]:
            value = doctops[i]
            if value > last + tolerance:
                if len(row) == 1:
                    kept += row
                else:
                    rows.append(row)
                row = [i]
            else:
                row.append(i)
            last = value
        if len(row) == 1:
            kept += row
        else:
            rows.append(row)
    for row in rows:
        for same in _chains(row, "x0", chars, tolerance):
            kept.append(same[0] if len(same) == 1 else min(same, key=lambda i: (chars[i]["doctop"], chars[i]["x0"], i)))
    kept.sort()
    return [chars[i] for i in kept]


def _chained_sorted(ordered: list[int], values: list[float] | dict[int, float], tolerance: float) -> list[list[int]]:
    """``ordered`` (sorted by ``values``) cut wherever a value exceeds the one before by more
    than ``tolerance``."""
    groups = [[ordered[0]]]
    last = values[ordered[0]]
    for i in ordered[1:]:
        value = values[i]
        if value > last + tolerance:
            groups.append([i])
        else:
            groups[-1].append(i)
        last = value
    return groups


def _chains(items: list[int], attr: str, chars: list[dict], tolerance: float) -> list[list[int]]:
    """``items`` grouped as pdfplumber's ``cluster_objects`` groups them by ``attr``: sorted by
    it, a new group wherever a value exceeds the one before by more than ``tolerance``."""
    values = {i: chars[i][attr] for i in items}
    return _chained_sorted(sorted(items, key=values.__getitem__), values, tolerance)


BACKEND_ENV = "XXGK_PDF_BACKEND"  # "pdfplumber": every page read by pdfplumber (the former reader)


def fast_backend() -> bool:
    """Whether prose pages are read by PDFium: the default (identical output on every PDF we
    have, tests/test_pdf_backends.py); ``XXGK_PDF_BACKEND=pdfplumber`` reads all with pdfplumber."""
    return os.environ.get(BACKEND_ENV, "").strip().lower() != "pdfplumber"
