"""The national-format tables as data: loads ``tables.toml`` (beside this module) once at import.

The TOML file holds the rows, columns, label patterns and printed labels of tables 二、三、四 for
the 2021 format (国办公开办函〔2021〕30号) and the 2019 trial format (国办公开办函〔2019〕60号),
and which table rows each narrative field states; this module only turns it into typed objects
with compiled patterns.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from typing import Any

FORMATS = ("2021", "2019")
TABLE_NAMES = ("active", "requests", "review_litigation")  # 二、三、四, the keys of ``tables``


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
        return re.compile("|".join(p.pattern for p in self.labels))  # not (?:p)|(?:q): searched 1.5× slower

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
    inline_review_header: re.Pattern[str]
    inline_markers: dict[str, re.Pattern[str]]
    row_starts: re.Pattern[str]
    decimal_cells: frozenset[str]
    request_total_column: str
    request_total_row: str
    request_balance: tuple[tuple[str, ...], tuple[str, ...]]
    outcome_rows: tuple[str, ...]
    review_total_column: str
    titles: dict[str, str]  # the printed heading of each table
    printed: dict[str, str]  # row and column key → printed label (one per key across tables)
    printed_rows: dict[str, dict[str, str]]  # table → row key → printed label, where it differs
    narrative_requests: dict[str, tuple[str, ...]]  # field → rows of 三 (prefixes end in ".")
    narrative_review: dict[str, tuple[str, ...]]  # field → blocks of 四
    narrative_documents_row: str  # the row of 二 whose columns documents.* state
    narrative_documents: dict[str, str]  # field → column of that row

    @property
    def applicants(self) -> tuple[str, ...]:
        """The applicant columns of table 三 (every column but 总计)."""
        return tuple(c for c in self.request_columns if c != self.request_total_column)

    @property
    def review_parts(self) -> tuple[str, ...]:
        """The result columns of table 四 whose sum is 总计."""
        return tuple(c for c in self.review_columns if c != self.review_total_column)

    @property
    def rows_2021_only(self) -> tuple[str, ...]:
        """Rows of table 三 that only the 2021 format prints (（六）'s sub-rows 1. and 2.)."""
        older = {s.key for s in self.requests["2019"]}
        return tuple(s.key for s in self.requests["2021"] if s.key not in older)

    def printed_label(self, table: str, key: str) -> str:
        """The printed label of a row or column key ("" when the format prints none)."""
        return self.printed_rows.get(table, {}).get(key) or self.printed.get(key, "")


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
    raw = tomllib.loads((resources.files(__package__) / "tables.toml").read_text("utf-8"))
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
        inline_review_header=re.compile(raw["runs"]["inline_review_header"]),
        inline_markers={k: re.compile(v) for k, v in raw["runs"]["markers"].items()},
        row_starts=re.compile(raw["runs"]["row_starts"]),
        decimal_cells=frozenset(raw["runs"]["decimal_cells"]),
        request_total_column=raw["requests"]["total_column"],
        request_total_row=raw["requests"]["total_row"],
        request_balance=(tuple(raw["requests"]["balance"][0]), tuple(raw["requests"]["balance"][1])),
        outcome_rows=tuple(raw["requests"]["outcome_rows"]),
        review_total_column=review["total_column"],
        titles=dict(raw["titles"]),
        printed=dict(raw["printed"]),
        printed_rows={t: dict(rows) for t, rows in raw["printed_rows"].items()},
        narrative_requests={k: tuple(v) for k, v in raw["narrative"]["requests"].items()},
        narrative_review={k: tuple(v) for k, v in raw["narrative"]["review_litigation"].items()},
        narrative_documents_row=raw["narrative"]["documents_row"],
        narrative_documents=dict(raw["narrative"]["documents"]),
    )


TEMPLATE = _load()
