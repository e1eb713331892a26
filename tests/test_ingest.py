"""Ingest: every published format becomes one plain text plus table grids.

The real reports of ``evals/full`` are read as published (PDF, HTML); the seed report
is converted by these tests into HTML (GBK, with navigation chrome), DOCX and PDF, and each
conversion must give back the seed's prose and table cells. Bad inputs give errors, never
exceptions. Each real PDF is parsed once per session (module-scoped fixtures).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from extractor import extract_file
from extractor.ingest import load_document, sniff_kind
from extractor.layout import Document, clean_inline, join_lines
from extractor.schema import TABLE_NAMES

from .pdf_fonts import embedded_song, unembedded_song

EVALS = Path(__file__).resolve().parents[1] / "evals"  # the project's own gold data
FULL = EVALS / "full"
SEED = EVALS / "seed" / "longting-2024.txt"

CJK = r"[\u4e00-\u9fff]"


def squash(s: str) -> str:
    """Whitespace normalisation used to compare converted text with the .txt seed: drop all
    whitespace (the converters may join wrapped lines and drop spaces between CJK chars)."""
    return re.sub(r"\s+", "", s)


def no_stray_cjk_spaces(text: str) -> bool:
    return re.search(rf"{CJK}[ \u3000]+{CJK}", text) is None


def messages(doc: Document) -> str:
    return " | ".join(e.message for e in doc.errors)


# --- seed: prose sentences and table rows ---------------------------------------------------

def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def seed_blocks() -> list[tuple[str, object]]:
    """The seed as ("p", paragraph) and ("table", rows of cells) blocks, in order."""
    blocks: list[tuple[str, object]] = []
    table: list[list[str]] = []
    for line in seed_text().splitlines():
        if "\t" in line:
            table.append(line.split("\t"))
            continue
        if table:
            blocks.append(("table", table))
            table = []
        if line.strip():
            blocks.append(("p", line.strip()))
    if table:
        blocks.append(("table", table))
    return blocks


def seed_paragraphs() -> list[str]:
    return [b for kind, b in seed_blocks() if kind == "p"]


def seed_tables() -> list[list[list[str]]]:
    return [b for kind, b in seed_blocks() if kind == "table"]


def seed_numbers_rows() -> list[list[str]]:
    """Seed table rows that carry figures, as their non-empty cells (whitespace squashed)."""
    rows = []
    for table in seed_tables():
        for row in table:
            cells = [squash(c) for c in row if c.strip()]
            if any(re.fullmatch(r"\d+(\.\d+)?", c) for c in cells):
                rows.append(cells)
    return rows


def assert_seed_converted(doc: Document) -> None:
    assert not doc.errors, messages(doc)
    text = squash(doc.text)
    for para in seed_paragraphs():
        assert squash(para) in text, para
    assert "2024 年共发布各类信息 1300 余条" in doc.text or "2024年共发布各类信息1300余条" in doc.text
    assert_seed_rows_in_grids(doc.grids)


def is_figure(cell: str) -> bool:
    return re.fullmatch(r"\d+(\.\d+)?", cell) is not None


def assert_seed_rows_in_grids(grids) -> None:
    """Each figure row of the seed's tables is a row of some grid: same labels, same figures."""
    rows = [[squash(c) for c in row] for g in grids for row in g]
    for cells in seed_numbers_rows():
        labels = [c for c in cells if not is_figure(c)]
        figures = [c for c in cells if is_figure(c)]
        assert any(
            [c for c in row if is_figure(c)] == figures and all(lab in row for lab in labels) for row in rows
        ), cells


# --- helpers ------------------------------------------------------------------------------

def test_clean_inline_drops_spaces_between_chinese_and_at_fullwidth_punctuation():
    assert clean_inline("号 ， 邮 编 ： 223100 ， 电 话") == "号，邮编：223100，电话"
    assert clean_inline("共发布各类信息  1300 余条") == "共发布各类信息 1300 余条"


@pytest.mark.parametrize("lines, joined", [
    (["召开常务会议 7", "期，研究"], "召开常务会议 7 期，研究"),
    (["主动公开政", "府信息 1136 条。"], "主动公开政府信息 1136 条。"),
    (["制作政策解读", "21 个"], "制作政策解读 21 个"),
    (["电话：0517-", "87222589"], "电话：0517-87222589"),
    (["三", "、", "本", "年", "度"], "三、本年度"),
    (["商业", "企业"], "商业企业"),
])
def test_join_lines(lines, joined):
    assert join_lines(lines) == joined


