"""The table reader's and checks' shortcuts give what the plain ways they replace give.

Each shortcut (issue #15: the same results in less time) is run here beside the plain way it
stands for, on the cells, lines and tables of the bundled documents and on made-up cases at the
edges: joined patterns written ``a|b`` instead of ``(?:a)|(?:b)``, a cell told no figure by its
first character, ``1、`` made ``1.`` by a lookbehind, the checks' plain equations and their grid of
values, and the solver's grouping of runs.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from extractor import checks, extract_file, table_lines
from extractor.schema import TEMPLATE
from extractor.table_cells import _is_value, normalize_label, parse_cell
from extractor.table_fit import _alternatives
from extractor.table_runs import Identity, Run, _groups

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = sorted(p for d in ("evals/full", "evals/seed", "evals/dev", "evals/dev2", "examples")
                   for s in (".txt", ".md") for p in (ROOT / d).glob("*" + s))


def _lines() -> Iterator[str]:
    for path in DOCUMENTS:
        yield from path.read_text(encoding="utf-8").splitlines()


def _cells() -> set[str]:
    """Every cell of every bundled document's lines (pipes, tabs and spaces as separators)."""
    out: set[str] = set()
    for line in _lines():
        out.update(re.split(r"[|\t ]", line))
        out.add(line)
    return out


def test_documents_are_found() -> None:
    assert len(DOCUMENTS) > 50


# ---------------------------------------------------------------------------- joined patterns


def _pattern_sets() -> list[tuple[str, list[str]]]:
    sets = [("inline markers", [p.pattern for p in TEMPLATE.inline_markers.values()]),
            ("furniture", [p.pattern for p in TEMPLATE.furniture])]
    for fmt, specs in (*TEMPLATE.active.items(), *TEMPLATE.requests.items()):
        sets.append((f"rows {fmt}", [p.pattern for spec in specs for p in spec.labels]))
        sets += [(f"row {spec.key}", [p.pattern for p in spec.labels]) for spec in specs]
    return sets


def test_patterns_joined_as_alternatives_find_what_grouped_ones_find() -> None:
    texts = sorted({*_lines(), *(normalize_label(x) for x in _cells())})
    for name, patterns in _pattern_sets():
        grouped = re.compile("|".join(f"(?:{p})" for p in patterns))
        flat = re.compile(_alternatives(patterns))
        for text in texts:
            a, b = grouped.search(text), flat.search(text)
            assert (a and (a.span(), a.group())) == (b and (b.span(), b.group())), (name, text)


def test_a_row_label_names_the_same_row_by_the_joined_patterns() -> None:
    found = 0
    for specs in (*TEMPLATE.active.values(), *TEMPLATE.requests.values()):
        for text in {normalize_label(x) for x in _cells() if len(x) < 60}:
            plain = [i for i, spec in enumerate(specs) if any(p.search(text) for p in spec.labels)]
            assert [i for i, spec in enumerate(specs) if spec.matches(text)] == plain, text
            found += bool(plain)
    assert found > 100  # the documents' labels name rows


def test_table_lines_skip_the_furniture_and_rules_they_skipped() -> None:
    page_or_header = re.compile("|".join(f"(?:{p.pattern})" for p in (table_lines.P.PAGE_NUMBER, *TEMPLATE.furniture)),
                                re.IGNORECASE)
    md_rule = re.compile(r"^\|?\s*:?-{3,}")
    lines = [*(x.strip() for x in _lines()), "第 3 页", "- 12 -", "| --- | --- |", "Page 4 of 9",
             "龙亭区人民政府办公室2024年政府信息公开工作年度报告", "3/12", "行政许可 12 3"]
    skipped = 0
    for line in lines:
        before = bool(md_rule.match(line) or page_or_header.search(line))
        assert table_lines._is_rule_or_furniture(line) == before, line
        skipped += before
    assert skipped >= 6


# ---------------------------------------------------------------------------- cells


def _is_value_plainly(raw: str) -> bool:
    text = raw.strip()
    if not text:
        return False
    value, note = parse_cell(text)
    return value is not None or note in TEMPLATE.null_marks or text in TEMPLATE.null_marks


