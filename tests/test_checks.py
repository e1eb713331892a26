"""Checks flag bad figures (with the arithmetic in ``detail``) and never repair them."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from extractor.checks import run_checks
from extractor.cross_year import run_batch_checks
from extractor.models import CellStatus, Check, FieldValue, Report, Tables
from extractor.tables import parse_tables_text

SEED = Path(__file__).resolve().parents[1] / "evals" / "seed" / "longting-2024.txt"
FIXTURES = Path(__file__).parent / "data" / "tables"
SEED_TABLES: dict[str, Any] = json.loads((FIXTURES / "longting-2024.tables.json").read_text(encoding="utf-8"))
TABLE_CHECKS = ["requests.balance", "requests.total", "requests.columns", "review_litigation.totals"]


def exact(value: int) -> FieldValue:
    return FieldValue(value=value, qualifier="exact", source="test")


def report(tables: dict[str, Any] | None = None, **fields: FieldValue) -> Report:
    return Report(
        body="龙亭区人民政府办公室",
        year=2024,
        tables=copy.deepcopy(SEED_TABLES) if tables is None else tables,
        fields={k.replace("__", "."): v for k, v in fields.items()},
    )


def seed_tables(changes: dict[str, int | None]) -> dict[str, Any]:
    """The seed's tables as JSON, with the cells named by their dotted keys printed otherwise."""
    tables = copy.deepcopy(SEED_TABLES)
    for key, value in changes.items():
        table, *row, column = key.split(".")
        tables[table][".".join(row)][column] = value
    return tables


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


# ---------------------------------------------------------------------------- tables that add up


def test_seed_tables_pass_every_table_check() -> None:
    checks = by_name(run_checks(report()))
    assert list(checks) == TABLE_CHECKS
    assert all(c.ok for c in checks.values())
    assert checks["requests.balance"].detail == "43 + 0 = 43 + 0"
    assert checks["review_litigation.totals"].detail.startswith("review: 0 + 1 + 0 + 0 = 1 = 1")


def test_seed_prose_agrees_with_the_tables() -> None:
    # 收到政府信息公开申请 43 项 … 行政复议 1 件, 未经复议直接起诉 0 件 (the seed's 总体情况)
    r = report(
        requests__received=exact(43),
        requests__denied=exact(4),
        requests__unable_to_provide=exact(35),
        review__total=exact(1),
        litigation__total=exact(0),
        documents__issued=exact(3),
    )
    checks = by_name(run_checks(r))
    assert checks["narrative.requests"].ok
    assert "requests.unable_to_provide 35 = table unable.* 总计 35 (26 + 9 + 0)" in checks["narrative.requests"].detail
    assert checks["narrative.review_litigation"].ok
    assert checks["narrative.documents"].ok


def test_fields_that_are_not_exact_are_not_compared() -> None:
    r = report(requests__received=FieldValue(value=40, qualifier="over", source="test"))
    assert "narrative.requests" not in by_name(run_checks(r))


# ---------------------------------------------------------------------------- deliberately wrong figures


def test_new_requests_43_printed_as_44_fails_balance_and_narrative() -> None:
    tables = copy.deepcopy(SEED_TABLES)
    tables["requests"]["new"]["natural_person"] = 44
    tables["requests"]["new"]["total"] = 44
    checks = by_name(run_checks(report(tables, requests__received=exact(43))))
    balance = checks["requests.balance"]
    assert not balance.ok
    assert "natural_person: 44 + 0 = 44 ≠ 43 + 0 = 43" in balance.detail
    assert "total: 44 + 0 = 44 ≠ 43 + 0 = 43" in balance.detail
    narrative = checks["narrative.requests"]
    assert not narrative.ok
    assert narrative.detail == "requests.received 43 ≠ table new 总计 44"
    assert checks["requests.columns"].ok  # the row itself still adds up
    assert tables["requests"]["new"]["total"] == 44  # flagged, not repaired


