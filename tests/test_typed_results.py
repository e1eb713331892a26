"""Typed results: ``Report.tables`` is a ``Tables`` (rows of cells with a status), ``Report.llm`` an
``LLMRun``; their JSON is the shape of docs/output.md, key for key, and JSON written before they were
typed reads back unchanged (``--resume``, the cross-year index).

``tests/data/typed/results-before-typed-tables.jsonl`` holds the ``tables`` and ``checks`` that the
dict-based code wrote for six bundled reports (cell notes, unread rows, rows placed by order or
split by arithmetic, a 2019 table, and a pair of years of one body)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from extractor import CellStatus, LLMRun, Report, Tables, extract_file
from extractor.checks import YearEnds, run_checks
from extractor.llm.summary import run_totals
from extractor.long_format import long_rows
from extractor.output import known_documents
from extractor.schema import TEMPLATE
from extractor.table_model import is_plain_json

ROOT = Path(__file__).resolve().parents[1]
BEFORE = ROOT / "tests" / "data" / "typed" / "results-before-typed-tables.jsonl"
OLD_RESULTS = [json.loads(line) for line in BEFORE.read_text(encoding="utf-8").splitlines()]
# every bundled complete report, the seed, and dev / dev2 excerpts with tables (2019 ones among them)
BUNDLED = [p for p in sorted((ROOT / "evals" / "full").iterdir()) if not p.name.endswith(".json")] + [
    ROOT / "evals" / "seed" / "longting-2024.txt", *(ROOT / "evals" / "dev" / f"{n}.txt" for n in ("r012", "r047", "r124")),
    ROOT / "evals" / "dev2" / "n129.txt", ROOT / "evals" / "dev2" / "n130.txt"]
OPTIONAL_TABLE_KEYS = ("read_by_arithmetic", "read_by_prose", "cell_notes", "unread")


def old(doc: str) -> dict[str, Any]:
    return next(r for r in OLD_RESULTS if r["doc"].endswith(doc))


def as_text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


@pytest.fixture(scope="module")
def bundled() -> dict[str, Report]:
    assert len(BUNDLED) >= 15
    return {p.name: extract_file(p) for p in BUNDLED}


# ---------------------------------------------------------------------------- the JSON shape


@pytest.mark.parametrize("result", OLD_RESULTS, ids=lambda r: Path(r["doc"]).name)
def test_tables_written_before_read_back_to_the_same_json(result: dict[str, Any]) -> None:
    tables = Tables.model_validate(result["tables"])
    assert as_text(tables.model_dump(mode="json")) == as_text(result["tables"])  # same keys, same order
    assert as_text(Report(tables=result["tables"]).model_dump(mode="json")["tables"]) == as_text(result["tables"])


def test_every_bundled_report_writes_the_contract_shape_and_reads_it_back(bundled: dict[str, Report]) -> None:
    with_tables = 0
    for name, report in bundled.items():
        data = report.model_dump(mode="json")
        assert as_text(Report.model_validate(data).model_dump(mode="json")) == as_text(data), name
        tables = data["tables"]
        if tables is None:
            continue
        with_tables += 1
        keys = list(tables)
        assert keys[:5] == ["format", "active", "requests", "review_litigation", "read_by"], name
        assert [k for k in keys[5:]] == [k for k in OPTIONAL_TABLE_KEYS if k in tables], name
        fmt = tables["format"]
        assert list(tables["active"]) == [s.key for s in TEMPLATE.active[fmt]], name
        for spec in TEMPLATE.active[fmt]:
            row = tables["active"][spec.key]
            assert list(row) == list(spec.columns) if spec.columns else not isinstance(row, dict), name
        assert all(list(row) == list(TEMPLATE.request_columns) for row in tables["requests"].values()), name
        assert list(tables["review_litigation"]) == list(TEMPLATE.review_blocks), name
        cells = [v for t in ("active", "requests", "review_litigation") for row in tables[t].values()
                 for v in (row.values() if isinstance(row, dict) else [row])]
        assert all(v is None or type(v) in (int, float) for v in cells), name
        assert all(isinstance(v, str) for v in tables.get("cell_notes", {}).values()), name
    assert with_tables >= 12


def test_the_optional_table_keys_written_are_the_typed_tables_own(bundled: dict[str, Report]) -> None:
    """The JSON's ``read_by_arithmetic``, ``read_by_prose``, ``cell_notes`` and ``unread`` (the writer
    gathers them in one walk over the rows) are the ``Tables`` properties of those names, in order."""
    hand_built = Tables.model_validate({"format": "2021", "active": {"fees": None},
                                        "cell_notes": {"active.fees": "不适用"}, "unread": ["requests.total", "active.fees"]})
    assert hand_built.unread == ["active.fees", "requests.total"]  # a held row, then one the tables do not hold
    seen: set[str] = set()
    for tables in [r.tables for r in bundled.values() if r.tables is not None] + [hand_built]:
        data = tables.model_dump(mode="json")
        for key in OPTIONAL_TABLE_KEYS:
            expected = getattr(tables, key)
            assert as_text(data.get(key, type(expected)())) == as_text(expected), key
            if expected:
                seen.add(key)
    assert seen == set(OPTIONAL_TABLE_KEYS)  # each key written by some report


def is_table_check(check: dict[str, Any]) -> bool:
    return check["name"].startswith(("requests.", "review_litigation."))


def test_extraction_gives_the_json_written_before_for_tables_read_by_their_labels(
        bundled: dict[str, Report]) -> None:
    """Tables read in full by their labels (hongze 2023, 2024): the tables and table checks the
    dict-based code wrote."""
    compared = 0
    for result in OLD_RESULTS:
        if result["tables"]["read_by"] != "labels" or "unread" in result["tables"]:
            continue
        data = bundled[Path(result["doc"]).name].model_dump(mode="json")
        assert as_text(data["tables"]) == as_text(result["tables"]), result["doc"]
        assert list(filter(is_table_check, data["checks"])) == list(filter(is_table_check, result["checks"]))
        compared += 1
    assert compared == 2


# ---------------------------------------------------------------------------- typed cells


def test_each_cell_says_what_was_printed() -> None:
    # shanghai-office-2025: 规章 printed as two cells for three columns, read by no label order
    tables = Tables.model_validate(old("shanghai-office-2025.md")["tables"])
    rules = tables.active["rules"]
    assert not rules.is_read and rules.columns == ["issued", "repealed", "in_force"]
    issued = rules.cell("issued")
    assert issued is not None and issued.status is CellStatus.UNREAD and issued.value is None
    assert issued.text == "2 cells for 3 columns: 22 | 235"
    assert tables.read_by == "row_order" and "active.rules" in tables.unread
    new = tables.requests["new"]
    assert new.is_read and new.cell("total").status is CellStatus.NUMBER  # type: ignore[union-attr]
    licensing = tables.row("active", "licensing")
    assert licensing is not None and licensing.one_value and licensing.cell() is not None


def test_rows_split_by_arithmetic_and_rows_placed_by_order_are_told() -> None:
    kewei = Tables.model_validate(old("kewei-2024.md")["tables"])
    assert kewei.read_by == "row_order"
    assert kewei.read_by_arithmetic == ["requests.carried_forward"]
    assert kewei.requests["carried_forward"].by_arithmetic and not kewei.requests["new"].by_arithmetic
    pingtan = Tables.model_validate(old("pingtan-2019.txt")["tables"])
    assert pingtan.format == "2019" and pingtan.read_by == "arithmetic"
    procurement = pingtan.active["procurement"]
    assert [c.status for c in procurement.cells] == [CellStatus.UNREAD, CellStatus.UNREAD]
    assert procurement.cell("amount").text.startswith("run 13575394432.52: ")  # type: ignore[union-attr]


def test_the_2019_rows_the_format_does_not_have_are_read_and_empty() -> None:
    # r124: the 2019 trial format, every cell blank; （六）1. and 2. are not in that format
    tables = Tables.model_validate(old("r124.txt")["tables"])
    for key in ("other.no_correction", "other.no_fee"):
        row = tables.requests[key]
        assert row.is_read and row.is_empty and {c.status for c in row.cells} == {CellStatus.BLANK}
    assert not tables.requests["new"].is_read


def test_long_format_cell_status_is_the_typed_status(bundled: dict[str, Report]) -> None:
    report = bundled["shanghai-office-2025.md"]
    assert report.tables is not None
    by_key = {r["key"]: r for r in long_rows(report) if r["kind"] == "table"}
    assert len(by_key) == sum(1 for _ in report.tables.cells())
    for cell in report.tables.cells():
        assert (by_key[cell.key]["cell_status"], by_key[cell.key]["text"]) == (cell.status.value, cell.text)


def test_checks_run_on_tables_read_back_from_json_as_on_the_extracted_ones(bundled: dict[str, Report]) -> None:
    for name, report in bundled.items():
        if report.tables is None:
            continue
        again = report.model_copy(update={"tables": Tables.model_validate(report.tables.model_dump(mode="json"))})
        assert run_checks(again) == run_checks(report), name


def test_resume_reads_the_year_ends_from_json_written_before(tmp_path: Path) -> None:
    out = tmp_path / "results.jsonl"
    out.write_text(BEFORE.read_text(encoding="utf-8"), encoding="utf-8")
    known = {columns["doc"]: (ends, written) for columns, ends, written in known_documents(out)}
    ends, written = known["evals/full/hongze-2023.pdf"]
    carried_forward = old("hongze-2023.pdf")["tables"]["requests"]["carried_forward"]["total"]
    assert ends is not None and ends.year == 2023 and ends.forward == (True, carried_forward)
    later, written = known["evals/full/hongze-2024.pdf"]
    assert later is not None and [c["name"] for c in written] == ["cross_year.carry_over"]
    # a row listed unread is not present: no carry-over is claimed from it
    assert known["evals/dev/r124.txt"][0].forward == (False, None)  # type: ignore[union-attr]


def _variants(tables: dict[str, Any], rng: random.Random) -> list[Any]:
    """The tables JSON as written, and changed the ways a hand-edited or foreign output may be:
    rows gone, rows listed unread, totals blank or typed otherwise, keys of the wrong kind."""
    out: list[Any] = [tables, {}, None, [], "tables", {"format": "2021"}, {**tables, "format": "2020"},
                      {**tables, "read_by": "guess"}, {**tables, "read_by": ""}, {**tables, "read_by": ["labels"]},
                      {**tables, "read_by": {"labels": 1}}, {**tables, "missing_rows": []}]
    requests = tables.get("requests") or {}
    for key in ("carried_forward", "carried_over"):
        out.append({**tables, "requests": {k: v for k, v in requests.items() if k != key}})
        out.append({**tables, "unread": [*(tables.get("unread") or []), f"requests.{key}"]})
        for total in (None, 0, 2.5, True, "12", "x", [1], {"n": 1}):
            row = requests.get(key)
            changed = {**row, "total": total} if isinstance(row, dict) else total
            out.append({**tables, "requests": {**requests, key: changed}})
        out.append({**tables, "requests": {**requests, key: 7}})  # a one-value row
    out += [{**tables, "requests": "rows"}, {**tables, "requests": []}, {**tables, "unread": "requests.carried_over"},
            {**tables, "unread": [1]}, {**tables, "cell_notes": {"requests.new.total": 3}},
            {**tables, "read_by_prose": ["x"]}, {**tables, "read_by_arithmetic": [None]}]
    other = rng.choice([n for n in ("active", "review_litigation") if isinstance(tables.get(n), dict)] or ["active"])
    rows = tables.get(other) or {}
    if rows:
        key = rng.choice(sorted(rows))
        out.append({**tables, other: {**rows, key: "五"}})  # another table's cell: not a number
    return out


def test_resume_reads_the_year_ends_from_json_as_from_the_tables_built_from_it(bundled: dict[str, Report]) -> None:
    """``--resume`` reads two cells of each written result where they stand in its JSON, without
    building its tables (``YearEnds.of_json``): the same year ends as building them, for every
    bundled report and for JSON changed in every way that could tell them apart."""
    rng = random.Random(3)
    compared = read_where_they_stand = 0
    written = [report.model_dump(mode="json")["tables"] for report in bundled.values()] + [
        r["tables"] for r in OLD_RESULTS]
    for tables in written:
        for variant in _variants(tables, rng) if isinstance(tables, dict) else [tables]:
            built = Tables.from_json(variant)
            expected = None if built is None else YearEnds.of("d.txt", 2024, built)
            assert YearEnds.of_json("d.txt", 2024, variant) == expected, as_text(variant)[:300]
            compared += 1
            read_where_they_stand += is_plain_json(variant)
    assert compared > 500 and read_where_they_stand > 200


# ---------------------------------------------------------------------------- the LLM record

RECORD = {"mode": "ambiguous", "prompt": "fill_ambiguous.v1", "model": "fake-model", "candidates": 3, "requests": 2,
          "cached": False, "tokens": {"in": 1200, "out": 80, "estimated": True}, "kept": 1, "dropped": 2,
          "failed_requests": 1, "reasks": 1, "dropped_reasons": {"not in the text": 2},
          "disagreements": [{"field": "requests.received", "rule": 43, "llm": 44,
                             "evidence": [{"start": 10, "end": 13, "text": "44件"}]}]}


def test_llm_record_reads_back_to_the_same_json() -> None:
    run = LLMRun.model_validate(RECORD)
    assert run.tokens.input == 1200 and run.tokens.estimated and run.disagreements is not None
    assert run.disagreements[0].evidence[0].text == "44件" and run.needed
    assert as_text(run.model_dump(mode="json")) == as_text(RECORD)
    minimal = {k: v for k, v in RECORD.items() if k not in ("failed_requests", "reasks", "dropped_reasons",
                                                            "disagreements")}
    minimal["tokens"] = {"in": 0, "out": 0}
    assert as_text(LLMRun.model_validate(minimal).model_dump(mode="json")) == as_text(minimal)


def test_run_totals_are_the_same_from_reports_and_from_their_json() -> None:
    reports = [Report(doc="a", llm=RECORD), Report(doc="b"),
               Report(doc="c", llm={**RECORD, "cached": True, "requests": 0, "unreachable": True})]
    as_json = [r.model_dump(mode="json") for r in reports]
    assert run_totals(reports) == run_totals(as_json)
    totals = run_totals(as_json)
    assert (totals["documents"], totals["sent"], totals["cached"], totals["tokens_in"], totals["unreachable"]) == \
        (2, 1, 1, 2400, 1)
