"""The DuckDB results store: tables split from the long format, the analyst's views, the CLI.

Extraction runs once on the bundled corpus (evals/full, evals/seed and a few dev excerpts); the
store is checked against the long-format file it was loaded from, and ``cross_year`` against
the pipeline's own ``cross_year.carry_over`` checks.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.long_format import read_long
from extractor.store import BODY_YEAR_FIELDS, load_store, region_parts

duckdb = pytest.importorskip("duckdb")  # part of [dev]; the suite installs it

ROOT = Path(__file__).resolve().parent.parent
CORPUS = [ROOT / "evals" / "full", ROOT / "evals" / "seed", ROOT / "evals" / "dev" / "r004.txt",
          ROOT / "evals" / "dev" / "r007.txt"]
runner = CliRunner()
KIND_TABLES = {"doc": "documents", "mention": "mentions", "field": "fields", "field_part": "field_parts",
               "table": "table_cells", "check": "checks", "error": "errors", "warning": "warnings"}


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The corpus extracted to long-format Parquet, then loaded with ``xxgk load``."""
    tmp = tmp_path_factory.mktemp("store")
    parquet, db = tmp / "r.parquet", tmp / "r.duckdb"
    result = runner.invoke(app, ["extract", *map(str, CORPUS), "-o", str(parquet)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["load", str(parquet), str(db)])
    assert result.exit_code == 0, result.output
    return parquet, db


def test_every_long_row_lands_in_its_table(stored: tuple[Path, Path]) -> None:
    parquet, db = stored
    long = read_long(parquet)
    inputs = sum(len([p for p in c.iterdir() if not p.name.endswith(".json")]) if c.is_dir() else 1 for c in CORPUS)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == inputs
        for kind, table in KIND_TABLES.items():
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == (long["kind"] == kind).sum(), table
        # a field's parts count is the number of its field_part rows
        parts = con.execute("SELECT sum(parts) FROM fields").fetchone()[0]
        assert parts == (long["kind"] == "field_part").sum()
        # errors per document counted from the error rows
        errors = dict(con.execute("SELECT doc, errors FROM documents").fetchall())
        for doc, n in errors.items():
            assert n == ((long["doc"] == doc) & (long["kind"] == "error")).sum()


def test_columns_are_typed(stored: tuple[Path, Path]) -> None:
    _, db = stored
    with duckdb.connect(str(db), read_only=True) as con:
        def types(table: str) -> dict[str, str]:
            return {r[0]: r[1] for r in con.execute(f"DESCRIBE {table}").fetchall()}

        docs = types("documents")
        assert docs["year"] == "INTEGER" and docs["errors"] == "BIGINT" and docs["province"] == "VARCHAR"
        fields = types("fields")
        assert (fields["value"], fields["value_decimal"], fields["start"]) == ("BIGINT", "DOUBLE", "INTEGER")
        assert types("checks")["ok"] == "BOOLEAN"
        cells = types("table_cells")
        assert {"table", "row", "column", "value", "status", "read_by"} <= set(cells)
        assert cells["value"] == "BIGINT"
        statuses = {r[0] for r in con.execute("SELECT DISTINCT status FROM table_cells").fetchall()}
        assert statuses <= {"number", "blank", "note", "unread"} and "number" in statuses


def test_region_fields_come_from_the_region_column(stored: tuple[Path, Path]) -> None:
    _, db = stored
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT region, province, city, county, region_code FROM documents").fetchall()
    with_region = [r for r in rows if r[0] is not None]
    assert with_region, "the corpus has documents with a region"
    for region, *parts in with_region:
        expected = region_parts(region)
        assert parts == [expected["province"], expected["city"], expected["county"], expected["code"]]
        assert parts[0] is not None and parts[0] in region


def test_body_year_has_the_fields_of_each_document(stored: tuple[Path, Path]) -> None:
    _, db = stored
    with duckdb.connect(str(db), read_only=True) as con:
        n = con.execute("SELECT count(*) FROM documents WHERE body IS NOT NULL AND year IS NOT NULL").fetchone()[0]
        assert con.execute("SELECT count(*) FROM body_year").fetchone()[0] == n
        rows = con.execute("SELECT doc, received FROM body_year").fetchall()
        received = dict(con.execute("SELECT doc, value FROM fields WHERE field = ?",
                                    [BODY_YEAR_FIELDS["received"]]).fetchall())
        assert any(v is not None for _, v in rows)
        for doc, value in rows:
            assert value == received.get(doc)
        totals = con.execute("SELECT count(*) FROM body_year WHERE table_new_requests IS NOT NULL").fetchone()[0]
        assert totals > 0


def test_year_on_year_is_the_difference_of_consecutive_years(stored: tuple[Path, Path]) -> None:
    _, db = stored
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT doc_before, doc_after, year_before, year_after, received_before, "
                           "received_after, received_change FROM year_on_year").fetchall()
    pairs = {(Path(a).name, Path(b).name) for a, b, *_ in rows}
    assert ("hongze-2023.pdf", "hongze-2024.pdf") in pairs
    for _, _, before, after, r0, r1, change in rows:
        assert after == before + 1
        assert change == (None if r0 is None or r1 is None else r1 - r0)


