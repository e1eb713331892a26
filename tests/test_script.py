"""Traditional script: a report in traditional characters yields what its simplified twin
yields, at the same offsets, and every text a result carries keeps the report's own characters."""

from __future__ import annotations

from pathlib import Path

import opencc
import pytest

from extractor import evals as ev
from extractor import extract
from extractor.script import is_traditional, restore_original, to_simplified

EVALS = Path(__file__).resolve().parent.parent / "evals"


def to_traditional(text: str) -> str:
    """Character by character (OpenCC s2t), so that offsets stay those of ``text``."""
    chars = sorted(set(text) - {"\n"})
    converted = opencc.OpenCC("s2t").convert("\n".join(chars)).split("\n")
    table = {ord(s): t for s, t in zip(chars, converted, strict=True) if len(t) == 1}
    return text.translate(table)


def _facts(report) -> tuple[list, dict]:  # type: ignore[no-untyped-def]
    mentions = [(m.start, m.end, m.value, m.unit, m.qualifier, m.field) for m in report.mentions]
    fields = {k: (f.value, f.qualifier, [(e.start, e.end) for e in f.evidence]) for k, f in report.fields.items()}
    return mentions, fields


def _assert_original_spans(report, text: str) -> None:  # type: ignore[no-untyped-def]
    for m in report.mentions:
        assert m.text == text[m.start:m.end]
        if m.subject:  # a subject is read from the text (spaces inside dropped)
            assert m.subject in "".join(text.split()), m.subject
    for f in report.fields.values():
        for e in f.evidence:
            assert e.text == text[e.start:e.end]


def test_sentence_in_traditional_script_reads_like_simplified() -> None:
    simplified = "2023年，全年主动公开政府信息1300余条，收到政府信息公开申请43件，办结41件，网站访问量13万次。"
    traditional = to_traditional(simplified)
    assert traditional != simplified and "個" not in simplified
    a, b = extract(simplified), extract(traditional)
    assert _facts(a) == _facts(b)
    assert a.fields["proactive.total"].value == 1300
    assert b.fields["requests.received"].evidence[0].text == "43件"
    assert [m.text for m in b.mentions][0] == "1300餘條"  # the report's characters, not 余条
    _assert_original_spans(b, traditional)


def test_simplified_text_is_left_alone() -> None:
    text = "乾坤湾镇全年主动公开信息200条。"  # 乾 is simplified too (GB2312): nothing to convert
    assert not is_traditional(text)
    assert to_simplified(text) is text


def test_conversion_keeps_every_offset() -> None:
    text = "萬元、個、條、體 and 12 ｜ 臺灣"
    simple = to_simplified(text)
    assert len(simple) == len(text)
    assert simple.startswith("万元、个、条、体")


REAL = sorted((EVALS / "dev").glob("*.txt"))[:40] + sorted((EVALS / "seed").glob("*.txt"))


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_real_report_in_traditional_script(path: Path) -> None:
    """Real reports rewritten in traditional characters give the same values and fields."""
    text = path.read_text(encoding="utf-8")
    traditional = to_traditional(text)
    a, b = extract(text), extract(traditional)
    assert _facts(b) == _facts(a)
    _assert_original_spans(b, traditional)


def _traditional_gold() -> list[ev.Gold]:
    golds = ev.load_gold_set([EVALS / "dev2"])
    return [g for g in golds if g.text and is_traditional(g.text)]


def test_dev2_holds_four_traditional_excerpts() -> None:
    assert len(_traditional_gold()) == 4


@pytest.mark.parametrize("gold", _traditional_gold(), ids=lambda g: g.name)
def test_traditional_excerpt_scores_like_its_simplified_twin(gold: ev.Gold) -> None:
    assert gold.text is not None
    simplified = to_simplified(gold.text)
    pred = extract(gold.text, source=gold.name).model_dump(mode="json")
    twin = extract(simplified, source=gold.name).model_dump(mode="json")
    a, b = ev.score_document(gold, pred), ev.score_document(gold, twin)
    assert (a.tp, a.fp, a.fn) == (b.tp, b.fp, b.fn)
    assert a.tp >= 0.8 * (a.tp + a.fn)  # numbers are found: before, none or few were
    assert ev.field_totals([a])[0] == ev.field_totals([b])[0]
    for m in pred["mentions"]:
        assert m["text"] == gold.text[m["start"]:m["end"]]


def test_restore_puts_back_table_notes() -> None:
    from extractor.models import Report

    original = "不適用"
    simple = to_simplified(original)
    report = Report(tables={"format": "2021", "active": {"fees": None}, "cell_notes": {"active.fees": simple}})
    restore_original(report, original, simple)
    assert report.tables is not None
    assert report.tables.row("active", "fees").cell().text == "不適用"  # type: ignore[union-attr]
    assert report.model_dump()["tables"]["cell_notes"] == {"active.fees": "不適用"}


def test_grid_notes_keep_the_cells_characters() -> None:
    from extractor.models import CellStatus, Tables
    from extractor.script import restore_grid_notes, simplify_grids

    grids = [[["本年收費金額", "不適用"]]]
    simple = simplify_grids(grids)
    assert simple == [[["本年收费金额", "不适用"]]]
    tables = Tables.model_validate({"format": "2021", "active": {"fees": None}, "cell_notes": {"active.fees": "不适用"}})
    restore_grid_notes(tables, grids, simple)
    assert tables.cell_notes["active.fees"] == "不適用"
    assert tables.row("active", "fees").cell().status is CellStatus.NOTE  # type: ignore[union-attr]


@pytest.mark.parametrize("text", [
    "主動公開政府資訊40條", "主动公开政府信息40条", "主动公开😀信息", "主动公开𠀀信息个", "乾坤於", "ＡＢＣ①—…", "",
    "主动公开😀信息個", "主动公开政府信息𠀀40條",
])
def test_traditional_before_the_tables_are_built_as_after(text: str) -> None:
    """Before the conversion tables exist, the text is told traditional (or not) as by the tables:
    only a character outside GB2312 that OpenCC converts to another one marks it."""
    from extractor import script

    script._tables.cache_clear()
    told = is_traditional(text)
    # these texts hold no character outside GB2312 that OpenCC leaves alone: tables only for a traditional one
    assert script._tables.cache_info().currsize == int(told)
    assert told == bool(script._tables()[1].search(text))