def test_a_cell_is_a_value_as_parsing_it_says() -> None:
    made = ["无", "无正当理由大量反复申请", "不适用", "—", "——", "/", "／", "－3", "-3", "+4", "１２", "１２件", "３（其中1件）",
            " 43 ", "\u300043", "4,068.2", "22（其中修订16件）", "3件", "a1", "（一）", "1.属于", "Ⅲ", "٣", "²", ""]
    cells = sorted(_cells()) + made
    values = [c for c in cells if _is_value(c)]
    assert [c for c in cells if _is_value_plainly(c)] == values
    assert len(values) > 100 and len(values) < len(cells)


def test_numbered_labels_read_as_before() -> None:
    old = re.compile(r"(\d)[、.]")
    rng = random.Random(15)
    alphabet = "1２、.a٣、、.9 （）"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(20000)]
    texts += [x for x in _cells() if "、" in x]
    for text in texts:
        assert re.compile(r"(?<=\d)、").sub(".", text) == old.sub(r"\1.", text), text
    assert normalize_label("（三） 不予公开 1、属于") == "(三)不予公开1.属于"


# ---------------------------------------------------------------------------- checks


def _plain_verdicts(pairs: list[tuple[list[int | None], int | None]]) -> checks._Verdicts:
    verdicts = checks._Verdicts()
    for cells, total in pairs:
        left = checks._Sum()
        for i, c in enumerate(cells):
            left.add(c, "row", f"c{i}")
        verdicts.add(left, checks._cell(total, "row", "total"), lambda: "failed", lambda: "open")
    return verdicts


def _quick_verdicts(pairs: list[tuple[list[int | None], int | None]]) -> checks._Verdicts:
    verdicts = checks._Verdicts()
    for cells, total in pairs:
        if not verdicts.held_plainly(cells, total):
            left = checks._Sum.across("row", [f"c{i}" for i in range(len(cells))], cells)
            verdicts.add(left, checks._cell(total, "row", "total"), lambda: "failed", lambda: "open")
    return verdicts


@pytest.mark.parametrize("seed", range(5))
def test_plain_equations_are_judged_as_add_judges_them(seed: int) -> None:
    rng = random.Random(seed)
    choices: list[int | float | None] = [None, 0, 1, 2, 3, 2.5, 0.5, 7]
    pairs = [([rng.choice(choices) for _ in range(rng.randint(0, 6))], rng.choice(choices)) for _ in range(400)]
    a, b = _plain_verdicts(pairs), _quick_verdicts(pairs)  # type: ignore[arg-type]
    assert (a.held, a.failures, a.open, a.blanks, a.empty) == (b.held, b.failures, b.open, b.blanks, b.empty)
    assert a.held and a.failures and a.open and a.empty


def test_the_checks_grid_holds_each_cell_as_its_row_gives_it() -> None:
    for path in DOCUMENTS[:12]:
        tables = extract_file(path).tables
        if tables is None:
            continue
        grid = checks._Grid(tables)
        for name in ("active", "requests", "review_litigation"):
            values = grid.values(name)
            for key, row in tables.table(name).items():
                assert values[key] == {c.column: row.value_of(c.column) for c in row.cells}
                assert grid.present(name, key) == row.is_read
            assert not grid.present(name, "no such row")


# ---------------------------------------------------------------------------- runs


def _groups_plainly(runs: list[Run], identities: list[Identity]) -> list[list[int]]:
    """Connected components by repeated merging: runs that share an identity, transitively."""
    groups = [{r} for r in range(len(runs))]
    for identity in identities:
        touched = [g for g in groups if any(set(runs[r].cells) & identity.key_set for r in g)]
        if len(touched) > 1:
            merged = set().union(*touched)
            groups = [g for g in groups if g not in touched] + [merged]
    return sorted(sorted(g) for g in groups)


@pytest.mark.parametrize("seed", range(20))
def test_runs_are_grouped_by_the_identities_they_share(seed: int) -> None:
    rng = random.Random(seed)
    runs = [Run("1" * 3, tuple(f"r{r}.c{c}" for c in range(3))) for r in range(rng.randint(1, 12))]
    keys = [c for run in runs for c in run.cells] + ["printed.a", "printed.b"]
    identities = [Identity(tuple(rng.sample(keys, rng.randint(1, 3))), tuple(rng.sample(keys, rng.randint(1, 3))))
                  for _ in range(rng.randint(0, 8))]
    assert sorted(_groups(runs, identities)) == _groups_plainly(runs, identities)