@pytest.mark.parametrize("data, kind", [
    (b"%PDF-1.7\n...", "pdf"),
    (b"<!DOCTYPE html><html><body>x</body></html>", "html"),
    (b"  <html lang='zh'><head>", "html"),
    ("一、总体情况".encode("gbk"), "text"),
])
def test_sniff_kind(data, kind):
    assert sniff_kind(data)[0] == kind


# --- HTML ---------------------------------------------------------------------------------

CHROME_TOP = """<!DOCTYPE html><html><head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>龙亭区人民政府办公室2024年政府信息公开工作年度报告_开封市龙亭区人民政府</title>
<style>.nav {{ color: red }} body {{ font-family: 宋体 }}</style>
<script>var menu = "首页 政务公开 政务服务"; document.write("<p>脚本文字</p>");</script>
</head><body>
<div class="header"><div class="logo">开封市龙亭区人民政府</div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li>
<li><a href="/zwfw">政务服务</a></li><li><a href="/hdjl">互动交流</a></li></ul></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a> &gt; 年度报告</div>
<div class="main"><div class="left-menu"><a href="#">政府信息公开指南</a><a href="#">政府信息公开制度</a>
<a href="#">法定主动公开内容</a><a href="#">政府信息公开年报</a></div>
<div class="article"><h1 class="title">{title}</h1>
<div class="info">发布时间：2025-01-20 来源：区政府办 浏览次数：<span id="hits">128</span></div>
<div class="TRS_Editor" id="zoom">
"""
CHROME_BOTTOM = """</div>
<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a></div></div></div>
<div class="footer"><p>主办单位：开封市龙亭区人民政府办公室 地址：开封市龙亭区北门大街 电话：0371-12345678</p>
<p>网站标识码：4102020001 豫ICP备12345678号 豫公网安备 41020202000001号</p></div>
<script>trackPageView();</script></body></html>
"""


def seed_as_html() -> str:
    from html import escape

    blocks = seed_blocks()
    title = blocks[0][1]
    parts = []
    for kind, block in blocks[1:]:
        if kind == "p":
            # wrap some runs in spans and break the source line, as CMS editors do
            para = escape(block).replace("，", "，</span>\n<span>", 2)
            parts.append(f'<p style="text-indent:2em"><span>{para}</span></p>')
        else:
            rows = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>\n" for row in block)
            parts.append(f'<table border="1" cellspacing="0"><tbody>\n{rows}</tbody></table>')
    return CHROME_TOP.format(title=escape(title)) + "\n".join(parts) + CHROME_BOTTOM


@pytest.fixture(scope="module")
def seed_files(tmp_path_factory) -> dict[str, Path]:
    """The seed converted once per session: {"html": GBK page with chrome, "docx", "pdf",
    "pdf, font not embedded"}."""
    folder = tmp_path_factory.mktemp("seed")
    html = folder / "longting-2024.html"
    html.write_bytes(seed_as_html().encode("gbk"))
    files = {"html": html, "docx": seed_as_docx(folder / "longting-2024.docx")}
    try:
        import reportlab  # noqa: F401  (test-only dependency: the dev extra)
    except ImportError:
        return files  # the PDF tests skip themselves
    files["pdf"] = seed_as_pdf(folder / "longting-2024.pdf")
    # in a font the PDF only names: what PDFium makes of it depends on the machine's fonts
    files["pdf, font not embedded"] = seed_as_pdf(folder / "longting-2024-unembedded.pdf", embed_font=False)
    return files


@pytest.fixture(scope="module")
def seed_html_doc(seed_files) -> Document:
    return load_document(seed_files["html"])


def test_seed_html_gbk_gives_back_prose_and_tables(seed_html_doc):
    doc = seed_html_doc
    assert doc.kind == "html"
    assert_seed_converted(doc)
    assert doc.text.startswith("龙亭区人民政府办公室 2024 年政府信息公开工作年度报告")


def test_seed_html_drops_chrome(seed_html_doc):
    for chrome in ("首页", "当前位置", "脚本文字", "font-family", "分享到", "主办单位", "ICP", "浏览次数",
                   "政府信息公开指南", "trackPageView"):
        assert chrome not in seed_html_doc.text, chrome


