"""Exit codes and messages a script can rely on, in every command: extract, show, label, eval."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app

from .conftest import SEED_TEXT

runner = CliRunner()
COMMANDS = ("extract", "show", "label", "eval")


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_a_missing_path_exits_2_with_one_line(command: str, tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    code, out, err = run(command, str(missing))
    assert code == 2
    assert err.strip() == f"error: no such file or directory: {missing}"
    assert out == ""


def test_extract_names_every_missing_path_and_unmatched_glob_before_reading_anything(tmp_path: Path) -> None:
    code, out, err = run("extract", str(SEED_TEXT), str(tmp_path / "a.txt"), str(tmp_path / "*.pdf"))
    assert code == 2 and out == ""
    assert err.strip() == f"error: no such files or directories: {tmp_path / 'a.txt'}, {tmp_path / '*.pdf'}"


def test_the_console_script_exits_non_zero_on_a_missing_file(tmp_path: Path) -> None:
    exe = shutil.which("xxgk")
    cmd = [exe] if exe else [sys.executable, "-m", "extractor.cli"]
    proc = subprocess.run([*cmd, "extract", "nope.txt"], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path, env={**os.environ, "NO_COLOR": "1"})
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: no such file or directory: nope.txt"


@pytest.mark.parametrize("command", ("show", "label"))
def test_a_directory_where_one_report_is_needed_is_named_as_a_directory(command: str, tmp_path: Path) -> None:
    code, _, err = run(command, str(tmp_path))
    assert code == 2
    assert err.strip() == f"error: {tmp_path} is a directory: give one report file"


def test_eval_on_a_directory_without_gold_files(tmp_path: Path) -> None:
    shutil.copy(SEED_TEXT, tmp_path / SEED_TEXT.name)
    code, _, err = run("eval", str(tmp_path))
    assert code == 2
    assert err.strip() == f"error: no *.gold.json files in {tmp_path}"


def test_skipped_files_of_a_folder_are_counted_by_suffix(tmp_path: Path) -> None:
    shutil.copy(SEED_TEXT, tmp_path / "report.txt")
    for name in ("a.xlsx", "b.xlsx", "c.doc", ".hidden", "report.gold.json"):
        (tmp_path / name).write_bytes(b"x")
    code, out, err = run("extract", str(tmp_path))
    assert code == 0
    lines = err.strip().splitlines()
    assert lines[0] == "3 files skipped: .xlsx, .doc"  # hidden files and gold labels are not counted
    assert lines[-1] == "1 document extracted"
    assert out.count("\n") == 1


def test_a_folder_with_no_report_is_an_error_that_says_what_was_skipped(tmp_path: Path) -> None:
    (tmp_path / "a.xlsx").write_bytes(b"x")
    code, _, err = run("extract", str(tmp_path))
    assert code == 2
    assert err.splitlines()[0] == "1 file skipped: .xlsx"
    assert err.splitlines()[1].startswith(f"error: no reports (.docx .htm .html .md .pdf .shtml .text .txt) in {tmp_path}")


def test_documents_are_counted_in_the_singular_and_plural(tmp_path: Path) -> None:
    shutil.copy(SEED_TEXT, tmp_path / "a.txt")
    assert run("extract", str(tmp_path / "a.txt"))[2].strip() == "1 document extracted"
    shutil.copy(SEED_TEXT, tmp_path / "b.txt")
    assert run("extract", str(tmp_path))[2].strip() == "2 documents extracted"


def test_an_output_in_a_missing_folder_is_refused_before_any_work(tmp_path: Path) -> None:
    target = tmp_path / "no" / "out.csv"
    code, _, err = run("extract", str(SEED_TEXT), "-o", str(target))
    assert code == 2
    assert err.strip() == f"error: cannot write {target}: no such directory {target.parent}"


def test_excel_applies_to_csv_only(tmp_path: Path) -> None:
    code, _, err = run("extract", str(SEED_TEXT), "-o", str(tmp_path / "out.jsonl"), "--excel")
    assert code == 2
    assert err.strip() == "error: --excel applies to CSV output: -o OUT.csv"


TYPE_NOISE = re.compile(r"<(bool|str|int|path|float|list\[str\]|int range)>|\{[A-Z]+\.{3}\}")


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_shows_names_not_python_types(command: str | None) -> None:
    code, out, _ = run(*([command] if command else []), "--help")
    assert code == 0
    assert "Usage: " in out
    assert not TYPE_NOISE.search(out), TYPE_NOISE.search(out)
    if command == "extract":
        assert "extract [OPTIONS] PATH..." in out
        assert re.search(r"-o, --out OUT\s", out) and re.search(r"--resume\s+Skip", out)
