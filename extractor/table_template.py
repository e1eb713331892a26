"""The national-format tables as data: loads ``data/table_template.toml`` once at import.

The TOML file holds the rows, columns and label variants of tables 二、三、四 for the 2021
format (国办公开办函〔2021〕30号) and the 2019 trial format (国办公开办函〔2019〕60号); this
module only turns it into typed objects with compiled patterns.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from typing import Any

FORMATS = ("2021", "2019")


@dataclass(frozen=True, eq=False)  # identity: rows are template singletons, hashed on a hot path
class RowSpec:
    """One row of a table: its output key, its columns (empty = one value) and label patterns."""

    key: str
    columns: tuple[str, ...]
    labels: tuple[re.Pattern[str], ...]

    @property
    def width(self) -> int:
        return max(1, len(self.columns))

    @cached_property
    def _any_label(self) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{p.pattern})" for p in self.labels))

    def matches(self, label: str) -> bool:
        return self._any_label.search(label) is not None


@dataclass(frozen=True)
class Template:
    """Everything the table reader needs to know about the national formats."""

    headings: dict[str, re.Pattern[str]]
    table_end: re.Pattern[str]
    markers: dict[str, re.Pattern[str]]
    markers_2019: re.Pattern[str]
    null_marks: frozenset[str]
    furniture: tuple[re.Pattern[str], ...]
    active: dict[str, tuple[RowSpec, ...]]
    requests: dict[str, tuple[RowSpec, ...]]
    request_columns: tuple[str, ...]
    review_blocks: tuple[str, ...]
    review_columns: tuple[str, ...]
    block_labels: tuple[tuple[str, re.Pattern[str]], ...]
    inline_headings: re.Pattern[str]
    inline_end: re.Pattern[str]
    inline_markers: dict[str, re.Pattern[str]]
    row_starts: re.Pattern[str]
    decimal_cells: frozenset[str]
    request_total_column: str
    request_total_row: str
    request_balance: tuple[tuple[str, ...], tuple[str, ...]]
    outcome_rows: tuple[str, ...]
    review_total_column: str


def _rows(entries: list[dict[str, Any]], columns: tuple[str, ...] = ()) -> tuple[RowSpec, ...]:
    return tuple(
        RowSpec(
            key=e["key"],
            columns=tuple(e.get("columns", columns)),
            labels=tuple(re.compile(p) for p in e["labels"]),
        )
        for e in entries
    )


def _load() -> Template:
    raw = tomllib.loads((resources.files("extractor") / "data" / "table_template.toml").read_text("utf-8"))
    headings = {k: re.compile(v) for k, v in raw["headings"].items() if k != "end"}
    review = raw["review_litigation"]
    return Template(
        headings=headings,
        table_end=re.compile(raw["headings"]["end"]),
        markers={k: re.compile(v) for k, v in raw["markers"].items()},
        markers_2019=re.compile(raw["format"]["markers_2019"]),
        null_marks=frozenset(raw["cells"]["null_marks"]),
        furniture=tuple(re.compile(p) for p in raw["furniture"]["lines"]),
        active={f: _rows(raw["active"][f]) for f in FORMATS},
        requests={f: _rows(raw["requests"][f], tuple(raw["requests"]["columns"])) for f in FORMATS},
        request_columns=tuple(raw["requests"]["columns"]),
        review_blocks=tuple(review["blocks"]),
        review_columns=tuple(review["columns"]),
        block_labels=tuple((key, re.compile(p)) for key, p in review["block_labels"]),
        inline_headings=re.compile(raw["runs"]["inline_headings"]),
        inline_end=re.compile(raw["runs"]["inline_end"]),
        inline_markers={k: re.compile(v) for k, v in raw["runs"]["markers"].items()},
        row_starts=re.compile(raw["runs"]["row_starts"]),
        decimal_cells=frozenset(raw["runs"]["decimal_cells"]),
        request_total_column=raw["requests"]["total_column"],
        request_total_row=raw["requests"]["total_row"],
        request_balance=(tuple(raw["requests"]["balance"][0]), tuple(raw["requests"]["balance"][1])),
        outcome_rows=tuple(raw["requests"]["outcome_rows"]),
        review_total_column=review["total_column"],
    )


TEMPLATE = _load()
