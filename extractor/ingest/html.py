"""HTML pages: the report's main content as plain text, and its tables as grids.

1. Encoding: a byte-order mark, else the ``<meta charset>`` / ``http-equiv`` declaration
   (GB2312 and GBK are read as their superset GB18030), else detection (``decode_text``).
   A declaration the bytes contradict is overruled by detection.
2. Chrome is dropped: ``script``, ``style``, ``nav``, ``header``, ``footer``, ``aside``,
   forms, hidden elements, and elements whose class/id names navigation, menus, breadcrumbs,
   footers, sharing bars… (only when they hold a small part of the page's text).
3. The content node is chosen generically by text density: the text that counts is the
   Chinese characters outside links; among elements holding most of the page's text (a
   known content container such as ``TRS_Editor``/``article-content``/``zoom``… with 60 %,
   else any element with 80 %), the deepest one is the content. If the report's title
   (an ``h1``–``h3`` or ``*title*`` element naming the 报告) stands outside that node it is
   put first.
4. Rendering: see ``extractor.ingest`` for the text conventions (paragraphs, tables as
   tab-separated rows, grids with spans repeated). ``<br>`` ends a paragraph. A table that
   holds another table, has a single column or a cell of more than 400 characters is
   layout, rendered as blocks; only such data tables become grids.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

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
from .decoding import decode_text

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_ENCODING_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
                     "cp936": "gb18030", "utf8": "utf-8"}

_DROP_TAGS = {"script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas",
              "nav", "header", "footer", "aside", "form", "select", "button", "input", "textarea",
              "map", "audio", "video", "head", "title", "meta", "link"}
_CHROME_NAME = re.compile(
    r"(?:^|[-_\s])(?:nav|navbar|menu|breadcrumbs?|crumbs?|position|location|footer|foot|header|head|top|"
    r"topbar|sidebar|side|share|bdshare|copyright|bottom|toolbar|search|login|related|relevant|friendlink|"
    r"links|comment|print|fenxiang|dqwz)(?:[-_\s\d]|$)", re.IGNORECASE)
_CONTENT_NAME = re.compile(
    r"TRS_?Editor|article[-_]?(?:content|con|body|text)|zoomcon|^zoom$|[-_\s]zoom|content|contents|detail|"
    r"main[-_]?text|con_?text|wzcon|zwnr|xxgk[-_]?con|ucapcontent|view[-_]?content|pages_content|bt_content",
    re.IGNORECASE)
_BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article", "main",
               "blockquote", "pre", "dl", "dt", "dd", "center", "address", "figure", "figcaption", "table",
               "tbody", "thead", "tfoot", "tr", "td", "th", "caption", "hr", "body", "html"}
_CJK_RE = re.compile(r"[\u3400-\u9fff]")
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def load_html(data: bytes, doc: Document) -> Document:
    text, err = decode_html(data)
    if err:
        return doc.error(err)
    doc.text, doc.grids = html_to_text(text)
    if not doc.text.strip():
        doc.error("HTML page has no text content")
    return doc


def decode_html(data: bytes) -> tuple[str, str | None]:
    """Decode an HTML page: BOM, then the declared charset (if the bytes agree), then detection."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode_text(data)
    m = _META_CHARSET.search(data[:8192])
    if m:
        name = m.group(1).decode("ascii").lower()
        name = _ENCODING_ALIASES.get(name, name)
        try:
            return data.decode(name), None
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown declaration: detect
    return decode_text(data)


def html_to_text(html: str) -> tuple[str, list[Grid]]:
    """The main content of an HTML page as (text, grids)."""
    html = re.sub(r"^\s*<\?xml[^>]*>", "", html)  # lxml refuses an encoding declaration in a str
    if not html.strip():
        return "", []
    try:
        root = lxml.html.document_fromstring(html, parser=_PARSER)
    except (etree.ParserError, ValueError):
        return "", []
    _flatten_below(root, MAX_DEPTH)
    _drop_chrome(root)
    body = root.find("body")
    if body is None:
        body = root
    content = _content_node(body)
    renderer = _Renderer()
    renderer.render(content)
    first = renderer.blocks[0][1] if renderer.blocks else ""
    if not ("报告" in first and len(first) <= 80):
        title = _outside_title(body, content)
        if title:
            renderer.blocks.insert(0, ("p", title))
    return assemble(renderer.blocks), renderer.grids


# libxml2's default limits refuse a text node over 10 MB (an inline script or a data: image
# before the body) and nesting past 256 levels, and the page then reads as empty; huge_tree lifts
# both. The walks below are recursive, so what is nested deeper than MAX_DEPTH is flattened
# into its ancestor at that depth first: text kept, each innermost block (a paragraph, a cell)
# kept as a block, every other tag dropped. No real page nests so deep.
_PARSER = lxml.html.HTMLParser(huge_tree=True)
MAX_DEPTH = 200


def _flatten_below(root: lxml.html.HtmlElement, max_depth: int) -> None:
    depth = 0
    too_deep = []
    for event, el in etree.iterwalk(root, events=("start", "end")):
        if event == "start":
            depth += 1
            if depth == max_depth and len(el):
                too_deep.append(el)
        else:
            depth -= 1
    for el in too_deep:
        for inner in reversed(list(el.iterdescendants())):
            if not isinstance(inner.tag, str):  # a comment or processing instruction
                _drop(inner)
            elif inner.tag.lower() not in _BLOCK_TAGS or any(
                    isinstance(c.tag, str) and c.tag.lower() in _BLOCK_TAGS for c in inner):
                inner.drop_tag()


