"""Score extraction results against hand-labelled gold files (``docs/gold-format.md``).

The pieces, in the order an eval runs them:

* **gold**: ``load_gold_set`` finds ``*.gold.json`` files, checks each with the rules of
  ``validate_gold.py`` (``gold_problems``) and refuses the set with a ``GoldError`` naming
  every file and problem;
* **scoring**: ``score_document`` compares one gold file with one prediction (a result as
  ``Report.model_dump(mode="json")`` gives it) and returns counts plus the list of errors;
* **summary**: ``summarize`` adds the counts up over documents (micro averages), with a
  bootstrap 95 % interval over documents for each headline figure;
* **reports**: ``render_markdown`` (an error listing a person can read without opening the
  files) and ``compare_runs`` (per-metric and per-key deltas between two ``--json`` runs).

The scoring rules, exactly as gold-format.md states them:

* two values are equal when the gold value is an integer and the prediction equals it, or,
  for a gold value with a fraction, when they differ by at most 0.5 % of the gold value;
* mentions (only where gold ``mentions`` is not null): gold mentions in text order each take
  the first not-yet-taken predicted mention (in text order) whose span overlaps and whose
  value and qualifier are equal;
* fields: hit / miss / wrong / false positive, with ``optional`` gold keys;
* tables: the share of gold cells (zeros included, ``uncertain_cells`` left out) predicted
  with the same value, a ``null`` gold cell being right when predicted ``null`` (a cell the
  prediction lacks, or a table it lacks, counts as predicted ``null``).

A predicted field whose value is ``null`` counts as not predicted (output.md: a key the text
does not state is absent).
"""

from __future__ import annotations

import itertools
import json
import random
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import schema

if TYPE_CHECKING:
    from .llm import LLMConfig

# --- the schema the gold files are checked against ------------------------------------------
# The canonical keys and qualifiers are the schema's (tests/test_schema.py checks fields.md).
FIELD_KEYS: frozenset[str] = frozenset(schema.FIELD_KEYS)
QUALIFIERS = schema.QUALIFIERS
MENTION_KEYS = frozenset({"start", "end", "text", "value", "unit", "qualifier", "subject", "field"})
REQUIRED_KEYS = ("doc", "mentions", "fields", "truncated")
ADMIN_LEVELS = frozenset({"national", "province", "city", "county", "township"})
TABLES = schema.TABLE_NAMES
GOLD_SUFFIX = ".gold.json"
RELATIVE_TOLERANCE = 0.005  # a gold value with a fraction: at most 0.5 % off
CONTEXT_CHARS = 30
BOOTSTRAP_SAMPLES = 1000
BOOTSTRAP_SEED = 20240101

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


def _is_number(x: Any) -> bool:
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
    if not _is_number(m["value"]):
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
        if not _is_number(f.get("value")):
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


# --- value equality ----------------------------------------------------------------------------
def values_equal(gold: Any, pred: Any) -> bool:
    """gold-format.md: integer gold → exactly equal; gold with a fraction → within 0.5 % of it."""
    if not _is_number(gold) or not _is_number(pred):
        return gold is None and pred is None
    if float(gold).is_integer():
        return pred == gold
    return abs(pred - gold) <= RELATIVE_TOLERANCE * abs(gold) + 1e-12


# --- per-document scoring ------------------------------------------------------------------------
@dataclass
class FieldCounts:
    hits: int = 0
    misses: int = 0
    wrong: int = 0
    false_positives: int = 0

    def add(self, other: FieldCounts) -> None:
        self.hits += other.hits
        self.misses += other.misses
        self.wrong += other.wrong
        self.false_positives += other.false_positives

    def prf(self) -> tuple[float, float, float]:
        return prf(self.hits, self.hits + self.wrong + self.false_positives,
                   self.hits + self.misses + self.wrong)


@dataclass(frozen=True)
class ErrorItem:
    """One error, with what a person needs to see why: values and the text around them."""

    doc: str
    area: str  # mention | field | table
    kind: str  # miss | false positive | wrong
    key: str | None
    gold: Any
    pred: Any
    gold_context: tuple[str, ...] = ()
    pred_context: tuple[str, ...] = ()
    note: str = ""


