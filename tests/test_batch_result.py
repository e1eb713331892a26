"""Results made where a document is extracted (``batch_result.Result``): the output they carry
is the output the writers make of the ``Report``, with a check added later as well."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from extractor import extract_file
from extractor.batch import Batch
from extractor.batch_result import Result, make_result
from extractor.long_format import arrow_table, csv_bytes, long_rows, read_arrow
from extractor.models import Check, Report
from extractor.output import ResultWriter, report_json

from .conftest import SEED_TEXT
from .test_batch import DISTRICTS, _years_corpus


def _seed_with_problems() -> Report:
    report = extract_file(str(SEED_TEXT))
    report.doc = "seed.txt"
    report.add_error("extract", "an error row after the checks")
    return report


@pytest.mark.parametrize("form", ["jsonl", "csv", "parquet"])
def test_a_check_added_later_is_where_the_writers_put_it(form: str) -> None:
    report = _seed_with_problems()
    check = Check(name="cross_year.carry_over", ok=False, detail="2023 结转下年度 3 ≠ 2024 上年结转 0")
    result = pickle.loads(pickle.dumps(make_result(report.model_copy(deep=True), None, form, keep_report=False)))
    assert result.report is None and result.errors == 1
    result.add_check(check)
    report.checks.append(check)
    assert result.line == report_json(report)
    if form == "csv":
        assert result.rows == csv_bytes(long_rows(report))
    elif form == "parquet":
        assert read_arrow(result.rows).equals(arrow_table(long_rows(report)))
        assert result.count == len(list(long_rows(report)))
    else:
        assert result.rows is None


def test_a_result_that_cannot_be_made_is_its_documents_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import extractor.batch_result as module

    made = module.csv_bytes

    def broken(rows: list[dict[str, object]]) -> bytes:  # fails on the document's own rows only
        if any(row["body"] for row in rows):
            raise RuntimeError("no rows")
        return made(rows)

    monkeypatch.setattr(module, "csv_bytes", broken)
    result = make_result(Report(doc="a.txt", body="某区人民政府"), None, "jsonl", keep_report=True)
    assert result.errors == 0  # JSON Lines need no rows
    failed = make_result(Report(doc="a.txt", body="某区人民政府"), None, "csv", keep_report=True)
    assert failed.errors == 1 and failed.report is not None
    assert failed.report.errors[0].stage == "serialise" and "RuntimeError: no rows" in failed.line


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_written_results_are_the_written_reports_byte_for_byte(tmp_path: Path, suffix: str) -> None:
    """The workers' ready-made output (with cross-year checks found on arrival and late) is what
    the writer makes of the reports a library caller gets."""
    corpus = tmp_path / "c"
    files = [str(p) for p in _years_corpus(corpus, DISTRICTS[:4], extra=2)]
    outputs = []
    for compact in (False, True):
        out = tmp_path / f"{'results' if compact else 'reports'}{suffix}"
        writer = ResultWriter(out)
        batch = Batch(documents=files, workers=2, on_late=writer.add_late)
        for item in batch.results(writer.format) if compact else batch:
            assert isinstance(item, Result if compact else Report)
            writer.write(item, None if compact else batch.json_line(item))
        writer.close()
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert b"cross_year.carry_over" in outputs[1]


@pytest.mark.parametrize("odd", [{"text": 5}, {"value": 2.0}, {"value": "7"}, {"ok": 1}, {"value_decimal": 3},
                                 {"year": "2024"}, {}])
def test_arrow_rows_of_any_type_are_the_normalised_rows(odd: dict[str, object]) -> None:
    import pyarrow as pa

    from extractor.long_format import LONG_COLUMNS, normalise, parquet_schema

    row = {**dict.fromkeys(LONG_COLUMNS), "doc": "a.txt", "kind": "doc", **odd}
    expected = pa.Table.from_pylist([normalise(row)], schema=parquet_schema())
    assert arrow_table([row]).equals(expected)
    assert arrow_table([{k: v for k, v in row.items() if k != "unit"}]).equals(expected)  # a column missing
