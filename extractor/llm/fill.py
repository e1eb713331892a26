"""The LLM fill step: after the rules, before the checks.

``fill_report`` builds the document's request (``request``), takes the answer from the cache or
the endpoint (``client``), grounds every assignment in the source text (``grounding``) and adds
the grounded values for keys the rules did not fill. It never overrides a rule field, never
touches a table, and never raises: when the LLM fails, the document keeps its rule results and
records ``{"stage": "llm", ...}`` in ``errors``. ``report.llm`` tells what was sent and spent.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from ..models import Disagreement, FieldValue, LLMRun, Report, Tokens
from ..sections import SectionMap, split_sections
from .cache import AnswerCache, cache_key
from .client import EndpointDown, LLMClient, LLMError, Usage
from .config import LLMConfig
from .grounding import Grounded, Grounder
from .request import Request, build_request
from .schema import Answer

_CLIENTS: dict[tuple[LLMConfig, str], LLMClient] = {}
_CLIENTS_LOCK = threading.Lock()


def fill_report(report: Report, text: str, config: LLMConfig, *, sections: SectionMap | None = None) -> Report:
    """Settle with the LLM what the rules left open in ``report`` (extracted from ``text``)."""
    if not config.enabled:
        return report
    record = LLMRun(mode=config.mode, model=config.model)
    report.llm = record
    fields_before = dict(report.fields)
    mentions_before = [m.model_copy() for m in report.mentions]
    try:
        sections = sections or split_sections(text)
        request = build_request(report, text, config.mode, sections=sections)
        record.prompt = request.prompt.id
        record.candidates = len(request.candidates)
        if not request.messages:
            return report
        answer = _answer(request, config, record)
        if answer is not None:
            _apply(report, text, sections, request, answer, record)
    except LLMError as exc:
        report.add_error("llm", str(exc))
        if isinstance(exc, EndpointDown):
            record.unreachable = True
    except Exception as exc:  # a bug in this layer must not cost the rule results
        report.fields, report.mentions = fields_before, mentions_before
        report.add_error("llm", config.redact(f"{type(exc).__name__}: {exc}"))
    return report


def fill_reports(items: Iterable[tuple[Report, str]], config: LLMConfig) -> list[Report]:
    """``fill_report`` over many documents, ``config.concurrency`` at a time (threads)."""
    items = list(items)
    with ThreadPoolExecutor(max_workers=max(1, config.concurrency)) as pool:
        return list(pool.map(lambda item: fill_report(item[0], item[1], config), items))


def _answer(request: Request, config: LLMConfig, record: LLMRun) -> Answer | None:
    schema = Answer.model_json_schema()
    key = cache_key(config, request.prompt.id, request.messages, schema)
    cache = AnswerCache(config.cache_path()) if config.cache else None
    entry = cache.get(key) if cache else None
    if entry is not None:
        try:
            answer = Answer.model_validate(entry["answer"])
        except (KeyError, ValueError):
            answer = None
        if answer is not None:
            record.cached = True
            return answer
    usage = Usage()
    try:
        answer = _client(config).ask(request.messages, Answer, usage)
    finally:
        record.requests = usage.requests
        record.tokens = Tokens(input=usage.prompt_tokens, output=usage.completion_tokens, estimated=usage.estimated)
        if usage.failed:
            record.failed_requests = usage.failed
        if usage.answers > 1:
            record.reasks = usage.answers - 1
    if cache:
        cache.put(key, {"endpoint": config.endpoint, "model": config.model, "prompt": request.prompt.id,
                        "answer": answer.model_dump(mode="json"), "tokens": usage.as_dict()})
    return answer


def prepare(config: LLMConfig) -> None:
    """Load the LLM stack (openai, instructor) and make the endpoint's client now, so that its
    one-time cost is not charged to the first documents' time limits."""
    if config.enabled:
        try:
            _client(config)
        except Exception:  # noqa: BLE001 — each document records what fails, as without this
            pass


def _client(config: LLMConfig) -> LLMClient:
    with _CLIENTS_LOCK:
        key = (config, config.key)
        if key not in _CLIENTS:
            _CLIENTS[key] = LLMClient(config)
        return _CLIENTS[key]


def _apply(report: Report, text: str, sections: SectionMap, request: Request, answer: Answer,
           record: LLMRun) -> None:
    grounder = Grounder(text, sections, request.candidates, request.shown)
    source = f"llm:{request.prompt.id}"
    reasons: Counter[str] = Counter()
    kept: dict[str, Grounded] = {}
    disputed: set[str] = set()
    disagreements = []
    for a in answer.assignments:
        grounded = grounder.ground(a)
        if isinstance(grounded, str):
            reasons[grounded] += 1
            continue
        rule = report.fields.get(a.field)
        if rule is not None:  # the rules settled it: the LLM's reading is recorded, never applied
            if rule.value != grounded.value:
                disagreements.append(Disagreement(field=a.field, rule=rule.value, llm=grounded.value,
                                                  evidence=list(grounded.evidence)))
            continue
        if a.field in kept and kept[a.field].value != grounded.value:
            disputed.add(a.field)
        kept.setdefault(a.field, grounded)
    for key in disputed:
        del kept[key]
        reasons["answers disagree"] += 1
    for key, g in kept.items():
        report.fields[key] = FieldValue(value=g.value, qualifier=g.qualifier, source=source, evidence=list(g.evidence))
        spans = {(s.start, s.end) for s in g.evidence}
        for m in report.mentions:
            if m.field is None and (m.start, m.end) in spans:
                m.field, m.source = key, source
    report.fields = dict(sorted(report.fields.items()))
    record.kept = len(kept)
    record.dropped = sum(reasons.values())
    if reasons:
        record.dropped_reasons = dict(sorted(reasons.items()))
    if disagreements:
        record.disagreements = disagreements
