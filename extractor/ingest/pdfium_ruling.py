"""The visible ruling of a PDF page read with PDFium (pypdfium2), as pdfplumber's edges.

pdfplumber's table finder needs only the page's edges (its lines, the sides of its rectangles,
the segments of its other paths); pdfminer takes 70–140 ms a page to interpret the content that
holds them, PDFium a few. Here each path object PDFium reads is cut into subpaths and sorted
the way pdfminer's ``paint_path`` sorts them (a single segment is a line; four segments closing
an axis-aligned box a rectangle; anything else a curve, with one point per segment: the end
of a Bézier curve), and each is turned into edges the way pdfplumber does (``line_to_edge``,
``rect_to_edges``, ``curve_to_edges``). As for ``extractor.ingest.pdf``'s reading of the page,
rectangles and curves neither stroked nor filled in a visible colour are left out (lines are
kept whatever their colour). Coordinates are PDFium's (single precision): they agree with
pdfminer's to a thousandth of a point.

A page holding a form XObject, a path segment of a kind we do not know, or a text object PDFium
leaves out of its text page returns None: the caller reads that page with pdfplumber. PDFium's
text page skips a text object less than 0.01 pt wide (its width is its glyphs' boxes'), where
pdfminer reads its characters all the same: an object of spaces only (a space's glyph is blank:
"12 345" set an object a piece would read "12345"), and, on a machine with no CJK font to stand
in for a CJK font the PDF does not embed, an object of one CJK character (a title's last, a
narrow cell's label set a character a line).
"""

from __future__ import annotations

import ctypes
from typing import Any

from .pdfium_calls import address, lean

WHITE = 250  # a colour channel at or above this (of 255) is white: WPS boxes behind prose

Point = tuple[float, float]
Edge = dict[str, Any]


def page_ruling(page: Any, raw: Any) -> list[Edge] | None:
    """pdfplumber-shaped edges of the visible ruling of a ``pypdfium2`` page (y from the top),
    in pdfplumber's order (lines, then rectangles' sides, then curves' segments): none for a
    page of prose (no path stroked, none filled in a colour other than white: WPS puts a white
    box behind every line of prose); None when the page holds something this reading does not
    cover."""
    paths = []
    # every object's kind asked with plain addresses (no pypdfium2 wrapper or conversion: a page
    # of WPS prose holds an object a character), and each path read so (_PathCalls)
    handle = address(page.raw)
    get_object = lean(raw, "FPDFPage_GetObject", ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)
    type_of = lean(raw, "FPDFPageObj_GetType", ctypes.c_int, ctypes.c_void_p)
    laid_out = _LaidOut(raw)
    for i in range(raw.FPDFPage_CountObjects(page.raw)):
        obj = get_object(handle, i)
        kind = type_of(obj)
        if kind == raw.FPDF_PAGEOBJ_FORM:
            return None  # pdfminer reads a form's paths in the form's space: not done here
        if kind == raw.FPDF_PAGEOBJ_PATH:
            paths.append(obj)  # its address: the path's calls below take plain addresses too
        elif kind == raw.FPDF_PAGEOBJ_TEXT and not laid_out(obj):
            return None  # its characters are missing from PDFium's text page, not from pdfminer's
    calls = _PathCalls(raw)
    if not _any_ruling(paths, calls):
        return []
    height = float(page.get_height())
    lines: list[list[Point]] = []
    rects: list[list[Point]] = []
    curves: list[list[Point]] = []
    fill, stroke = calls.fill, calls.stroke
    for obj in paths:
        calls.draw_mode(obj, calls.fill_at, calls.stroke_at)
        visible = bool(stroke.value and calls.coloured(calls.stroke_colour, obj)
                       or fill.value and calls.coloured(calls.fill_colour, obj))
        subpaths = _subpaths(obj, raw, calls)
        if subpaths is None:
            return None
        for shape, pts in subpaths:
            kind = _kind(shape, pts)
            if kind == "line":
                lines.append(pts[:2])
            elif visible:
                (rects if kind == "rect" else curves).append(pts)
    edges = [_line_edge(pts, height) for pts in lines]
    for pts in rects:
        edges += _rect_edges(pts, height)
    for pts in curves:
        edges += _curve_edges(pts, height)
    return edges