def test_a_total_that_does_not_match_its_row_fails_columns() -> None:
    tables = copy.deepcopy(SEED_TABLES)
    tables["requests"]["granted"]["total"] = 5
    checks = by_name(run_checks(report(tables)))
    assert not checks["requests.columns"].ok
    assert checks["requests.columns"].detail == "granted: 4 + 0 + 0 + 0 + 0 + 0 = 4 ≠ total 5"
    assert not checks["requests.total"].ok
    assert "total: sum of 21 rows = 44 ≠ total 43" in checks["requests.total"].detail


def test_review_block_that_does_not_add_up() -> None:
    tables = copy.deepcopy(SEED_TABLES)
    tables["review_litigation"]["litigation_direct"]["upheld"] = 2
    check = by_name(run_checks(report(tables)))["review_litigation.totals"]
    assert not check.ok
    assert check.detail == "litigation_direct: 2 + 0 + 0 + 0 = 2 ≠ total 0"


def test_prose_disagreeing_with_table_four_and_table_two() -> None:
    r = report(review__total=exact(2), litigation__total=exact(1), documents__in_force=exact(8))
    checks = by_name(run_checks(r))
    assert not checks["narrative.review_litigation"].ok
    assert "review.total 2 ≠ table review.total 1" in checks["narrative.review_litigation"].detail
    assert "litigation.total 1 ≠ table litigation_direct.total + litigation_after_review.total 0 (0 + 0)" in (
        checks["narrative.review_litigation"].detail
    )
    assert checks["narrative.documents"].detail == "documents.in_force 8 ≠ table normative_documents.in_force 7"


# ---------------------------------------------------------------------------- blank and missing


def test_a_blank_cell_counts_as_zero_and_the_detail_says_so() -> None:
    tables = copy.deepcopy(SEED_TABLES)
    tables["requests"]["carried_over"]["business"] = None
    check = by_name(run_checks(report(tables)))["requests.balance"]
    assert check.ok
    assert check.detail == "43 + 0 = 43 + 0 (blank cells counted as 0: carried_over.business)"


def blank_total_column(tables: dict[str, Any]) -> dict[str, Any]:
    """Table 三 with its 总计 column printed empty, as many 2019-format reports leave it."""
    for row in tables["requests"].values():
        row["total"] = None
    return tables


def test_a_blank_total_column_is_not_stated_not_a_failure() -> None:
    tables = blank_total_column(copy.deepcopy(SEED_TABLES))
    checks = by_name(run_checks(report(tables, requests__received=exact(43), requests__completed=exact(43))))
    assert [c.name for c in checks.values() if c.ok is False] == []
    columns = checks["requests.columns"]
    assert columns.ok is None
    assert columns.detail.startswith("not stated: new: 43 + 0 + 0 + 0 + 0 + 0 vs total blank; ")
    assert "(blank cells: new.total, carried_over.total" in columns.detail
    narrative = checks["narrative.requests"]
    assert narrative.ok is None
    assert "requests.received 43 vs table new 总计 blank" in narrative.detail
    # the applicant columns are printed and still balance: those checks pass on what is printed
    assert checks["requests.balance"].ok is True
    assert checks["requests.balance"].detail.startswith("6 applicant columns balance (total column blank)")
    assert checks["requests.total"].ok is True


def test_a_real_arithmetic_error_still_fails_beside_a_blank_total_column() -> None:
    tables = blank_total_column(copy.deepcopy(SEED_TABLES))
    tables["requests"]["new"]["natural_person"] = 44  # 44 + 0 ≠ 43 + 0, all four cells printed
    balance = by_name(run_checks(report(tables)))["requests.balance"]
    assert balance.ok is False
    assert balance.detail.startswith("natural_person: 44 + 0 = 44 ≠ 43 + 0 = 43")


def test_a_blank_fails_only_when_no_count_in_it_could_make_the_sum_hold() -> None:
    tables = copy.deepcopy(SEED_TABLES)
    tables["requests"]["granted"]["business"] = None
    tables["requests"]["granted"]["total"] = 2  # 4 printed in natural_person already exceeds 2
    checks = by_name(run_checks(report(tables)))
    assert checks["requests.columns"].ok is False
    assert "granted: 4 + 0 + 0 + 0 + 0 + 0 = 4 ≠ total 2" in checks["requests.columns"].detail
    tables["requests"]["granted"]["total"] = 5  # the blank business cell could hold the missing 1
    checks = by_name(run_checks(report(tables)))
    assert checks["requests.columns"].ok is None
    assert checks["requests.columns"].detail == (
        "not stated: granted: 4 + blank + 0 + 0 + 0 + 0 vs total 5 (blank cells: granted.business)")