def test_html_spans_are_repeated_in_grids_and_blank_in_text(tmp_path):
    html = """<html><head><meta charset="utf-8"></head><body><div class="content"><p>三、收到和处理政府信息公开申请情况</p>
    <table><tr><td rowspan="2" colspan="2">项目</td><td colspan="2">申请人情况</td></tr>
    <tr><td>自然人</td><td>总计</td></tr>
    <tr><td rowspan="2">三、本年度办理结果</td><td>（一）予以公开</td><td>4</td><td>4</td></tr>
    <tr><td>（二）部分<br>公开</td><td>0</td><td>0</td></tr></table></div></body></html>"""
    path = tmp_path / "spans.htm"
    path.write_text(html, encoding="utf-8")
    doc = load_document(path)
    assert doc.grids == [[
        ["项目", "项目", "申请人情况", "申请人情况"],
        ["项目", "项目", "自然人", "总计"],
        ["三、本年度办理结果", "（一）予以公开", "4", "4"],
        ["三、本年度办理结果", "（二）部分公开", "0", "0"],
    ]]
    assert "项目\t\t申请人情况\t\n\t\t自然人\t总计\n三、本年度办理结果\t（一）予以公开\t4\t4\n\t（二）部分公开\t0\t0" in doc.text


@pytest.mark.parametrize("encoding, declared", [
    ("gb18030", "gbk"), ("gbk", "GB2312"), ("utf-8", "utf-8"), ("gbk", None), ("utf-8", "gbk"),
])
def test_html_encodings(tmp_path, encoding, declared):
    meta = f'<meta charset="{declared}">' if declared else ""
    html = f"<html><head>{meta}</head><body><div><p>2024 年共发布各类信息 1300 余条。</p></div></body></html>"
    path = tmp_path / "page.html"
    path.write_bytes(html.encode(encoding))
    doc = load_document(path)
    assert doc.text.strip() == "2024 年共发布各类信息 1300 余条。", messages(doc)


def test_real_html_report():
    doc = load_document(FULL / "shuyang-fgj-2023.html")
    assert doc.kind == "html" and not doc.errors
    text = doc.text
    assert text.startswith("沭阳县发展和改革局2023年政府信息公开年度报告")
    assert "全年共审核发布各类公开政府信息249条" in text
    assert "索引号" not in text and "公开日期" not in text  # the page's metadata box is chrome
    assert no_stray_cjk_spaces(text)
    big = max(doc.grids, key=len)
    labels = [row[2] for row in big]
    assert "1.属于国家秘密" in labels and "（七）总计" in labels
    assert ["四、结转下年度继续办理"] * 3 + ["0", "", "", "", "", "", "0"] in big


def test_extract_file_reads_html(seed_files):
    report = extract_file(seed_files["html"], with_text=True)
    assert not [e for e in report.errors if e.stage == "ingest"]
    assert "1300 余条" in report.text


# --- table 三 of the real reports against the gold --------------------------------------

REQUEST_ROWS = {  # gold row key → a label fragment that picks the row out of a grid
    "new": "本年新收", "carried_over": "上年结转", "granted": "予以公开", "partially_granted": "部分公开",
    "denied.state_secret": "国家秘密", "denied.prohibited_by_law": "其他法律行政", "denied.three_safeties": "三安全",
    "denied.third_party": "第三方", "denied.internal_affairs": "内部事务", "denied.process_info": "过程性",
    "denied.enforcement_files": "执法案卷", "denied.inquiry": "行政查询", "unable.not_held": "不掌握",
    "unable.needs_creation": "没有现成", "unable.unclear": "补正后", "not_processed.complaint": "信访",
    "not_processed.duplicate": "重复申请", "not_processed.publication": "出版物", "not_processed.mass_repeat": "大量反复",
    "not_processed.confirm": "重新出具", "other.no_correction": "逾期不补正", "other.no_fee": "缴纳费用",
    "other.other": "其他", "total": "总计", "carried_forward": "结转下年度",
}
COLUMNS = ["natural_person", "business", "research", "social_org", "legal_service", "other", "total"]


