"""Decoding the bytes of a text file (or of HTML without a declared charset): UTF-8, UTF-16
with or without a BOM, GB18030, Big5; a few stray bytes are repaired with a warning."""

from __future__ import annotations

import re

from charset_normalizer import from_bytes

# A UTF-8 file may carry a few stray bytes (a cut multi-byte character, one byte of another
# encoding pasted in): when no more than this share of its non-ASCII bytes is invalid, it is
# read as UTF-8 with replacement characters rather than lost. A GBK or Big5 file read as UTF-8
# is invalid in nearly all its non-ASCII bytes, so the two cannot be confused.
STRAY_BYTE_SHARE = 0.01
# Double-byte Chinese encodings: a Big5 file often decodes without error as GB18030 (as
# garbage), so when both decode, charset-normalizer's coherence measure chooses.
CJK_LEGACY_ENCODINGS = ("gb18030", "big5")
_HIGH_BYTES = bytes(range(0x80, 0x100))


def decode_text(data: bytes) -> tuple[str, str | None]:
    """Decode bytes of a text file; returns (text, error message or None)."""
    text, _warning, error = decode_text_verbose(data)
    return text, error


def decode_text_verbose(data: bytes) -> tuple[str, str | None, str | None]:
    """Decode bytes of a text file: (text, warning or None, error or None).

    Tried in order: a byte-order mark; strict UTF-8; UTF-16 without a mark (zero bytes on one
    parity); UTF-8 with a few stray bytes (replaced, counted in the warning); GB18030 or Big5
    (both decodable: charset-normalizer chooses); charset-normalizer's best guess.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return _decode_counting(data[3:], "utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode_counting(data, "utf-16")
    try:
        return data.decode("utf-8"), None, None
    except UnicodeDecodeError:
        pass
    utf16 = bomless_utf16(data)
    if utf16 is not None:
        return utf16, None, None
    non_ascii = len(data) - len(data.translate(None, _HIGH_BYTES))
    replaced = data.decode("utf-8", errors="replace")
    bad = replaced.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd")
    if bad <= max(1, non_ascii * STRAY_BYTE_SHARE):
        return replaced, _replaced_warning(bad, "UTF-8"), None
    decoded = {}
    for encoding in CJK_LEGACY_ENCODINGS:
        try:
            decoded[encoding] = data.decode(encoding)
        except UnicodeDecodeError:
            continue
    if len(decoded) == 1:
        return next(iter(decoded.values())), None, None
    if len(decoded) > 1:
        best = from_bytes(data, cp_isolation=list(decoded)).best()
        encoding = best.encoding if best is not None else CJK_LEGACY_ENCODINGS[0]
        for name, text in decoded.items():
            if _same_codec(name, encoding):
                return text, None, None
        return decoded[CJK_LEGACY_ENCODINGS[0]], None, None
    best = from_bytes(data).best()
    if best is not None:
        return str(best), None, None
    # Nothing decodes cleanly: keep the encoding that loses the fewest bytes, if that is few.
    fewest = min(("utf-8", *CJK_LEGACY_ENCODINGS), key=lambda enc: data.decode(enc, errors="replace").count("\ufffd"))
    text, warning, _ = _decode_counting(data, fewest)
    if text.count("\ufffd") <= max(8, len(text) // 100):
        return text, warning, None
    return "", None, "could not detect the text encoding"


def _decode_counting(data: bytes, encoding: str) -> tuple[str, str | None, str | None]:
    text = data.decode(encoding, errors="replace")
    bad = text.count("\ufffd") - data.decode(encoding, errors="ignore").count("\ufffd")
    return text, _replaced_warning(bad, encoding.upper()), None


def _replaced_warning(bad: int, encoding: str) -> str | None:
    if bad <= 0:
        return None
    return f"{bad} invalid {encoding} byte sequence{'s' if bad != 1 else ''} replaced by U+FFFD"


def _same_codec(a: str, b: str) -> bool:
    import codecs

    try:
        return codecs.lookup(a).name == codecs.lookup(b).name
    except LookupError:
        return False


def bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a byte-order mark: the zero bytes of ASCII characters (digits, line
    breaks, spaces — every report has them) all fall on one parity. None when it is not so."""
    head = data[:8192]
    even = head[0::2].count(0)
    odd = head[1::2].count(0)
    # (a Chinese character may hold a zero byte too — 一 is U+4E00 — so one parity dominates,
    # it need not be alone)
    if len(data) % 2 or even + odd < 4 or min(even, odd) * 4 > max(even, odd):
        return None
    encoding = "utf-16-le" if odd > even else "utf-16-be"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    return None if looks_garbled(text) else text


# Control characters other than line and page breaks, and replacement characters.
_GARBLE_CHAR = re.compile(r"[\x00-\x08\x0e-\x1f\ufffd]")


def looks_garbled(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return False
    return len(_GARBLE_CHAR.findall(sample)) > max(8, len(sample) // 20)