_CHECK = re.compile(r"(\d{4}) carried_forward\.total (\S+) [=≠] (\d{4}) carried_over\.total (\S+)")


def test_cross_year_agrees_with_the_pipelines_check(stored: tuple[Path, Path]) -> None:
    """Every cross_year.carry_over check of the run has its row in ``cross_year``, with the same
    numbers and verdict; hongze 2023 → 2024 (two names of one body) is among them."""
    _, db = stored
    with duckdb.connect(str(db), read_only=True) as con:
        checks = con.execute("SELECT doc, ok, detail FROM checks WHERE \"check\" = 'cross_year.carry_over'").fetchall()
        view = {(r[0], r[1]): r[2:] for r in con.execute(
            "SELECT doc_before, doc_after, carried_forward, carried_over, ok, year_before, year_after "
            "FROM cross_year").fetchall()}
    assert checks, "the corpus has a cross-year pair"
    assert any(Path(d).name == "hongze-2024.pdf" for d, _, _ in checks)
    for doc, ok, detail in checks:
        before = re.search(r"\((\d{4}): (.+)\)$", detail)
        assert before is not None, detail
        forward, over, view_ok, y0, y1 = view[(before.group(2), doc)]
        numbers = _CHECK.search(detail)
        assert numbers is not None, detail
        assert (str(y0), str(y1)) == (numbers.group(1), numbers.group(3))
        assert (str(forward), str(over)) == (numbers.group(2), numbers.group(4))
        assert view_ok == ok
    hongze = [k for k in view if Path(k[0]).name == "hongze-2023.pdf"]
    assert [Path(k[1]).name for k in hongze] == ["hongze-2024.pdf"]


def test_extract_to_duckdb_gives_the_same_store_as_load(stored: tuple[Path, Path], tmp_path: Path) -> None:
    parquet, _ = stored
    db = tmp_path / "direct.duckdb"
    hongze = [ROOT / "evals" / "full" / "hongze-2023.pdf", ROOT / "evals" / "full" / "hongze-2024.pdf"]
    result = runner.invoke(app, ["extract", *map(str, hongze), "-o", str(db)])
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["direct.duckdb"]  # the temporary Parquet is gone
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 2
        assert con.execute("SELECT count(*) FROM cross_year").fetchone()[0] == 1
        cells = con.execute("SELECT count(*) FROM table_cells").fetchone()[0]
    long = read_long(parquet)
    assert cells == (long["doc"].str.contains("hongze") & (long["kind"] == "table")).sum()


def test_load_replaces_what_the_store_held(stored: tuple[Path, Path], tmp_path: Path) -> None:
    parquet, _ = stored
    db = tmp_path / "twice.duckdb"
    first = load_store([parquet], db)
    second = load_store([parquet], db)
    assert first == second and first["documents"] > 0


def test_without_duckdb_the_message_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "duckdb", None)  # import duckdb now raises ImportError
    result = runner.invoke(app, ["extract", str(CORPUS[1]), "-o", str(tmp_path / "x.duckdb")])
    assert result.exit_code == 2
    assert "pip install 'xxgk-extractor[duckdb]'" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "x.duckdb").exists()


def test_resume_into_a_store_is_refused_with_the_way_round(tmp_path: Path) -> None:
    result = runner.invoke(app, ["extract", str(CORPUS[1]), "-o", str(tmp_path / "x.duckdb"), "--resume"])
    assert result.exit_code == 2
    assert "--resume" in result.output and "xxgk load" in result.output


def test_a_document_in_two_sources_is_stored_once(stored: tuple[Path, Path], tmp_path: Path) -> None:
    parquet, _ = stored
    counts = load_store([parquet, parquet], tmp_path / "dup.duckdb")
    assert counts == load_store([parquet], tmp_path / "once.duckdb")


