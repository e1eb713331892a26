"""The one place that talks to the endpoint: ``openai`` (any OpenAI-compatible server), with
``instructor`` shaping each request for the answer schema and validating each answer.

Both loops are ours, so that they mean the same whatever the instructor release; instructor is
used through its public API only (``from_openai``, ``Mode``, ``create(max_retries=0)``, the
``completion:kwargs`` / ``completion:response`` hooks), one HTTP request per call:

- **HTTP retries**: timeouts, 429 (``Retry-After`` honoured, up to ``max_wait``), 408/409,
  5xx and connection errors are retried ``http_retries`` times with exponential backoff. The
  openai client's own retries are off, so each attempt is seen and counted.
- **Re-asks**: only an answer that fails validation (malformed JSON, wrong schema) is sent back
  to the model with the validation error, at most ``reasks`` times.
- **The document's time limit** (``deadline``): no request is sent past it, a request in flight
  gets only the time left (a timeout then is the deadline's, not the endpoint's fault: it does
  not count towards the breaker), and no backoff or wait for a free slot runs past it.
- **A dead endpoint** (``Breaker``): after ``BREAKER_THRESHOLD`` connection failures in a row
  (refused, reset, timed out) the endpoint is not called again; every document then keeps its
  rule results at once instead of waiting through its own retries. After
  ``BREAKER_COOLDOWN`` seconds one request probes it again (a long-lived process recovers).

Tokens are counted from every response the server sends (a re-asked answer included); a
server that reports no ``usage`` is counted by estimate (``tokens.estimate_*``) and flagged.
"""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

from . import deadline
from .config import LLMConfig
from .tokens import estimate_messages, estimate_tokens

log = logging.getLogger(__name__)
T = TypeVar("T", bound=BaseModel)

RETRY_STATUS = frozenset({408, 409, 429})
BREAKER_THRESHOLD = 3  # connection failures in a row that mark an endpoint as down
BREAKER_COOLDOWN = 120.0  # seconds before a down endpoint is probed again
# What goes back to the model with an answer that failed validation (a re-ask).
REASK_MESSAGE = ("Your answer does not match the required JSON schema:\n{error}\n"
                 "Answer again with the corrected JSON only.")


class LLMError(RuntimeError):
    """The model could not give a valid answer (after retries and re-asks); message redacted."""


class TimeLimitExceeded(LLMError):
    """The document's time limit (``deadline``) came before an answer."""


class EndpointDown(LLMError):
    """The endpoint failed ``BREAKER_THRESHOLD`` connections in a row: not called for now."""


