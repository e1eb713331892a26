"""Numeral strings to numbers, including the forms cn2an is known to get wrong."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractor.numerals import NumeralError, parse_numeral

CASES = [
    ("1300", 1300), ("1,300", 1300), ("１２３４", 1234), ("82.4", Decimal("82.4")),
    ("377.8929万", 3778929), ("62.73万", 627300), ("16.4亿", 1640000000), ("3万4千", 34000),
    ("1.3万", 13000), ("4千", 4000), ("两", 2), ("十", 10), ("十七", 17), ("百", 100),
    ("一千三百", 1300), ("三千零五十", 3050), ("一百零五", 105), ("十万零一千", 101000),
    ("一亿二千万", 120000000), ("〇", 0), ("二十", 20), ("十五点五", Decimal("15.5")), ("二点五万", 25000),
]


@pytest.mark.parametrize(("numeral", "value"), CASES)
def test_parse_numeral(numeral: str, value: int | Decimal) -> None:
    assert parse_numeral(numeral) == value


def test_digit_by_digit_chinese_is_read_as_digits() -> None:
    assert parse_numeral("二〇二四") == 2024


@pytest.mark.parametrize("bad", ["", "十余", "1.2.3"])
def test_malformed_numerals_raise(bad: str) -> None:
    with pytest.raises(NumeralError):
        parse_numeral(bad)


def test_numerals_read_without_cn2an_agree_with_cn2an() -> None:
    """Every string the fast path reads itself (all of them: none is longer than three
    characters) has the value cn2an gives it."""
    import itertools

    import cn2an

    from extractor.numerals import SMALL_CHINESE_NUMERAL

    alphabet = "零一二三四五六七八九十百千万亿"
    small = [s for n in (1, 2, 3) for s in map("".join, itertools.product(alphabet, repeat=n))
             if SMALL_CHINESE_NUMERAL.fullmatch(s)]
    assert len(small) == 10 + 100 + 36  # 零–九, 十–九十九, 一百…九亿
    for numeral in small:
        assert parse_numeral(numeral) == Decimal(str(cn2an.cn2an(numeral, "normal"))), numeral


def test_plain_digits_read_as_the_mixed_reader_reads_them() -> None:
    """A numeral of ASCII digits only is read without the mixed reader's pattern, to the same
    Decimal (digits and exponent), rounded alike in a narrow context and exact in a wide one."""
    from decimal import localcontext

    from extractor.numerals import _parse_mixed

    numerals = ["0", "7", "00", "0123", "1300", "2024", "99999", "1" * 29, "9" * 40 + "5", "12345678901234567890123456789"]
    for precision in (28, 4300):
        with localcontext() as context:
            context.prec = precision
            parse_numeral.cache_clear()
            for numeral in numerals:
                fast, slow = parse_numeral(numeral), _parse_mixed(numeral)
                assert (str(fast), fast.as_tuple()) == (str(slow), slow.as_tuple()), (precision, numeral)
    parse_numeral.cache_clear()
