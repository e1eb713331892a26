"""`xxgk show`: a self-contained review page, checked in a real headless browser (Debian's chromium).

The browser tests FAIL (they do not skip) when chromium is missing: CI installs it (.ci/run).
Locally: ``apt-get install -y chromium fonts-wqy-microhei`` (as root), then ``python -m pytest
tests/test_show.py``. Screenshots are kept under pytest's tmp dir (printed on failure).

Fixture: ``tests/data/show/longting-2024-unbalanced.txt`` is the seed with 2 requests carried
forward in table 三 (四、结转下年度继续办理), so that ``requests.balance`` fails.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import html as lhtml
from typer.testing import CliRunner

from extractor import Report, extract_file, render_html
from extractor.cli import app

from .conftest import SEED_TEXT

DATA = Path(__file__).parent / "data" / "show"
UNBALANCED = DATA / "longting-2024-unbalanced.txt"
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
OK_BORDER = (0x33, 0xAA, 0x33)  # li.check.ok border-left (#3a3)
FAILED_BORDER = (0xDD, 0x00, 0x00)  # li.check.failed border-left (#d00)

runner = CliRunner()


def show(report: Path, out: Path) -> str:
    result = runner.invoke(app, ["show", str(report), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


# --- the page itself ----------------------------------------------------------------------------
def test_page_is_self_contained(tmp_path: Path) -> None:
    page = show(SEED_TEXT, tmp_path / "page.html")
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I), "link to an external asset"
    assert not re.search(r"<(script|link|iframe|img)\b", page, re.I)
    assert "@import" not in page and "url(" not in page
    report = extract_file(SEED_TEXT)
    # every check, every field and every table section is on the page
    for c in report.checks:
        assert f'data-check="{c.name}"' in page
    for key in report.fields:
        assert f"<code>{key}</code>" in page
    for table in ("active", "requests", "review_litigation"):
        assert f'data-table="{table}"' in page


def test_show_to_stdout_and_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["show", str(SEED_TEXT)])
    assert result.exit_code == 0 and "<mark " in result.stdout
    result = runner.invoke(app, ["show", str(tmp_path / "nope.txt")])
    assert result.exit_code == 2 and "no such file" in result.output


def _marks(page: str) -> list[lhtml.HtmlElement]:
    return lhtml.fromstring(page).xpath('//mark[contains(concat(" ", @class, " "), " mention ")]')


def _assert_every_mention_highlighted(page: str, report: Report) -> None:
    marks = _marks(page)
    assert [m.text_content() for m in marks] == [m.text for m in report.mentions]
    for el, m in zip(marks, report.mentions, strict=True):
        assert (int(el.get("data-start")), int(el.get("data-end"))) == (m.start, m.end)
        assert "misaligned" not in el.get("class")
        tip = el.get("title")
        for part in (f"qualifier {m.qualifier}", f"source {m.source}", f"field {m.field or '—'}",
                     f"unit {m.unit or '—'}"):
            assert part in tip, (part, tip)


def _seed_as_html(text: str) -> str:
    parts, rows = [], []
    for line in text.splitlines() + [""]:
        if "\t" in line:
            rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in line.split("\t")) + "</tr>")
            continue
        if rows:
            parts.append('<table border="1">' + "".join(rows) + "</table>")
            rows = []
        if line.strip():
            parts.append(f"<p>{html.escape(line)}</p>")
    return ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>龙亭区</title></head><body>'
            '<div class="content">' + "\n".join(parts) + "</div></body></html>")


def _seed_as_docx(text: str, path: Path) -> None:
    import docx

    document = docx.Document()
    for line in text.splitlines():
        if line.strip():
            document.add_paragraph(line)
    document.save(str(path))


@pytest.mark.parametrize("fmt", ["txt", "md", "html", "docx"])
def test_every_format_offsets_index_the_page_text(tmp_path: Path, seed_text: str, fmt: str) -> None:
    """Converted inputs (HTML, DOCX) are highlighted in their converted text, mention for mention."""
    src = tmp_path / f"longting.{fmt}"
    if fmt in ("txt", "md"):
        src.write_text(seed_text, encoding="utf-8")
    elif fmt == "html":
        src.write_text(_seed_as_html(seed_text), encoding="utf-8")
    else:
        _seed_as_docx(seed_text, src)
    report = extract_file(src, with_text=True)
    assert len(report.mentions) >= 15, fmt
    _assert_every_mention_highlighted(show(src, tmp_path / "page.html"), report)


def test_evidence_that_is_not_a_mention_is_marked_and_linked() -> None:
    """fees.collected 0 from 未收取 (a statement of none): its evidence is marked in the text and linked."""
    report = extract_file(SEED_TEXT, with_text=True)
    evidence = report.fields["fees.collected"].evidence[0]
    tree = lhtml.fromstring(render_html(report))
    spans = tree.xpath('//span[@class="evidence"]')
    assert [e.text_content() for e in spans] == [evidence.text]
    assert tree.xpath(f'//table[@class="fields-table"]//a[@href="#{spans[0].get("id")}"]')
    # a field's numeral evidence links to its mention
    received = report.fields["requests.received"].evidence[0]
    mark = tree.xpath(f'//mark[@data-start="{received.start}"]')[0]
    assert tree.xpath(f'//table[@class="fields-table"]//a[@href="#{mark.get("id")}"]')


def test_render_nests_and_cuts_overlapping_spans() -> None:
    """Spans the pipeline never overlaps still render as well-formed HTML: inside → nested, crossing → cut."""
    text = "共收到申请 43 项，办结 40 项。"
    mk = {"value": 1, "unit": "项", "qualifier": "exact", "source": "rule:test"}
    report = Report(mentions=[
        {"start": 6, "end": 10, "text": "43 项", **mk},
        {"start": 6, "end": 8, "text": "43", **mk},
        {"start": 8, "end": 14, "text": " 项，办结 ", **mk},
    ])
    marks = _marks(render_html(report, text, parts=["text"], page=False))
    assert [m.text_content() for m in marks] == ["43 项", "43", "，办结 "]
    assert marks[2].get("data-cut") == "1"
    assert marks[1].getparent() is marks[0]


def test_fragment_and_parts() -> None:
    report = extract_file(SEED_TEXT, with_text=True)
    fragment = render_html(report, parts=["checks"], page=False)
    assert fragment.startswith('<div class="xxgk-review">') and "<mark" not in fragment
    assert "<html" not in fragment and 'class="check ok"' in fragment
    no_text = render_html(report.model_copy(update={"text": None}), parts=["text"])
    assert "with_text=True" in no_text
    with pytest.raises(ValueError):
        render_html(report, parts=["nope"])


def test_checks_not_stated_are_shown_apart_after_failures() -> None:
    from extractor import Check

    report = extract_file(SEED_TEXT, with_text=True)
    report.checks = [Check(name="requests.columns", ok=None, detail="not stated: new: 43 vs total blank"),
                     Check(name="requests.balance", ok=True, detail="43 + 0 = 43 + 0"),
                     Check(name="requests.total", ok=False, detail="total: 44 ≠ 43")]
    page = lhtml.fromstring(render_html(report, parts=["checks"], page=False))
    items = page.xpath('//li[contains(@class, "check")]')
    assert [(li.get("data-check"), li.get("class"), li.get("data-ok")) for li in items] == [
        ("requests.total", "check failed", "false"),
        ("requests.columns", "check open", "null"),
        ("requests.balance", "check ok", "true"),
    ]
    assert "? not stated" in items[1].text_content()
    assert "(3 run, 1 failed, 1 not stated)" in page.text_content()


# --- in a real browser ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("chromium not found: the review page must be checked in a real browser. Install it with "
                "`apt-get install -y chromium` (Debian, as root; .ci/run does this) and run the tests again.",
                pytrace=False)


def _chromium(browser: str, tmp: Path, *args: str) -> str:
    profile = tmp / "profile"
    profile.mkdir(exist_ok=True)
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage", f"--user-data-dir={profile}", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def load_in_browser(browser: str, page: Path, tmp: Path) -> tuple[str, Path]:
    """The DOM as the browser built it, and a 1280×4000 screenshot of the page."""
    dom = _chromium(browser, tmp, "--dump-dom", page.as_uri())
    shot = tmp / f"{page.stem}.png"
    _chromium(browser, tmp, f"--screenshot={shot}", "--window-size=1280,4000", page.as_uri())
    assert shot.is_file() and shot.stat().st_size > 10_000, "no screenshot"
    print(f"screenshot: {shot}")
    return dom, shot


def _has_colour(shot: Path, rgb: tuple[int, int, int], min_pixels: int = 100) -> bool:
    from PIL import Image

    colours = Image.open(shot).convert("RGB").getcolors(1 << 24) or []
    return sum(n for n, colour in colours if colour == rgb) >= min_pixels


def test_seed_page_in_browser(browser: str, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    show(SEED_TEXT, page)
    dom, shot = load_in_browser(browser, page, tmp_path)
    report = extract_file(SEED_TEXT, with_text=True)
    assert len(report.mentions) >= 20
    _assert_every_mention_highlighted(dom, report)
    tree = lhtml.fromstring(dom)
    checks = tree.xpath('//li[contains(@class, "check")]')
    assert {li.get("data-check") for li in checks} == {c.name for c in report.checks}
    assert all(li.get("data-ok") == "true" and "passed" in li.text_content() for li in checks)
    assert _has_colour(shot, OK_BORDER), "passing checks not visible in the screenshot"
    assert not _has_colour(shot, FAILED_BORDER, 1)


def test_failing_check_is_visible_in_browser(browser: str, tmp_path: Path) -> None:
    page = tmp_path / "unbalanced.html"
    show(UNBALANCED, page)
    dom, shot = load_in_browser(browser, page, tmp_path)
    report = extract_file(UNBALANCED, with_text=True)
    failed = {c.name for c in report.checks if not c.ok}
    assert failed == {"requests.balance"}
    _assert_every_mention_highlighted(dom, report)
    tree = lhtml.fromstring(dom)
    shown_failed = {li.get("data-check") for li in tree.xpath('//li[contains(@class, "failed")]')}
    assert shown_failed == failed
    assert "FAILED" in tree.xpath('//li[@data-check="requests.balance"]')[0].text_content()
    assert "1 failed" in tree.xpath("//header")[0].text_content()
    assert _has_colour(shot, FAILED_BORDER), "failing check not visible in the screenshot"
    assert _has_colour(shot, OK_BORDER), "passing checks not visible in the screenshot"


def test_pdf_page_in_browser(browser: str, tmp_path: Path, seed_text: str) -> None:
    """A PDF (printed by the browser from the seed as HTML): offsets index the converted text."""
    source = tmp_path / "longting.html"
    source.write_text(_seed_as_html(seed_text), encoding="utf-8")
    pdf = tmp_path / "longting.pdf"
    _chromium(browser, tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", source.as_uri())
    report = extract_file(pdf, with_text=True)
    assert not report.errors and len(report.mentions) >= 15
    page = tmp_path / "pdf-page.html"
    show(pdf, page)
    dom = _chromium(browser, tmp_path, "--dump-dom", page.as_uri())
    _assert_every_mention_highlighted(dom, report)
