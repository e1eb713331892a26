"""Many documents at once: paths expanded, documents extracted in worker processes, results in
input order with the checks across documents (``cross_year.carry_over``).

``extract_batch`` is what the command line runs; a notebook or script gets the same results::

    from extractor import extract_batch
    for report in extract_batch(["reports/"], workers=2):
        ...

Every failure of one document (reading, extracting, a time budget exceeded, a result that
cannot be serialised) becomes that document's error; the batch goes on.
"""

from __future__ import annotations

import contextlib
import fnmatch
import gc
import glob
import os
import selectors
import signal
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .batch_result import Result, make_result, message, serialised
from .checks import YearEnds
from .cross_year import CrossYear
from .llm.deadline import document_deadline
from .models import Check, Report
from .pipeline import extract, extract_file

if TYPE_CHECKING:
    from .llm import LLMConfig

SUPPORTED_SUFFIXES = {".txt", ".md", ".text", ".html", ".htm", ".shtml", ".pdf", ".docx"}
GOLD_SUFFIX = ".gold.json"
DEFAULT_TIME_LIMIT = 60.0  # seconds per document; real reports take well under one
CHUNK_DOCS = 8  # documents sent to a worker at once: fewer round trips, still a fair spread
LLM_STOP_GRACE = 2.0  # with --llm: the timer's stop after the LLM stage's own deadline (seconds)
HARD_LIMIT_GRACE = 30.0  # a worker silent this long past a document's budget is replaced
WARM_UP_TEXT = "2024年某区人民政府信息公开工作年度报告\n一、总体情况\n全年主动公开政府信息120条，收到申请3件。"


# ------------------------------------------------------------------------------- inputs


