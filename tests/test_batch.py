"""Bulk runs: ``extract_batch``, the cross-year index, paths, hostile names and numerals, time
budgets, and output that is never lost or duplicated (kills, full disks, concurrent runs)."""

from __future__ import annotations

import copy
import csv
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import extractor.batch as batch_module
from extractor import extract, extract_batch, extract_file
from extractor.batch import Inputs, doc_bytes, doc_name, extract_one
from extractor.checks import YearEnds, check_carry_over
from extractor.cli import app
from extractor.cross_year import CrossYear, same_body
from extractor.models import Report
from extractor.output import OutputLock

from .conftest import ROOT, SEED_TEXT

runner = CliRunner()
SEED_TABLES: dict[str, Any] = json.loads((ROOT / "tests" / "data" / "tables" / "longting-2024.tables.json")
                                         .read_text(encoding="utf-8"))
DISTRICTS = ["鼓楼区", "顺河区", "禹王台区", "祥符区", "金明区", "尉氏县", "杞县", "通许县", "兰考县", "龙亭区"]
FORWARD_ROW = "四、结转下年度继续办理\t\t0\t0\t0\t0\t0\t0\t0"


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# --- cross-year index ---------------------------------------------------------------------------


def _quadratic(reports: list[Report]) -> list[tuple[int, str, bool | None, str]]:
    """The pairing as it was: every result against every earlier one (the reference)."""
    seen: list[Report] = []
    found = []
    for report in reports:
        if report.body and report.year is not None and report.tables:
            for other in seen:
                if not same_body(other.body or "", report.body):
                    continue
                pair = (other, report) if other.year == report.year - 1 else (
                    (report, other) if other.year == report.year + 1 else None)
                if pair is not None and (check := check_carry_over(*pair)) is not None:
                    found.append((id(pair[1]), check.name, check.ok, check.detail))
            seen.append(report)
    return found