@dataclass
class Usage:
    """What one document's exchange with the endpoint cost."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    requests: int = 0  # HTTP requests sent, failed ones included
    failed: int = 0  # of which failed (timeout, 429, 5xx, connection)
    answers: int = 0  # answers received (a re-ask makes one more)
    estimated: bool = False  # some counts are estimates (the server reported no usage)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"in": self.prompt_tokens, "out": self.completion_tokens}
        if self.estimated:
            out["estimated"] = True
        return out


class Breaker:
    """Connection failures in a row to one endpoint, shared by the threads of a process."""

    def __init__(self, threshold: int = BREAKER_THRESHOLD, cooldown: float = BREAKER_COOLDOWN):
        self.threshold, self.cooldown = threshold, cooldown
        self._lock = threading.Lock()
        self._failures = 0
        self._opened: float | None = None  # when the endpoint was marked down
        self._probing = False
        self.last_error = ""

    def allow(self) -> bool:
        """Whether a request may be sent now (one probe at a time once the cool-down is over)."""
        with self._lock:
            if self._opened is None:
                return True
            if self._probing or time.monotonic() - self._opened < self.cooldown:
                return False
            self._probing = True
            return True

    def success(self) -> None:
        """The endpoint answered (any HTTP status): it is up."""
        with self._lock:
            self._failures, self._opened, self._probing = 0, None, False

    def failure(self, description: str) -> None:
        with self._lock:
            self._failures += 1
            self.last_error = description
            if self._failures >= self.threshold or self._probing:
                self._opened, self._probing = time.monotonic(), False

    @property
    def down(self) -> bool:
        with self._lock:
            return self._opened is not None

    def describe(self) -> str:
        return (f"LLM endpoint unreachable after {self.threshold} connection failures in a row "
                f"(last: {self.last_error}): not called for this document")


_SEMAPHORES: dict[int, threading.BoundedSemaphore] = {}
_LOCK = threading.Lock()


_SHARED_SLOTS: Any = None  # share_request_slots: one limit for many processes


def share_request_slots(slots: Any) -> None:
    """Take one of ``slots`` around every request (``acquire(timeout=)`` → bool and ``release()``,
    as a semaphore's) instead of this process's own ``concurrency`` semaphore: a limit shared by
    many processes or machines (the Ray engine's cluster-wide slots). None goes back to the
    per-process semaphore."""
    global _SHARED_SLOTS
    _SHARED_SLOTS = slots


def _semaphore(n: int) -> Any:
    """Requests in flight at once in this process, shared by every thread."""
    if _SHARED_SLOTS is not None:
        return _SHARED_SLOTS
    with _LOCK:
        if n not in _SEMAPHORES:
            _SEMAPHORES[n] = threading.BoundedSemaphore(max(1, n))
        return _SEMAPHORES[n]


def instructor_mode(config: LLMConfig):  # type: ignore[no-untyped-def]
    import instructor

    return {"json": instructor.Mode.JSON, "md_json": instructor.Mode.MD_JSON, "tools": instructor.Mode.TOOLS}[
        config.instructor_mode]


class LLMClient:
    def __init__(self, config: LLMConfig):
        import openai

        self.config = config
        self.breaker = Breaker()
        self._openai = openai.OpenAI(base_url=config.base_url, api_key=config.key, timeout=config.timeout,
                                     max_retries=0)
        self._semaphore = _semaphore(config.concurrency)
        # instructor logs every failed attempt at ERROR level; with no logging configured Python
        # would print those on stderr. Ours are counted and reported; an application that sets up
        # logging still receives instructor's records.
        logging.getLogger("instructor").addHandler(logging.NullHandler())

    def ask(self, messages: list[dict[str, str]], response_model: type[T], usage: Usage) -> T:
        """The model's answer to ``messages`` as ``response_model``; raises ``LLMError``."""
        import instructor

        client = instructor.from_openai(self._openai, mode=instructor_mode(self.config))
        sent: list[list[dict[str, Any]]] = []  # the messages of each request, as instructor sent them
        answers: list[Any] = []  # every raw response received

        def on_request(*args: Any, **kwargs: Any) -> None:
            sent.append(list(kwargs.get("messages") or []))

        def on_response(response: Any) -> None:
            answers.append(response)
            usage.answers += 1
            _count(response, sent[-1] if sent else [], usage)

        client.on("completion:kwargs", on_request)
        client.on("completion:response", on_response)
        conversation = [dict(m) for m in messages]
        for reask in range(self.config.reasks + 1):
            answer, invalid = self._send(client, conversation, response_model, usage, answers)
            if invalid is None:
                return answer  # type: ignore[return-value]
            if reask == self.config.reasks:
                raise LLMError(self.config.redact(
                    f"answer failed validation after {usage.answers} attempt(s): {_first_line(invalid)}"))
            conversation += [{"role": "assistant", "content": _answer_text(answers[-1])},
                             {"role": "user", "content": REASK_MESSAGE.format(error=_error_text(invalid))}]
        raise AssertionError("unreachable")

    def _send(self, client: Any, conversation: list[dict[str, Any]], response_model: type[T], usage: Usage,
              answers: list[Any]) -> tuple[T | None, BaseException | None]:
        """One question, with HTTP retries: ``(answer, None)``, or ``(None, validation error)``."""
        import openai

        config = self.config
        attempt = 0
        while True:
            left = deadline.remaining()  # the document's time limit (None: none)
            if left is not None and left <= 0:
                raise TimeLimitExceeded(deadline.exceeded_message())
            if not self._semaphore.acquire(timeout=left):  # a free slot, within the time left
                raise TimeLimitExceeded(deadline.exceeded_message())
            if not self.breaker.allow():
                self._semaphore.release()
                raise EndpointDown(config.redact(self.breaker.describe()))
            left = deadline.remaining()
            cut = left is not None and left < config.timeout  # the deadline, not the client, ends a slow request
            usage.requests += 1
            received = len(answers)
            try:
                try:
                    answer = client.chat.completions.create(
                        response_model=response_model, max_retries=0,
                        messages=[dict(m) for m in conversation], model=config.model,
                        temperature=0, max_tokens=config.max_tokens,
                        timeout=max(left, 0.001) if cut and left is not None else config.timeout,
                    )
                finally:
                    self._semaphore.release()
                self.breaker.success()
                return answer, None
            except Exception as exc:  # instructor wraps errors differently from release to release
                http = _cause(exc, openai.APIError)
                if cut and isinstance(http, openai.APITimeoutError):  # a slow answer, not a dead endpoint
                    usage.failed += 1
                    raise TimeLimitExceeded(deadline.exceeded_message()) from None
                if http is None and len(answers) > received:  # an answer came and did not validate
                    self.breaker.success()
                    return None, _cause(exc, ValueError) or exc
                if http is None:  # not the endpoint's doing (a bug, a broken install): no retry
                    self.breaker.success()
                    raise LLMError(config.redact(_describe(exc, usage))) from None
                usage.failed += 1
                if isinstance(http, openai.APIConnectionError):  # refused, reset or timed out
                    self.breaker.failure(f"{type(http).__name__}: {_first_line(http)}")
                    if self.breaker.down:
                        raise EndpointDown(config.redact(self.breaker.describe())) from None
                else:
                    self.breaker.success()
                status = getattr(http, "status_code", None)
                retryable = status is None or status in RETRY_STATUS or status >= 500
                if not retryable or attempt >= config.http_retries:
                    raise LLMError(config.redact(_describe(http, usage))) from None
                wait = _retry_after(http, config.max_wait)
                if wait is None:
                    wait = min(config.max_wait, config.backoff * 2 ** attempt) * random.uniform(0.5, 1.0)
                left = deadline.remaining()
                if left is not None and wait >= left:  # the retry could not be sent in time
                    raise TimeLimitExceeded(deadline.exceeded_message()) from None
                log.info("LLM request failed (%s); retry %d in %.1fs", status or type(http).__name__,
                         attempt + 1, wait)
                time.sleep(wait)
                attempt += 1


def _cause(exc: BaseException, kind: type[BaseException] | tuple[type[BaseException], ...]) -> Any:
    """The first exception of type ``kind`` in ``exc``'s chain (``__cause__``, ``__context__``, and
    the last attempt of a tenacity ``RetryError``), ``exc`` included."""
    stack: list[BaseException | None] = [exc]
    seen: set[int] = set()
    while stack:
        e = stack.pop(0)
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, kind):
            return e
        last = getattr(e, "last_attempt", None)
        if last is not None and callable(getattr(last, "exception", None)):
            try:
                stack.append(last.exception())
            except Exception:  # noqa: BLE001 — a future that holds no exception
                pass
        stack += [e.__cause__, e.__context__]
    return None


def _answer_text(response: Any) -> str:
    """What the model answered: the message, or the arguments of its tool call."""
    try:
        message = response.choices[0].message
    except (AttributeError, IndexError, TypeError):
        return ""
    if message.content:
        return str(message.content)
    calls = getattr(message, "tool_calls", None) or []
    return "\n".join(str(c.function.arguments) for c in calls if getattr(c, "function", None))


def _error_text(error: BaseException) -> str:
    """The validation error for the model: pydantic's lines without its documentation links."""
    lines = [line for line in str(error).splitlines() if "errors.pydantic.dev" not in line]
    return "\n".join(lines)[:2000]


def _count(response: Any, messages: list[dict[str, Any]], usage: Usage) -> None:
    u = getattr(response, "usage", None)
    if u is not None and (u.prompt_tokens or u.completion_tokens):
        usage.prompt_tokens += u.prompt_tokens or 0
        usage.completion_tokens += u.completion_tokens or 0
        return
    usage.estimated = True
    usage.prompt_tokens += estimate_messages(messages)
    usage.completion_tokens += estimate_tokens(_answer_text(response))


def _retry_after(exc: Exception, cap: float) -> float | None:
    """Seconds the server asks us to wait (``retry-after-ms`` or ``Retry-After``: seconds or a date)."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    try:
        if headers.get("retry-after-ms"):
            return min(cap, max(0.0, float(headers["retry-after-ms"]) / 1000))
        value = headers.get("retry-after")
        if value is None:
            return None
        try:
            return min(cap, max(0.0, float(value)))
        except ValueError:
            when = email.utils.parsedate_to_datetime(value)
            return min(cap, max(0.0, when.timestamp() - time.time()))
    except (TypeError, ValueError, OverflowError):
        return None


def _describe(exc: BaseException, usage: Usage) -> str:
    status = getattr(exc, "status_code", None)
    what = f"HTTP {status}" if status else type(exc).__name__
    return f"{what} after {usage.requests} request(s): {_first_line(exc)}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