def requests_from_grids(grids) -> dict[str, list[str]]:
    """Table 三 read naively from the grids: the last 7 cells of the row whose labels match."""
    grid = next(g for g in grids if any("本年新收" in c for row in g for c in row))
    found: dict[str, list[str]] = {}
    for row in grid:
        labels = [squash(c) for c in row[:-7] if c and not is_figure(squash(c))]
        values = [squash(c) for c in row[-7:]]
        if not labels or not any(values):
            continue
        for key, frag in REQUEST_ROWS.items():
            if key in found:
                continue
            last = labels[-1]
            if key == "other.other":
                hit = re.fullmatch(r"\d[.、．]其他|（六）其他处理", last) is not None
            elif key == "total":
                hit = re.search(r"（七）总计|^总计$", last) is not None
            else:
                hit = frag in last
            if hit:
                found[key] = values
                break
    return found


def table_three_accuracy(grids, gold: dict) -> tuple[int, int, list[str]]:
    found = requests_from_grids(grids)
    right = total = 0
    wrong = []
    for key, cells in gold["tables"]["requests"].items():
        if cells is None or not isinstance(cells, dict):
            continue
        got = found.get(key, [None] * 7)
        for col, value in zip(COLUMNS, got, strict=True):
            expected = cells.get(col)
            if expected is None and all(v is None for v in cells.values()):
                continue  # a row the format lacks (2019 trial format)
            total += 1
            ok = (value in ("", None) and expected is None) or (value not in ("", None) and float(value) == expected)
            right += ok
            if not ok:
                wrong.append(f"{key}.{col}: {value!r} != {expected!r}")
    return right, total, wrong


# --- PDF: the real reports ----------------------------------------------------------------

REAL_PDFS = ["hongze-2023", "hongze-2024", "huaian-2024"]
PAGE_FURNITURE = re.compile(r"^\s*(?:[-—–]\s*\d+\s*[-—–]|第\s*\d+\s*页.*)\s*$", re.MULTILINE)


@pytest.fixture(scope="module")
def real_pdfs() -> dict[str, Document]:
    return {name: load_document(FULL / f"{name}.pdf") for name in REAL_PDFS}


@pytest.mark.parametrize("name", REAL_PDFS)
def test_real_pdf_text(real_pdfs, name):
    doc = real_pdfs[name]
    assert doc.kind == "pdf" and not doc.errors, messages(doc)
    assert len(doc.text) > 2000
    assert no_stray_cjk_spaces(doc.text)
    assert not PAGE_FURNITURE.search(doc.text), PAGE_FURNITURE.search(doc.text)
    for heading in ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                    "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"):
        assert f"\n{heading}\n" in doc.text, heading


@pytest.mark.parametrize("name, sentence", [
    ("hongze-2023", "2023 年，我区在政府网站平台主动公开政府信息 1136 条。"),
    ("hongze-2023", "（地址：淮安市洪泽区洪泽湖大道 90 号，邮编：223100，电话：0517-87222589，电子邮箱：hzzwgk@126.com）"),
    ("hongze-2023", "全年收取政府信息公开信息处理费 0 元。"),
    ("hongze-2024", "主动发布各类政府信息 2428 条，公开政府常务会议 7 期，"),  # `会议 7\n期` in the PDF
    ("huaian-2024", "通过文字、图片等形式制作政策解读 21 个，制作《淮安市人民政府公报》6 期。"),
    ("huaian-2024", "截至目前，全市在运维政务新媒体共计 95 个，在省办 2024 年四个季度政务新媒体检查抽查中，合格率均为 100%。"),
    ("huaian-2024", "2024 年，全市共受理政府信息公开申请 3119 件，答复 3050 件（含上年度结转申请 34 件，另有 103 件顺延到下年度答复）"),
])
def test_real_pdf_sentences_joined_across_wraps_and_pages(real_pdfs, name, sentence):
    assert sentence in real_pdfs[name].text


@pytest.mark.parametrize("name", REAL_PDFS)
def test_real_pdf_tables_are_grids_joined_across_pages(real_pdfs, name):
    doc = real_pdfs[name]
    gold = __import__("json").loads((FULL / f"{name}.gold.json").read_text(encoding="utf-8"))
    right, total, wrong = table_three_accuracy(doc.grids, gold)
    assert total >= 150 and right == total, wrong
    # table 三 is one grid (it crosses a page in every one of these reports) …
    three = [g for g in doc.grids if any("本年新收" in c for row in g for c in row)]
    assert len(three) == 1 and any("结转下年度" in c for row in three[0] for c in row)
    # … and its rows are in the text too, as tab-separated cells, out of the prose
    assert re.search(r"\n一、本年新收政府信息公开申请数量\t+\d", doc.text)


