"""What the model answers (through instructor): assignments of candidates or quoted spans to
field keys. The model's values are claims; ``grounding`` decides what is kept."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

FieldKey = Literal[
    "proactive.total", "proactive.website", "proactive.new_media", "proactive.policy_interpretations",
    "proactive.press_conferences", "documents.issued", "documents.repealed", "documents.in_force",
    "platform.website_visits", "requests.received", "requests.carried_over", "requests.carried_forward",
    "requests.completed", "requests.granted", "requests.partially_granted", "requests.denied",
    "requests.unable_to_provide", "requests.not_processed", "requests.on_time_rate", "review.total",
    "litigation.total", "training.sessions", "training.participants", "consultations.handled",
    "fees.collected",
]


class Assignment(BaseModel):
    """One field the text states, with where it says so."""

    field: FieldKey = Field(description="the canonical key")
    value: int | float = Field(description="the number, multipliers applied; 0 for an explicit statement of none")
    qualifier: Literal["exact", "over", "under", "about"] = "exact"
    candidates: list[str] = Field(default_factory=list,
                                  description="ids of the candidates the value rests on, e.g. [\"C1\"] or [\"C2\", \"C3\"] for parts")
    quotes: list[str] = Field(default_factory=list,
                              description="exact text copied from the report holding the figure(s), when no candidate id fits")


class Answer(BaseModel):
    """The fields settled from the sentences given; leave out what the text does not state."""

    assignments: list[Assignment] = Field(default_factory=list)
