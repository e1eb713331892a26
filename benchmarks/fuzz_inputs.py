"""Seeded hostile inputs for the extractor: texts that stress the number grammar and the rules,
and files that stress ingest (encodings, line ends, damaged bytes, markup). Shared by the test
suite (a few hundred inputs, tests/test_fuzz.py) and by ``python benchmarks/fuzz.py`` (10,000).

Every generator takes a ``random.Random`` so a failure is reproduced from its seed alone.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "evals" / "dev").glob("*.txt"))[:20] + [ROOT / "examples" / "longting-2024.txt"]

# Pieces real reports are made of, and pieces that break naive rules.
PIECES = [
    "主动公开政府信息", "共计收到政府信息公开申请", "件", "条", "个", "次", "万", "亿", "余", "多", "近", "约",
    "%", "元", "万元", "（单位：万元）", "其中", "，", "。", "；", "\n", "\r", "\r\n", "\u2028", "\t", "|",
    "一千三百", "十万零一千", "两", "〇", "１２", "３.５", "百分之九十", "点", "上年结转", "无", "未收到",
    "行政复议", "行政诉讼", "0", "00", "1.", "..", "%%", "万万", "亿亿", "余余", "第", "年", "2024年",
    "\ufffd", "\x00", "\u200b", "＜", "<", ">", "&amp;", "\\", "\"", "'", "𠀀", "個", "條", "萬", "資訊",
]


def text_from_pieces(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) + (str(rng.randrange(10 ** rng.randrange(1, 12))) if rng.random() < 0.4 else "")
                   for _ in range(rng.randrange(1, 120)))


def mutated_report(rng: random.Random) -> str:
    """A real report with characters deleted, duplicated, swapped for line ends or digits."""
    text = rng.choice(SAMPLES).read_text(encoding="utf-8")
    chars = list(text[: rng.randrange(200, 3000)])
    for _ in range(rng.randrange(1, 40)):
        i = rng.randrange(len(chars))
        op = rng.random()
        if op < 0.3:
            del chars[i]
        elif op < 0.5:
            chars.insert(i, rng.choice("0123456789万亿余条件\n\r\t|，。"))
        elif op < 0.7:
            chars[i] = rng.choice(["\r", "\u2028", "\t", " ", "", "\ufffd"])
        else:
            chars[i:i] = chars[i:i + rng.randrange(1, 30)]
    return "".join(chars)


def long_line(rng: random.Random) -> str:
    unit = rng.choice(["1条 ", "１２条", "一千三百件", "约500次，", "0\t", "3|", "万", "其中"])
    return unit * rng.randrange(100, 3000)


def huge_numeral(rng: random.Random) -> str:
    return "共收到申请" + "9" * rng.randrange(20, 6000) + "件。" + rng.choice(["", "上年结转" + "1" * 40 + "件"])


TEXT_KINDS: dict[str, Callable[[random.Random], str]] = {
    "pieces": text_from_pieces,
    "mutated_report": mutated_report,
    "long_line": long_line,
    "huge_numeral": huge_numeral,
}


def file_bytes(rng: random.Random) -> tuple[str, bytes]:
    """(file name, content) of a damaged or oddly encoded report file."""
    text = rng.choice(SAMPLES).read_text(encoding="utf-8")[: rng.randrange(100, 4000)]
    kind = rng.randrange(7)
    if kind == 0:  # another encoding, with or without a byte-order mark
        encoding = rng.choice(["gb18030", "utf-16-le", "utf-16-be", "utf-16", "utf-8-sig"])
        return "enc.txt", text.encode(encoding, errors="replace")
    if kind == 1:  # stray bytes in UTF-8
        data = bytearray(text.encode("utf-8"))
        for _ in range(rng.randrange(1, 5)):
            data.insert(rng.randrange(len(data)), rng.randrange(128, 256))
        return "stray.txt", bytes(data)
    if kind == 2:  # cut anywhere
        data = text.encode("utf-8")
        return "cut.txt", data[: rng.randrange(1, len(data))]
    if kind == 3:  # HTML with deep nesting, a big script, broken tags
        depth = rng.randrange(1, 400)
        html = ("<html><head><script>" + "x" * rng.randrange(0, 100000) + "</script></head><body>"
                + "<div>" * depth + "".join(f"<p>{line}</p>" for line in text.splitlines())
                + "</div>" * rng.randrange(0, depth + 1) + rng.choice(["", "<table><tr><td>1", "</body>"]))
        return "page.html", html.encode("utf-8")
    if kind == 4:  # random bytes under a report's name
        return rng.choice(["x.txt", "x.pdf", "x.docx", "x.html"]), rng.randbytes(rng.randrange(1, 5000))
    if kind == 5:  # a zip that is not a docx, or a damaged one
        import io
        import zipfile

        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr(rng.choice(["word/document.xml", "other.xml"]), rng.choice(["<w:document/>", text, "<<<"]))
        data = buf.getvalue()
        return "z.docx", data[: rng.randrange(10, len(data) + 1)]
    return "lines.txt", text.replace("\n", rng.choice(["\r", "\u2028", "\r\n", "\x85"])).encode("utf-8")
