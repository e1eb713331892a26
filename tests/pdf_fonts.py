"""The CJK fonts the tests typeset PDFs in (reportlab).

``embedded_song()`` is a font built here and embedded in the PDF, as a report exported from
Word or WPS embeds its fonts: every reader finds the same glyphs on every machine. Its glyphs
are plain boxes (what they look like does not matter to a reader of the text) over the blocks
a report's text is made of, each as wide as STSong-Light's: a text set in either font breaks
its lines at the same places. Its space is a box too: reportlab embeds a font in subsets of
256 glyphs and sets a space between characters of another subset as a text object of its own,
which PDFium leaves out of its text page when its glyph is blank (an object of no width), and
such a page is then read by pdfplumber (the seed's table 四 has such spaces: "结果 纠正").
``embedded_song(blank_space=True)`` has a blank space, for the tests of that case.

``UNEMBEDDED_SONG`` is reportlab's built-in STSong-Light, which a PDF names but does not hold:
what a reader makes of it depends on the fonts of the machine (PDFium, with no CJK font
installed to stand in for it, gives a one-character line no box and leaves its character out).
PDFs set in it test that the reading loses nothing wherever it runs.
"""

from __future__ import annotations

import io
from functools import cache

EMBEDDED_SONG = "XxgkTestSong"
BLANK_SPACE_SUFFIX = "BlankSpace"
UNEMBEDDED_SONG = "STSong-Light"

# The characters of the embedded font: ASCII, general punctuation (— “ ” …), CJK punctuation
# (、。《》「」), the CJK Unified Ideographs and the fullwidth forms (（）：；，０-９).
BLOCKS = ((0x21, 0x7F), (0x2010, 0x2030), (0x3000, 0x3040), (0x4E00, 0xA000), (0xFF01, 0xFF5F))
UNITS_PER_EM = 1000
ASCENT, DESCENT = 752, -271  # STSong-Light's


def embedded_song(*, blank_space: bool = False) -> str:
    """The name of the embedded font, registered with reportlab (built once a session);
    ``blank_space``: its variant whose space has no outline, as in every real font."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    name = EMBEDDED_SONG + (BLANK_SPACE_SUFFIX if blank_space else "")
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, io.BytesIO(_font_bytes(blank_space))))
    return name


def unembedded_song() -> str:
    """The name of reportlab's STSong-Light, registered (a font the PDF does not hold)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if UNEMBEDDED_SONG not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(UNEMBEDDED_SONG))
    return UNEMBEDDED_SONG


@cache
def _font_bytes(blank_space: bool) -> bytes:
    """A TrueType font with a box glyph, as wide as STSong-Light's, for every character of
    ``BLOCKS`` and for the space (a blank one with ``blank_space``)."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from reportlab.pdfbase import pdfmetrics

    unembedded_song()  # its widths

    @cache
    def box(width: int):
        pen = TTGlyphPen(None)
        left, right = min(50, width // 4), max(width - 50, 3 * width // 4)
        pen.moveTo((left, DESCENT))
        pen.lineTo((left, ASCENT))
        pen.lineTo((right, ASCENT))
        pen.lineTo((right, DESCENT))
        pen.closePath()
        return pen.glyph()

    space = round(pdfmetrics.stringWidth(" ", UNEMBEDDED_SONG, UNITS_PER_EM))
    glyphs = {".notdef": box(UNITS_PER_EM // 2), "space": TTGlyphPen(None).glyph() if blank_space else box(space)}
    metrics = {".notdef": (UNITS_PER_EM // 2, 0), "space": (space, 0 if blank_space else min(50, space // 4))}
    codes = [c for start, end in BLOCKS for c in range(start, end)]
    for c in codes:
        width = round(pdfmetrics.stringWidth(chr(c), UNEMBEDDED_SONG, UNITS_PER_EM))
        glyphs[f"u{c:04X}"] = box(width)
        metrics[f"u{c:04X}"] = (width, min(50, width // 4))
    builder = FontBuilder(UNITS_PER_EM, isTTF=True)
    builder.setupGlyphOrder(list(glyphs))
    builder.setupCharacterMap({0x20: "space"} | {c: f"u{c:04X}" for c in codes})
    builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics(metrics)
    builder.setupHorizontalHeader(ascent=ASCENT, descent=DESCENT)
    name = EMBEDDED_SONG + (BLANK_SPACE_SUFFIX if blank_space else "")
    builder.setupNameTable({"familyName": name, "styleName": "Regular", "psName": name})
    builder.setupOS2(sTypoAscender=ASCENT, sTypoDescender=DESCENT, usWinAscent=ASCENT, usWinDescent=-DESCENT)
    builder.setupPost()
    out = io.BytesIO()
    builder.save(out)
    return out.getvalue()