@dataclass
class DocScore:
    name: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    scores_mentions: bool = False
    fields: dict[str, FieldCounts] = field(default_factory=dict)
    cells: dict[str, tuple[int, int]] = field(default_factory=dict)  # table → (right, total)
    # metadata key → (given, right, right when compared strictly), for the keys gold labels
    meta: dict[str, tuple[bool, bool, bool]] = field(default_factory=dict)
    errors: list[ErrorItem] = field(default_factory=list)
    extract_errors: list[str] = field(default_factory=list)


def prf(correct: int, predicted: int, relevant: int) -> tuple[float, float, float]:
    """Precision, recall and F1 (0.0 where a denominator is zero)."""
    p = correct / predicted if predicted else 0.0
    r = correct / relevant if relevant else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f1


def context(text: str | None, start: int, end: int, width: int = CONTEXT_CHARS) -> str:
    """``…before【span】after…`` with ±``width`` characters, on one line."""
    if not text or start < 0 or end > len(text) or start > end:
        return ""
    left = text[max(0, start - width):start]
    right = text[end:end + width]
    snippet = f"{'…' if start > width else ''}{left}【{text[start:end]}】{right}{'…' if end + width < len(text) else ''}"
    return " ".join(snippet.split())


def _overlaps(a: Json, b: Json) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"]


def _same_mention(g: Json, p: Json) -> bool:
    return _overlaps(g, p) and values_equal(g["value"], p.get("value")) and g["qualifier"] == p.get("qualifier")


def _span_order(m: Json) -> tuple[int, int]:
    return (m["start"], m["end"])


def match_mentions(gold: list[Json], pred: list[Json]) -> list[tuple[Json, Json | None]]:
    """One-to-one: gold mentions in text order each take the first free overlapping equal prediction.

    Returns every gold mention with its match (or None); predictions not returned are unmatched.
    """
    preds = sorted((p for p in pred if _is_number(p.get("start")) and _is_number(p.get("end"))),
                   key=_span_order)
    taken = [False] * len(preds)
    pairs: list[tuple[Json, Json | None]] = []
    for g in sorted(gold, key=_span_order):
        found = None
        for j, p in enumerate(preds):
            if not taken[j] and _same_mention(g, p):
                taken[j], found = True, p
                break
        pairs.append((g, found))
    return pairs


def _mention_label(m: Json) -> str:
    unit = m.get("unit") or ""
    return f"{m.get('value')} {unit} ({m.get('qualifier')})".replace("  ", " ")


def score_mentions(gold: Gold, pred: list[Json], pred_text: str | None, score: DocScore) -> None:
    pairs = match_mentions(gold.mentions or [], pred)
    matched = {id(p) for _, p in pairs if p is not None}
    unmatched = [p for p in pred if id(p) not in matched]
    score.scores_mentions = True
    score.tp = len(matched)
    score.fn = len(pairs) - score.tp
    score.fp = len(unmatched)
    for g, p in pairs:
        if p is None:
            near = [q for q in unmatched if _is_number(q.get("start")) and _overlaps(g, q)]
            note = "; ".join(f"overlapping prediction {q.get('text')!r} = {_mention_label(q)}" for q in near)
            score.errors.append(ErrorItem(
                score.name, "mention", "miss", g.get("field"), _mention_label(g), None,
                gold_context=(context(gold.text, g["start"], g["end"]),), note=note or "no overlapping prediction"))
    for p in unmatched:
        ok = _is_number(p.get("start")) and _is_number(p.get("end"))
        ctx = context(pred_text, p["start"], p["end"]) if ok else ""
        score.errors.append(ErrorItem(
            score.name, "mention", "false positive", p.get("field"), None, _mention_label(p),
            pred_context=(ctx,), note=f"source {p.get('source')}" if p.get("source") else ""))


def _gold_evidence(gold: Gold, key: str) -> tuple[str, ...]:
    return tuple(context(gold.text, m["start"], m["end"]) for m in gold.mentions or [] if m.get("field") == key)