class _LaidOut:
    """Whether PDFium laid out a text object (module docstring): its bounds have a width.
    PDFium's text page skips an object narrower than a hundredth of a point (CPDF_TextPage's
    ProcessTextObject), whatever its font; pdfminer reads its characters all the same."""

    MIN_WIDTH = 0.01  # CPDF_TextPage's

    def __init__(self, raw: Any):
        void = ctypes.c_void_p
        self.bounds_of = lean(raw, "FPDFPageObj_GetBounds", ctypes.c_int, void, void, void, void, void)
        self.box = (ctypes.c_float * 4)()  # left, bottom, right, top
        self.box_at = [ctypes.addressof(self.box) + k * ctypes.sizeof(ctypes.c_float) for k in range(4)]

    def __call__(self, obj: int) -> bool:
        if self.bounds_of is None or not self.bounds_of(obj, *self.box_at):
            return False  # bounds PDFium cannot give: pdfplumber reads the page
        left, _, right, _ = self.box
        return abs(right - left) >= self.MIN_WIDTH


class _PathCalls:
    """PDFium's functions a path is read with, declared for plain addresses (``pdfium_calls``:
    no pypdfium2 conversion of their arguments; a page may hold hundreds of paths), with the
    buffers they write to."""

    def __init__(self, raw: Any):
        void, c_int, c_uint = ctypes.c_void_p, ctypes.c_int, ctypes.c_uint
        self.draw_mode = lean(raw, "FPDFPath_GetDrawMode", c_int, void, void, void)
        self.stroke_colour = lean(raw, "FPDFPageObj_GetStrokeColor", c_int, void, void, void, void, void)
        self.fill_colour = lean(raw, "FPDFPageObj_GetFillColor", c_int, void, void, void, void, void)
        self.matrix_of = lean(raw, "FPDFPageObj_GetMatrix", c_int, void, void)
        self.count_segments = lean(raw, "FPDFPath_CountSegments", c_int, void)
        self.segment_of = lean(raw, "FPDFPath_GetPathSegment", void, void, c_int)
        self.point_of = lean(raw, "FPDFPathSegment_GetPoint", c_int, void, void, void)
        self.type_of = lean(raw, "FPDFPathSegment_GetType", c_int, void)
        self.closes = lean(raw, "FPDFPathSegment_GetClose", c_int, void)
        self.fill, self.stroke = c_int(), c_int()
        self.fill_at, self.stroke_at = ctypes.addressof(self.fill), ctypes.addressof(self.stroke)
        self.rgba = (c_uint * 4)()
        self.rgba_at = [ctypes.addressof(self.rgba) + k * ctypes.sizeof(c_uint) for k in range(4)]

    def coloured(self, getter: Any, obj: int) -> bool:
        """Whether the colour ``getter`` gives the path is visible (not white)."""
        if not getter(obj, *self.rgba_at):
            return True  # a colour PDFium cannot give (a pattern): counted as visible
        r, g, b, _ = self.rgba
        return not (r >= WHITE and g >= WHITE and b >= WHITE)


def _any_ruling(paths: list[int], calls: _PathCalls) -> bool:
    """Any path stroked (whatever its colour), or filled in a colour other than white."""
    for obj in paths:
        calls.draw_mode(obj, calls.fill_at, calls.stroke_at)
        if calls.stroke.value or calls.fill.value and calls.coloured(calls.fill_colour, obj):
            return True
    return False


