"""Hostile and damaged inputs: nothing hangs, a repairable document is kept, a bomb is refused.

Every file here is built by the test itself from the bundled sample report.
"""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

from extractor import extract_file
from extractor.ingest import MAX_XML_PART_BYTES, MAX_ZIP_ENTRIES, load_document

from .conftest import SEED_TEXT

SEED = SEED_TEXT.read_text(encoding="utf-8")


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def same_fields(a, b) -> bool:
    return {k: v.value for k, v in a.fields.items()} == {k: v.value for k, v in b.fields.items()}


# --- decoding -----------------------------------------------------------------------------------------------

def test_one_stray_byte_in_utf8_costs_one_character_not_the_document(tmp_path):
    data = SEED.encode("utf-8")
    at = data.index("主动公开".encode())
    path = write(tmp_path, "stray.txt", data[:at] + b"\xff" + data[at:])
    doc = load_document(path)
    assert not doc.errors
    assert doc.text == SEED[: len(data[:at].decode())] + "\ufffd" + SEED[len(data[:at].decode()):]
    assert [w.message for w in doc.warnings] == ["1 invalid UTF-8 byte sequence replaced by U+FFFD"]
    report = extract_file(path)
    assert report.warnings and report.warnings[0].stage == "ingest"
    assert len(report.mentions) >= len(extract_file(SEED_TEXT).mentions) - 1


def test_a_file_of_another_encoding_is_not_read_as_utf8_with_replacements(tmp_path):
    doc = load_document(write(tmp_path, "gbk.txt", SEED.encode("gb18030")))
    assert doc.text == SEED and not doc.warnings and not doc.errors


def test_big5_is_read_as_big5_not_as_gb18030_garbage(tmp_path):
    traditional = "根據《中華人民共和國政府信息公開條例》要求，本機關主動公開政府資訊40條，受理申請12件。\n" * 20
    doc = load_document(write(tmp_path, "big5.txt", traditional.encode("big5")))
    assert doc.text == traditional and not doc.errors


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_text_not_binary(tmp_path, encoding):
    doc = load_document(write(tmp_path, "u16.txt", SEED.encode(encoding)))
    assert not doc.errors and doc.text == SEED
    assert same_fields(extract_file(tmp_path / "u16.txt"), extract_file(SEED_TEXT))


def test_real_binary_is_still_refused(tmp_path):
    doc = load_document(write(tmp_path, "blob.txt", bytes(range(256)) * 64))
    assert doc.errors and "binary" in doc.errors[0].message


# --- zip bombs and oversized text -------------------------------------------------------------------------

def _docx_with(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_a_docx_whose_xml_unpacks_past_the_limit_is_refused_at_once(tmp_path):
    body = b"<w:p><w:r><w:t>1\xe6\x9d\xa1 </w:t></w:r></w:p>" * (MAX_XML_PART_BYTES // 30 + 1)
    data = _docx_with({"[Content_Types].xml": b"<Types/>", "word/document.xml": body})
    assert len(data) < len(body) // 50  # small on disk: the bomb
    path = write(tmp_path, "bomb.docx", data)
    start = time.process_time()
    report = extract_file(path)
    assert time.process_time() - start < 5
    assert [e.stage for e in report.errors] == ["ingest"]
    assert "word/document.xml unpacks to" in report.errors[0].message and not report.mentions


def test_a_docx_with_too_many_entries_is_refused(tmp_path):
    parts = {f"word/media/x{i}.bin": b"" for i in range(MAX_ZIP_ENTRIES + 1)}
    parts["word/document.xml"] = b"<w:document/>"
    report = extract_file(write(tmp_path, "many.docx", _docx_with(parts)))
    assert report.errors and "entries" in report.errors[0].message


def test_text_past_the_length_limit_is_refused_not_processed(tmp_path, monkeypatch):
    import extractor.ingest as ingest

    monkeypatch.setattr(ingest, "MAX_TEXT_CHARS", len(SEED) - 1)
    report = extract_file(SEED_TEXT)
    assert report.errors and "over the" in report.errors[0].message and not report.mentions


# --- HTML that real servers send ----------------------------------------------------------------------------

def _page(body_html: str, head: str = "") -> str:
    return f"<html><head><meta charset='utf-8'>{head}</head><body>{body_html}</body></html>"


SEED_PARAGRAPHS = "".join(f"<p>{line}</p>" for line in SEED.splitlines()[:40] if line.strip())


@pytest.mark.parametrize("bulk", [
    "<script>" + "var a=1;" * 1_400_000 + "</script>",  # an 11 MB inline script
    "<style>" + ".a{color:red}" * 900_000 + "</style>",
])
def test_a_huge_inline_script_or_style_before_the_body_is_ignored(bulk):
    from extractor.ingest.html import html_to_text

    plain, _ = html_to_text(_page(SEED_PARAGRAPHS))
    assert plain and html_to_text(_page(SEED_PARAGRAPHS, head=bulk))[0] == plain


def test_a_huge_inline_image_does_not_empty_the_page():
    from extractor.ingest.html import html_to_text

    plain, _ = html_to_text(_page(SEED_PARAGRAPHS))
    image = "<img src='data:image/png;base64," + "A" * 11_000_000 + "'>"
    assert html_to_text(_page(image + SEED_PARAGRAPHS))[0] == plain


@pytest.mark.parametrize("depth", [255, 1500])
def test_deep_nesting_keeps_the_text_and_its_paragraphs(depth):
    from extractor.ingest.html import html_to_text

    plain, _ = html_to_text(_page(SEED_PARAGRAPHS))
    deep = "<div><span>目录</span>" * depth + SEED_PARAGRAPHS + "</div>" * depth
    text, _ = html_to_text(_page(deep))
    assert text.endswith(plain)


def test_a_repair_reaches_the_long_format_as_a_warning_row(tmp_path):
    from extractor.long_format import long_rows

    data = SEED.encode("utf-8")
    at = data.index("主动公开".encode())
    report = extract_file(write(tmp_path, "stray.txt", data[:at] + b"\xff" + data[at:]))
    warnings = [r for r in long_rows(report) if r["kind"] == "warning"]
    assert [(r["key"], r["detail"]) for r in warnings] == [("ingest", "1 invalid UTF-8 byte sequence replaced by U+FFFD")]


# --- line ends ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("line_end", ["\r", "\r\n", "\u2028", "\u2029", "\x85"])
def test_any_line_end_gives_the_mentions_fields_and_tables_of_line_feeds(line_end):
    from extractor import extract

    plain = extract(SEED)
    other_text = SEED.replace("\n", line_end)
    other = extract(other_text)
    assert [(m.value, m.unit, m.field) for m in other.mentions] == [(m.value, m.unit, m.field) for m in plain.mentions]
    if len(line_end) == 1:  # one character for one: the same offsets
        assert [(m.start, m.end) for m in other.mentions] == [(m.start, m.end) for m in plain.mentions]
    assert same_fields(other, plain) and other.tables == plain.tables
    assert all(other_text[m.start:m.end] == m.text for m in other.mentions)  # the file's own characters


def test_a_cr_only_file_reads_like_its_lf_twin(tmp_path):
    lf = extract_file(write(tmp_path, "lf.txt", SEED.encode("utf-8")))
    cr = extract_file(write(tmp_path, "cr.txt", SEED.replace("\n", "\r").encode("utf-8")))
    assert [(m.start, m.end, m.value) for m in cr.mentions] == [(m.start, m.end, m.value) for m in lf.mentions]
    assert same_fields(cr, lf) and cr.tables == lf.tables and cr.body == lf.body