def value_sightings(text: str | None, value: Any, limit: int = 2) -> tuple[str, ...]:
    """Where the text writes ``value`` as digits (for gold without evidence spans, e.g. PDF gold)."""
    if not text or not _is_number(value):
        return ()
    written = str(int(value)) if float(value).is_integer() else str(value)
    found = re.finditer(rf"(?<![\d.]){re.escape(written)}(?![\d.])", text)
    return tuple(context(text, m.start(), m.end()) for m in itertools.islice(found, limit))


def _pred_evidence(pred_field: Json | None, pred_text: str | None) -> tuple[str, ...]:
    spans = (pred_field or {}).get("evidence") or []
    return tuple(context(pred_text, s["start"], s["end"]) for s in spans
                 if isinstance(s, dict) and _is_number(s.get("start")) and _is_number(s.get("end")))


def _gold_context(gold: Gold, key: str, g: Json | None, pred_text: str | None) -> tuple[str, ...]:
    if g is None:
        return ()
    if gold.mentions is not None:
        return _gold_evidence(gold, key)
    return tuple(f"(value seen) {c}" for c in value_sightings(gold.text or pred_text, g["value"]))


def _field_label(f: Json | None) -> str | None:
    if f is None:
        return None
    return f"{f.get('value')} ({f.get('qualifier')})" + (" optional" if f.get("optional") else "")


def _field_outcome(g: Json | None, p: Json | None) -> str | None:
    """hit / miss / wrong / false positive, or None when nothing is counted."""
    if g is None:
        return "false positive" if p is not None else None
    equal = p is not None and values_equal(g["value"], p.get("value")) and g["qualifier"] == p.get("qualifier")
    if g.get("optional"):
        return None if p is None or equal else "false positive"
    if p is None:
        return "miss"
    return "hit" if equal else "wrong"


_COUNTER = {"hit": "hits", "miss": "misses", "wrong": "wrong", "false positive": "false_positives"}


def score_fields(gold: Gold, pred: Mapping[str, Any], pred_text: str | None, score: DocScore) -> None:
    pred_fields = {k: v for k, v in pred.items() if isinstance(v, dict) and v.get("value") is not None}
    for key in sorted(set(gold.fields) | set(pred_fields)):
        g, p = gold.fields.get(key), pred_fields.get(key)
        outcome = _field_outcome(g, p)
        if outcome is None:
            continue
        counts = score.fields.setdefault(key, FieldCounts())
        setattr(counts, _COUNTER[outcome], getattr(counts, _COUNTER[outcome]) + 1)
        if outcome != "hit":
            note = f"source {p.get('source')}" if p and p.get("source") else ""
            score.errors.append(ErrorItem(
                score.name, "field", outcome, key, _field_label(g), _field_label(p),
                gold_context=_gold_context(gold, key, g, pred_text),
                pred_context=_pred_evidence(p, pred_text), note=note))