def _subpaths(obj: int, raw: Any, calls: _PathCalls) -> list[tuple[str, list[Point]]] | None:
    """Each subpath as pdfminer's operators (``m``, ``l``, ``c``, ``h``) and one point per
    operator, in page space (y up): a Bézier curve's three PDFium points are one ``c``, a closed
    figure ends in ``h`` at its first point."""
    matrix = raw.FS_MATRIX()
    if not calls.matrix_of(obj, ctypes.addressof(matrix)):
        return None
    x, y = ctypes.c_float(), ctypes.c_float()
    x_at, y_at = ctypes.addressof(x), ctypes.addressof(y)
    out: list[tuple[list[str], list[Point]]] = []
    bezier = 0
    for i in range(calls.count_segments(obj)):
        segment = calls.segment_of(obj, i)
        if not segment or not calls.point_of(segment, x_at, y_at):
            return None
        point = (matrix.a * x.value + matrix.c * y.value + matrix.e, matrix.b * x.value + matrix.d * y.value + matrix.f)
        kind = calls.type_of(segment)
        if kind == raw.FPDF_SEGMENT_MOVETO:
            out.append((["m"], [point]))
            bezier = 0
        elif not out:
            return None  # a path must start with a move
        elif kind == raw.FPDF_SEGMENT_LINETO:
            out[-1][0].append("l")
            out[-1][1].append(point)
        elif kind == raw.FPDF_SEGMENT_BEZIERTO:
            bezier += 1
            if bezier % 3 == 0:  # two control points, then the end
                out[-1][0].append("c")
                out[-1][1].append(point)
        else:
            return None
        if calls.closes(segment):
            out[-1][0].append("h")
            out[-1][1].append(out[-1][1][0])
    return [("".join(ops), pts) for ops, pts in out]


def _kind(shape: str, pts: list[Point]) -> str:
    """``line``, ``rect`` or ``curve``, as pdfminer's ``paint_path`` decides (it also drops a
    redundant ``l`` back to the start before an ``h``; ``pts`` is trimmed the same way)."""
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"
        del pts[-1]
    if shape in ("mlh", "ml"):
        return "line"
    if shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
        square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
        if pts[0] == pts[4] and square:
            del pts[1], pts[2:]  # two opposite corners
            return "rect"
    return "curve"


def _box(a: Point, b: Point, height: float) -> tuple[float, float, float, float]:
    x0, x1 = min(a[0], b[0]), max(a[0], b[0])
    return x0, x1, height - max(a[1], b[1]), height - min(a[1], b[1])


def _line_edge(pts: list[Point], height: float) -> Edge:
    x0, x1, top, bottom = _box(pts[0], pts[1], height)
    return {"object_type": "line", "x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top,
            "width": x1 - x0, "height": bottom - top, "orientation": "h" if top == bottom else "v"}


def _rect_edges(pts: list[Point], height: float) -> list[Edge]:
    x0, x1, top, bottom = _box(pts[0], pts[1], height)
    w, h = x1 - x0, bottom - top
    side = {"object_type": "rect_edge", "x0": x0, "x1": x1, "width": w, "height": 0, "orientation": "h"}
    upright = {"object_type": "rect_edge", "top": top, "bottom": bottom, "doctop": top, "width": 0, "height": h,
               "orientation": "v"}
    return [{**side, "top": top, "bottom": top, "doctop": top},
            {**side, "top": top + h, "bottom": top + h, "doctop": top + h},
            {**upright, "x0": x0, "x1": x0},
            {**upright, "x0": x1, "x1": x1}]


def _curve_edges(pts: list[Point], height: float) -> list[Edge]:
    flipped = [(x, height - y) for x, y in pts]
    return [{"object_type": "curve_edge", "x0": min(p[0], q[0]), "x1": max(p[0], q[0]), "top": min(p[1], q[1]),
             "bottom": max(p[1], q[1]), "doctop": min(p[1], q[1]), "width": abs(p[0] - q[0]),
             "height": abs(p[1] - q[1]), "orientation": "v" if p[0] == q[0] else ("h" if p[1] == q[1] else None)}
            for p, q in zip(flipped, flipped[1:], strict=False)]
