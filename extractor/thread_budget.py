"""A document's time budget in a thread that is not the main one (a Ray actor's calls): where
SIGALRM (``batch._time_budget``) cannot be used, one watching thread per process raises
``DocumentTimeout`` in the thread past its deadline."""

from __future__ import annotations

import contextlib
import ctypes
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

from .batch import DocumentTimeout


class Watchdog:
    """Raises ``DocumentTimeout`` in a thread past its deadline: Ray runs an actor's calls in a
    thread that is not the process's main thread, where SIGALRM (``batch._time_budget``) cannot
    be used. Like the signal, the exception lands between two Python instructions.

    One thread watches every deadline of the process (an actor's LLM threads each have their
    own): a timer thread per document cost 0.15 ms of CPU, about 3 % of a document's."""

    def __init__(self) -> None:
        # A plain lock, entered by ``with`` in C: the exception the watcher sends a thread that
        # waits for the lock in ``disarm`` lands once the lock is held, and leaving the ``with``
        # releases it (a Condition's own ``__enter__`` is Python: the exception landed inside
        # it, after the lock was taken and before the ``with`` could release it, and the lock
        # stayed held for good: no budget again, any later ``arm`` stuck).
        self._mutex = threading.Lock()
        self._lock = threading.Condition(self._mutex)
        self._armed: dict[int, list[Any]] = {}  # thread → [deadline, fired]
        self._wakes_at: float | None = None  # when the watching thread wakes next (None: when told)
        self._thread: threading.Thread | None = None

    def arm(self, seconds: float) -> list[Any]:
        entry = [time.monotonic() + seconds, False]
        with self._mutex:
            self._armed[threading.get_ident()] = entry
            if self._thread is None or not self._thread.is_alive():  # the first, or one after a fork
                self._thread, self._wakes_at = threading.Thread(target=self._watch, daemon=True), None
                self._thread.start()
            if self._wakes_at is None or entry[0] < self._wakes_at:
                self._lock.notify()
        return entry

    def disarm(self, entry: list[Any]) -> None:
        thread = threading.get_ident()
        with self._mutex:
            if self._armed.get(thread) is entry:
                del self._armed[thread]
            if entry[1]:  # raised already, or still pending: clear a pending one
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread), None)

    def _watch(self) -> None:
        with self._lock:
            while True:
                now = time.monotonic()
                self._fire(now)
                # with nothing armed, it still wakes at the last deadline it knew (then waits to be
                # told): documents that end within their budget need not wake it at all
                nearest = min((entry[0] for entry in self._armed.values()), default=self._wakes_at)
                self._wakes_at = nearest if nearest is not None and nearest > now else None
                self._lock.wait(None if self._wakes_at is None else self._wakes_at - now)

    def _fire(self, now: float) -> None:
        """``DocumentTimeout`` in every thread whose deadline is ``now`` or earlier (the lock held)."""
        for thread, entry in list(self._armed.items()):
            if entry[0] <= now:
                entry[1] = True
                del self._armed[thread]
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread), ctypes.py_object(DocumentTimeout))


WATCHDOG = Watchdog()
# a process forked while the watching thread held its lock gets a watchdog of its own
os.register_at_fork(after_in_child=lambda: WATCHDOG.__init__())  # type: ignore[misc]


@contextlib.contextmanager
def thread_budget(seconds: float | None) -> Iterator[None]:
    """``DocumentTimeout`` in this thread once ``seconds`` have passed (none: no budget)."""
    if not seconds:
        yield
        return
    entry = WATCHDOG.arm(seconds)
    try:
        yield
    finally:
        WATCHDOG.disarm(entry)