def _pred_cell(pred_tables: Any, table: str, gold_path: list[str]) -> Any:
    """The predicted cell at the gold cell's path (row keys may themselves hold a dot)."""
    node = pred_tables.get(table) if isinstance(pred_tables, dict) else None
    for part in gold_path:
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _cell_paths(table: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(table, dict):
        for k, v in table.items():
            yield from _cell_paths(v, (*path, k))
    else:
        yield path, table


def score_tables(gold: Gold, pred_tables: Any, score: DocScore) -> None:
    if not isinstance(gold.tables, dict):
        return
    for table in TABLES:
        if table not in gold.tables:
            continue
        right = total = 0
        for path, g in _cell_paths(gold.tables[table]):
            key = ".".join((table, *path))
            if key in gold.uncertain_cells:
                continue
            p = _pred_cell(pred_tables, table, list(path))
            total += 1
            if values_equal(g, p):
                right += 1
            else:
                kind = "miss" if p is None else "wrong"
                score.errors.append(ErrorItem(score.name, "table", kind, key, g, p))
        score.cells[table] = (right, total)


# --- metadata: body, year, admin_level ---------------------------------------------------------------
META_KEYS = ("body", "year", "admin_level")
# Parentheses and spaces differ between copies of one name: 中国(河北) / 中国（河北）
_NAME_NOISE = re.compile(r"\s+")
# A 街道 is run by its 街道办事处: both name the same body
_STREET_OFFICE = re.compile(r"街道(?:办事处)?$")


def _name_form(name: str) -> str:
    import unicodedata

    from .script import to_simplified

    name = unicodedata.normalize("NFKC", _NAME_NOISE.sub("", name))
    return _STREET_OFFICE.sub("街道", to_simplified(name))


# The shorter name must still say where the body is (a bare 公安局 is no name of 汕尾市公安局)
_PLACE_MARK = re.compile(r"[省市县区旗州盟镇乡]|街道")


def _prefixed_by_places(longer: str, shorter: str) -> bool:
    """``longer`` is ``shorter`` with whole division names in front (襄阳市 + 襄城区人民政府)."""
    from . import divisions

    if not longer.endswith(shorter) or longer == shorter or not _PLACE_MARK.search(shorter):
        return False
    front, pos = longer[: len(longer) - len(shorter)], 0
    for s in divisions.find_names(front):
        if s.start != pos:
            return False
        pos = s.end
    return pos == len(front)


NATIONAL_PREFIX = "中华人民共和国"


def same_body(gold: str, pred: str) -> bool:
    """Two names of one body: equal once script, full-width forms and spaces are normalised and
    the names of the divisions that contain the body are taken off the front of both
    (襄城区人民政府 = 襄阳市襄城区人民政府, 水利部 = 中华人民共和国水利部, 东街街道 = 甘州区东街街道办事处)."""
    a, b = _name_form(gold), _name_form(pred)
    if a == b:
        return True
    a, b = a.removeprefix(NATIONAL_PREFIX), b.removeprefix(NATIONAL_PREFIX)
    return a == b or _prefixed_by_places(a, b) or _prefixed_by_places(b, a)


def _meta_equal(key: str, gold: Any, pred: Any, strict: bool = False) -> bool:
    if gold is None or pred is None:
        return gold is None and pred is None
    if key == "body":
        return _name_form(gold) == _name_form(pred) if strict else same_body(gold, pred)
    return gold == pred


def score_metadata(gold: Gold, pred: Json, score: DocScore) -> None:
    """Exact match of body (as ``same_body`` says), year and admin_level, where gold labels them."""
    for key in META_KEYS:
        if key not in gold.data:
            continue
        g, p = gold.data[key], pred.get(key)
        right = _meta_equal(key, g, p)
        score.meta[key] = (p is not None, right, _meta_equal(key, g, p, strict=True))
        if not right:
            kind = "miss" if p is None else "false positive" if g is None else "wrong"
            score.errors.append(ErrorItem(score.name, "metadata", kind, key, g, p))


def score_document(gold: Gold, pred: Json | None) -> DocScore:
    """Score one prediction (``Report.model_dump(mode="json")``; None if missing) against its gold."""
    score = DocScore(name=gold.name)
    pred = pred or {}
    pred_text = pred.get("text") or gold.text
    if gold.mentions is not None:
        score_mentions(gold, [m for m in pred.get("mentions") or [] if isinstance(m, dict)], pred_text, score)
    score_fields(gold, pred.get("fields") or {}, pred_text, score)
    score_tables(gold, pred.get("tables"), score)
    score_metadata(gold, pred, score)
    score.extract_errors = [f"{e.get('stage')}: {e.get('message')}" for e in pred.get("errors") or []
                            if isinstance(e, dict)]
    if not pred:
        score.extract_errors.append("no prediction for this document")
    return score


# --- summary over documents -------------------------------------------------------------------
def _r(x: float) -> float:
    return round(x, 4)


def _field_block(c: FieldCounts) -> Json:
    p, r, f1 = c.prf()
    return {"p": _r(p), "r": _r(r), "f1": _r(f1), "hits": c.hits, "misses": c.misses,
            "wrong": c.wrong, "false_positives": c.false_positives}


def mention_totals(scores: Iterable[DocScore]) -> tuple[int, int, int]:
    tp = fp = fn = 0
    for s in scores:
        tp, fp, fn = tp + s.tp, fp + s.fp, fn + s.fn
    return tp, fp, fn


def mention_f1(scores: list[DocScore]) -> float:
    tp, fp, fn = mention_totals(scores)
    return prf(tp, tp + fp, tp + fn)[2]


def field_totals(scores: Iterable[DocScore]) -> tuple[FieldCounts, dict[str, FieldCounts]]:
    total, per_key = FieldCounts(), {}
    for s in scores:
        for key, c in s.fields.items():
            total.add(c)
            per_key.setdefault(key, FieldCounts()).add(c)
    return total, per_key


def field_f1(scores: list[DocScore]) -> float:
    return field_totals(scores)[0].prf()[2]


def cell_totals(scores: Iterable[DocScore]) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for s in scores:
        for table, (right, total) in s.cells.items():
            r0, t0 = out.get(table, (0, 0))
            out[table] = (r0 + right, t0 + total)
    return out


def cell_accuracy(scores: list[DocScore]) -> float | None:
    per = cell_totals(scores).values()
    total = sum(t for _, t in per)
    return sum(r for r, _ in per) / total if total else None


def bootstrap_ci(scores: list[DocScore], metric: Callable[[list[DocScore]], float | None],
                 samples: int = BOOTSTRAP_SAMPLES, seed: int = BOOTSTRAP_SEED) -> list[float] | None:
    """95 % percentile interval of ``metric`` over documents resampled with replacement."""
    if not scores:
        return None
    rng = random.Random(seed)
    values = sorted(v for v in (metric(rng.choices(scores, k=len(scores))) for _ in range(samples))
                    if v is not None)
    if not values:
        return None
    lo = values[int(0.025 * (len(values) - 1))]
    hi = values[int(round(0.975 * (len(values) - 1)))]
    return [_r(lo), _r(hi)]


def metadata_totals(scores: Iterable[DocScore]) -> Json:
    """Per key: docs labelled, values given, right; rate where given, coverage, right over all."""
    out: Json = {}
    for key in META_KEYS:
        rows = [s.meta[key] for s in scores if key in s.meta]
        docs, given = len(rows), sum(r[0] for r in rows)
        right, strict = sum(r[1] and r[0] for r in rows), sum(r[2] and r[0] for r in rows)
        out[key] = {"docs": docs, "given": given, "right": right,
                    "rate": _r(right / given) if given else None,
                    "coverage": _r(given / docs) if docs else None,
                    "right_all": _r(sum(r[1] for r in rows) / docs) if docs else None,
                    "rate_strict": _r(strict / given) if given else None}
    return out


def summarize(scores: list[DocScore], *, ci: bool = True) -> Json:
    """The ``--json`` object (without the ``run`` stamp): micro averages over documents."""
    tp, fp, fn = mention_totals(scores)
    mp, mr, mf = prf(tp, tp + fp, tp + fn)
    total, per_key = field_totals(scores)
    cells = cell_totals(scores)
    acc = cell_accuracy(scores)
    out: Json = {
        "docs": len(scores),
        "mentions": {"p": _r(mp), "r": _r(mr), "f1": _r(mf), "tp": tp, "fp": fp, "fn": fn},
        "fields": {**_field_block(total), "per_key": {k: _field_block(per_key[k]) for k in sorted(per_key)}},
        "tables": {
            "cell_accuracy": None if acc is None else _r(acc),
            "per_table": {t: _r(cells[t][0] / cells[t][1]) if cells.get(t, (0, 0))[1] else None for t in TABLES},
        },
        "metadata": metadata_totals(scores),
    }
    if ci:
        out["mentions"]["f1_ci"] = bootstrap_ci([s for s in scores if s.scores_mentions], mention_f1)
        out["fields"]["f1_ci"] = bootstrap_ci(scores, field_f1)
        out["tables"]["cell_accuracy_ci"] = bootstrap_ci([s for s in scores if s.cells], cell_accuracy)
    return out


# --- joining predictions to gold ----------------------------------------------------------------
def join_key(doc: str | None) -> str:
    """Predictions join gold by the file name of ``doc`` (``reports/r001.txt`` → ``r001.txt``)."""
    return Path(doc or "").name


def read_predictions(path: str | Path) -> dict[str, Json]:
    """A JSON Lines file of results, keyed by the file name of each result's ``doc``."""
    preds: dict[str, Json] = {}
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                result = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: not valid JSON: {exc}") from None
            if not isinstance(result, dict) or not isinstance(result.get("doc"), str):
                raise ValueError(f"{path}:{n}: a result must be an object with a 'doc'")
            preds[join_key(result["doc"])] = result
    return preds


def duplicate_names(golds: list[Gold]) -> list[str]:
    seen: dict[str, int] = {}
    for g in golds:
        seen[g.name] = seen.get(g.name, 0) + 1
    return sorted(n for n, c in seen.items() if c > 1)


@dataclass
class EvalRun:
    """What an eval produced: the per-document scores and the summary."""

    scores: list[DocScore]
    summary: Json


def evaluate(golds: list[Gold], predict: Callable[[Gold], Json | None], *, ci: bool = True) -> EvalRun:
    """Score ``predict(gold)`` for every gold file."""
    scores = [score_document(g, predict(g)) for g in golds]
    return EvalRun(scores=scores, summary=summarize(scores, ci=ci))


# --- comparison of two runs ------------------------------------------------------------------------
HEADLINE = (("mentions", "p"), ("mentions", "r"), ("mentions", "f1"),
            ("fields", "p"), ("fields", "r"), ("fields", "f1"), ("tables", "cell_accuracy"))
META_HEADLINE = tuple((key, metric) for key in ("body", "year", "admin_level") for metric in ("rate", "coverage"))


def _delta(a: Any, b: Any) -> float | None:
    return _r(b - a) if _is_number(a) and _is_number(b) else None


def compare_runs(a: Json, b: Json) -> Json:
    """Per-metric, per-key and per-table deltas ``b − a`` between two ``--json`` results."""
    metrics = {}
    for block, metric in HEADLINE:
        va, vb = (a.get(block) or {}).get(metric), (b.get(block) or {}).get(metric)
        metrics[f"{block}.{metric}"] = {"a": va, "b": vb, "delta": _delta(va, vb)}
    for key, metric in META_HEADLINE:
        va = ((a.get("metadata") or {}).get(key) or {}).get(metric)
        vb = ((b.get("metadata") or {}).get(key) or {}).get(metric)
        if va is not None or vb is not None:
            metrics[f"{key}.{metric}"] = {"a": va, "b": vb, "delta": _delta(va, vb)}
    keys_a = (a.get("fields") or {}).get("per_key") or {}
    keys_b = (b.get("fields") or {}).get("per_key") or {}
    per_key = {}
    for key in sorted(set(keys_a) | set(keys_b)):
        fa, fb = (keys_a.get(key) or {}).get("f1"), (keys_b.get(key) or {}).get("f1")
        per_key[key] = {"a": fa, "b": fb, "delta": _delta(fa, fb)}
    tables_a = (a.get("tables") or {}).get("per_table") or {}
    tables_b = (b.get("tables") or {}).get("per_table") or {}
    per_table = {t: {"a": tables_a.get(t), "b": tables_b.get(t), "delta": _delta(tables_a.get(t), tables_b.get(t))}
                 for t in sorted(set(tables_a) | set(tables_b))}
    return {"a": a.get("run"), "b": b.get("run"), "docs": {"a": a.get("docs"), "b": b.get("docs")},
            "metrics": metrics, "per_key": per_key, "per_table": per_table}


# --- Markdown report ---------------------------------------------------------------------------------
def _fmt(x: Any) -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:.3f}"
    return str(x)