def test_real_html_table_three_matches_gold():
    doc = load_document(FULL / "shuyang-fgj-2023.html")
    gold = __import__("json").loads((FULL / "shuyang-fgj-2023.gold.json").read_text(encoding="utf-8"))
    right, total, wrong = table_three_accuracy(doc.grids, gold)
    assert total >= 150 and right == total, wrong


# --- DOCX ---------------------------------------------------------------------------------

def seed_as_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    blocks = seed_blocks()
    document.add_heading(blocks[0][1], level=1)
    for kind, block in blocks[1:]:
        if kind == "p":
            # a full-width indent, as Word users type it
            document.add_paragraph("\u3000\u3000" + block)
        else:
            width = max(len(row) for row in block)
            table = document.add_table(rows=len(block), cols=width)
            table.style = "Table Grid"
            for r, row in enumerate(block):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
    document.save(path)
    return path


@pytest.fixture(scope="module")
def seed_docx_doc(seed_files) -> Document:
    return load_document(seed_files["docx"])


def test_seed_docx_gives_back_prose_and_tables(seed_docx_doc):
    assert seed_docx_doc.kind == "docx"
    assert_seed_converted(seed_docx_doc)
    assert seed_docx_doc.text.startswith("龙亭区人民政府办公室 2024 年政府信息公开工作年度报告\n\n一、总体情况\n")


def test_docx_merged_cells(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("三、收到和处理政府信息公开申请情况")
    table = document.add_table(rows=3, cols=4)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "项目"
    table.cell(0, 2).text, table.cell(0, 3).text = "自然人", "总计"
    table.cell(1, 0).merge(table.cell(2, 0)).text = "三、本年度办理结果"
    for r, (label, n) in enumerate([("（一）予以公开", "4"), ("（二）部分公开", "0")], start=1):
        table.cell(r, 1).text, table.cell(r, 2).text, table.cell(r, 3).text = label, n, n
    document.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    path = tmp_path / "merged.docx"
    document.save(path)
    doc = load_document(path)
    assert doc.grids == [[
        ["项目", "项目", "自然人", "总计"],
        ["三、本年度办理结果", "（一）予以公开", "4", "4"],
        ["三、本年度办理结果", "（二）部分公开", "0", "0"],
    ]]
    assert doc.text == ("三、收到和处理政府信息公开申请情况\n\n项目\t\t自然人\t总计\n三、本年度办理结果\t（一）予以公开\t4\t4\n"
                        "\t（二）部分公开\t0\t0\n\n四、政府信息公开行政复议、行政诉讼情况\n")


def test_extract_file_reads_docx(seed_files):
    report = extract_file(seed_files["docx"], with_text=True)
    assert not [e for e in report.errors if e.stage == "ingest"]
    assert "1300 余条" in report.text


# --- PDF made from the seed (reportlab, in a CJK font the tests build: tests/pdf_fonts.py) ---

def seed_as_pdf(path: Path, *, embed_font: bool = True) -> Path:
    """The seed typeset as a PDF: justified paragraphs with first-line indent, ruled tables
    (table 三 crosses a page), a running header and ``- N -`` page numbers. ``embed_font``: set
    in a font the PDF holds (as Word and WPS export), else in one it only names (``pdf_fonts``)."""
    from html import escape

    reportlab = pytest.importorskip("reportlab")  # test-only dependency (dev extra)
    del reportlab
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = embedded_song() if embed_font else unembedded_song()
    body = ParagraphStyle("body", fontName=font, fontSize=14, leading=26, firstLineIndent=28,
                          wordWrap="CJK", alignment=4)
    title = ParagraphStyle("title", parent=body, fontSize=18, leading=30, firstLineIndent=0, alignment=1)
    cell = ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=10, wordWrap="CJK")

    def furniture(canvas, document):
        canvas.saveState()
        canvas.setFont(font, 9)
        canvas.drawCentredString(A4[0] / 2, A4[1] - 40, "龙亭区人民政府办公室政府信息公开工作年度报告")
        canvas.setFont(font, 11)
        canvas.drawCentredString(A4[0] / 2, 30, f"- {document.page} -")
        canvas.restoreState()

    story = []
    blocks = seed_blocks()
    story.append(Paragraph(escape(blocks[0][1]), title))
    usable = A4[0] - 2 * 72
    for kind, block in blocks[1:]:
        if kind == "p":
            story.append(Paragraph(escape(block), body))
            continue
        width = max(len(row) for row in block)
        rows = [[Paragraph(escape(c), cell) for c in row] + [""] * (width - len(row)) for row in block]
        if width >= 9:  # table 三: two label columns, then the figures
            label = (usable - (width - 2) * 30) / 2
            widths = [label * 0.5, label * 1.5] + [30] * (width - 2)
        else:
            widths = [usable / width] * width
        table = Table(rows, colWidths=widths, splitByRow=1)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0)), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        story += [Spacer(1, 6), table, Spacer(1, 6)]
    SimpleDocTemplate(str(path), pagesize=A4, leftMargin=72, rightMargin=72, topMargin=72,
                      bottomMargin=72).build(story, onFirstPage=furniture, onLaterPages=furniture)
    return path


