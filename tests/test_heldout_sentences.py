"""Held-out sentences (tests/heldout_sentences.py): every figure found, with its value and
qualifier, and nothing else. Written by a tester from the specs alone, not from the rules."""

from __future__ import annotations

import pytest

from extractor import extract

from .heldout_sentences import GROUPS

CASES = [pytest.param(sentence, expected, id=f"{group}-{i}")
         for group, cases in GROUPS.items() for i, (sentence, expected) in enumerate(cases)]


def _same(expected: float, got: float) -> bool:
    return got == expected if float(expected).is_integer() else abs(got - expected) <= abs(expected) * 0.005


@pytest.mark.parametrize(("sentence", "expected"), CASES)
def test_heldout_sentence(sentence: str, expected: list[tuple[float, str]]) -> None:
    got = [(m.value, m.qualifier) for m in extract(sentence).mentions]
    assert len(got) == len(expected), got
    for (value, qualifier), (got_value, got_qualifier) in zip(expected, got, strict=True):
        assert _same(value, got_value) and qualifier == got_qualifier, got