def _ci(x: Any) -> str:
    return f"[{x[0]:.3f}, {x[1]:.3f}]" if isinstance(x, list) and len(x) == 2 else "—"


def _cell(x: Any) -> str:
    return _fmt(x).replace("|", "\\|")


def _code(text: str) -> str:
    return "`" + text.replace("`", "'") + "`" if text else "(no text)"


def _summary_lines(run: EvalRun) -> list[str]:
    s = run.summary
    m, f, t = s["mentions"], s["fields"], s["tables"]
    n_mention_docs = sum(1 for sc in run.scores if sc.scores_mentions)
    n_table_docs = sum(1 for sc in run.scores if sc.cells)
    cells = ", ".join(f"{k} {r}/{n}" for k, (r, n) in cell_totals(run.scores).items())
    return [
        "| | P | R | F1 | 95 % CI of F1 | counts |",
        "|---|---|---|---|---|---|",
        f"| mentions ({n_mention_docs} docs) | {_fmt(m['p'])} | {_fmt(m['r'])} | {_fmt(m['f1'])} | "
        f"{_ci(m.get('f1_ci'))} | tp {m['tp']}, fp {m['fp']}, fn {m['fn']} |",
        f"| fields ({s['docs']} docs) | {_fmt(f['p'])} | {_fmt(f['r'])} | {_fmt(f['f1'])} | {_ci(f.get('f1_ci'))} | "
        f"hits {f['hits']}, misses {f['misses']}, wrong {f['wrong']}, false positives {f['false_positives']} |",
        f"| table cells ({n_table_docs} docs) | | | accuracy {_fmt(t['cell_accuracy'])} | "
        f"{_ci(t.get('cell_accuracy_ci'))} | {cells or 'no gold tables'} |",
    ]


