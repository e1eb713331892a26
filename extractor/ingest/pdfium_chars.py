"""Characters of a PDF page read with PDFium (pypdfium2), shaped like pdfplumber's.

pdfminer interprets a page's content in Python (70–100 ms a page); PDFium reads the same
characters in C (2–3 ms). This module gives, for a page PDFium can read on its own, the
characters as pdfplumber would: ``text``, ``x0``/``x1``, ``top``/``bottom`` (from the top of
the page, the box pdfminer draws: the baseline's descent up by the font size), ``size``,
``fontname``, ``upright``. A page it cannot vouch for returns None and is read by pdfplumber:
a page with visible ruling (a table: its cell boxes need pdfplumber's table finder), a page
with characters not set upright, a rotated page, a page whose media box is not at the origin.
"""

from __future__ import annotations

import ctypes
import math
import os

WHITE = 250  # a colour channel at or above this (of 255) is white: WPS boxes behind prose


def open_document(data: bytes):
    """The PDFium document, or None when PDFium cannot open it (pdfplumber reports why)."""
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except Exception:  # damaged or encrypted: the pdfplumber path gives the message
        return None


def page_chars(document, index: int) -> list[dict] | None:
    """pdfplumber-shaped characters of page ``index``, or None when pdfplumber must read it."""
    import pypdfium2.raw as raw

    page = document[index]
    try:
        left, bottom, _right, top_of_page = page.get_mediabox()
        if page.get_rotation() or left or bottom or _has_visible_ruling(page, raw):
            return None
        textpage = page.get_textpage()
        try:
            return _chars(textpage, raw, top_of_page)
        finally:
            textpage.close()
    finally:
        page.close()


def _chars(textpage, raw, height: float) -> list[dict] | None:
    chars: list[dict] = []
    matrix = raw.FS_MATRIX()
    name = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    for i in range(textpage.count_chars()):
        if raw.FPDFText_IsGenerated(textpage.raw, i) == 1:  # spaces and breaks PDFium adds
            continue
        code = raw.FPDFText_GetUnicode(textpage.raw, i)
        if code in (0, 0xFFFD, 0xFFFE, 0xFFFF):
            return None  # a glyph without a known character: pdfminer's ``(cid:N)`` differs
        raw.FPDFText_GetMatrix(textpage.raw, i, matrix)
        if abs(matrix.b) > 1e-6 or abs(matrix.c) > 1e-6 or matrix.a <= 0 or matrix.d <= 0:
            return None  # turned, mirrored or slanted text: pdfplumber turns such pages upright
        x0, y0, x1, _y1 = textpage.get_charbox(i, loose=True)  # PDF space, y upwards
        size = raw.FPDFText_GetFontSize(textpage.raw, i) * math.hypot(matrix.c, matrix.d)
        raw.FPDFText_GetFontInfo(textpage.raw, i, name, len(name), flags)
        bottom = height - y0
        top = bottom - size
        chars.append({"object_type": "char", "text": chr(code), "x0": x0, "x1": x1, "top": top,
                      "bottom": bottom, "doctop": top, "width": x1 - x0, "height": size, "size": size,
                      "fontname": name.value.decode("utf-8", "replace"), "upright": True})
    return chars


def _has_visible_ruling(page, raw) -> bool:
    """Any path stroked, or filled in a colour other than white (the ruling of a table)."""
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    rgba = [ctypes.c_uint() for _ in range(4)]
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH]):
        raw.FPDFPath_GetDrawMode(obj.raw, fill, stroke)
        if stroke.value:
            return True  # pdfplumber keeps every stroked line, whatever its colour
        if fill.value:
            if not raw.FPDFPageObj_GetFillColor(obj.raw, *rgba):
                return True
            if not all(c.value >= WHITE for c in rgba[:3]):
                return True
    return False


BACKEND_ENV = "XXGK_PDF_BACKEND"  # "pdfplumber": every page read by pdfplumber (the former reader)


def fast_backend() -> bool:
    """Whether prose pages are read by PDFium: the default (identical output on every PDF we
    have, tests/test_pdf_backends.py); ``XXGK_PDF_BACKEND=pdfplumber`` reads all with pdfplumber."""
    return os.environ.get(BACKEND_ENV, "").strip().lower() != "pdfplumber"


def page_width(document, index: int) -> float:
    page = document[index]
    try:
        return float(page.get_width())
    finally:
        page.close()
