"""The LLM stack is optional: the package imports and extracts without openai/instructor, and
``--llm`` without them says in one line what to install. Run in subprocesses, with an import
blocker standing in for an environment where the ``[llm]`` extra is not installed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "data" / "llm" / "sample.txt"
GOLD = ROOT / "tests" / "data" / "eval" / "good"
HINT = "pip install 'xxgk-extractor[llm]'"

# Makes `import openai` / `import instructor` fail as they do where the packages are absent.
BLOCKER = """
import sys
from importlib.abc import MetaPathFinder

class NoLLMStack(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("openai", "instructor"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NoLLMStack())
"""


def run_python(code: str, tmp_path: Path, *, block: bool) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "run.py"
    script.write_text((BLOCKER if block else "") + code, encoding="utf-8")
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "XXGK_CACHE_DIR": str(tmp_path / "cache")})


def cli(*args: str) -> str:
    return f"import sys\nsys.argv = ['xxgk', *{list(args)!r}]\nfrom extractor.cli import main\nmain()\n"


def test_importing_the_package_loads_no_llm_client(tmp_path):
    code = f"""
import sys
import extractor, extractor.cli, extractor.llm, extractor.evals
report = extractor.extract_file({str(SAMPLE)!r})
assert report.fields, "rules extracted nothing"
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("openai", "instructor"))
print("loaded:", loaded)
"""
    done = run_python(code, tmp_path, block=False)
    assert done.returncode == 0, done.stderr
    assert "loaded: []" in done.stdout


def test_rules_only_needs_no_llm_stack(tmp_path):
    done = run_python(cli("extract", str(SAMPLE)), tmp_path, block=True)
    assert done.returncode == 0, done.stderr
    assert '"requests.received"' in done.stdout


@pytest.mark.parametrize("command", [
    ["extract", str(SAMPLE), "--llm", "all", "--model", "m"],
    ["extract", str(SAMPLE), "--llm", "ambiguous", "--model", "m", "--base-url", "http://127.0.0.1:9/v1"],
    ["eval", str(GOLD), "--llm", "ambiguous", "--model", "m"],
])
def test_llm_without_the_extra_says_what_to_install(tmp_path, command):
    done = run_python(cli(*command), tmp_path, block=True)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and HINT in lines[0], done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_a_failing_endpoint_prints_our_lines_only(tmp_path):
    """instructor logs each failed attempt at ERROR level; with no logging set up, Python would
    print those on stderr. A CLI run prints its own lines only: the notice, the counts."""
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    done = run_python(cli("extract", str(SAMPLE), "--llm", "all", "--model", "m",
                          "--base-url", f"http://127.0.0.1:{port}/v1"), tmp_path, block=False)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.strip().splitlines()
    assert [line.split(" ")[0] for line in lines] == ["LLM", "1", "LLM"], lines  # notice, count, summary
    assert "unreachable" in lines[0] and "1 documents kept rules only" in lines[2]
    assert json.loads(done.stdout)["errors"][0]["stage"] == "llm"