def _metadata_lines(s: Json) -> list[str]:
    meta = {k: c for k, c in (s.get("metadata") or {}).items() if c.get("docs")}
    if not meta:
        return []
    lines = ["| metadata | right where given | coverage | right over all | strict | counts |",
             "|---|---|---|---|---|---|"]
    for key, c in meta.items():
        lines.append(f"| `{key}` | {_fmt(c['rate'])} | {_fmt(c['coverage'])} | {_fmt(c['right_all'])} | "
                     f"{_fmt(c['rate_strict'])} | {c['right']} right of {c['given']} given, {c['docs']} labelled |")
    return lines + [""]


def _per_key_lines(s: Json) -> list[str]:
    lines = ["| key | P | R | F1 | hits | misses | wrong | false positives |", "|---|---|---|---|---|---|---|---|"]
    for key, c in s["fields"]["per_key"].items():
        lines.append(f"| `{key}` | {_fmt(c['p'])} | {_fmt(c['r'])} | {_fmt(c['f1'])} | {c['hits']} | "
                     f"{c['misses']} | {c['wrong']} | {c['false_positives']} |")
    return lines


def _error_lines(e: ErrorItem) -> list[str]:
    head = f"- **{e.area} {e.kind}**" + (f" `{e.key}`" if e.key else "")
    head += f": gold {_fmt(e.gold)}, predicted {_fmt(e.pred)}"
    lines = [head]
    lines += [f"  - gold: {_code(c)}" for c in e.gold_context]
    lines += [f"  - predicted: {_code(c)}" for c in e.pred_context]
    if e.note:
        lines.append(f"  - {e.note}")
    return lines