# --- cleaning and choosing the content ------------------------------------------------------

def _drop_chrome(root: lxml.html.HtmlElement) -> None:
    for el in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        _drop(el)
    total = max(1, _cjk_count(root))
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        tag = el.tag.lower()
        if tag in _DROP_TAGS and tag != "head":
            _drop(el)
        elif tag == "head":
            el.getparent().remove(el)
        elif _HIDDEN.search(el.get("style", "")) or el.get("hidden") is not None:
            _drop(el)
        else:
            name = f"{el.get('class', '')} {el.get('id', '')}"
            if _CHROME_NAME.search(name) and not _CONTENT_NAME.search(name) and _cjk_count(el) < 0.3 * total:
                _drop(el)


def _drop(el) -> None:
    """Remove an element but keep its tail text (which belongs to the parent)."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    prev = el.getprevious()
    parent.remove(el)
    if tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


def _cjk_count(el) -> int:
    return len(_CJK_RE.findall(el.text_content() or ""))


def _content_node(body):
    """The deepest element holding most of the page's non-link text in two blocks or more
    (a single long paragraph is not the report)."""
    counts: dict = {}
    blocks: dict = {}

    def count(el) -> tuple[int, int]:
        if not isinstance(el.tag, str):
            return 0, 0
        n = 0 if el.tag == "a" else len(_CJK_RE.findall(el.text or ""))
        b = 0
        for child in el:
            cn, cb = count(child)
            n += cn + len(_CJK_RE.findall(child.tail or ""))
            b += cb + (isinstance(child.tag, str) and child.tag in _BLOCK_TAGS or child.tag == "br")
        counts[el], blocks[el] = n, b
        return n, b

    total = count(body)[0]
    if total == 0:
        return body
    best, best_depth = body, 0
    for share, named in ((0.6, True), (0.8, False)):
        for el, n in counts.items():
            if n < share * total or blocks[el] < 2 or (named and not _CONTENT_NAME.search(f"{el.get('class', '')} {el.get('id', '')} {el.tag}")):
                continue
            depth = sum(1 for _ in el.iterancestors())
            if depth > best_depth:
                best, best_depth = el, depth
        if best is not body:
            break
    return best


def _outside_title(body, content) -> str | None:
    """The report's title when it stands outside the content node (e.g. an ``h1`` above it)."""
    for el in body.iter("h1", "h2", "h3", "div", "p", "span", "td"):
        if el.tag in ("div", "p", "span", "td") and "title" not in (el.get("class", "") + el.get("id", "")).lower():
            continue
        if content in el.iterancestors() or el in content.iterancestors() or el is content:
            continue
        t = clean_inline(el.text_content())
        if "报告" in t and 6 <= len(t) <= 80:
            return t
    return None


# --- rendering ----------------------------------------------------------------------------

class _Renderer:
    def __init__(self) -> None:
        self.blocks: list[tuple[str, str]] = []
        self.grids: list[Grid] = []
        self._inline: list[str] = []

    def flush(self) -> None:
        text = clean_inline("".join(self._inline))
        self._inline = []
        if text:
            self.blocks.append(("p", text))

    def render(self, el) -> None:
        self._walk(el)
        self.flush()

    def _walk(self, el) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag == "br":
            self.flush()
        elif tag == "table" and not _has_nested_table(el) and is_data_table((table := table_grid(el))[0]):
            self.flush()
            grid, text_rows = table
            self.grids.append(grid)
            self.blocks.append(("table", grid_rows_text(text_rows)))
        else:
            block = tag in _BLOCK_TAGS
            if block:
                self.flush()
            if el.text:
                self._inline.append(el.text)
            for child in el:
                if isinstance(child.tag, str):
                    self._walk(child)
                if child.tail:
                    self._inline.append(child.tail)
            if block:
                self.flush()


def _has_nested_table(table) -> bool:
    return any(True for _ in table.iterdescendants("table"))


def cell_text(cell) -> str:
    """A cell's text on one line: its inner lines joined as wrapped prose."""
    lines: list[str] = []
    buf: list[str] = []

    def walk(el) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        block = tag in _BLOCK_TAGS or tag == "br"
        if block:
            lines.append("".join(buf))
            buf.clear()
        if el.text and tag != "br":
            buf.append(el.text)
        for child in el:
            if isinstance(child.tag, str):
                walk(child)
            if child.tail:
                buf.append(child.tail)
        if block:
            lines.append("".join(buf))
            buf.clear()

    walk(cell)
    lines.append("".join(buf))
    return join_lines(lines)


def _span(cell, attr: str) -> int:
    try:
        return max(1, min(int(re.sub(r"[^\d]", "", cell.get(attr, "1")) or 1), 200))
    except ValueError:
        return 1


def table_grid(table) -> tuple[Grid, list[list[str]]]:
    """(grid with spanned text repeated, rows for the text with spanned slots empty).

    The HTML table model: each cell takes the first slot of its row no cell above reaches
    into; a rowspan stops at the table's last row."""
    rows = [tr for tr in table.iter("tr")]
    builder = GridBuilder()
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr:
            if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                continue
            c = builder.free_column(r, c)
            colspan = _span(cell, "colspan")
            builder.place(r, c, cell_text(cell), rowspan=min(_span(cell, "rowspan"), len(rows) - r), colspan=colspan)
            c += colspan
    return builder.build()
