"""Gold files (docs/gold-format.md): the keys they may hold, finding, reading and checking them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import schema

# --- the schema the gold files are checked against ------------------------------------------
# The canonical keys and qualifiers are the schema's (tests/test_schema.py checks fields.md).
FIELD_KEYS: frozenset[str] = frozenset(schema.FIELD_KEYS)
QUALIFIERS = schema.QUALIFIERS
MENTION_KEYS = frozenset({"start", "end", "text", "value", "unit", "qualifier", "subject", "field"})
REQUIRED_KEYS = ("doc", "mentions", "fields", "truncated")
ADMIN_LEVELS = frozenset({"national", "province", "city", "county", "township"})
TABLES = schema.TABLE_NAMES
GOLD_SUFFIX = ".gold.json"

Json = dict[str, Any]


# --- gold files ------------------------------------------------------------------------------
class GoldError(ValueError):
    """One or more gold files are malformed; ``problems`` pairs each file with its problem."""

    def __init__(self, problems: list[tuple[Path, str]]):
        self.problems = problems
        lines = [f"{path}: {msg}" for path, msg in problems]
        super().__init__("malformed gold file(s):\n" + "\n".join(lines))


@dataclass(frozen=True)
class Gold:
    """One validated gold file and the text its mention offsets index."""

    path: Path
    data: Json
    text: str | None  # the document text when the file is plain text (.txt/.md), else None

    @property
    def name(self) -> str:
        """The join key: the file name of ``doc``."""
        return Path(self.data["doc"]).name

    @property
    def doc_path(self) -> Path:
        return self.path.with_name(self.data["doc"])

    @property
    def mentions(self) -> list[Json] | None:
        return self.data["mentions"]

    @property
    def fields(self) -> dict[str, Json]:
        return self.data["fields"]

    @property
    def tables(self) -> Json | None:
        return self.data.get("tables")

    @property
    def uncertain_cells(self) -> frozenset[str]:
        return frozenset(self.data.get("uncertain_cells") or ())


def find_gold_files(paths: Iterable[str | Path]) -> list[Path]:
    """Gold files as given; directories are searched (recursively) for ``*.gold.json``."""
    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        found += sorted(p.rglob(f"*{GOLD_SUFFIX}")) if p.is_dir() else [p]
    return found


def is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _mention_problems(i: int, m: Any, text: str, seen: set[tuple[int, int]]) -> Iterator[str]:
    if not isinstance(m, dict):
        yield f"mention {i} is not an object"
        return
    where = f"mention {i} {m.get('text')!r}"
    if set(m) - MENTION_KEYS - {"note"}:
        yield f"{where}: unknown keys {sorted(set(m) - MENTION_KEYS - {'note'})}"
    if not MENTION_KEYS <= set(m):
        yield f"{where}: missing keys {sorted(MENTION_KEYS - set(m))}"
        return
    start, end = m["start"], m["end"]
    if not (isinstance(start, int) and isinstance(end, int)):
        yield f"{where}: start/end {start!r}/{end!r} are not integers"
    elif text[start:end] != m["text"]:
        yield f"{where}: doc[{start}:{end}] is {text[start:end]!r}, not the mention text"
    elif (start, end) in seen:
        yield f"{where}: duplicate span"
    else:
        seen.add((start, end))
    if m["qualifier"] not in QUALIFIERS:
        yield f"{where}: qualifier {m['qualifier']!r} is not one of {sorted(QUALIFIERS)}"
    if not is_number(m["value"]):
        yield f"{where}: value {m['value']!r} is not a number"
    if m["field"] is not None and m["field"] not in FIELD_KEYS:
        yield f"{where}: unknown field {m['field']!r} (not in fields.md)"


def _field_problems(fields: Any) -> Iterator[str]:
    if not isinstance(fields, dict):
        yield "'fields' is not an object"
        return
    for key, f in fields.items():
        if key not in FIELD_KEYS:
            yield f"field {key!r} is not in fields.md"
        if not isinstance(f, dict):
            yield f"field {key!r} is not an object"
            continue
        if not is_number(f.get("value")):
            yield f"field {key!r}: value {f.get('value')!r} is not a number"
        if f.get("qualifier") not in QUALIFIERS:
            yield f"field {key!r}: qualifier {f.get('qualifier')!r} is not one of {sorted(QUALIFIERS)}"
        if not isinstance(f.get("optional", False), bool):
            yield f"field {key!r}: optional {f.get('optional')!r} is not true/false"


def _read_gold_json(path: Path) -> tuple[Json | None, str | None]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, "file not found"
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"not valid JSON: {exc}"
    if not isinstance(data, dict):
        return None, "not a JSON object"
    return data, None


def _read_doc_text(doc_path: Path) -> tuple[str | None, str | None]:
    try:
        return doc_path.read_text(encoding="utf-8"), None
    except UnicodeDecodeError as exc:
        return None, f"text file {doc_path.name} is not UTF-8: {exc}"


def check_gold(path: Path) -> tuple[Gold | None, list[str]]:
    """Validate one gold file (the rules of validate_gold.py); the ``Gold`` when it has no problem."""
    data, problem = _read_gold_json(path)
    if data is None:
        return None, [problem or "unreadable"]
    missing = [k for k in REQUIRED_KEYS if k not in data]
    if "doc" in missing:
        return None, [f"missing key {k!r}" for k in missing]
    if not isinstance(data["doc"], str) or not data["doc"]:
        return None, [f"doc {data['doc']!r} is not a file name"]
    doc_path = path.with_name(data["doc"])
    if not doc_path.is_file():
        return None, [f"missing text file {doc_path.name} (it must sit beside the gold file)"]
    problems = [f"missing key {k!r}" for k in missing]
    mentions, text = data.get("mentions"), None
    if mentions is not None:
        text, problem = _read_doc_text(doc_path)
        if problem:
            return None, problems + [problem]
        if not isinstance(mentions, list):
            problems.append("'mentions' is neither a list nor null")
        else:
            seen: set[tuple[int, int]] = set()
            for i, m in enumerate(mentions):
                problems += _mention_problems(i, m, text or "", seen)
    problems += _field_problems(data.get("fields", {}))
    problems += _table_problems(data)
    if data.get("admin_level") is not None and data["admin_level"] not in ADMIN_LEVELS:
        problems.append(f"admin_level {data['admin_level']!r} is not one of {sorted(ADMIN_LEVELS)} or null")
    return (None if problems else Gold(path=path, data=data, text=text)), problems


def _table_problems(data: Json) -> Iterator[str]:
    tables = data.get("tables")
    if tables is not None and not isinstance(tables, dict):
        yield "'tables' is neither an object nor null"
    cells = data.get("uncertain_cells")
    if cells is not None and not (isinstance(cells, list) and all(isinstance(c, str) for c in cells)):
        yield "'uncertain_cells' is not a list of dotted cell keys"


def load_gold(path: str | Path) -> Gold:
    """One gold file, validated; ``GoldError`` naming the file and the problems otherwise."""
    gold, problems = check_gold(Path(path))
    if gold is None:
        raise GoldError([(Path(path), msg) for msg in problems])
    return gold


def load_gold_set(paths: Iterable[str | Path]) -> list[Gold]:
    """All gold files under ``paths``, validated together: every problem is reported at once."""
    files = find_gold_files(paths)
    golds: list[Gold] = []
    problems: list[tuple[Path, str]] = []
    for path in files:
        gold, found = check_gold(path)
        problems += [(path, msg) for msg in found]
        if gold is not None:
            golds.append(gold)
    if problems:
        raise GoldError(problems)
    return golds
