"""What the PDF reader asks of pdfplumber: the file opened on first use, a clear message when it
cannot be, and a page as the table finder and line reader need it (invisible boxes left out,
a page set a quarter turn turned upright). See ``extractor.ingest.pdf``."""

from __future__ import annotations

import io

from pdfplumber.page import DerivedPage

from .pdfium_chars import media_height


class _Plumbed:
    """pdfplumber's reading of the file, opened on first use: for a page PDFium does not read
    (or every page, when PDFium cannot open the file or ``XXGK_PDF_BACKEND=pdfplumber``)."""

    def __init__(self, data: bytes):
        self.data = data
        self.pdf = None
        self.pages: list = []
        self.error: str | None = None

    def open(self) -> str | None:
        """None when open, else why the file cannot be read."""
        if self.pdf is None and self.error is None:
            import pdfplumber

            try:
                self.pdf = pdfplumber.open(io.BytesIO(self.data))
                self.pages = self.pdf.pages
            except Exception as exc:
                self.error = _open_error(exc)
        return self.error

    def page(self, index: int):
        """pdfplumber's page ``index``, or None when the file does not open (``error`` says why)."""
        if self.open() is not None:
            return None
        return self.pages[index]

    def height(self, index: int, fast_doc) -> float:
        """The height of a page whose reading failed: pdfplumber's, or PDFium's media box."""
        page = self.page(index)
        if page is not None:
            return float(page.height)
        return media_height(fast_doc, index) if fast_doc is not None else 0.0

    def __enter__(self) -> _Plumbed:
        return self

    def __exit__(self, *exc_info) -> None:
        if self.pdf is not None:
            self.pdf.close()


def _open_error(exc: Exception) -> str:
    """A clear message for a PDF that cannot be opened (pdfplumber wraps pdfminer's errors)."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    causes = [exc, exc.__cause__, exc.__context__, *[a for a in exc.args if isinstance(a, Exception)]]
    if any(isinstance(c, (PDFPasswordIncorrect, PDFEncryptionError)) for c in causes):
        return "PDF is encrypted and cannot be read without its password"
    detail = "; ".join(dict.fromkeys(str(c) for c in causes if isinstance(c, Exception) and str(c)))
    return f"PDF is damaged or unreadable: {detail or type(exc).__name__}"


def _visible_ruling(obj: dict) -> bool:
    """Keep chars, lines and visible rectangles; drop invisible boxes (white fill, no stroke)."""
    if obj.get("object_type") not in ("rect", "curve"):
        return True
    if obj.get("stroke") and not _is_white(obj.get("stroking_color")):
        return True
    if obj.get("fill") and not _is_white(obj.get("non_stroking_color")):
        return True
    return False


def _is_white(color) -> bool:
    if color is None:
        return False
    if isinstance(color, (int, float)):
        color = (color,)
    try:
        values = [float(v) for v in color]
    except (TypeError, ValueError):
        return False
    if len(values) == 4:  # CMYK: white is no ink
        return all(v <= 0.02 for v in values)
    return bool(values) and all(v >= 0.98 for v in values)


class _TurnedPage(DerivedPage):
    """A page whose content is set a quarter turn (a landscape table on a portrait page), turned upright.

    Characters, rules and boxes are mapped to the coordinates of the upright content, so the
    table finder and the line reader see an ordinary page. ``counter`` is the content's turn:
    True for a quarter turn counter-clockwise (text reading upwards), False for clockwise.
    """

    def __init__(self, parent, counter: bool):
        self.bbox = (0, 0, parent.height, parent.width)
        self.counter = counter
        self.turned_from = (float(parent.width), float(parent.height))
        super().__init__(parent)

    def _turn(self, obj: dict) -> dict:
        width, height = self.turned_from
        x0, x1, top, bottom = obj["x0"], obj["x1"], obj["top"], obj["bottom"]
        if self.counter:
            box = {"x0": height - bottom, "x1": height - top, "top": x0, "bottom": x1}
        else:
            box = {"x0": top, "x1": bottom, "top": width - x1, "bottom": width - x0}
        out = {**obj, **box, "width": box["x1"] - box["x0"], "height": box["bottom"] - box["top"]}
        out["doctop"] = box["top"] + self.initial_doctop
        out["y0"], out["y1"] = width - box["bottom"], width - box["top"]
        if obj.get("object_type") == "char":
            out["upright"] = True
        return out

    @property
    def objects(self) -> dict[str, list[dict]]:
        if not hasattr(self, "_objects"):
            kinds = ("char", "line", "rect")  # curves carry point lists: not needed for text and rules
            self._objects = {k: [self._turn(o) for o in v] for k, v in self.parent_page.objects.items() if k in kinds}
        return self._objects


def _upright(page):
    """The page, or the page turned upright when most of its characters are set a quarter turn."""
    chars = page.chars
    turned = [c for c in chars if not c.get("upright", True)]
    if not chars or len(turned) <= len(chars) / 2:
        return page
    ccw = sum(1 for c in turned if (c.get("matrix") or (0, 0))[1] > 0)
    return _TurnedPage(page, counter=ccw >= len(turned) / 2)