@pytest.fixture(scope="module")
def seed_pdf_doc(seed_files) -> Document:
    if "pdf" not in seed_files:
        pytest.skip("reportlab is not installed")
    return load_document(seed_files["pdf"])


def test_seed_pdf_gives_back_prose_and_tables(seed_pdf_doc):
    doc = seed_pdf_doc
    assert doc.kind == "pdf"
    assert_seed_converted(doc)
    assert no_stray_cjk_spaces(doc.text)
    assert "2024 年共发布各类信息 1300 余条" in doc.text
    assert doc.text.startswith("龙亭区人民政府办公室 2024 年政府信息公开工作年度报告\n\n一、总体情况\n")


def test_seed_pdf_drops_running_header_and_page_numbers(seed_pdf_doc):
    assert "龙亭区人民政府办公室政府信息公开工作年度报告" not in seed_pdf_doc.text
    assert not PAGE_FURNITURE.search(seed_pdf_doc.text)


def test_seed_pdf_table_three_is_one_grid_across_pages(seed_pdf_doc):
    three = [g for g in seed_pdf_doc.grids if any("本年新收" in c for row in g for c in row)]
    assert len(three) == 1
    labels = {squash(c) for row in three[0] for c in row}
    assert {"(七)总计", "四、结转下年度继续办理", "1.属于国家秘密"} <= labels


def test_extract_file_reads_pdf(seed_files, seed_pdf_doc):
    report = extract_file(seed_files["pdf"], with_text=True)
    assert not [e for e in report.errors if e.stage == "ingest"]
    assert "1300 余条" in report.text


# --- bad inputs: a clear error, never an exception -----------------------------------------

def tiny_pdf(path: Path, *, text: str | None, password: str | None = None) -> Path:
    pytest.importorskip("reportlab")
    from reportlab.lib import pdfencrypt
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    encrypt = pdfencrypt.StandardEncryption(password, canPrint=0) if password else None
    c = canvas.Canvas(str(path), encrypt=encrypt)
    if text:
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        c.setFont("STSong-Light", 12)
        c.drawString(72, 700, text)
    else:  # a scan: only graphics on the page
        c.rect(72, 72, 300, 400, fill=1)
    c.save()
    return path


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


@pytest.mark.parametrize("name, make, message", [
    ("empty.txt", lambda p: p.write_bytes(b""), "file is empty"),
    ("empty.pdf", lambda p: p.write_bytes(b""), "file is empty"),
    ("garbage.txt", lambda p: p.write_bytes(bytes(range(256)) * 40), "binary"),
    ("garbage.bin", lambda p: p.write_bytes(bytes((i * 7919) % 256 for i in range(20000))), "binary"),
    ("picture.pdf", lambda p: p.write_bytes(PNG + b"\x00" * 64), "PNG image"),
    ("truncated.pdf", lambda p: p.write_bytes(tiny_pdf(p, text="一、总体情况").read_bytes()[:300]), "PDF is damaged"),
    ("headeronly.pdf", lambda p: p.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8), "PDF is damaged"),
    ("encrypted.pdf", lambda p: tiny_pdf(p, text="一、总体情况", password="secret"), "encrypted"),
    ("scan.pdf", lambda p: tiny_pdf(p, text=None), "PDF has no text layer; OCR is not supported"),
    ("notzip.docx", lambda p: p.write_bytes(b"PK\x03\x04" + b"\x00" * 100), "damaged zip"),
    ("notword.docx", lambda p: p.write_bytes(b"plain words, not a Word file"), "not a DOCX"),
    ("missing.txt", lambda p: None, "cannot read file"),
])
def test_bad_inputs_give_clear_errors(tmp_path, name, make, message):
    path = tmp_path / name
    make(path)
    doc = load_document(path)
    assert doc.text == "" and doc.grids == []
    assert [e.stage for e in doc.errors] == ["ingest"]
    assert message in doc.errors[0].message


