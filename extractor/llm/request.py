"""What is sent: the rendered prompt of one document, with the candidates and the stretches of
text the model was shown (quotes are grounded only inside them)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import Report
from ..sections import SectionMap, split_sections
from .candidates import Candidate, find_candidates
from .definitions import FIELD_KEYS, definitions_text
from .prompts import Prompt, load_prompt

MARK = "⟦{}⟧"
# The prompt each mode sends, version pinned: a new prompts/<task>.v<N+1>.toml is sent only once
# it is named here (results, cache keys and evals record the version).
PROMPTS: dict[str, tuple[str, int]] = {"ambiguous": ("fill_ambiguous", 1), "all": ("fill_all", 1)}


@dataclass
class Request:
    prompt: Prompt
    messages: list[dict[str, str]]
    candidates: list[Candidate] = field(default_factory=list)
    shown: list[tuple[int, int]] = field(default_factory=list)  # stretches of the text the model saw


def build_request(report: Report, text: str, mode: str, *, sections: SectionMap | None = None,
                  version: int | None = None) -> Request:
    """The request for one document; without ``messages`` when the rules left nothing to settle.
    ``version`` overrides the pinned prompt version (experiments, tests)."""
    sections = sections or split_sections(text)
    task, pinned = PROMPTS[mode]
    prompt = load_prompt(task, version or pinned)
    if mode == "all":
        messages = prompt.render(definitions=definitions_text(), text=text.strip())
        return Request(prompt=prompt, messages=messages, shown=[(0, len(text))])
    candidates = find_candidates(text, report, sections)
    if not candidates:
        return Request(prompt=prompt, messages=[])
    shown = _merge([c.sentence for c in candidates])
    keys = sorted({k for c in candidates for k in c.fields}, key=FIELD_KEYS.index)
    messages = prompt.render(
        definitions=definitions_text(keys, general="short"),
        sentences=render_sentences(text, shown, candidates),
        candidates="\n".join(_describe(c, report) for c in candidates),
    )
    return Request(prompt=prompt, messages=messages, candidates=candidates, shown=shown)


def render_sentences(text: str, shown: list[tuple[int, int]], candidates: list[Candidate]) -> str:
    lines = []
    for s0, s1 in shown:
        pieces, pos = [], s0
        for c in candidates:
            if s0 <= c.start < s1:
                pieces += [text[pos:c.start], MARK.format(c.id)]
                pos = c.start
        pieces.append(text[pos:s1])
        lines.append("- " + " ".join("".join(pieces).split()))
    return "\n".join(lines)


def _describe(c: Candidate, report: Report) -> str:
    """``C2 | 60件 | requests.completed (the rules read it as requests.received)``."""
    what = f"{c.text} (statement of none)" if c.reason == "none" else c.text
    keys = ", ".join(c.fields)
    if c.reason == "conflict":
        settled = "; ".join(f"{report.fields[k].value}" for k in c.fields if k in report.fields)
        return f"{c.id} | {what} | {keys} (the rules took {settled} from another sentence)"
    if c.reason == "competing":
        return f"{c.id} | {what} | {keys} (the rules read it as {_rule_field(c, report)})"
    return f"{c.id} | {what} | {keys}"


def _rule_field(c: Candidate, report: Report) -> str:
    return next((m.field for m in report.mentions if (m.start, m.end) == (c.start, c.end) and m.field), "?")


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged
