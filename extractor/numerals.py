"""Numeral strings to numbers: Arabic (half/full width, 1,300, decimals), Chinese
(一千三百, 两, 百), and mixed forms (3万4千, 1.3万, 62.73万).

Arithmetic is done in ``Decimal`` so that 377.8929万 is exactly 3778929. Pure Chinese
numerals go through cn2an (its results for the forms we rely on are pinned in the tests).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

FULLWIDTH = str.maketrans("０１２３４５６７８９．，", "0123456789.,")  # １，３００ → 1,300
# The numeral tables (patterns.py builds the numeral grammar from them). 〇 is 零 as years are
# printed (二〇二四), 两 is 二 before a unit or a measure word (两千, 两件); both are digits
# everywhere: in a decimal (十五点两), and side by side (两三次 reads like 三四次: not a count).
CN_DIGIT_VALUES = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
                   "八": 8, "九": 9}
CN_UNITS = "十百千"  # places inside a section of four
CN_BIG = "万亿"  # sections
MULTIPLIERS = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000, "千万": 10_000_000, "百万": 1_000_000}
# The digits as cn2an and the positional reader take them (〇 → 零, 两 → 二)
_CANONICAL_DIGITS = str.maketrans({ch: "零一二三四五六七八九"[v] for ch, v in CN_DIGIT_VALUES.items()})
_ARABIC_PART = re.compile(rf"([0-9][0-9,]*(?:\.[0-9]+)?)([{CN_UNITS}{CN_BIG}]*)")
_HAS_ARABIC = re.compile(r"[0-9０-９]")


class NumeralError(ValueError):
    pass


def to_number(value: Decimal) -> int | float:
    """An int when whole (13万 → 130000), else a float (82.4)."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


@lru_cache(maxsize=4096)
def parse_numeral(numeral: str) -> Decimal:
    """The value of a numeral string; raises NumeralError when it is not a well-formed number."""
    text = numeral.translate(FULLWIDTH).strip()
    if not text:
        raise NumeralError("empty numeral")
    if text.isascii() and text.isdigit():  # most numerals of a report ("1300"): what _parse_mixed gives
        return Decimal(0) + Decimal(text)
    if _HAS_ARABIC.search(text):
        return _parse_mixed(text)
    return _parse_chinese(text)


def _parse_mixed(text: str) -> Decimal:
    """Arabic digits, each optionally followed by Chinese multipliers: 1.3万, 3万4千, 4千."""
    total = Decimal(0)
    pos = 0
    for m in _ARABIC_PART.finditer(text):
        if m.start() != pos:
            raise NumeralError(f"not a numeral: {text!r}")
        pos = m.end()
        try:
            part = Decimal(m.group(1).replace(",", ""))
        except InvalidOperation as exc:
            raise NumeralError(f"not a numeral: {text!r}") from exc
        for ch in m.group(2):
            part *= MULTIPLIERS[ch]
        total += part
    if pos != len(text):
        raise NumeralError(f"not a numeral: {text!r}")
    return total


def is_digit_by_digit(numeral: str) -> bool:
    """Two Chinese digits or more with no place between them: a year or a code written digit by
    digit (二〇二四), or a range (三四次, 两三个: three or four, two or three), never a count."""
    return len(numeral) > 1 and all(ch in CN_DIGIT_VALUES for ch in numeral)


def _digits(numeral: str) -> str:
    return "".join(str(CN_DIGIT_VALUES[ch]) for ch in numeral)


# Numerals read positionally without cn2an (importing it costs 0.1 s of a cold start, and most
# Chinese numerals in reports are these): 零 to 九, 十 to 九十九, 一百, 三千, 两万, 五亿. For
# every string of this form cn2an gives the same value (tests/test_numerals.py checks them all).
SMALL_CHINESE_NUMERAL = re.compile(r"[零一二三四五六七八九]|[一二三四五六七八九]?十[一二三四五六七八九]?"
                                   r"|[一二三四五六七八九][百千万亿]")


_CHINESE_DECIMAL = re.compile(rf"(?P<whole>.+?)点(?P<digits>[{''.join(CN_DIGIT_VALUES)}]+)(?P<big>[{CN_BIG}]?)")


def _parse_chinese(text: str) -> Decimal:
    decimal = _CHINESE_DECIMAL.fullmatch(text)
    if decimal:  # 十五点五万 = (15 + 0.5) × 10⁴
        value = _parse_chinese(decimal["whole"]) + Decimal(f"0.{_digits(decimal['digits'])}")
        return value * MULTIPLIERS[decimal["big"]] if decimal["big"] else value
    if is_digit_by_digit(text):
        return Decimal(_digits(text))
    text = text.translate(_CANONICAL_DIGITS)
    if text[0] in CN_UNITS + CN_BIG and text[0] != "十":
        text = "一" + text  # 百余条 = 一百, 千余条 = 一千
    if SMALL_CHINESE_NUMERAL.fullmatch(text):
        return _count_chinese(text)
    try:
        import cn2an  # here, not at import: 0.13 s of start-up that only Chinese numerals need

        return Decimal(str(cn2an.cn2an(text, "normal")))
    except (ValueError, KeyError):
        # cn2an rejects some well-formed numerals (十万零一千); count them ourselves
        return _count_chinese(text)


def _count_chinese(text: str) -> Decimal:
    """Positional reading of a Chinese numeral: sections split by 亿 and 万, 十百千 inside."""
    total, section, digit = 0, 0, 0
    for ch in text:
        if ch in CN_DIGIT_VALUES:
            digit = CN_DIGIT_VALUES[ch]
        elif ch in CN_UNITS:
            section += (digit or 1) * MULTIPLIERS[ch]
            digit = 0
        elif ch == "万":
            total += (section + digit) * MULTIPLIERS[ch]
            section = digit = 0
        elif ch == "亿":
            total = (total + section + digit) * MULTIPLIERS[ch]
            section = digit = 0
        else:
            raise NumeralError(f"not a Chinese numeral: {text!r}")
    return Decimal(total + section + digit)
