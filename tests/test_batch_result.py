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


def _dies_or_hangs(path: str, **kwargs: object) -> Report:
    import os
    import signal
    import time

    name = Path(path).name
    if "dies" in name:
        os._exit(1)  # as a crash in a C library, or the kernel's out-of-memory killer, would end it
    if "stuck" in name:  # where the in-process timer cannot reach
        signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])
        time.sleep(60)
    return Report(doc=path, body=Path(path).stem)


def test_a_worker_that_dies_or_hangs_mid_stream_costs_only_its_document(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers hold more than one chunk at a time: a worker lost on one document gives that
    document its error, and the documents it held go to another worker, in input order."""
    import extractor.batch as batch_module

    monkeypatch.setattr(batch_module, "extract_file", _dies_or_hangs)
    monkeypatch.setattr(batch_module, "HARD_LIMIT_GRACE", 0.5)
    names = [f"{i:02d}{'-dies' if i in (5, 21) else '-stuck' if i == 13 else ''}.txt" for i in range(40)]
    for name in names:
        (tmp_path / name).write_text("x", encoding="utf-8")
    results = list(Batch([tmp_path], workers=2, time_limit=0.5).results("csv"))
    assert [Path(r.doc or "").name for r in results] == names
    for r, name in zip(results, names, strict=True):
        expected = b"worker process ended" if "dies" in name else b"time limit exceeded" if "stuck" in name else None
        assert r.errors == (expected is not None), (name, r.line)
        if expected is not None:
            assert expected in r.rows and r.rows.count(b"\r\n") == 2  # the doc row and the error row


def test_workers_that_die_as_they_are_fed_end_no_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import extractor.batch as batch_module

    monkeypatch.setattr(batch_module, "extract_file", _dies_or_hangs)
    names = [f"{i:02d}-dies.txt" for i in range(12)]
    for name in names:
        (tmp_path / name).write_text("x", encoding="utf-8")
    results = list(Batch([tmp_path], workers=2).results("jsonl"))
    assert [Path(r.doc or "").name for r in results] == names
    assert all('"message": "worker process ended"' in r.line for r in results)


def _reports_its_frozen_objects(path: str, **_: object) -> Report:
    import gc
    import os

    if "dies" in Path(path).name:
        os._exit(1)
    return Report(doc=path, body=f"{os.getpid()} {gc.get_freeze_count()}")


def test_workers_inherit_the_parents_objects_frozen_and_the_parent_does_not_keep_them_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A forked worker's garbage collections leave what it inherited alone (so those pages stay
    shared, not copied); the parent's own objects are collected as before, during the run and
    after it, and a worker started again after one died inherits its objects frozen too."""
    import gc

    import extractor.batch as batch_module

    monkeypatch.setattr(batch_module, "extract_file", _reports_its_frozen_objects)
    names = [f"{i:03d}{'-dies' if i == 1 else ''}.txt" for i in range(200)]
    for name in names:
        (tmp_path / name).write_text("x", encoding="utf-8")
    frozen_by_worker: dict[str, int] = {}
    parent_during: set[int] = set()
    for report in Batch([tmp_path], workers=2):
        parent_during.add(gc.get_freeze_count())
        if not report.errors:
            pid, frozen = (report.body or "").split()
            frozen_by_worker[pid] = int(frozen)
    assert len(frozen_by_worker) == 3  # two workers, and the one started when the first died
    assert min(frozen_by_worker.values()) > 10_000  # the package, jieba's dictionary, the rules
    assert parent_during == {0} and gc.get_freeze_count() == 0