def test_a_blank_carried_forward_total_leaves_the_balance_open() -> None:
    # new 34 + carried over 2 = 36; 总计 35 and 结转下年度 总计 printed blank (1 in its natural_person column)
    tables = copy.deepcopy(SEED_TABLES)
    rows = tables["requests"]
    rows["new"].update(natural_person=34, total=34)
    rows["carried_over"].update(natural_person=2, total=2)
    rows["total"].update(natural_person=35, total=35)
    rows["carried_forward"].update(natural_person=1, total=None)
    checks = by_name(run_checks(report(tables, requests__carried_forward=exact(1))))
    balance = checks["requests.balance"]
    assert balance.ok is None
    assert balance.detail == "not stated: total: 34 + 2 vs 35 + blank (blank cells: carried_forward.total)"
    assert checks["narrative.requests"].ok is None
    assert "requests.carried_forward 1 vs table carried_forward 总计 blank" in checks["narrative.requests"].detail


def test_a_check_whose_every_cell_is_blank_states_nothing() -> None:
    last_year = report(seed_tables({"requests.carried_forward.total": None}))
    this_year = report(seed_tables({"requests.carried_over.total": None}))
    last_year.year = 2023
    run_batch_checks([last_year, this_year])
    (check,) = [c for c in this_year.checks if c.name == "cross_year.carry_over"]
    assert check.ok is None and check.status == "not stated"
    assert check.detail.startswith("not stated: every cell it needs is blank (2023 carried_forward.total, 2024 carried_over.total)")


def report_2019_with_blank_totals(*, new_natural_person: str | None = None) -> Report:
    """A 2019 trial-format report, as a Markdown page prints it, its table 三 总计 column empty."""
    from extractor import extract

    from .test_tables import pipe_lines, rows_2019, write

    rows = rows_2019()
    requests = []
    for kind, cells in rows["requests"]:
        if kind == "data":
            cells = [*cells[:-1], ""]
            if new_natural_person is not None and cells[0].startswith("一、"):
                cells[1] = new_natural_person
        requests.append((kind, cells))
    rows["requests"] = requests
    return extract(write(rows, pipe_lines), source="2019-blank-totals")


def test_a_2019_report_with_its_total_column_blank_end_to_end() -> None:
    report = report_2019_with_blank_totals()
    assert report.tables is not None and report.tables.format == "2019"
    totals = [row.cell("total") for row in report.tables.requests.values()]
    assert all(cell is not None and cell.is_blank for cell in totals)
    checks = by_name(report.checks)
    assert [c.name for c in report.checks if c.ok is False] == []
    assert checks["requests.columns"].ok is None and checks["requests.columns"].detail.startswith("not stated: ")
    assert checks["narrative.requests"].ok is None  # 收到…申请713件 against a blank 总计
    assert checks["requests.balance"].ok is True and checks["requests.total"].ok is True


def test_a_2019_report_with_blank_totals_and_a_real_error_still_fails() -> None:
    report = report_2019_with_blank_totals(new_natural_person="31")  # one more new request than the rows account for
    checks = by_name(report.checks)
    assert checks["requests.balance"].ok is False
    assert checks["requests.balance"].detail.startswith("natural_person: 31 + ")
    assert checks["requests.total"].ok is True  # the outcome rows still add up


def test_checks_whose_rows_are_missing_are_not_run() -> None:
    tables = copy.deepcopy(SEED_TABLES)
    tables["unread"] = ["requests.carried_forward"]
    tables["requests"]["carried_forward"] = dict.fromkeys(tables["requests"]["carried_forward"])
    names = by_name(run_checks(report(tables, requests__carried_forward=exact(0))))
    assert "requests.balance" not in names
    assert "narrative.requests" not in names  # the only field it could compare is missing
    assert names["requests.total"].ok


