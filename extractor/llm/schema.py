"""What the model answers (through instructor): assignments of candidates or quoted spans to
field keys. The model's values are claims; ``grounding`` decides what is kept.

The schema is kept small (no titles, no descriptions: the prompt explains it) because instructor
sends it with every request. ``field`` is a plain string: an unknown key is dropped by grounding
rather than costing a re-ask.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from pydantic.json_schema import GenerateJsonSchema


class _Compact(GenerateJsonSchema):
    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


class _CompactModel(BaseModel):
    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:  # type: ignore[override]
        kwargs.setdefault("schema_generator", _Compact)
        schema = super().model_json_schema(*args, **kwargs)  # the top-level title names the tool
        for definition in schema.get("$defs", {}).values():
            definition.pop("title", None)
        return schema


class Assignment(_CompactModel):
    # one key the text states, the value, and where it says so (candidate ids or exact quotes)
    field: str
    value: float
    qualifier: str = "exact"
    candidates: list[str] = Field(default_factory=list)
    quotes: list[str] = Field(default_factory=list)


class Answer(_CompactModel):
    assignments: list[Assignment] = Field(default_factory=list)
