"""docs/ is the users' documentation: its index links every page, and validate_gold.py runs on its own."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT

DOCS = ROOT / "docs"
VALIDATOR = DOCS / "validate_gold.py"
DEV = ROOT / "evals" / "dev"


def validate(*paths: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(VALIDATOR), *map(str, paths)], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def test_validate_gold_passes_the_bundled_dev_suites(tmp_path: Path) -> None:
    for suite in ("dev", "dev2"):
        folder = ROOT / "evals" / suite
        n = len(list(folder.glob("*.gold.json")))
        proc = validate(folder, cwd=tmp_path)  # run from elsewhere: it finds fields.md beside itself
        assert proc.returncode == 0, proc.stdout
        assert proc.stdout.strip().splitlines()[-1] == f"{n} gold files, 0 with problems"


def test_validate_gold_names_every_problem_of_a_broken_file(tmp_path: Path) -> None:
    source = sorted(DEV.glob("*.gold.json"))[0]
    gold = json.loads(source.read_text(encoding="utf-8"))
    shutil.copy(source.with_name(gold["doc"]), tmp_path / gold["doc"])
    assert gold["mentions"], "the first dev gold file has mentions"
    m = gold["mentions"][0]
    m["end"] += 1  # the span no longer reads back as its text
    m["qualifier"] = "roughly"
    gold["fields"]["requests.recieved"] = {"value": "43", "qualifier": "exact"}
    broken = tmp_path / source.name
    broken.write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "not-json.gold.json").write_text("{", encoding="utf-8")
    proc = validate(tmp_path, tmp_path / "missing.gold.json", cwd=tmp_path)
    assert proc.returncode == 1
    out = proc.stdout
    assert f"{broken.name}: mention 0 {m['text']!r}: doc[{m['start']}:{m['end']}] is " in out
    assert f"{broken.name}: mention 0 {m['text']!r}: qualifier 'roughly'" in out
    assert "field 'requests.recieved' is not in fields.md" in out
    assert "field 'requests.recieved': value '43' is not a number" in out
    assert "not-json.gold.json: not valid JSON" in out
    assert "missing.gold.json: no such file" in out
    assert out.strip().splitlines()[-1] == "3 gold files, 3 with problems"


def test_the_index_links_every_page_and_every_link_resolves() -> None:
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    pages = {p.name for p in DOCS.iterdir() if p.suffix in (".md", ".py") and p.name != "README.md"}
    linked = set(re.findall(r"\]\(([\w./-]+?)(?:#[\w-]+)?\)", index))
    assert pages <= linked
    for page in [DOCS / "README.md", *DOCS.glob("*.md"), ROOT / "README.md"]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if not target.startswith(("http://", "https://")):
                assert (page.parent / target).exists(), f"{page.name} links to missing {target}"


# The delivery folder the specs first came from stands beside a developer's checkout, never a
# user's: no page may send a reader there (spelled in pieces so this file does not name it).
OUTSIDE = ("/".join(["..", "shared"]), "/".join(["shared", "spec"]), "spec/")


def test_no_tracked_text_points_outside_the_repository() -> None:
    for page in [*DOCS.glob("*.md"), ROOT / "README.md"]:
        text = page.read_text(encoding="utf-8")
        assert not any(word in text for word in OUTSIDE), page.name
