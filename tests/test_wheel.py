"""The wheel works anywhere: built from this checkout, installed (not editable) into a fresh
virtual environment, it extracts the example report from a folder outside the checkout, finds
its prompts and data inside the package, and runs ``--llm all`` against the local
chat-completions server; imported straight from the wheel file (a zip) it works too.

The fresh environment gets this environment's dependencies through a ``.pth`` line instead of
downloading them again, and the wheel is built with this environment's setuptools (a dev
dependency), so the test runs offline, in 20–40 s on a 2-core machine (mostly the three runs of
the CLI, each importing the whole stack). Its metadata keeps the LLM stack in the ``[llm]`` extra.
"""

from __future__ import annotations

import email.parser
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from extractor.llm.testing import FakeOpenAIServer, Reply

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "longting-2024.txt"


def sh(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, f"{args}: {done.stderr[-3000:]}"
    return done


# what a wheel is built from; built from a copy, so that no build/ folder of an earlier build
# (which keeps files since removed) can leak into it, and the checkout stays clean
SOURCES = ["pyproject.toml", "README.md", "extractor", "prompts"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src, out = tmp_path_factory.mktemp("src"), tmp_path_factory.mktemp("wheel")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy(ROOT / name, src / name)
    sh(sys.executable, "-m", "pip", "wheel", src, "--no-deps", "--no-build-isolation", "-q", "-w", out, cwd=out)
    (built,) = out.glob("xxgk_extractor-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment holding the wheel, its dependencies seen through a .pth."""
    home = tmp_path_factory.mktemp("venv")
    sh(sys.executable, "-m", "venv", "--without-pip", home / "env", cwd=home)
    python = home / "env" / "bin" / "python"
    site = Path(sh(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=home).stdout.strip())
    # this environment's packages (its site folders, the user's included), for the dependencies;
    # a .pth line adds a folder, not the .pth files in it: the editable install of the checkout stays out
    folders = [p for p in sys.path if p.endswith(("site-packages", "dist-packages")) and Path(p).is_dir()]
    (site / "deps.pth").write_text("\n".join(folders) + "\n", encoding="utf-8")
    sh(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q", wheel, cwd=home)
    return home / "env"


def test_the_wheel_carries_prompts_and_data_and_keeps_the_llm_stack_optional(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        meta = email.parser.Parser().parsestr(z.read(next(n for n in names if n.endswith("METADATA"))).decode())
    for prompt in (ROOT / "prompts").glob("*.toml"):
        assert f"extractor/prompts/{prompt.name}" in names
    for data in (ROOT / "extractor" / "data").iterdir():
        assert f"extractor/data/{data.name}" in names
    assert "extractor/llm/field_definitions.toml" in names
    for data in (ROOT / "extractor" / "schema").glob("*.toml"):
        assert f"extractor/schema/{data.name}" in names
    assert not any(n.startswith(("share/", "prompts/")) or ".data/" in n for n in names)
    requires = meta.get_all("Requires-Dist")
    base = [r for r in requires if "extra ==" not in r]
    llm = [r.split(";")[0].replace(" ", "") for r in requires if 'extra == "llm"' in r]
    assert not any(r.startswith(("openai", "instructor")) for r in base)
    assert sorted(llm) == ["instructor>=1.10", "openai>=2"]
    assert not any("<" in r.split(";")[0] for r in requires if r.startswith(("openai", "instructor")))


def test_the_installed_wheel_extracts_outside_the_checkout(venv, tmp_path):
    work = tmp_path / "elsewhere"
    work.mkdir()
    shutil.copy(EXAMPLE, work / "report.txt")
    python = venv / "bin" / "python"
    where = sh(python, "-c", "import extractor, extractor.llm.prompts as p; print(extractor.__file__); print(p.prompts_dir())",
               cwd=work).stdout.split()
    assert all(Path(w).is_relative_to(venv) for w in where), where  # the wheel's copy, not the checkout
    out = json.loads(sh(venv / "bin" / "xxgk", "extract", "report.txt", cwd=work).stdout)
    assert out["fields"]["requests.received"]["value"] == 43 and out["tables"]["format"]
    with FakeOpenAIServer(default=Reply.answer({"assignments": []})) as server:
        env = {"PATH": "/usr/bin:/bin", "XXGK_CACHE_DIR": str(tmp_path / "cache"), "HOME": str(tmp_path)}
        done = sh(venv / "bin" / "xxgk", "extract", "report.txt", "--llm", "all", "--model", "fake",
                  "--base-url", server.base_url, cwd=work, env=env)
    llm = json.loads(done.stdout)["llm"]
    assert llm["prompt"] == "fill_all.v1" and llm["requests"] == 1 and "errors" not in llm
    assert json.loads(done.stdout)["errors"] == []
    sent = server.requests[0]["messages"]
    assert "report.txt" not in sent[0]["content"] and "requests.received" in sent[-1]["content"]


def test_the_wheel_works_as_a_zip(venv, wheel, tmp_path):
    """Imported from the wheel file itself (zipimport): data and prompts are read through
    importlib.resources, not from paths on disk."""
    code = f"""
import extractor
from extractor import extract_file
from extractor.llm.prompts import load_prompt
assert extractor.__file__.startswith({str(wheel)!r}), extractor.__file__
report = extract_file({str(EXAMPLE)!r})
assert report.fields["requests.received"].value == 43
print(load_prompt("fill_ambiguous", 1).id)
"""
    done = sh(venv / "bin" / "python", "-c", code, cwd=tmp_path,
              env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(wheel), "HOME": str(tmp_path)})
    assert done.stdout.strip() == "fill_ambiguous.v1"
