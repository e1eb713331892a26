"""Result data model: what one extraction yields for one document.

The keys follow ``docs/output.md``; every value that comes from the text carries the
span it came from and the rule (or prompt) that produced it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_serializer

from .table_model import CellStatus, ReadBy, TableCell, TableRow, Tables  # noqa: F401  (part of the result model)

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


class Tokens(BaseModel):
    """Tokens one document's LLM exchange cost: ``{"in", "out"}`` in JSON, ``estimated`` when
    the server reported no usage and some counts are estimates."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    input: int = Field(0, alias="in")
    output: int = Field(0, alias="out")
    estimated: bool = False

    @model_serializer(mode="wrap")
    def _drop_unestimated(self, handler):  # type: ignore[no-untyped-def]
        data = handler(self)
        if not self.estimated:
            data.pop("estimated", None)
        return data


class Disagreement(BaseModel):
    """A field the rules settled and the LLM read otherwise: recorded, never applied."""

    field: str
    rule: Number
    llm: Number
    evidence: list[Span] = Field(default_factory=list)


class LLMRun(BaseModel):
    """What the LLM layer did for one document (``Report.llm``): what was sent, spent and kept.

    ``candidates``: sentences the rules left open; ``requests``: HTTP requests sent (failed ones
    included, ``failed_requests`` of them); ``reasks``: answers asked again after a validation
    error; ``cached``: answered from the cache; ``kept`` / ``dropped``: values grounded in the
    text and kept, or dropped (``dropped_reasons``); ``unreachable``: given up, the endpoint down.
    The optional keys appear only when set.
    """

    mode: str
    prompt: str | None = None
    model: str | None = None
    candidates: int = 0
    requests: int = 0
    cached: bool = False
    tokens: Tokens = Field(default_factory=Tokens)
    kept: int = 0
    dropped: int = 0
    failed_requests: int | None = None
    reasks: int | None = None
    dropped_reasons: dict[str, int] | None = None
    disagreements: list[Disagreement] | None = None
    unreachable: bool | None = None

    @property
    def needed(self) -> bool:
        """The document had something to ask (the rules left sentences open, or every field was asked)."""
        return bool(self.candidates or self.mode == "all")

    @model_serializer(mode="wrap")
    def _drop_unset(self, handler):  # type: ignore[no-untyped-def]
        data = handler(self)
        for key in LLM_OPTIONAL_KEYS:
            if data.get(key) is None:
                data.pop(key, None)
        return data


LLM_OPTIONAL_KEYS = ("failed_requests", "reasks", "dropped_reasons", "disagreements", "unreachable")


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
    tables: Tables | None = None
    checks: list[Check] = Field(default_factory=list)
    errors: list[ErrorEntry] = Field(default_factory=list)
    # What was repaired on the way in (bytes replaced in decoding): the document was still read.
    warnings: list[ErrorEntry] | None = None
    text: str | None = None
    llm: LLMRun | None = None

    @model_serializer(mode="wrap")
    def _drop_unset_optional(self, handler):  # type: ignore[no-untyped-def]
        data = handler(self)
        for key in OPTIONAL_KEYS:
            if data.get(key) is None:
                data.pop(key, None)
        return data

    def add_error(self, stage: str, message: str) -> None:
        self.errors.append(ErrorEntry(stage=stage, message=message))
