"""`xxgk extract` end to end: inputs, output formats, encodings, bad input, resume, workers."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app

from .conftest import SEED_TEXT

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    """The seed in the encodings reports come in, plus the inputs that break naive tools."""
    text = SEED_TEXT.read_text(encoding="utf-8")
    d = tmp_path / "reports"
    d.mkdir()
    (d / "utf8.txt").write_text(text, encoding="utf-8")
    (d / "gbk.txt").write_bytes(text.encode("gb18030"))
    (d / "utf16.txt").write_bytes(text.encode("utf-16"))  # with BOM
    (d / "utf8bom.txt").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    return d


def test_stdout_is_json_lines_with_the_output_keys(tmp_path: Path) -> None:
    code, out, _ = run("extract", str(SEED_TEXT))
    assert code == 0
    (result,) = jsonl(out)
    assert list(result) == ["doc", "body", "year", "admin_level", "region", "mentions", "fields", "tables", "checks",
                            "errors"]
    assert result["doc"] == str(SEED_TEXT)
    assert result["fields"]["requests.received"]["value"] == 43
    assert result["fields"]["proactive.total"]["evidence"][0]["text"] == "1300 余条"


def test_every_encoding_gives_the_same_figures(corpus: Path) -> None:
    code, out, _ = run("extract", str(corpus))
    assert code == 0
    results = {Path(r["doc"]).name: r for r in jsonl(out)}
    assert set(results) == {"utf8.txt", "gbk.txt", "utf16.txt", "utf8bom.txt"}
    reference = results["utf8.txt"]
    for name, result in results.items():
        assert result["errors"] == [], name
        assert result["fields"] == reference["fields"], name
        assert [m["text"] for m in result["mentions"]] == [m["text"] for m in reference["mentions"]], name


def test_offsets_index_the_decoded_text(corpus: Path) -> None:
    code, out, _ = run("extract", str(corpus / "utf8bom.txt"), "--with-text")
    (result,) = jsonl(out)
    for m in result["mentions"]:
        assert result["text"][m["start"]:m["end"]] == m["text"]


def test_globs_and_doc_as_given(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(corpus.parent)
    code, out, _ = run("extract", "reports/*8*.txt")
    assert code == 0
    assert sorted(r["doc"] for r in jsonl(out)) == ["reports/utf8.txt", "reports/utf8bom.txt"]


def test_bad_inputs_yield_errors_and_the_batch_goes_on(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 64)
    shutil.copy(SEED_TEXT, tmp_path / "good.txt")
    code, out, err = run("extract", str(tmp_path))
    assert code == 0
    results = {Path(r["doc"]).name: r for r in jsonl(out)}
    assert results["empty.txt"]["errors"][0]["message"] == "file is empty"
    assert "binary" in results["binary.txt"]["errors"][0]["message"]
    assert results["good.txt"]["errors"] == [] and results["good.txt"]["mentions"]
    assert "3 documents extracted, 2 with errors" in err


def test_huge_file_is_refused_not_loaded(tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as fh:
        fh.truncate(60 * 1024 * 1024)  # sparse: no disk or memory cost
    code, out, _ = run("extract", str(huge))
    (result,) = jsonl(out)
    assert "limit" in result["errors"][0]["message"]


def test_csv_is_long_format_one_row_per_mention_and_field(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    code, _, _ = run("extract", str(SEED_TEXT), "-o", str(out))
    assert code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    kinds = [r["kind"] for r in rows]
    assert kinds.count("doc") == 1
    assert kinds.count("mention") == 20
    field_rows = {r["key"]: r for r in rows if r["kind"] == "field"}
    assert field_rows["requests.unable_to_provide"]["value"] == "35"
    assert field_rows["requests.unable_to_provide"]["unit"] == "项"
    parts = [r for r in rows if r["kind"] == "field_part" and r["key"] == "requests.unable_to_provide"]
    assert [(r["part"], r["value"], r["text"]) for r in parts] == [("1", "26", "26 项"), ("2", "9", "9 项")]


def test_parquet_output(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "out.parquet"
    code, _, _ = run("extract", str(SEED_TEXT), "-o", str(out))
    assert code == 0
    table = pq.read_table(out).to_pylist()
    assert {r["kind"] for r in table} >= {"doc", "mention", "field"}
    assert not (tmp_path / "out.parquet.partial.jsonl").exists()


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_resume_skips_documents_already_written(corpus: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"out{suffix}"
    files = sorted(str(p) for p in corpus.iterdir())
    assert run("extract", *files[:2], "-o", str(out))[0] == 0
    code, _, err = run("extract", *files, "-o", str(out), "--resume")
    assert code == 0
    assert "2 of 4 documents already" in err
    from extractor.output import docs_done

    assert docs_done(out) == set(files)
    if suffix == ".jsonl":
        docs = [r["doc"] for r in jsonl(out.read_text(encoding="utf-8"))]
        assert sorted(docs) == files  # no duplicates


def test_resume_after_a_run_cut_mid_line(tmp_path: Path, corpus: Path) -> None:
    out = tmp_path / "out.jsonl"
    files = sorted(str(p) for p in corpus.iterdir())
    run("extract", files[0], "-o", str(out))
    with out.open("a", encoding="utf-8") as fh:
        fh.write('{"doc": "' + files[1] + '", "mentions": [')  # killed while writing
    run("extract", *files, "-o", str(out), "--resume")
    docs = [r["doc"] for r in jsonl(out.read_text(encoding="utf-8"))]
    assert sorted(docs) == files


def test_workers_give_the_same_results(corpus: Path) -> None:
    _, one, _ = run("extract", str(corpus))
    _, two, _ = run("extract", str(corpus), "--workers", "2")
    assert jsonl(one) == jsonl(two)


def test_unknown_output_format_is_a_clear_error(tmp_path: Path) -> None:
    code, _, err = run("extract", str(SEED_TEXT), "-o", str(tmp_path / "out.xlsx"))
    assert code == 2
    assert "unknown output format" in err


def test_the_console_script_runs_offline() -> None:
    exe = shutil.which("xxgk") or sys.executable
    cmd = [exe, "extract", str(SEED_TEXT)] if exe != sys.executable else [exe, "-m", "extractor.cli", "extract", str(SEED_TEXT)]
    env = {**os.environ, "OPENAI_API_KEY": "", "no_proxy": "*"}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    (result,) = jsonl(proc.stdout)
    assert result["fields"]["platform.website_visits"]["value"] == 130000


def _two_years(tmp_path: Path) -> Path:
    """The seed as 2024 (sorted first) and a 2023 report of the same body carrying 5 forward."""
    text = SEED_TEXT.read_text(encoding="utf-8")
    d = tmp_path / "years"
    d.mkdir()
    (d / "a-2024.txt").write_text(text, encoding="utf-8")
    earlier = text.replace("2024", "2023").replace("龙亭区人民政府办公室", "开封市龙亭区人民政府办公室", 1)
    row = "四、结转下年度继续办理\t\t0\t0\t0\t0\t0\t0\t0"
    assert row in earlier
    (d / "b-2023.txt").write_text(earlier.replace(row, "四、结转下年度继续办理\t\t5\t0\t0\t0\t0\t0\t5"), encoding="utf-8")
    return d


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_cross_year_check_reaches_the_later_year_even_when_it_was_written_first(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"out{suffix}"
    code, _, _ = run("extract", str(_two_years(tmp_path)), "-o", str(out))
    assert code == 0
    if suffix == ".jsonl":
        results = {Path(r["doc"]).name: r for r in jsonl(out.read_text(encoding="utf-8"))}
        (check,) = [c for c in results["a-2024.txt"]["checks"] if c["name"] == "cross_year.carry_over"]
        assert not [c for c in results["b-2023.txt"]["checks"] if c["name"] == "cross_year.carry_over"]
        detail, ok = check["detail"], check["ok"]
    else:
        rows = [r for r in csv.DictReader(out.open(encoding="utf-8")) if r["key"] == "cross_year.carry_over"]
        (row,) = rows
        assert Path(row["doc"]).name == "a-2024.txt"
        detail, ok = row["detail"], row["ok"] == "True"
    assert not ok
    assert "2023 carried_forward.total 5 ≠ 2024 carried_over.total 0" in detail