def doc_name(path: str) -> str:
    """``doc`` for a path: the path as given. A file name that is not valid UTF-8 (undecodable
    bytes arrive as surrogates, ``os.fsdecode``) is written with each such byte as ``\\xNN`` and
    every backslash doubled, so it can be written anywhere and read back to the exact bytes
    (``doc_bytes``)."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        raw = os.fsencode(path)
        return raw.replace(b"\\", b"\\\\").decode("utf-8", "backslashreplace")


def doc_bytes(doc: str) -> bytes:
    """The file name ``doc_name`` wrote (its original bytes) when it held escapes."""
    if "\\x" not in doc:
        return os.fsencode(doc)
    import codecs

    return codecs.escape_decode(doc.encode("utf-8"))[0]


class Inputs:
    """The documents named by paths: files as given, directories walked (supported formats;
    other files counted as skipped), globs expanded. Symbolic links are followed at most once:
    a directory reached again (a ``self -> .`` link, two links pointing at each other) is not
    walked again, and a file reached by two names is one document (the first name)."""

    def __init__(self, paths: Iterable[str | os.PathLike[str]]):
        self.documents: list[str] = []
        self.skipped: dict[str, int] = {}  # suffix → files of a walked directory left out
        self.unmatched: list[str] = []  # missing paths and globs that match nothing
        self.loops: int = 0  # directory links not followed (already walked)
        # the files and names met so far (a file as device and inode in one integer: a million
        # documents' set stays small); needed only while the paths are expanded
        self._files: set[int] = set()
        self._names: set[str] = set()
        for raw in paths:
            for p in self._expand(os.fspath(raw)):
                self._add(p)
        del self._files, self._names

    def _add(self, p: str) -> None:
        if p in self._names:
            return
        try:
            st = os.stat(p)
            ident = st.st_dev << 64 | st.st_ino
        except OSError:
            ident = None  # missing or unreadable: still a document (its error says why)
        if ident is not None:
            if ident in self._files:
                return
            self._files.add(ident)
        self._names.add(p)
        self.documents.append(p)

    def _expand(self, raw: str) -> list[str]:
        path = Path(raw)
        if path.is_dir():
            return self._walk(path)
        if any(ch in raw for ch in "*?[") and not path.exists():
            if "**" in raw:  # glob's own ** follows links into loops: walk once, then match
                found = self._recursive_glob(raw)
            else:
                found = sorted(p for p in glob.glob(raw) if os.path.isfile(p))
            if not found:
                self.unmatched.append(raw)
            return found
        if not path.exists():
            self.unmatched.append(raw)
        return [raw]

    def _recursive_glob(self, pattern: str) -> list[str]:
        """``glob.glob(pattern, recursive=True)`` with each folder walked once (links followed
        once): ``**`` is zero or more folders, no wildcard matches a leading dot."""
        parts = pattern.split(os.sep)
        magic = next(i for i, part in enumerate(parts) if glob.has_magic(part))
        root = os.sep.join(parts[:magic]) or ("/" if pattern.startswith(os.sep) else "")
        found = []
        for dirpath, _, filenames in self._walk_dirs(root or os.curdir):
            for name in filenames:
                p = os.path.join(dirpath, name)
                if root == "":
                    p = os.path.relpath(p, os.curdir)
                rel = p[len(root):].lstrip(os.sep).split(os.sep) if root else p.split(os.sep)
                if _glob_match(parts[magic:], rel) and os.path.isfile(p):
                    found.append(p)
        return sorted(found)

    def _walk_dirs(self, root: str | Path) -> Iterator[tuple[str, list[str], list[str]]]:
        """``os.walk`` following links, each folder once (a loop is counted and not entered)."""
        seen_dirs: set[tuple[int, int]] = set()
        for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
            st = os.stat(dirpath)
            if (st.st_dev, st.st_ino) in seen_dirs:
                self.loops += 1
                dirnames[:] = []
                continue
            seen_dirs.add((st.st_dev, st.st_ino))
            dirnames.sort()
            yield dirpath, dirnames, filenames

    def _walk(self, root: Path) -> list[str]:
        found: list[str] = []
        for dirpath, _, filenames in self._walk_dirs(root):
            for name in filenames:
                p = os.path.join(dirpath, name)
                if name.startswith(".") or name.endswith(GOLD_SUFFIX) or not os.path.isfile(p):
                    continue  # hidden files, gold labels beside their reports, broken links
                suffix = os.path.splitext(name)[1].lower()
                if suffix in SUPPORTED_SUFFIXES:
                    found.append(p)
                else:
                    suffix = suffix or "(no suffix)"
                    self.skipped[suffix] = self.skipped.get(suffix, 0) + 1
        return sorted(found)

    @property
    def skipped_note(self) -> str | None:
        """``3 files skipped: .xlsx, .doc`` (most frequent first), or None."""
        if not self.skipped:
            return None
        n = sum(self.skipped.values())
        suffixes = sorted(self.skipped, key=lambda s: (-self.skipped[s], s))
        return f"{n} file{'s' if n != 1 else ''} skipped: {', '.join(suffixes)}"


def _glob_match(pattern: list[str], parts: list[str]) -> bool:
    """Path components against pattern components, as ``glob`` matches them."""
    if not pattern:
        return not parts
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return any(_glob_match(rest, parts[k:]) for k in range(len(parts) + 1)
                   if not any(p.startswith(".") for p in parts[:k]))
    if not parts or (parts[0].startswith(".") and not head.startswith(".")):
        return False
    return fnmatch.fnmatchcase(parts[0], head) and _glob_match(rest, parts[1:])


def expand_inputs(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """The documents ``paths`` name (see ``Inputs``)."""
    return Inputs(paths).documents


# ------------------------------------------------------------------------------- one document


class DocumentTimeout(BaseException):
    """The document's time budget ran out.

    A ``BaseException`` (like ``KeyboardInterrupt``), so the catch-alls that keep a batch going
    (a converter's ``except Exception``, one broken PDF page) let it pass to the handler that
    ends the document with the time-limit error, instead of recording it as their own failure.
    """


class _time_budget:
    """SIGALRM after ``seconds`` raises ``DocumentTimeout`` in the running extraction (main thread
    of a process only; elsewhere, or with no limit, nothing is armed)."""

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self.armed = bool(seconds) and threading.current_thread() is threading.main_thread() \
            and hasattr(signal, "setitimer")

    def __enter__(self) -> None:
        if self.armed:
            def expire(signum: int, frame: Any) -> None:
                raise DocumentTimeout

            self._old = signal.signal(signal.SIGALRM, expire)
            signal.setitimer(signal.ITIMER_REAL, float(self.seconds or 0))

    def __exit__(self, *exc: Any) -> None:
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._old)


def failed_report(doc: str, why: str) -> Report:
    """The result of a document that could not be extracted: its error alone."""
    report = Report(doc=doc)
    report.add_error("extract", why)
    return report


def timeout_report(doc: str, seconds: float | None) -> Report:
    return failed_report(doc, f"time limit exceeded ({seconds:g} s): document skipped")


def extract_one(path: str, *, with_text: bool = False, llm: LLMConfig | None = None,
                time_limit: float | None = DEFAULT_TIME_LIMIT) -> Report:
    """One document of a batch: never raises; any failure is the result's error."""
    return _extract_serialised(path, with_text=with_text, llm=llm, time_limit=time_limit)[0]


def _extract_serialised(path: str, *, with_text: bool = False, llm: LLMConfig | None = None,
                        time_limit: float | None = DEFAULT_TIME_LIMIT,
                        doc: str | None = None) -> tuple[Report, str | None]:
    """``doc``: the result's name when it is not ``path`` (a copy read elsewhere: the Ray engine)."""
    doc = doc if doc is not None else doc_name(path)
    limit = time_limit or None
    llm_on = llm is not None and llm.enabled
    # With the LLM, its stage keeps the limit itself (in a thread too, where no timer can act):
    # past it the document keeps its rule results with an ``llm`` error. The timer, where it can
    # act, then stops the document only LLM_STOP_GRACE later, once the LLM stage had its chance.
    hard = limit + LLM_STOP_GRACE if limit and llm_on else limit
    try:
        with document_deadline(limit if llm_on else None), _time_budget(hard):
            report = extract_file(path, with_text=with_text, llm=llm)
        report.doc = doc
    except DocumentTimeout:
        return timeout_report(doc, time_limit), None
    except Exception as exc:  # noqa: BLE001 — never let one document stop a batch
        return failed_report(doc, message(exc)), None
    return serialised(report)


def warm_up() -> None:
    """Load jieba's dictionary and the rules once (a worker's first document would otherwise pay
    for them). Not cn2an (0.1 s before the fork): only rare numerals need it, imported then."""
    from .segmenter import shared_tokenizer

    shared_tokenizer().load()  # the whole dictionary, not the index a single small file reads
    extract(WARM_UP_TEXT)


# ------------------------------------------------------------------------------- workers


@dataclass
class _Worker:
    process: Any
    conn: Any
    chunk: list[tuple[int, str]] = field(default_factory=list)  # documents sent, not yet returned
    since: float = 0.0  # when the document now being worked on started (as far as we know)


def _worker_main(conn: Any, with_text: bool, llm: LLMConfig | None, time_limit: float | None,
                 form: str | None, keep_report: bool) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when the run stops
    while True:
        try:
            chunk = conn.recv()
        except EOFError:
            return
        if chunk is None:
            return
        for index, path in chunk:
            conn.send((index, _extract_result(path, form, keep_report, with_text=with_text, llm=llm,
                                              time_limit=time_limit)))


def _extract_result(path: str, form: str | None, keep_report: bool, **args: Any) -> Result:
    """One document as a ``Result`` for output ``form`` (made where it is extracted)."""
    return make_result(*_extract_serialised(path, **args), form, keep_report)


class WorkerPool:
    """Worker processes that start once, warmed up (forked from a parent that has loaded jieba
    and the rules, or warmed by their first call where fork is not available), take documents
    in chunks and return each result as it is done. A worker silent past a document's budget
    (stuck where the in-process timer cannot reach) is killed and replaced: that document gets
    a time-limit error, the rest of its chunk goes to another worker."""

    def __init__(self, workers: int, *, with_text: bool, llm: LLMConfig | None, time_limit: float | None,
                 form: str | None = None, keep_report: bool = True):
        import multiprocessing as mp

        methods = mp.get_all_start_methods()
        self._ctx = mp.get_context("fork" if "fork" in methods else "spawn")
        if self._ctx.get_start_method() == "fork":
            warm_up()  # in the parent, before forking: every worker starts with it loaded
            if form == "parquet":
                import pyarrow  # noqa: F401 — the workers make Arrow rows (and the parent writes them)
        self._args = (with_text, llm, time_limit, form, keep_report)
        self.form, self.keep_report = form, keep_report
        self.time_limit = time_limit
        self._workers = [self._start() for _ in range(workers)]
        self._ready: dict[int, Result] = {}
        self._selector: Any = None

    def _start(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(target=_worker_main, args=(child, *self._args), daemon=True)
        # Forked, it inherits what the parent holds frozen: its collections leave those pages shared
        # (Python's gc.freeze recipe for fork without exec: 24 -> 17 MiB private a worker); the
        # parent unfreezes at once, so a caller's own objects are collected as before.
        forked = self._ctx.get_start_method() == "fork"
        if forked:
            gc.freeze()
        try:
            process.start()
        finally:
            if forked:
                gc.unfreeze()
        child.close()
        return _Worker(process, parent)

    def run(self, paths: list[str]) -> Iterator[Result]:
        """Results in the order of ``paths``. A worker is sent its next chunk while it still has
        half a chunk to do (it never waits for the parent); one selector watches the workers."""
        pending = iter(enumerate(paths))
        ready = self._ready = {}
        next_out = 0
        queue: list[tuple[int, str]] = []  # documents of a replaced worker's chunk, sent first
        exhausted = False
        self._selector = selectors.DefaultSelector()
        for worker in self._workers:
            self._selector.register(worker.conn, selectors.EVENT_READ, worker)

        def feed(worker: _Worker) -> None:
            nonlocal exhausted
            chunk = queue[:CHUNK_DOCS]
            del queue[:len(chunk)]
            while len(chunk) < CHUNK_DOCS and not exhausted:
                item = next(pending, None)
                if item is None:
                    exhausted = True
                else:
                    chunk.append(item)
            if chunk:
                if not worker.chunk:
                    worker.since = time.monotonic()
                worker.chunk.extend(chunk)
                with contextlib.suppress(OSError):  # it died: its end of the pipe says so (_replace)
                    worker.conn.send(chunk)

        for worker in self._workers:
            feed(worker)
        try:
            while next_out < len(paths):
                busy = [w for w in self._workers if w.chunk]
                for key, _ in self._selector.select(self._hard_timeout(busy)):
                    worker = key.data
                    try:
                        index, result = worker.conn.recv()
                    except (EOFError, OSError):  # the worker died (killed from outside, out of memory)
                        self._replace(worker, queue, "worker process ended")
                        continue
                    ready[index] = result
                    if worker.chunk and worker.chunk[0][0] == index:
                        del worker.chunk[0]
                    else:
                        worker.chunk = [c for c in worker.chunk if c[0] != index]
                    worker.since = time.monotonic()
                if self.time_limit:
                    now = time.monotonic()
                    for worker in busy:
                        if worker.chunk and now - worker.since > self.time_limit + HARD_LIMIT_GRACE:
                            index, path = worker.chunk[0]
                            ready[index] = self._made(timeout_report(doc_name(path), self.time_limit))
                            worker.chunk = worker.chunk[1:]
                            self._replace(worker, queue, None)
                for worker in self._workers:
                    if len(worker.chunk) <= CHUNK_DOCS // 2 and (queue or not exhausted):
                        feed(worker)
                while next_out in ready:
                    yield ready.pop(next_out)
                    next_out += 1
        finally:
            self._selector.close()

    def _hard_timeout(self, busy: list[_Worker]) -> float | None:
        if not self.time_limit or not busy:
            return None
        oldest = min(w.since for w in busy)
        return max(0.05, oldest + self.time_limit + HARD_LIMIT_GRACE - time.monotonic())

    def _replace(self, worker: _Worker, queue: list[tuple[int, str]], died: str | None) -> None:
        """Kill ``worker``, put the rest of its chunk back in front, start a fresh one."""
        if died is not None and worker.chunk:  # its current document is what killed it
            index, path = worker.chunk[0]
            worker.chunk = worker.chunk[1:]
            self._ready[index] = self._made(failed_report(doc_name(path), died))
        queue[:0] = worker.chunk
        worker.chunk = []
        self._selector.unregister(worker.conn)
        worker.process.kill()
        worker.process.join()
        worker.conn.close()
        fresh = self._start()
        worker.process, worker.conn, worker.since = fresh.process, fresh.conn, 0.0
        self._selector.register(worker.conn, selectors.EVENT_READ, worker)

    def _made(self, report: Report) -> Result:
        """A result made here (a worker was stopped or died on it)."""
        return make_result(report, None, self.form, self.keep_report)

    def close(self) -> None:
        for worker in self._workers:
            try:
                worker.conn.send(None)
            except OSError:
                pass
        for worker in self._workers:
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.conn.close()


# ------------------------------------------------------------------------------- the batch


LateCheck = Callable[[dict[str, Any], Check], None]


class Batch:
    """Results of many documents in input order, with ``cross_year.carry_over`` between them.

    A check found when the later year's result arrives is in that result's ``checks`` before it
    is yielded. A check found later (the later year came first) is a *late* check: it is
    appended to that result object if the caller still holds it, and passed to ``on_late``
    with the later document's columns (``doc``, ``body``, ``year``, …), so a writer that has
    already written the result can add it. Only a few numbers per document are kept.
    """

    def __init__(self, paths: Iterable[str | os.PathLike[str]] | None = None, *, documents: list[str] | None = None,
                 workers: int = 1, llm: LLMConfig | None = None, with_text: bool = False,
                 time_limit: float | None = DEFAULT_TIME_LIMIT, on_late: LateCheck | None = None):
        if documents is None:
            documents = expand_inputs(paths or [])
        self.documents = documents
        self.workers = workers if workers > 0 else (os.cpu_count() or 1)
        self.llm, self.with_text, self.time_limit = llm, with_text, time_limit
        self.on_late = on_late
        # every result's years (on disk: memory stays flat); reports a caller holds get late checks
        self.cross_year = CrossYear()
        self._reports: weakref.WeakValueDictionary[int, Report] = weakref.WeakValueDictionary()
        self._line: tuple[Report | None, int, str | None] = (None, 0, None)

    def add_known(self, columns: dict[str, Any], ends: YearEnds | None, written: Iterable[Check] = ()) -> None:
        """A result written by an earlier run (``--resume``): indexed like a new one, and the
        checks it brings that the output lacks (``written``: its cross-year checks there) are
        late checks — a pair split across an interruption still gets its check."""
        if ends is None or not columns.get("body"):
            return
        _, found = self.cross_year.add_ends(columns["body"], ends,
                                            {"columns": columns, "written": [_check_key(c) for c in written]})
        for later, check in found:
            self._deliver(later, check, fresh=False)

    def __iter__(self) -> Iterator[Report]:
        for result in self._paired(None, keep_report=True):
            report = result.report
            assert report is not None
            self._line = (report, len(report.checks), result.line)
            yield report

    def results(self, form: str | None) -> Iterator[Result]:
        """The results as ``Result``s made for output ``form`` (``batch_result.FORMS``) where
        they were extracted: what a writer writes, with no ``Report`` rebuilt here."""
        return self._paired(form, keep_report=False)

    def _paired(self, form: str | None, *, keep_report: bool) -> Iterator[Result]:
        """Results in input order, each with the cross-year checks found when it arrives."""
        for result in self._outputs(form, keep_report):
            if result.ends is not None:
                entry, found = self.cross_year.add_ends(result.columns["body"], result.ends,
                                                        {"columns": result.columns, "written": []})
                if result.report is not None:  # a late check reaches it while the caller holds it
                    self._reports[entry] = result.report
                written = []
                for later, check in found:
                    if later == entry:
                        result.add_check(check)
                        written.append(_check_key(check))
                    else:
                        self._deliver(later, check, fresh=True)
                if written:
                    self.cross_year.set_data(entry, {"columns": result.columns, "written": written})
            yield result

    def _deliver(self, later: int, check: Check, *, fresh: bool) -> None:
        """A check for an entry indexed earlier: to its report if the caller still holds it, and to
        ``on_late`` with its columns, unless its output holds it already (``written``)."""
        data = self.cross_year.data(later)
        key = _check_key(check)
        written = [tuple(k) for k in data["written"]]
        if key in written:
            written.remove(key)  # already in the output (an earlier run wrote it)
            self.cross_year.set_data(later, {**data, "written": written})
            return
        report = self._reports.get(later)
        if report is not None:
            report.checks.append(check)
        if self.on_late is not None:
            self.on_late(data["columns"], check)

    def json_line(self, report: Report) -> str | None:
        """The JSON line made for ``report`` where it was extracted, if it is the result just
        yielded and nothing was added to it since (else None: serialise it again)."""
        made, checks, line = self._line
        return line if made is report and checks == len(report.checks) else None

    def _outputs(self, form: str | None, keep_report: bool) -> Iterator[Result]:
        """Results in input order, made for ``form`` where they were extracted (what another
        engine overrides: ``RayBatch``)."""
        return self._local(form, keep_report)

    def _local(self, form: str | None, keep_report: bool) -> Iterator[Result]:
        args = {"with_text": self.with_text, "llm": self.llm, "time_limit": self.time_limit}
        docs = self.documents
        if self.llm is not None and self.workers <= 1 and len(docs) > 1:
            # waiting on the endpoint: a few documents at once, in threads (no SIGALRM there:
            # the LLM stage keeps each document's time limit itself, ``llm.deadline``)
            from concurrent.futures import ThreadPoolExecutor

            from .llm.fill import prepare

            warm_up()  # the one-time loads, before any document's time limit starts
            prepare(self.llm)
            with ThreadPoolExecutor(max_workers=max(1, self.llm.concurrency)) as threads:
                yield from threads.map(lambda p: _extract_result(p, form, keep_report, **args), docs)
            return
        if self.workers <= 1 or len(docs) <= 1:
            for path in docs:
                yield _extract_result(path, form, keep_report, **args)
            return
        pool = WorkerPool(min(self.workers, len(docs)), form=form, keep_report=keep_report, **args)
        try:
            yield from pool.run(docs)
        finally:
            pool.close()


def _check_key(check: Check | dict[str, Any]) -> tuple[str, bool | None, str]:
    if isinstance(check, Check):
        return check.name, check.ok, check.detail
    return check["name"], check.get("ok"), check.get("detail", "")


def extract_batch(paths: Iterable[str | os.PathLike[str]], *, workers: int = 1, llm: LLMConfig | None = None,
                  with_text: bool = False, time_limit: float | None = DEFAULT_TIME_LIMIT,
                  on_late: LateCheck | None = None) -> Iterator[Report]:
    """Extract every document ``paths`` name (files, directories, globs), in input order.

    ``workers`` processes (0 = one per CPU) share the work; each document has ``time_limit``
    seconds (None: no limit) and any failure becomes its result's error. Results carry
    ``cross_year.carry_over`` for two reports of one body in consecutive years; a check that
    belongs to a result already yielded is appended to it (if you hold it) and passed to
    ``on_late(columns, check)``.
    """
    return iter(Batch(paths, workers=workers, llm=llm, with_text=with_text, time_limit=time_limit, on_late=on_late))