def test_a_row_printed_blank_is_read_and_leaves_its_checks_not_stated() -> None:
    # only a row listed unread is missing: a row of blank cells was printed blank, not guessed missing
    tables = copy.deepcopy(SEED_TABLES)
    del tables["read_by"]
    tables["requests"]["total"] = dict.fromkeys(tables["requests"]["total"])
    total = Tables.model_validate(tables).requests["total"]
    assert total.is_read and {c.status for c in total.cells} == {CellStatus.BLANK}
    names = by_name(run_checks(report(tables)))
    assert names["requests.balance"].ok is None and names["requests.total"].ok is None
    assert names["requests.total"].detail.startswith("not stated: natural_person: sum of 21 rows = 43 vs total blank")


def test_no_tables_no_checks() -> None:
    assert run_checks(Report(fields={"requests.received": exact(43)})) == []


@pytest.mark.parametrize(
    "cut_before",
    [
        "(三) 不予公开\t1. 属于国家秘密",  # between two rows of table 三
        "0\t0\t0\t3\n\t\t3. 危及",  # in the middle of a row of table 三: 3, 0, 0 were read
        "(七) 总计",
        "0\t0\t0\t0\t0\t0\t0\t0\t0\t0\n\n五、",  # in the middle of table 四's row
    ],
)
def test_a_table_cut_off_gives_no_false_failures(cut_before: str) -> None:
    text = SEED.read_text(encoding="utf-8")
    cut = text[: text.index(cut_before)]
    tables = parse_tables_text(cut)
    assert tables is not None and tables.unread
    assert all(not tables.row(*name.split(".", 1)).is_read for name in tables.unread)  # type: ignore[union-attr]
    checks = run_checks(report(tables, requests__received=exact(43), review__total=exact(1)))
    assert [c for c in checks if not c.ok] == []


# ---------------------------------------------------------------------------- across years


def test_carry_over_from_one_year_to_the_next() -> None:
    last_year = report(seed_tables({"requests.carried_forward.total": 2}))
    last_year.year = 2023
    this_year = report()
    other_body = report()
    other_body.body, other_body.year = "另一机关", 2025
    run_batch_checks([this_year, last_year, other_body])
    assert last_year.checks == [] and other_body.checks == []
    (check,) = this_year.checks
    assert check.name == "cross_year.carry_over"
    assert not check.ok
    assert check.detail == "2023 carried_forward.total 2 ≠ 2024 carried_over.total 0"


def test_carry_over_that_agrees() -> None:
    last_year, this_year = report(), report()
    last_year.year = 2023
    run_batch_checks([last_year, this_year])
    assert [(c.name, c.ok, c.detail) for c in this_year.checks] == [
        ("cross_year.carry_over", True, "2023 carried_forward.total 0 = 2024 carried_over.total 0")
    ]


def test_one_body_however_its_titles_name_it() -> None:
    from extractor.cross_year import same_body

    assert same_body("淮安市洪泽区人民政府", "洪泽区人民政府")
    assert same_body("龙亭区人民政府办公室", "龙亭区 人民政府办公室")
    assert not same_body("洪泽区人民政府", "淮阴区人民政府")
    assert not same_body("市政府", "淮安市政府")  # too short to tell


def test_pretty_and_show_print_a_check_not_stated(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from extractor.cli import app

    from .test_tables import pipe_lines, rows_2019, write

    rows = rows_2019()
    rows["requests"] = [(k, [*c[:-1], ""] if k == "data" else c) for k, c in rows["requests"]]
    path = tmp_path / "blank-totals.md"
    path.write_text(write(rows, pipe_lines), encoding="utf-8")
    result = CliRunner().invoke(app, ["extract", str(path), "--pretty"])
    assert result.exit_code == 0
    assert "not stated  requests.columns: not stated: new: " in result.stdout
    result = CliRunner().invoke(app, ["show", str(path), "-o", str(tmp_path / "page.html")])
    assert result.exit_code == 0
    assert "checks (0 failed, 2 not stated)" in result.stderr