def test_extract_to_duckdb_names_the_store_and_what_it_holds(tmp_path: Path) -> None:
    """The messages name the DuckDB file asked for, never the temporary Parquet file, and list its
    tables (with their row counts) and views."""
    db = tmp_path / "named.duckdb"
    result = runner.invoke(app, ["extract", str(CORPUS[1]), str(CORPUS[2]), "-o", str(db)])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert ".parquet" not in result.output and ".xxgk-" not in result.output
    assert lines[0] == f"2 documents extracted → {db}"
    with duckdb.connect(str(db), read_only=True) as con:
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in KIND_TABLES.values()}
    assert lines[1] == (f"{db}: tables " + ", ".join(f"{t} ({n})" for t, n in counts.items())
                        + "; views body_year, year_on_year, cross_year")
    assert counts["documents"] == 2 and counts["table_cells"] > 0
    loaded = runner.invoke(app, ["load", str(tmp_path / "none.parquet"), str(db)])
    assert loaded.exit_code == 2  # a missing source is refused before the store is touched


def test_load_names_the_store_and_what_it_holds(stored: tuple[Path, Path], tmp_path: Path) -> None:
    parquet, _ = stored
    db = tmp_path / "loaded.duckdb"
    result = runner.invoke(app, ["load", str(parquet), str(db)])
    assert result.exit_code == 0, result.output
    documents = (read_long(parquet)["kind"] == "doc").sum()
    assert result.output.startswith(f"{db}: tables documents ({documents}), mentions (")
    assert result.output.rstrip().endswith("; views body_year, year_on_year, cross_year")


def test_an_interrupted_extract_to_duckdb_stores_what_it_wrote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stopped (Ctrl-C) after the first document: that document is in the store, and the messages
    name the store without promising a --resume it does not offer."""
    import extractor.cli as cli

    class StoppedAfterOne(cli.Batch):
        def results(self, form):  # type: ignore[no-untyped-def]  # what the CLI writes to a file
            for result in super().results(form):
                yield result
                raise cli._Stopped(130)

    monkeypatch.setattr(cli, "Batch", StoppedAfterOne)
    db = tmp_path / "cut.duckdb"
    result = runner.invoke(app, ["extract", str(CORPUS[2]), str(CORPUS[3]), "-o", str(db)])
    assert result.exit_code == 130, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == f"interrupted: 1 document written to {db}"
    assert lines[1].startswith(f"{db}: tables documents (1), ")
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT doc FROM documents").fetchall() == [(str(CORPUS[2]),)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.duckdb"]


def test_a_store_in_the_region_form_of_an_earlier_version_is_the_same(stored: tuple[Path, Path], tmp_path: Path) -> None:
    """Long-format files of earlier versions hold ``region`` as a Python mapping's text: loaded,
    they give the same documents (region text, province, city, county, code) as today's."""
    parquet, db = stored
    old = read_long(parquet)
    mapping = {r: str({k: v for k, v in region_parts(r).items() if k != "township"})
               for r in old["region"].dropna().unique()}
    assert mapping and all(v.startswith("{'province'") for v in mapping.values())
    old["region"] = old["region"].replace(mapping)
    old_file = tmp_path / "old.parquet"
    old.to_parquet(old_file)
    load_store([old_file], tmp_path / "old.duckdb")
    sql = "SELECT doc, region, province, city, county, region_code FROM documents ORDER BY doc"
    with duckdb.connect(str(db), read_only=True) as new, \
            duckdb.connect(str(tmp_path / "old.duckdb"), read_only=True) as before:
        rows = new.execute(sql).fetchall()
        assert before.execute(sql).fetchall() == rows
    hongze = [r for r in rows if Path(r[0]).name == "hongze-2024.pdf"]
    assert hongze and hongze[0][1:] == ("江苏省淮安市洪泽区", "江苏省", "淮安市", "洪泽区", "320813")