_AREA_ORDER = {"metadata": 0, "field": 1, "mention": 2, "table": 3}


def _doc_error_lines(score: DocScore) -> list[str]:
    errors = sorted(score.errors, key=lambda e: _AREA_ORDER[e.area])
    counts = {a: sum(1 for e in errors if e.area == a) for a in _AREA_ORDER}
    lines = [f"### {score.name}", "",
             ", ".join(f"{n} {a} error{'s' if n != 1 else ''}" for a, n in counts.items() if n), ""]
    lines += [f"- extractor: {msg}" for msg in score.extract_errors]
    prose = [line for e in errors if e.area != "table" for line in _error_lines(e)]
    lines += prose
    cells = [e for e in errors if e.area == "table"]
    if cells:
        lines += [""] * bool(prose or score.extract_errors) + ["| table cell | gold | predicted |", "|---|---|---|"]
        lines += [f"| `{e.key}` | {_cell(e.gold)} | {_cell(e.pred)} |" for e in cells]
    return lines + [""]


def _run_line(run: Json | None) -> str:
    if not run:
        return ""
    llm = run.get("llm") or {}
    return (f"Run: xxgk {run.get('version')}, commit {run.get('commit') or 'unknown'}, "
            f"LLM {llm.get('mode') or 'as in the results'} (model {llm.get('model') or '—'}, prompts {llm.get('prompts') or '—'}), "
            f"{run.get('timestamp')}; gold {', '.join(run.get('gold') or [])}"
            + (f"; predictions {run['pred']}" if run.get("pred") else ""))


