"""The schema is the single source of the fields and the national tables: the docs, the rules, the
LLM definitions, the review page and the eval harness agree with it (a drift here fails a test)."""

from __future__ import annotations

import ast
import csv
import re
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from extractor import evals, render, schema
from extractor.llm import definitions
from extractor.models import Report
from extractor.schema import FIELD_KEYS, FIELDS, TEMPLATE

ROOT = Path(__file__).resolve().parents[1]
FIELDS_MD = (ROOT / "docs" / "fields.md").read_text(encoding="utf-8")
OUTPUT_MD = (ROOT / "docs" / "output.md").read_text(encoding="utf-8")
FIELD_RULES = tomllib.loads((resources.files("extractor") / "data" / "field_rules.toml").read_text("utf-8"))
LLM_DEFINITIONS = tomllib.loads(
    (resources.files("extractor.llm") / "field_definitions.toml").read_text("utf-8"))


def _md_section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start:end if end >= 0 else None]


# --- fields ----------------------------------------------------------------------------------
def test_fields_md_table_is_the_schema():
    """docs/fields.md's field table: same keys, same order, same description and wording."""
    rows = re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \| (.*?) \| (.*?) \|$", FIELDS_MD, re.M)
    assert [key for key, _, _ in rows] == list(FIELD_KEYS)
    for key, counts, wording in rows:
        assert (counts, wording) == (FIELDS[key].counts, FIELDS[key].wording), key


def test_qualifiers_agree_with_fields_md_and_cue_words():
    documented = set(re.findall(r"^\| `([a-z]+)` *\|", FIELDS_MD, re.M))
    assert documented == schema.QUALIFIERS
    with (resources.files("extractor") / "data" / "qualifiers.tsv").open(encoding="utf-8") as f:
        used = {row[2].split()[0] for row in csv.reader(f, delimiter="\t") if row and not row[0].startswith("#")}
    assert used and used <= schema.QUALIFIERS


def test_rules_name_only_schema_fields_and_known_units():
    groups = set(FIELD_RULES["units"])
    named: set[str] = set()
    for rule in FIELD_RULES["rule"]:
        fields = rule["field"] if isinstance(rule["field"], list) else [rule["field"]]
        named |= set(fields)
        assert rule.get("units", "items") in groups, rule["name"]
    for none in FIELD_RULES.get("none", []):
        named |= set(none["fields"])
    assert named <= set(FIELD_KEYS), named - set(FIELD_KEYS)
    assert {f.units for f in FIELDS.values()} <= groups


def test_llm_definitions_cover_exactly_the_schema_fields():
    assert list(LLM_DEFINITIONS["field"]) == list(FIELD_KEYS)
    assert definitions.FIELD_KEYS == FIELD_KEYS
    for key, d in definitions.FIELDS.items():
        assert (d.counts, d.wording) == (FIELDS[key].counts, FIELDS[key].wording)
        assert "counts" not in LLM_DEFINITIONS["field"][key]  # one home: the schema


def test_eval_harness_keys_are_the_schema():
    assert evals.FIELD_KEYS == set(FIELD_KEYS)
    assert evals.QUALIFIERS == schema.QUALIFIERS
    assert tuple(evals.TABLES) == schema.TABLE_NAMES


# --- tables ----------------------------------------------------------------------------------
def _all_keys() -> tuple[set[str], set[str]]:
    rows = {s.key for f in schema.FORMATS for s in (*TEMPLATE.active[f], *TEMPLATE.requests[f])}
    rows |= set(TEMPLATE.review_blocks)
    columns = {c for f in schema.FORMATS for s in TEMPLATE.active[f] for c in s.columns}
    columns |= set(TEMPLATE.request_columns) | set(TEMPLATE.review_columns)
    return rows, columns


def test_every_row_and_column_has_a_printed_label():
    rows, columns = _all_keys()
    assert all(TEMPLATE.printed.get(k) for k in rows | columns), sorted(k for k in rows | columns
                                                                          if not TEMPLATE.printed.get(k))
    assert set(TEMPLATE.printed) <= rows | columns  # no label for a key the tables do not have
    assert set(TEMPLATE.titles) == set(schema.TABLE_NAMES)


def test_output_md_requests_rows_are_the_schema():
    section = _md_section(OUTPUT_MD, "## Row keys of table 三")
    rows = re.findall(r"^\| `([a-z_.]+)` \| (.+?) \|$", section, re.M)
    assert [k for k, _ in rows] == [s.key for s in TEMPLATE.requests["2021"]]
    for key, label in rows:
        assert TEMPLATE.printed_label("requests", key).startswith(label.rstrip("…")), key
    columns = re.search(r"Columns: (.*?)\.\n\n", section, re.S).group(1)
    assert re.findall(r"`([a-z_]+)`", columns) == list(TEMPLATE.request_columns)
    assert {s.key for s in TEMPLATE.requests["2019"]} < {s.key for s in TEMPLATE.requests["2021"]}


def test_output_md_active_rows_and_columns_are_the_schema():
    section = _md_section(OUTPUT_MD, "## Table 二")
    named = {w for code in re.findall(r"`([^`]+)`", section) for w in re.findall(r"[a-z_]+", code)}
    rows = {s.key for f in schema.FORMATS for s in TEMPLATE.active[f]}
    columns = {c for f in schema.FORMATS for s in TEMPLATE.active[f] for c in s.columns}
    assert rows | columns <= named, (rows | columns) - named


def test_output_md_narrative_links_are_the_schema():
    line = next(ln for ln in OUTPUT_MD.splitlines() if ln.startswith("| `narrative.requests` |"))
    pairs = re.findall(r"(\w+) ↔ (?:sum of )?`([a-z_.]+?)(\.\*)?`", line)
    documented = {f"requests.{name}": (row + "." if star else row,) for name, row, star in pairs}
    assert documented == TEMPLATE.narrative_requests
    assert set(TEMPLATE.narrative_review) | set(TEMPLATE.narrative_documents) <= set(FIELD_KEYS)
    assert set(TEMPLATE.narrative_requests) <= set(FIELD_KEYS)


@pytest.mark.parametrize("table_format", schema.FORMATS)
def test_review_page_prints_the_schema_labels(table_format):
    """Every row and column of a table is shown with its printed label on the review page."""
    active = {s.key: ({c: 1 for c in s.columns} if s.columns else 1) for s in TEMPLATE.active[table_format]}
    requests = {s.key: {c: 1 for c in s.columns} for s in TEMPLATE.requests[table_format]}
    review = {b: {c: 1 for c in TEMPLATE.review_columns} for b in TEMPLATE.review_blocks}
    report = Report(doc="x.txt", tables={"format": table_format, "active": active, "requests": requests,
                                         "review_litigation": review})
    page = render.render_html(report, "", parts=["tables"])
    shown = [TEMPLATE.printed_label(t, k) for t, rows in (("active", active), ("requests", requests),
                                                        ("review_litigation", review)) for k in rows]
    shown += [TEMPLATE.printed[c] for s in (*TEMPLATE.active[table_format], *TEMPLATE.requests[table_format])
              for c in s.columns]
    shown += list(TEMPLATE.titles.values())
    for label in shown:
        assert render._e(label) in page, label
    assert set(render.FAMILY_COLOURS) == set(schema.FAMILIES)


def test_schema_imports_nothing_of_the_package():
    folder = Path(schema.__file__).parent
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert node.level <= 1 and not (node.module or "").startswith("extractor"), path.name
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("extractor") for a in node.names), path.name