@pytest.mark.parametrize("temporary_folder", ["writable", "none", "/proc"])
def test_the_index_gives_the_checks_of_comparing_with_every_earlier_result_in_the_same_order(
        temporary_folder: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """The same on disk and, where SQLite would find no temporary folder to write in (a read-only
    container), in memory, said once as a warning. /proc: root may write there by its
    permissions, as on a read-only mount, yet no file can be made in it."""
    import extractor.scratch as scratch

    if temporary_folder == "none":
        monkeypatch.setattr(scratch, "sqlite_temporary_folders", lambda: [str(tmp_path / "absent")])
    elif temporary_folder == "/proc":
        monkeypatch.setattr(scratch, "sqlite_temporary_folders", lambda: ["/proc"])
    rng = random.Random(7)
    bodies = ["淮安市洪泽区人民政府", "洪泽区人民政府", "洪泽区 人民政府", "淮阴区人民政府", "市政府", "淮安市政府",
              "区政府", "龙亭区人民政府办公室", "开封市龙亭区人民政府办公室", "人民政府"]
    reports = []
    for i in range(600):
        tables = copy.deepcopy(SEED_TABLES)
        rows = tables["requests"]
        rows["carried_forward"]["total"] = rng.choice([0, 1, 2, None])
        rows["carried_over"]["total"] = rng.choice([0, 1, 2, None])
        if rng.random() < 0.1:
            tables["unread"] = ["requests.carried_over"]
        reports.append(Report(doc=f"d{i}", body=rng.choice(bodies), year=rng.randint(2019, 2024),
                              tables=tables if rng.random() < 0.9 else None))
    index = CrossYear()
    indexed = [(id(later), c.name, c.ok, c.detail) for r in reports for later, c in index.add(r)]
    reference = _quadratic(reports)
    assert indexed == reference
    assert len(reference) > 500
    by_id = {id(r): r for r in reports}
    pairs = {by_id[i].body for i, *_ in reference}
    assert {"淮安市洪泽区人民政府", "洪泽区人民政府", "市政府"} <= pairs
    in_memory = [r.getMessage() for r in caplog.records if "kept in memory" in r.getMessage()]
    assert len(in_memory) == (temporary_folder != "writable")
    assert index._db.execute("PRAGMA database_list").fetchone()[2] == ""  # neither names a file


def test_sqlites_temporary_folder_is_found_where_sqlite_looks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from extractor.scratch import sqlite_temporary_folders

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.delenv("SQLITE_TMPDIR", raising=False)
    assert sqlite_temporary_folders() == [str(tmp_path), "/var/tmp", "/usr/tmp", "/tmp", "."]


def test_the_index_keeps_nothing_in_memory_per_result() -> None:
    """A batch of a million reports remembers every one (a 2023 report may come after its 2024
    one at any distance): the index keeps that on disk, so the process does not grow with it.
    Kept as Python objects (name suffixes, entries, columns) it took about 3 KiB a result."""
    import tracemalloc

    from extractor.checks import YearEnds

    index = CrossYear()
    results = [(f"某省{i // 50:03d}市{i:05d}区人民政府", YearEnds(f"reports/{year}/{i:05d}.txt", year, (True, 1), (True, 1)))
               for year in (2023, 2024) for i in range(2000)]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        checks = 0
        for body, ends in results:
            checks += len(index.add_ends(body, ends, {"columns": {"doc": ends.doc, "body": body}, "written": []})[1])
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert checks == 2000  # every 2024 report meets its 2023 one
    assert grown < 64 * 1024, f"{grown / len(results):.0f} bytes a result"
    entry = 2000 + 7  # the data of an earlier entry is read back as given
    assert index.data(entry) == {"columns": {"doc": "reports/2024/00006.txt", "body": "某省000市00006区人民政府"},
                                 "written": []}


# --- paths ---------------------------------------------------------------------------------------


def test_symlinks_are_followed_once_and_loops_end(tmp_path: Path) -> None:
    root = tmp_path / "reports"
    (root / "x").mkdir(parents=True)
    (root / "y").mkdir()
    (root / "a.txt").write_text("报告", encoding="utf-8")
    (root / "x" / "b.txt").write_text("报告", encoding="utf-8")
    (root / "self").symlink_to(".")  # self -> .
    (root / "x" / "to-y").symlink_to("../y")  # two loops: x → y → x
    (root / "y" / "to-x").symlink_to("../x")
    (root / "also-a.txt").symlink_to("a.txt")  # one file, two names
    found = Inputs([str(root)])
    assert sorted(Path(p).name for p in found.documents) == ["a.txt", "b.txt"]
    assert found.loops >= 2
    for pattern in (f"{root}/**/*.txt", f"{root}/**"):  # a recursive glob ends too, each file once
        found = Inputs([pattern])
        assert sorted(Path(p).name for p in found.documents) == ["a.txt", "b.txt"]
    assert Inputs([f"{root}/*.txt"]).documents == [f"{root}/a.txt"]  # also-a.txt is the same file
    result = runner.invoke(app, ["extract", str(root)])
    assert result.exit_code == 0
    assert len([line for line in result.stdout.splitlines() if line.strip()]) == 2
    assert "linked folders already walked: not walked again" in result.stderr


def test_recursive_globs_match_as_glob_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import glob

    for name in ("a.txt", "d/b.txt", "d/e/c.md", "d/.hidden/h.txt", ".top.txt", "d/e/x.pdf"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("报告", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for pattern in ("**/*.txt", "d/**/*", "**/e/*.md", "d/**", f"{tmp_path}/**/*.txt"):
        expected = sorted(p for p in glob.glob(pattern, recursive=True) if os.path.isfile(p))
        assert Inputs([pattern]).documents == expected, pattern


# --- hostile documents ---------------------------------------------------------------------------


def test_a_file_name_that_is_not_utf8_is_a_document_whose_doc_serialises(tmp_path: Path) -> None:
    raw = os.fsencode(str(tmp_path)) + b"/\xff\xfe report\\2024.txt"
    with open(raw, "wb") as fh:
        fh.write(SEED_TEXT.read_bytes())
    (tmp_path / "good.txt").write_text(SEED_TEXT.read_text(encoding="utf-8"), encoding="utf-8")
    for suffix in (".jsonl", ".csv"):
        out = tmp_path / "out" / f"r{suffix}"
        out.parent.mkdir(exist_ok=True)
        result = runner.invoke(app, ["extract", str(tmp_path), "-o", str(out)])
        assert result.exit_code == 0, result.stderr
        if suffix == ".jsonl":
            docs = {r["doc"]: r for r in jsonl(out)}
        else:
            docs = {r["doc"]: r for r in csv.DictReader(out.open(encoding="utf-8")) if r["kind"] == "doc"}
        odd = next(d for d in docs if "\\xff" in d)
        assert doc_bytes(odd) == raw  # lossless
        assert odd.endswith("\\xff\\xfe report\\\\2024.txt")
        if suffix == ".jsonl":
            assert docs[odd]["errors"] == [] and docs[odd]["fields"]["requests.received"]["value"] == 43
    assert doc_name("plain.txt") == "plain.txt"


def test_a_5000_digit_numeral_is_no_number_and_the_batch_goes_on(tmp_path: Path) -> None:
    (tmp_path / "a-huge.txt").write_text("2024年政府信息公开工作年度报告\n共收到申请" + "1" * 5000 + "件。", encoding="utf-8")
    (tmp_path / "b-good.txt").write_text(SEED_TEXT.read_text(encoding="utf-8"), encoding="utf-8")
    for suffix in (".jsonl", ".parquet"):
        out = tmp_path / f"out{suffix}"
        result = runner.invoke(app, ["extract", str(tmp_path / "a-huge.txt"), str(tmp_path / "b-good.txt"),
                                     "-o", str(out)])
        assert result.exit_code == 0, result.stderr
        assert "2 documents extracted" in result.stderr and "with errors" not in result.stderr
    huge, good = jsonl(tmp_path / "out.jsonl")
    assert huge["errors"] == [] and huge["mentions"] == [] and good["errors"] == [] and good["mentions"]


def test_numerals_past_28_digits_stay_exact_and_lone_surrogates_encode() -> None:
    report = extract("共收到申请" + "1" * 40 + "件，办结\ud800" + "3件。")
    assert report.mentions[0].value == int("1" * 40)
    json.dumps(report.model_dump(mode="json"), ensure_ascii=False).encode("utf-8")
    assert "\ufffd" in report.mentions[-1].text or all("\ud800" not in m.text for m in report.mentions)


def _slow(path: str, **kwargs: Any) -> Report:
    if "slow" in path:
        if "stuck" in path:  # where the in-process timer cannot reach
            signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])
        time.sleep(60)
    return Report(doc=path)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_document_over_its_time_budget_gets_an_error_and_the_batch_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    monkeypatch.setattr(batch_module, "extract_file", _slow)
    monkeypatch.setattr(batch_module, "HARD_LIMIT_GRACE", 0.5)
    names = ["a.txt", "b-slow.txt", "c.txt"] + (["d-slow-stuck.txt", "e.txt"] if workers > 1 else [])
    for name in names:
        (tmp_path / name).write_text("x", encoding="utf-8")
    started = time.monotonic()
    results = list(extract_batch([tmp_path], workers=workers, time_limit=0.5))
    assert time.monotonic() - started < 10
    assert [Path(r.doc or "").name for r in results] == names  # input order
    for r in results:
        assert bool(r.errors) == ("slow" in (r.doc or "")), r
        if r.errors:
            assert "time limit exceeded" in r.errors[0].message


def test_a_budget_that_runs_out_inside_pdf_reading_is_the_time_limit_not_a_pdf_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # the PDF reader catches a broken page's exception (``except Exception``) to keep the other
    # pages: the budget's exception must pass through it and end the document as over its time
    import extractor.ingest.pdf as pdf_module

    def slow_page(*args: Any, **kwargs: Any) -> Any:
        time.sleep(5)
        raise AssertionError("the budget should have stopped this page")

    monkeypatch.setattr(pdf_module, "_read_page", slow_page)
    monkeypatch.setattr(pdf_module, "_read_fast", slow_page)
    pdf = next(p for p in sorted((ROOT / "evals" / "full").iterdir()) if p.suffix == ".pdf")
    started = time.monotonic()
    report = extract_one(str(pdf), time_limit=0.3)
    assert time.monotonic() - started < 4
    assert [e.message for e in report.errors] == ["time limit exceeded (0.3 s): document skipped"]
    assert not report.mentions and report.tables is None


def test_anything_raised_is_the_documents_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(path: str, **kwargs: Any) -> Report:
        raise MemoryError("out of memory")

    monkeypatch.setattr(batch_module, "extract_file", boom)
    report = extract_one("x.txt")
    assert report.errors[0].message == "MemoryError: out of memory"


# --- library ---------------------------------------------------------------------------------------


def _years_corpus(root: Path, districts: list[str], *, extra: int = 0) -> list[Path]:
    """Reports of several bodies in 2023 and 2024 (for half the bodies the later year sorts
    first, so its check is found late), plus excerpts of evals/dev."""
    text = SEED_TEXT.read_text(encoding="utf-8")
    assert FORWARD_ROW in text
    root.mkdir(parents=True, exist_ok=True)
    files = []
    for i, district in enumerate(districts):
        later = text.replace("龙亭区", district)
        earlier = later.replace("2024", "2023").replace(FORWARD_ROW, FORWARD_ROW.replace("\t0\t0\t0\t0\t0\t0\t0",
                                                                                       f"\t{i % 3}\t0\t0\t0\t0\t0\t{i % 3}"))
        first, second = ("a", "b") if i % 2 else ("b", "a")
        for tag, body in ((first, later), (second, earlier)):
            path = root / f"{i:02d}-{tag}-{'2024' if body is later else '2023'}.txt"
            path.write_text(body, encoding="utf-8")
            files.append(path)
    for source in sorted((ROOT / "evals" / "dev").glob("*.txt"))[:extra]:
        path = root / f"zz-{source.name}"
        path.write_bytes(source.read_bytes())
        files.append(path)
    return sorted(files)


def test_extract_batch_gives_library_users_the_cross_year_checks(tmp_path: Path) -> None:
    _years_corpus(tmp_path / "c", DISTRICTS[:4])
    late: list[tuple[str, str]] = []
    results = list(extract_batch([tmp_path / "c"], on_late=lambda columns, c: late.append((columns["doc"], c.detail))))
    checks = {Path(r.doc or "").name: [c.detail for c in r.checks if c.name == "cross_year.carry_over"] for r in results}
    for name, found in checks.items():
        assert len(found) == ("2024" in name), name  # each later year has its check, whichever came first
    assert sorted(Path(d).name for d, _ in late) == ["01-a-2024.txt", "03-a-2024.txt"]
    assert "2023 carried_forward.total 2 ≠ 2024 carried_over.total 0" in checks["02-b-2024.txt"][0]
    two = list(extract_batch([tmp_path / "c"], workers=2))
    assert two == results
    assert list(extract_batch([SEED_TEXT])) == [extract_file(SEED_TEXT)]  # the same result as one by one


# --- output: kills, concurrent runs, full disks, unwritable outputs -------------------------------------

# The CLI with small Parquet parts, and 20 ms per written document, so a stop lands mid-run
CLI = [sys.executable, "-c", "import sys, time, extractor.output as o; o.PART_DOCS = 3; w = o.ResultWriter.write; "
       "o.ResultWriter.write = lambda self, *a: (time.sleep(0.02), w(self, *a))[1]; "
       "from extractor.cli import main; sys.argv[0] = 'xxgk'; main()"]


def _records(out: Path) -> list[Any]:
    if out.suffix == ".jsonl":
        return jsonl(out)
    if out.suffix == ".csv":
        return list(csv.reader(out.open(encoding="utf-8", newline="")))
    import pyarrow.parquet as pq

    return pq.read_table(out).to_pylist()


def _some_output(out: Path) -> bool:
    if out.suffix == ".jsonl":
        return out.exists() and out.read_bytes().count(b"\n") >= 3
    if out.suffix == ".csv":
        progress = out.with_name(out.name + ".progress")
        return progress.exists() and progress.read_bytes().count(b"\n") >= 4
    parts = out.with_name(out.name + ".partial")
    return parts.is_dir() and len(list(parts.glob("*.parquet"))) >= 2


@pytest.fixture(scope="module")
def corpus40(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus40") / "reports"
    files = _years_corpus(root, DISTRICTS, extra=20)
    assert len(files) == 40
    return root


@pytest.fixture(scope="module")
def clean_run(corpus40: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The records of an uninterrupted run on ``corpus40``, per output format (and the file)."""
    cache: dict[str, tuple[Path, list[Any]]] = {}

    def get(suffix: str) -> tuple[Path, list[Any]]:
        if suffix not in cache:
            clean = tmp_path_factory.mktemp("clean") / f"clean{suffix}"
            assert runner.invoke(app, ["extract", str(corpus40), "-o", str(clean)]).exit_code == 0
            cache[suffix] = clean, _records(clean)
        return cache[suffix]

    return get


@pytest.mark.parametrize(("suffix", "sig"), [(".jsonl", signal.SIGKILL), (".csv", signal.SIGKILL),
                                             (".parquet", signal.SIGKILL), (".parquet", signal.SIGTERM),
                                             (".csv", signal.SIGINT)])
def test_kill_then_resume_gives_exactly_the_clean_runs_records(corpus40: Path, clean_run, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                               suffix: str, sig: int) -> None:
    out = tmp_path / f"killed{suffix}"
    _, expected = clean_run(suffix)
    assert sum("cross_year.carry_over" in json.dumps(r, ensure_ascii=False) for r in expected) >= 10
    proc = subprocess.Popen([*CLI, "extract", str(corpus40), "-o", str(out)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not _some_output(out) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    proc.send_signal(sig)
    if sig == signal.SIGKILL:
        assert proc.wait() == -signal.SIGKILL, "the run ended before it could be killed"
    else:  # stopped between two writes: a finished, valid output of the documents done
        assert proc.wait() == 128 + sig, "the run ended before it could be stopped"
        assert 0 < len(_records(out)) < len(expected)
        assert [p.name for p in tmp_path.iterdir()] == [out.name]
    result = runner.invoke(app, ["extract", str(corpus40), "-o", str(out), "--resume"])
    assert result.exit_code == 0, result.stderr
    assert "resuming:" in result.stderr
    if sig == signal.SIGKILL:
        assert _records(out) == expected
    else:  # the late checks known at the stop were written then: the same rows, those in another place
        def key(r: Any) -> str:
            return json.dumps(r, ensure_ascii=False, sort_keys=True)

        assert sorted(map(key, _records(out))) == sorted(map(key, expected))
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != out.name]
    assert leftovers == []


def _every_row(out: Path) -> Iterator[dict[str, Any]]:
    import csv

    import pyarrow.parquet as pq

    if out.suffix == ".csv":
        with out.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                yield {k: (v if v != "" else None) for k, v in row.items()}
        return
    for batch in pq.ParquetFile(out).iter_batches(batch_size=7):  # batches that split reports
        yield from batch.to_pylist()


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_resume_reads_of_a_long_format_output_what_reading_every_row_gives(clean_run, suffix: str) -> None:  # type: ignore[no-untyped-def]
    """``--resume`` picks the few rows of each report it needs (its own row, its first table row,
    the year ends, the cross-year checks, late ones included; in Arrow for Parquet) and reads the
    same as from every row."""
    from extractor.long_format import known_long
    from extractor.output import known_documents

    out, _ = clean_run(suffix)

    known = list(known_documents(out))
    assert known == list(known_long(_every_row(out)))
    assert len(known) == 40 and sum(ends is not None for _, ends, _ in known) >= 20  # 20 reports of two years
    assert sum(len(written) for _, _, written in known) >= 10  # the pairs' checks, late ones among them


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_a_report_with_tables_but_no_year_end_rows_reads_back_with_its_year_ends_absent(tmp_path: Path,
                                                                                       suffix: str) -> None:
    """Its first table row says it has tables: year ends (absent both), not none at all."""
    import pyarrow.parquet as pq

    from extractor.long_format import LONG_COLUMNS, arrow_table, csv_bytes, known_long, long_rows
    from extractor.output import known_documents

    only_active = Report(doc="a.txt", body="某区人民政府", year=2024,
                         tables={"format": "2021", "active": {"licensing": 3, "regulations": {"new": 1, "repealed": 0,
                                                                                              "in_force": 9}}})
    no_tables = Report(doc="b.txt", body="某区人民政府", year=2023)
    out = tmp_path / f"r{suffix}"
    rows = [*long_rows(only_active), *long_rows(no_tables)]
    if suffix == ".csv":
        out.write_bytes(",".join(LONG_COLUMNS).encode() + b"\r\n" + csv_bytes(rows))
    else:
        pq.write_table(arrow_table(rows), out)
    known = list(known_documents(out))
    assert known == list(known_long(_every_row(out)))
    assert [ends for _, ends, _ in known] == [YearEnds("a.txt", 2024, (False, None), (False, None)), None]


def test_a_second_run_on_the_same_output_refuses(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    lock = OutputLock(out)  # as another run would hold it
    try:
        result = runner.invoke(app, ["extract", str(SEED_TEXT), "-o", str(out), "--resume"])
        assert result.exit_code == 2
        assert result.stderr.strip() == f"error: {out} is being written by another run (lock out.jsonl.lock is held)"
        assert not out.exists()
    finally:
        lock.release()
    assert runner.invoke(app, ["extract", str(SEED_TEXT), "-o", str(out)]).exit_code == 0


def test_unwritable_outputs_are_one_line_errors(tmp_path: Path) -> None:
    (tmp_path / "dir.jsonl").mkdir()
    for out, says in ((tmp_path / "dir.jsonl", "it is a directory"),
                      (tmp_path / "missing" / "out.csv", "no such directory")):
        result = runner.invoke(app, ["extract", str(SEED_TEXT), "-o", str(out)])
        assert result.exit_code == 2
        assert len(result.stderr.strip().splitlines()) == 1 and says in result.stderr


@pytest.fixture()
def small_fs(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A 16 MiB tmpfs (needs root and mount permission; skipped with the reason otherwise)."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mnt)], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {proc.stderr.strip() or proc.returncode}")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_full_disk_then_resume_loses_and_duplicates_nothing(corpus40: Path, clean_run, small_fs: Path,  # type: ignore[no-untyped-def]
                                                            suffix: str) -> None:
    out = small_fs / f"out{suffix}"
    clean, expected = clean_run(suffix)
    filler = small_fs / "filler"
    free = os.statvfs(small_fs).f_bavail * os.statvfs(small_fs).f_frsize
    filler.write_bytes(b"\0" * (free - clean.stat().st_size // 3))  # room for a third of the output
    result = runner.invoke(app, ["extract", str(corpus40), "-o", str(out)])
    assert result.exit_code == 1, result.stderr
    (line,) = result.stderr.strip().splitlines()[-1:]
    assert line.startswith(f"error: cannot write {out}: no space left on device")
    assert "Traceback" not in result.stderr
    filler.unlink()
    result = runner.invoke(app, ["extract", str(corpus40), "-o", str(out), "--resume"])
    assert result.exit_code == 0, result.stderr
    assert _records(out) == expected


def test_read_only_output_is_a_one_line_error(small_fs: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(small_fs)], check=True)
    result = runner.invoke(app, ["extract", str(SEED_TEXT), "-o", str(small_fs / "out.jsonl")])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: cannot write {small_fs / 'out.jsonl'}: read-only file system"