def test_the_library_writes_and_opens_the_same_store_as_the_command(tmp_path: Path) -> None:
    """``write_store(extract_batch(...))`` gives, table for table, the store of ``xxgk extract -o``;
    ``open_store`` reads it (read-only) with the views, hongze 2023 → 2024 among the pairs."""
    from extractor import extract_batch, open_store, write_store

    hongze = [str(ROOT / "evals" / "full" / f"hongze-{y}.pdf") for y in (2024, 2023)]  # the later year first
    by_cli, by_library = tmp_path / "cli.duckdb", tmp_path / "library.duckdb"
    assert runner.invoke(app, ["extract", *hongze, "-o", str(by_cli)]).exit_code == 0
    counts = write_store(extract_batch(hongze), by_library)
    with open_store(by_cli) as cli_con, open_store(by_library) as con:
        for table in (*KIND_TABLES.values(), "body_year", "year_on_year", "cross_year"):
            sql = f"SELECT * FROM {table} ORDER BY ALL"
            assert con.execute(sql).fetchall() == cli_con.execute(sql).fetchall(), table
        assert counts["documents"] == 2
        # the pair's check is found late (2024 came first) and is stored with the 2024 result
        assert con.execute("SELECT count(*) FROM checks WHERE \"check\" = 'cross_year.carry_over'").fetchone()[0] == 1
        pairs = con.execute("SELECT doc_before, doc_after, ok FROM cross_year").fetchall()
        assert [(Path(a).name, Path(b).name) for a, b, _ in pairs] == [("hongze-2023.pdf", "hongze-2024.pdf")]
        with pytest.raises(duckdb.Error):
            con.execute("DROP TABLE documents")  # read-only
    with pytest.raises(FileNotFoundError):
        open_store(tmp_path / "missing.duckdb")


@contextlib.contextmanager
def _held_open(db: Path) -> Iterator[None]:
    """Another program (a notebook, say) holding the DuckDB file open for writing."""
    code = "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('open', flush=True); sys.stdin.read()"
    proc = subprocess.Popen([sys.executable, "-c", code, str(db)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "open"
        yield
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=60)


def test_load_into_a_store_another_program_holds_open_says_so_in_one_line(stored: tuple[Path, Path],
                                                                          tmp_path: Path) -> None:
    parquet, _ = stored
    db = tmp_path / "held.duckdb"
    before = load_store([one_document_parquet(tmp_path)], db)
    with _held_open(db):
        result = runner.invoke(app, ["load", str(parquet), str(db)])
    assert result.exit_code == 2
    assert "open in another program" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert load_store([one_document_parquet(tmp_path)], db) == before  # usable again once closed


def test_extract_to_a_store_another_program_holds_open_fails_before_extracting(tmp_path: Path) -> None:
    db = tmp_path / "held.duckdb"
    load_store([one_document_parquet(tmp_path)], db)
    with _held_open(db):
        result = runner.invoke(app, ["extract", str(CORPUS[1]), "-o", str(db)])
    assert result.exit_code == 2
    assert "open in another program" in result.output and "extracted" not in result.output
    assert not list(tmp_path.glob(".xxgk-*")) and not list(tmp_path.glob("*.unloaded.parquet"))


def test_a_store_taken_during_the_run_keeps_the_results_beside_it(tmp_path: Path) -> None:
    """Nothing extracted is lost: the run's Parquet file is kept, with the command that loads it."""
    from extractor.cli import _load_or_keep
    from extractor.store import StoreBusy

    db = tmp_path / "taken.duckdb"
    load_store([one_document_parquet(tmp_path)], db)
    run = tmp_path / "run" / "taken.parquet"
    run.parent.mkdir()
    run.write_bytes(one_document_parquet(tmp_path).read_bytes())
    with _held_open(db), pytest.raises(StoreBusy) as raised:
        _load_or_keep(run, db)
    kept = tmp_path / "taken.unloaded.parquet"
    assert f"xxgk load {kept} {db}" in str(raised.value)
    assert len(read_long(kept)) == len(read_long(one_document_parquet(tmp_path)))
    # a second run taken the same way keeps its results too, beside the first's
    run.write_bytes(one_document_parquet(tmp_path).read_bytes())
    with _held_open(db), pytest.raises(StoreBusy) as raised:
        _load_or_keep(run, db)
    second = tmp_path / "taken.unloaded-2.parquet"
    assert f"xxgk load {second} {db}" in str(raised.value)
    assert second.exists() and kept.exists()


def test_load_while_another_run_writes_the_store_is_refused(stored: tuple[Path, Path], tmp_path: Path) -> None:
    from extractor.output import OutputLock

    parquet, _ = stored
    db = tmp_path / "busy.duckdb"
    lock = OutputLock(db)  # what `xxgk extract -o busy.duckdb` holds while it runs
    try:
        result = runner.invoke(app, ["load", str(parquet), str(db)])
    finally:
        lock.release()
    assert result.exit_code == 2
    assert "being written by another run" in result.output
    assert not db.exists()


def one_document_parquet(tmp_path: Path) -> Path:
    """One bundled document extracted to long-format Parquet (made once per test folder)."""
    out = tmp_path / "one.parquet"
    if not out.exists():
        result = runner.invoke(app, ["extract", str(CORPUS[1]), "-o", str(out)])
        assert result.exit_code == 0, result.output
    return out
