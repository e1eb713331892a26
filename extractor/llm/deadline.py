"""A document's time limit inside the LLM stage.

A batch gives each document ``--time-limit`` seconds. Where the document runs in a thread (``--llm``
with one worker: documents wait on the endpoint a few at a time) no timer can interrupt it, so the
LLM stage keeps the limit itself: ``document_deadline`` sets the moment the document's time is up,
and the client (``client.LLMClient``) sends no request after it, cuts a request in flight at it (the
HTTP timeout is the time left), waits no longer than it for a free request slot or a backoff, and
then raises ``TimeLimitExceeded``: the document keeps its rule results with an ``llm`` error.

The deadline is a context variable: it holds for the thread (or task) that set it, whatever the
other documents in flight.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterator
from contextlib import contextmanager

# (the monotonic time the document's time is up, the limit in seconds) or None: no limit
_DEADLINE: contextvars.ContextVar[tuple[float, float] | None] = contextvars.ContextVar(
    "xxgk_llm_deadline", default=None)


@contextmanager
def document_deadline(seconds: float | None) -> Iterator[None]:
    """The LLM stage of what runs inside stops ``seconds`` from now (None or 0: no limit)."""
    token = _DEADLINE.set((time.monotonic() + seconds, seconds) if seconds else None)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def remaining() -> float | None:
    """Seconds left before the deadline (0 when past it), or None without one."""
    deadline = _DEADLINE.get()
    return None if deadline is None else max(0.0, deadline[0] - time.monotonic())


def exceeded_message() -> str:
    deadline = _DEADLINE.get()
    limit = f" ({deadline[1]:g} s)" if deadline else ""
    return f"time limit exceeded{limit} before the LLM answered: no further request, rule results kept"
