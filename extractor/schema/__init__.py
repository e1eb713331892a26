"""The schema: the single source of the canonical fields and of the national-format tables.

Keys, families, what each field counts, its measure-word group and the qualifiers
(``fields.toml``); the tables 二、三、四 of formats 2021 and 2019 — rows, columns, printed
labels, label patterns, headings, null marks — and which table rows each narrative field states
(``tables.toml``). Fields, tables, checks, the review page, the eval harness and the LLM
definitions read it; it imports nothing of the package. tests/test_schema.py checks the docs,
the rules and the LLM definitions against it.
"""

from .fields import FAMILIES, FIELD_KEYS, FIELDS, QUALIFIERS, FieldSpec
from .tables import FORMATS, TABLE_NAMES, TEMPLATE, RowSpec, Template

__all__ = ["FAMILIES", "FIELDS", "FIELD_KEYS", "FORMATS", "QUALIFIERS", "TABLE_NAMES", "TEMPLATE",
           "FieldSpec", "RowSpec", "Template"]
