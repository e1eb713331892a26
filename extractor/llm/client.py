"""The one place that talks to the endpoint: ``openai`` (any OpenAI-compatible server) patched
by ``instructor`` for the answer schema.

Two kinds of retry, kept apart:

- **HTTP retries** (here): timeouts, 429 (``Retry-After`` honoured, up to ``max_wait``), 408/409,
  5xx and connection errors are retried ``http_retries`` times with exponential backoff. The
  openai client's own retries are off, so each attempt is seen and counted.
- **Re-asks** (instructor): only an answer that fails validation (malformed JSON, wrong schema)
  is sent back to the model with the error, at most ``reasks`` times.

Tokens are counted from every response the server sends (a re-asked answer included); a
server that reports no ``usage`` is counted by estimate (``tokens.estimate_*``) and flagged.
"""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
import warnings
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

from .config import LLMConfig
from .tokens import estimate_messages, estimate_tokens

log = logging.getLogger(__name__)
T = TypeVar("T", bound=BaseModel)

RETRY_STATUS = frozenset({408, 409, 429})
# instructor 1.3 compares modes with its deprecated FUNCTIONS member on every call
warnings.filterwarnings("ignore", message="FUNCTIONS is deprecated", category=DeprecationWarning)


class LLMError(RuntimeError):
    """The model could not give a valid answer (after retries and re-asks); message redacted."""


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


_SEMAPHORES: dict[int, threading.BoundedSemaphore] = {}
_LOCK = threading.Lock()


def _semaphore(n: int) -> threading.BoundedSemaphore:
    """Requests in flight at once in this process, shared by every thread."""
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
        self._openai = openai.OpenAI(base_url=config.base_url, api_key=config.key, timeout=config.timeout,
                                     max_retries=0)

    def ask(self, messages: list[dict[str, str]], response_model: type[T], usage: Usage) -> T:
        """The model's answer to ``messages`` as ``response_model``; raises ``LLMError``."""
        import instructor
        from tenacity import Retrying, retry_if_exception_type, stop_after_attempt

        InstructorRetryException = _retry_exception()  # noqa: N806
        create = instructor.patch(create=self._create_with_retries(usage), mode=instructor_mode(self.config))
        reasks = Retrying(stop=stop_after_attempt(self.config.reasks + 1),
                          retry=retry_if_exception_type(InstructorRetryException), reraise=True)
        try:
            return create(
                response_model=response_model, max_retries=reasks,
                messages=[dict(m) for m in messages], model=self.config.model,
                temperature=0, max_tokens=self.config.max_tokens,
            )
        except InstructorRetryException as exc:
            raise LLMError(self.config.redact(
                f"answer failed validation after {usage.answers} attempt(s): {_first_line(exc)}")) from None
        except LLMError:
            raise
        except Exception as exc:
            raise LLMError(self.config.redact(_describe(exc, usage))) from None

    def _create_with_retries(self, usage: Usage):  # type: ignore[no-untyped-def]
        import openai

        config = self.config
        semaphore = _semaphore(config.concurrency)

        def create(**kwargs: Any) -> Any:
            attempt = 0
            while True:
                usage.requests += 1
                try:
                    with semaphore:
                        response = self._openai.chat.completions.create(**kwargs)
                except (openai.APIConnectionError, openai.APIStatusError) as exc:  # timeouts are connection errors
                    status = getattr(exc, "status_code", None)
                    retryable = status is None or status in RETRY_STATUS or status >= 500
                    usage.failed += 1
                    if not retryable or attempt >= config.http_retries:
                        raise
                    wait = _retry_after(exc, config.max_wait)
                    if wait is None:
                        wait = min(config.max_wait, config.backoff * 2 ** attempt) * random.uniform(0.5, 1.0)
                    log.info("LLM request failed (%s); retry %d in %.1fs", status or type(exc).__name__,
                             attempt + 1, wait)
                    time.sleep(wait)
                    attempt += 1
                    continue
                usage.answers += 1
                _count(response, kwargs, usage)
                return response

        return create


def _retry_exception() -> type[Exception]:
    """instructor's "still invalid after the re-asks" (moved between instructor versions)."""
    try:
        from instructor.exceptions import InstructorRetryException  # type: ignore[attr-defined]
    except ImportError:
        from instructor.retry import InstructorRetryException
    return InstructorRetryException


def _count(response: Any, request: dict[str, Any], usage: Usage) -> None:
    u = getattr(response, "usage", None)
    if u is not None and (u.prompt_tokens or u.completion_tokens):
        usage.prompt_tokens += u.prompt_tokens or 0
        usage.completion_tokens += u.completion_tokens or 0
        return
    usage.estimated = True
    usage.prompt_tokens += estimate_messages(request.get("messages", []))
    try:
        usage.completion_tokens += estimate_tokens(response.choices[0].message.content or "")
    except (AttributeError, IndexError):
        pass


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


def _describe(exc: Exception, usage: Usage) -> str:
    status = getattr(exc, "status_code", None)
    what = f"HTTP {status}" if status else type(exc).__name__
    return f"{what} after {usage.requests} request(s): {_first_line(exc)}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
