"""Result data model: what one extraction yields for one document.

The keys follow ``docs/output.md``; every value that comes from the text carries the
span it came from and the rule (or prompt) that produced it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_serializer

Qualifier = Literal["exact", "over", "under", "about"]
AdminLevel = Literal["national", "province", "city", "county", "township"]
Number = int | float


class Span(BaseModel):
    """A stretch of the document text: ``text == doc_text[start:end]``."""

    model_config = ConfigDict(frozen=True)

    start: int
    end: int
    text: str


class Mention(BaseModel):
    """One narrative statistic written with a numeral."""

    start: int
    end: int
    text: str
    value: Number
    unit: str | None
    qualifier: Qualifier
    subject: str | None = None
    field: str | None = None
    section: str | None = None
    source: str

    @property
    def span(self) -> Span:
        return Span(start=self.start, end=self.end, text=self.text)


class FieldValue(BaseModel):
    """A canonical field (``fields.md``) with its value, exactness, provenance and evidence."""

    value: Number
    qualifier: Qualifier
    source: str
    evidence: list[Span] = Field(default_factory=list)


class Check(BaseModel):
    """A consistency check run on the document's figures; checks flag, they never repair.

    ``ok`` is None when the check is *not stated*: blank cells leave it open (``detail`` says which).
    """

    name: str
    ok: bool | None
    detail: str

    @property
    def status(self) -> Literal["passed", "failed", "not stated"]:
        return "not stated" if self.ok is None else "passed" if self.ok else "failed"


class ErrorEntry(BaseModel):
    """Something that went wrong with the document at one stage; the rest still yields."""

    stage: str
    message: str


# Keys that appear only when asked for (``--with-text``, the LLM layer, repairs on ingest); they are
# left out of the serialised result when unset, so the core keys stay exactly as output.md says.
OPTIONAL_KEYS = ("text", "llm", "warnings")


class Report(BaseModel):
    """The extraction result of one document."""

    doc: str | None = None
    body: str | None = None
    year: int | None = None
    # The level of government the body belongs to (national | province | city | county | township)
    # and its place (``{"province", "city", "county", "code"}``, GB/T 2260); null when not told.
    admin_level: AdminLevel | None = None
    region: dict[str, Any] | None = None
    mentions: list[Mention] = Field(default_factory=list)
    fields: dict[str, FieldValue] = Field(default_factory=dict)
    tables: dict[str, Any] | None = None
    checks: list[Check] = Field(default_factory=list)
    errors: list[ErrorEntry] = Field(default_factory=list)
    # What was repaired on the way in (bytes replaced in decoding): the document was still read.
    warnings: list[ErrorEntry] | None = None
    text: str | None = None
    llm: dict[str, Any] | None = None

    @model_serializer(mode="wrap")
    def _drop_unset_optional(self, handler):  # type: ignore[no-untyped-def]
        data = handler(self)
        for key in OPTIONAL_KEYS:
            if data.get(key) is None:
                data.pop(key, None)
        return data

    def add_error(self, stage: str, message: str) -> None:
        self.errors.append(ErrorEntry(stage=stage, message=message))