def test_extract_file_on_bad_input_reports_and_does_not_raise(tmp_path):
    path = tmp_path / "picture.pdf"
    path.write_bytes(PNG)
    report = extract_file(path)
    assert report.errors and "PNG" in report.errors[0].message


@pytest.mark.parametrize("encoding, prefix", [
    ("utf-8", b""), ("utf-8-sig", b""), ("gb18030", b""), ("gbk", b""), ("gb2312", b""), ("utf-16", b""),
])
def test_text_encodings_decode_to_the_same_text(tmp_path, encoding, prefix):
    text = seed_text()
    path = tmp_path / "seed.txt"
    path.write_bytes(prefix + text.encode(encoding))
    doc = load_document(path)
    assert doc.kind == "text" and not doc.errors
    assert doc.text == text  # exactly as it is: offsets index the decoded file


def test_huge_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.truncate(60 * 1024 * 1024)  # sparse: costs no disk
    doc = load_document(path)
    assert doc.text == "" and "over the" in doc.errors[0].message


def test_seed_gives_identical_fields_and_tables_in_every_format(seed_files):
    """The issue's bar: the seed as .txt, .html (GBK), .docx and .pdf extracts the same."""

    def summary(path: Path):
        report = extract_file(path)
        assert not report.errors, report.errors
        return {k: (v.value, v.qualifier) for k, v in report.fields.items()}, report.tables

    expected = summary(SEED)
    assert expected[0], "the seed yields fields"
    for kind, path in seed_files.items():
        assert summary(path) == expected, kind


def test_html_layout_table_around_the_report_is_not_a_grid(tmp_path):
    html = ("<html><head><meta charset='utf-8'></head><body><table width='100%'><tr><td>"
            "<p>一、总体情况</p><p>2024 年共发布各类信息 1300 余条。</p>"
            "<table><tr><td>规章</td><td>0</td></tr><tr><td>行政规范性文件</td><td>3</td></tr></table>"
            "<p>五、存在的主要问题及改进情况</p><p>一是政务公开工作还存在短板。</p>"
            "</td></tr></table></body></html>")
    path = tmp_path / "layout.html"
    path.write_text(html, encoding="utf-8")
    doc = load_document(path)
    assert doc.grids == [[["规章", "0"], ["行政规范性文件", "3"]]]
    assert doc.text.startswith("一、总体情况\n\n2024 年共发布各类信息 1300 余条。\n\n规章\t0\n行政规范性文件\t3\n\n五、")


def test_pdf_figure_and_unit_broken_over_a_short_line_stay_one_paragraph(tmp_path):
    """A browser breaks ``文件 6 条。`` at the space and the line with the 6 stops short of the
    margin; the 6 and its 条 are one expression (while a real paragraph break still splits)."""
    pytest.importorskip("reportlab")
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=14, leading=24, wordWrap="CJK", alignment=4)
    filler = "围绕重点工作及时做好重大政策和权威信息发布工作，不断加大政府信息主动公开力度，"
    path = tmp_path / "broken.pdf"
    SimpleDocTemplate(str(path), pagesize=A4).build([
        Paragraph(filler * 2 + "归集发布区级政府文件 11 条，集成公开重要政策文件 6<br/>条。区政府门户网站总访问量 13 万次。" + filler, body),
        Paragraph(filler + "全年共收到申请 43<br/>" + filler, body),
    ])
    text = load_document(path).text
    assert "集成公开重要政策文件 6 条。区政府门户网站" in text
    # a figure not followed by its unit still ends the line where the page ends it
    assert "申请 43\n\n" in text


