"""The eval harness: score extraction results against hand-labelled gold files (``docs/gold-format.md``).

The pieces, in the order an eval runs them, one module each:

* **gold** (``gold``): ``load_gold_set`` finds ``*.gold.json`` files, checks each with the rules of
  ``validate_gold.py`` (``gold_problems``) and refuses the set with a ``GoldError`` naming
  every file and problem;
* **scoring** (``counts``, ``scoring``, ``metadata_scoring``): ``score_document`` compares one gold file with one prediction (a result as
  ``Report.model_dump(mode="json")`` gives it) and returns counts plus the list of errors;
* **summary** (``summary``): ``summarize`` adds the counts up over documents (micro averages), with a
  bootstrap 95 % interval over documents for each headline figure;
* **reports**: ``render_markdown`` (``report``) (an error listing a person can read without opening the
  files) and ``compare_runs`` (``compare``; per-metric and per-key deltas between two ``--json`` runs);
* **running** (``run``: ``evaluate``, ``extract_for_eval``, predictions files) and the run stamp (``stamp``).

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

from .compare import HEADLINE, META_HEADLINE, compare_runs
from .counts import (
    CONTEXT_CHARS,
    RELATIVE_TOLERANCE,
    DocScore,
    ErrorItem,
    FieldCounts,
    context,
    prf,
    values_equal,
)
from .gold import (
    ADMIN_LEVELS,
    FIELD_KEYS,
    GOLD_SUFFIX,
    QUALIFIERS,
    TABLES,
    Gold,
    GoldError,
    Json,
    check_gold,
    find_gold_files,
    load_gold,
    load_gold_set,
)
from .metadata_scoring import META_KEYS, same_body, score_metadata
from .report import render_markdown
from .run import (
    LLM_OFF,
    EvalRun,
    LLMUnavailable,
    duplicate_names,
    evaluate,
    extract_for_eval,
    join_key,
    read_predictions,
)
from .scoring import (
    match_mentions,
    score_document,
    score_fields,
    score_mentions,
    score_tables,
    value_sightings,
)
from .stamp import run_stamp
from .summary import (
    BOOTSTRAP_SAMPLES,
    BOOTSTRAP_SEED,
    bootstrap_ci,
    cell_accuracy,
    cell_totals,
    field_f1,
    field_totals,
    mention_f1,
    mention_totals,
    metadata_totals,
    summarize,
)

__all__ = [
    "ADMIN_LEVELS", "BOOTSTRAP_SAMPLES", "BOOTSTRAP_SEED", "CONTEXT_CHARS", "FIELD_KEYS", "GOLD_SUFFIX",
    "HEADLINE", "LLM_OFF", "META_HEADLINE", "META_KEYS", "QUALIFIERS", "RELATIVE_TOLERANCE", "TABLES",
    "DocScore", "ErrorItem", "EvalRun", "FieldCounts", "Gold", "GoldError", "Json", "LLMUnavailable",
    "bootstrap_ci", "cell_accuracy", "cell_totals", "check_gold", "compare_runs", "context", "duplicate_names",
    "evaluate", "extract_for_eval", "field_f1", "field_totals", "find_gold_files", "join_key", "load_gold",
    "load_gold_set", "match_mentions", "mention_f1", "mention_totals", "metadata_totals", "prf", "read_predictions",
    "render_markdown", "run_stamp", "same_body", "score_document", "score_fields", "score_mentions",
    "score_metadata", "score_tables", "summarize", "value_sightings", "values_equal",
]
