"""The README's figures and command help are generated, never typed: each block between
``<!-- generated: NAME -->`` and ``<!-- end: NAME -->`` must be what ``evals/readme_numbers.py``
writes now (scores: the eval suites run rules-only, in process; help: ``xxgk … --help``)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "evals" / "readme_numbers.py"


def _script():  # evals/ is no package: load the script by its path
    spec = importlib.util.spec_from_file_location("readme_numbers", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_has_every_generated_block() -> None:
    rn = _script()
    assert set(rn.BLOCKS) <= set(rn.block_bodies((ROOT / "README.md").read_text(encoding="utf-8")))


def test_readme_blocks_are_current() -> None:
    rn = _script()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    old, now = rn.block_bodies(readme), rn.block_bodies(rn.render(readme))
    stale = [name for name in rn.BLOCKS if old.get(name) != now.get(name)]
    assert not stale, f"README.md blocks {stale} are stale: run python evals/readme_numbers.py"


def test_a_changed_figure_is_caught() -> None:
    """The check compares content: a README with one figure edited differs from the script's output."""
    rn = _script()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    body = rn.block_bodies(readme)["scores"]
    edited = readme.replace(body, body + "| `evals/typed-by-hand` | 1 | 1.000 | 1.000 | — | — | — | — |\n")
    assert rn.block_bodies(edited)["scores"] != rn.block_bodies(rn.render(edited, {"scores"}))["scores"]


def test_benchmark_block_is_written_from_the_saved_run(tmp_path) -> None:
    """The benchmark block shows benchmarks/latest.json (all four kinds), and follows the file."""
    import json

    rn = _script()
    saved = json.loads(rn.BENCHMARK.read_text(encoding="utf-8"))
    assert set(saved["kinds"]) == {"excerpts", "texts", "html", "pdf"}
    block = rn.benchmark_block()
    for kind, r in saved["kinds"].items():
        assert f"| {rn.BENCHMARK_KINDS[kind]} | {r['docs']} | {r['docs_per_s']:.1f} |" in block
    saved["kinds"]["excerpts"]["docs_per_s"] = 123456.7
    edited = tmp_path / "latest.json"
    edited.write_text(json.dumps(saved), encoding="utf-8")
    rn.BENCHMARK = edited
    assert "| 123456.7 |" in rn.benchmark_block()