def render_markdown(run: EvalRun, stamp: Json | None = None) -> str:
    """The report: summary, per-key scores, then every error with values and context, per document."""
    s = run.summary
    n_errors = sum(len(sc.errors) for sc in run.scores)
    lines = ["# Extraction eval", "", _run_line(stamp), "", "## Summary", "", *_summary_lines(run), "",
             *_metadata_lines(s),
             "## Fields per key", "", *_per_key_lines(s), "",
             f"## Errors ({n_errors})", "",
             "Each error shows the gold and predicted values and the text around the evidence "
             f"(±{CONTEXT_CHARS} characters, the span in 【】). A field's gold evidence is the gold "
             "mentions labelled with that key; where gold has no mentions (PDF/HTML), the first places the "
             "text writes the gold value are shown as \"(value seen)\".", ""]
    for score in run.scores:
        if score.errors or score.extract_errors:
            lines += _doc_error_lines(score)
    return "\n".join(lines).rstrip() + "\n"


# --- running the extractor and stamping the run -------------------------------------------------------
LLM_OFF = "off"


class LLMUnavailable(ValueError):
    """An LLM mode was asked for but cannot be set up (no model, the ``[llm]`` extra missing…)."""


def extract_for_eval(path: Path, llm: str | LLMConfig = LLM_OFF) -> Json:
    """Run the extractor on one gold document; the one place the LLM is wired in (``llm``: a
    mode, configured from the environment, or a whole ``LLMConfig``)."""
    from .llm import LLMConfig, LLMConfigError
    from .pipeline import extract_file

    try:
        config = llm if isinstance(llm, LLMConfig) else None if llm == LLM_OFF else LLMConfig.from_env(llm)
    except LLMConfigError as exc:
        raise LLMUnavailable(f"--llm {llm}: {exc}") from None
    try:
        return extract_file(path, with_text=True, llm=config).model_dump(mode="json")
    except Exception as exc:  # one document must not stop the eval; it scores as empty
        return {"doc": str(path), "errors": [{"stage": "extract", "message": f"{type(exc).__name__}: {exc}"}]}


def _git_commit() -> str | None:
    import subprocess

    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", "-C", str(here), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{out}-dirty" if out and dirty else out or None


def _llm_stamp(mode: str | None, preds: Iterable[Json | None]) -> Json:
    """The LLM mode, and the models and prompt versions the results name (``llm`` key of a result)."""
    models: set[str] = set()
    prompts: set[str] = set()
    for pred in preds:
        info = (pred or {}).get("llm")
        if not isinstance(info, dict):
            continue
        if info.get("model"):
            models.add(str(info["model"]))
        for key in ("prompt", "prompt_version", "prompts"):
            value = info.get(key)
            values = value if isinstance(value, list | tuple) else value.values() if isinstance(value, dict) else [value]
            prompts.update(str(v) for v in values if v)
    return {"mode": mode, "model": ", ".join(sorted(models)) or None, "prompts": sorted(prompts) or None}


def run_stamp(*, llm: str | None, preds: Iterable[Json | None], gold: list[str], pred_path: str | None) -> Json:
    """Project version, git commit, LLM model and prompt versions, time: what produced these figures."""
    from datetime import UTC, datetime

    from . import __version__

    return {"version": __version__, "commit": _git_commit(), "llm": _llm_stamp(llm, preds),
            "timestamp": datetime.now(UTC).isoformat(timespec="seconds"), "gold": gold, "pred": pred_path}