def seed_with_turned_tables(path: Path, counter: bool) -> Path:
    """The seed as a PDF whose tables stand on portrait pages of their own, set a quarter turn."""
    pytest.importorskip("reportlab")
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import (
        BaseDocTemplate,
        Frame,
        NextPageTemplate,
        PageBreak,
        PageTemplate,
        Paragraph,
        Table,
        TableStyle,
    )

    font = embedded_song()
    body = ParagraphStyle("body", fontName=font, fontSize=12, leading=20, firstLineIndent=24, wordWrap="CJK")
    cell = ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=10, wordWrap="CJK")

    def turn(canvas, _document):
        if counter:  # landscape content turned a quarter counter-clockwise: it reads upwards
            canvas.translate(A4[0], 0)
            canvas.rotate(90)
        else:
            canvas.translate(0, A4[1])
            canvas.rotate(-90)

    width = A4[1] - 100
    templates = [PageTemplate("portrait", [Frame(72, 72, A4[0] - 144, A4[1] - 144)], pagesize=A4),
                 PageTemplate("turned", [Frame(40, 40, A4[1] - 80, A4[0] - 80)], pagesize=A4, onPage=turn)]
    story = []
    for kind, block in seed_blocks():
        if kind == "p":
            story.append(Paragraph(block, body))
            continue
        n = max(len(row) for row in block)
        table = Table([[Paragraph(c, cell) for c in row] + [""] * (n - len(row)) for row in block],
                      colWidths=[width / n] * n, splitByRow=1)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0))]))
        story += [NextPageTemplate("turned"), PageBreak(), table, NextPageTemplate("portrait"), PageBreak()]
    BaseDocTemplate(str(path), pageTemplates=templates).build(story)
    return path


@pytest.mark.parametrize("counter", [True, False], ids=["counter-clockwise", "clockwise"])
def test_pdf_tables_set_a_quarter_turn_are_read(tmp_path, counter):
    path = seed_with_turned_tables(tmp_path / "turned.pdf", counter)
    report = extract_file(path)
    assert not report.errors
    assert report.tables is not None and report.tables.unread == []
    expected = extract_file(SEED).tables
    assert expected is not None
    assert [report.tables.table(t) for t in TABLE_NAMES] == [expected.table(t) for t in TABLE_NAMES]


def seed_in_two_columns(path: Path) -> Path:
    """The seed as a PDF whose prose is set in two columns under a title across the page;
    the tables stand on pages of their own, across the page."""
    pytest.importorskip("reportlab")
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import (
        BaseDocTemplate,
        Frame,
        FrameBreak,
        NextPageTemplate,
        PageBreak,
        PageTemplate,
        Paragraph,
        Table,
        TableStyle,
    )

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=10.5, leading=17, firstLineIndent=21,
                          wordWrap="CJK", alignment=4)
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=24, firstLineIndent=0, alignment=1)
    cell = ParagraphStyle("cell", fontName="STSong-Light", fontSize=7.5, leading=10, wordWrap="CJK")
    width, height = A4
    column = (width - 144 - 24) / 2
    columns = [Frame(72, 72, column, height - 144, id="left"), Frame(72 + column + 24, 72, column, height - 144, id="right")]
    first = [Frame(72, height - 120, width - 144, 48, id="title"),
             Frame(72, 72, column, height - 200, id="left"), Frame(72 + column + 24, 72, column, height - 200, id="right")]
    templates = [PageTemplate("first", first, pagesize=A4), PageTemplate("two", columns, pagesize=A4),
                 PageTemplate("one", [Frame(72, 72, width - 144, height - 144)], pagesize=A4)]
    blocks = seed_blocks()
    story = [NextPageTemplate("two"), Paragraph(blocks[0][1], title), FrameBreak()]
    for kind, block in blocks[1:]:
        if kind == "p":
            story.append(Paragraph(block, body))
            continue
        n = max(len(row) for row in block)
        table = Table([[Paragraph(c, cell) for c in row] + [""] * (n - len(row)) for row in block],
                      colWidths=[(width - 150) / n] * n, splitByRow=1)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0))]))
        story += [NextPageTemplate("one"), PageBreak(), table, NextPageTemplate("two"), PageBreak()]
    BaseDocTemplate(str(path), pageTemplates=templates).build(story)
    return path


def test_pdf_pages_in_two_columns_are_read_column_by_column(tmp_path):
    path = seed_in_two_columns(tmp_path / "columns.pdf")
    doc = load_document(path)
    text = squash(doc.text)
    assert [p for p in seed_paragraphs() if squash(p) not in text] == []
    # a paragraph running from the foot of the left column to the head of the right one is one paragraph
    assert "不断加大政府信息主动公开力度，2024 年共发布各类信息 1300 余条。" in doc.text
    report, seed = extract_file(path), extract_file(SEED)
    assert {k: f.value for k, f in report.fields.items()} == {k: f.value for k, f in seed.fields.items()}
    assert report.tables == seed.tables
