"""A document's time budget where SIGALRM cannot reach (a Ray actor's calls run in a thread that
is not the main one): ``thread_budget``, one watching thread for the process."""

from __future__ import annotations

import math
import os
import threading
import time

import pytest

from extractor.batch import DocumentTimeout
from extractor.thread_budget import WATCHDOG, thread_budget


def _spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_a_document_over_its_budget_is_stopped_where_it_is() -> None:
    started = time.monotonic()
    with pytest.raises(DocumentTimeout), thread_budget(0.2):
        _spin(5)
    assert 0.2 <= time.monotonic() - started < 2


def test_documents_within_their_budget_leave_nothing_pending() -> None:
    for _ in range(2000):
        with thread_budget(0.3):
            pass
    _spin(0.6)  # past every deadline armed above: none of them fires now
    with thread_budget(0.5):
        _spin(0.1)
    _spin(0.7)


def test_no_budget_is_no_limit() -> None:
    for seconds in (None, 0, 0.0):
        with thread_budget(seconds):
            _spin(0.05)


def test_each_thread_has_its_own_budget() -> None:
    """As an actor's LLM threads each extract a document: only the slow one is stopped."""
    outcome: dict[str, str] = {}

    def document(name: str, budget: float, work: float) -> None:
        try:
            with thread_budget(budget):
                _spin(work)
            outcome[name] = "done"
        except DocumentTimeout:
            outcome[name] = "over budget"

    threads = [threading.Thread(target=document, args=("slow", 0.2, 5)),
               threading.Thread(target=document, args=("quick", 3, 0.4)),
               threading.Thread(target=document, args=("later", 0.6, 0.1))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert outcome == {"slow": "over budget", "quick": "done", "later": "done"}


def test_a_shorter_budget_armed_while_the_watchdog_sleeps_is_kept() -> None:
    with thread_budget(30):
        pass  # the watching thread now sleeps until 30 s from now
    started = time.monotonic()
    with pytest.raises(DocumentTimeout), thread_budget(0.2):
        _spin(5)
    assert time.monotonic() - started < 2


def test_a_forked_child_gets_a_watchdog_of_its_own() -> None:
    with thread_budget(30):
        pid = os.fork()
        if pid == 0:  # the child: the parent's watching thread is not here
            code = 1
            try:
                try:
                    with thread_budget(0.2):
                        _spin(5)
                except DocumentTimeout:
                    code = 0
            finally:
                os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert WATCHDOG._thread is not None and WATCHDOG._thread.is_alive()


def test_a_budget_that_runs_out_while_disarm_waits_for_the_lock_leaves_the_lock_free() -> None:
    """The watcher fires at a thread that waits in ``disarm`` for the lock the watcher holds:
    the exception lands once the thread holds the lock, and leaving the ``with`` releases it
    (entered in Python, a Condition stayed held for good: no budget again, every arm stuck)."""
    from extractor.thread_budget import Watchdog

    watchdog = Watchdog()
    outcome: dict[str, str] = {}
    armed, go, waiting = threading.Event(), threading.Event(), threading.Event()

    def document() -> None:
        entry = watchdog.arm(100)
        armed.set()
        go.wait()
        try:
            waiting.set()
            watchdog.disarm(entry)  # waits for the lock the "watcher" below holds
            outcome["disarm"] = "returned"
        except DocumentTimeout:
            outcome["disarm"] = "over budget"

    thread = threading.Thread(target=document)
    thread.start()
    armed.wait()
    with watchdog._lock:  # as the watcher, firing at an expired deadline
        go.set()
        waiting.wait()
        _spin(0.2)
        watchdog._fire(math.inf)  # every deadline past
    thread.join(5)
    assert outcome == {"disarm": "over budget"}
    assert watchdog._mutex.acquire(timeout=1)  # free
    watchdog._mutex.release()
    with pytest.raises(DocumentTimeout):  # and budgets still hold
        entry = watchdog.arm(0.2)
        try:
            _spin(5)
        finally:
            watchdog.disarm(entry)
