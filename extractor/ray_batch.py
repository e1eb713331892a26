"""Many documents on a Ray cluster: Ray Data reads the list of documents, a pool of actors (one
per CPU, each with jieba and the rules loaded once) extracts them, and the results come back to
the driver in input order, where the local engine's batch (``Batch``: cross-year checks, resume,
writers) takes them as if its own worker processes had made them. So the output is the local
engine's, row for row, whatever the number of workers or nodes.

    from extractor.ray_batch import extract_ray
    for report in extract_ray(["reports/", "s3://bucket/reports/"], address="auto"):
        ...

Documents are read where they are: a local path on the node that extracts it (a cluster needs
the same path on every node: a shared mount), or a URI of any filesystem pyarrow knows
(``s3://``, ``gs://``, ``hdfs://``, ``file://``), read by the actor through ``pyarrow.fs``.
Ray is an optional extra: ``pip install 'xxgk-extractor[ray]'``.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import logging
import math
import os
import pickle
import re
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from .batch import (
    DEFAULT_TIME_LIMIT,
    GOLD_SUFFIX,
    SUPPORTED_SUFFIXES,
    Batch,
    DocumentTimeout,
    Inputs,
    LateCheck,
    _extract_serialised,
    doc_name,
    failed_report,
    serialised,
    timeout_report,
    warm_up,
)
from .batch_result import Result, make_result, message
from .ingest import MAX_BYTES
from .input_order import in_input_order
from .models import Report
from .ray_node import connect
from .thread_budget import thread_budget

if TYPE_CHECKING:
    from .llm import LLMConfig

RAY_MISSING = "--engine ray needs Ray: pip install 'xxgk-extractor[ray]'"
URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")  # s3://…, gs://…, file://… (not C:\ nor a plain path)
BATCH_DOCS = 8  # documents an actor extracts per call (as the local engine's chunks)
BLOCK_DOCS = 256  # documents per Ray Data block (a task; see _results)
# A call whose actor died (a node lost, a crash in a C library) is tried again this many times on a
# fresh actor; then its documents get an error and the run goes on (Ray's default: for ever).
ACTOR_RETRIES = 2
# A slot of the cluster's LLM requests is taken back this long after the client's own request
# timeout (its holder is presumed dead: see RequestSlots).
LEASE_MARGIN = 30.0
ACTOR_LOST = "actor process ended (a document of this batch crashed it, or its node was lost)"


class RayMissing(Exception):
    """Ray (with Ray Data) is not installed."""


def require_ray() -> None:
    """Raise ``RayMissing`` (saying what to install) unless Ray and what Ray Data needs (the
    requirements of its ``data`` extra: every Ray wheel holds ``ray.data`` itself) are installed.
    Ray Data is imported by the run (``import_ray_data``), while its local Ray starts."""
    try:
        import ray  # noqa: F401
    except ImportError:
        raise RayMissing(RAY_MISSING) from None
    if any(not _installed(name) for name in _ray_data_requirements()):
        raise RayMissing(RAY_MISSING)


def _ray_data_requirements() -> list[str]:
    """The distributions Ray's ``data`` extra asks for on this platform (numpy, pandas, pyarrow,
    fsspec in Ray 2.60), read by ``packaging`` (a requirement of Ray's) from Ray's metadata."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        requires = importlib.metadata.requires("ray") or []
    except importlib.metadata.PackageNotFoundError:  # Ray run from a source tree: nothing to read
        return []
    names = []
    for line in requires:
        try:
            req = Requirement(line)
        except InvalidRequirement:
            continue
        # the extra's own: asked for with it, not without it (a platform marker evaluated here)
        if req.marker is not None and req.marker.evaluate({"extra": "data"}) and not req.marker.evaluate({"extra": ""}):
            names.append(req.name)
    return names


def _installed(distribution: str) -> bool:
    try:
        importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def import_ray_data() -> None:
    """``import ray.data`` (0.5 s: pandas, pyarrow), ``RayMissing`` where a dependency of it is
    not installed (Ray without its ``data`` extra)."""
    try:
        import ray.data  # noqa: F401
    except ImportError as exc:
        raise RayMissing(f"{RAY_MISSING} ({exc})") from None


# ------------------------------------------------------------------------------- inputs


class RayInputs(Inputs):
    """``Inputs`` that also take URIs of any filesystem pyarrow supports: a file, or a folder
    walked for the supported formats (hidden files and gold labels left out, sorted), as the
    local engine walks a directory. Globs are expanded for local paths only."""

    def _expand(self, raw: str) -> list[str]:
        if not URI.match(raw):
            return super()._expand(raw)
        from pyarrow import fs

        try:
            filesystem, root = fs.FileSystem.from_uri(raw)
            info = filesystem.get_file_info(root)
            if info.type == fs.FileType.File:
                return [raw]
            if info.type != fs.FileType.Directory:
                self.unmatched.append(raw)
                return []
            listing = filesystem.get_file_info(fs.FileSelector(root, recursive=True))
        except (OSError, ValueError) as exc:  # pyarrow's errors derive from these
            self.unmatched.append(f"{raw} ({exc})")
            return []
        found = []
        for entry in listing:
            name = entry.base_name
            if entry.type != fs.FileType.File or name.startswith(".") or name.endswith(GOLD_SUFFIX):
                continue
            suffix = os.path.splitext(name)[1].lower()
            if suffix in SUPPORTED_SUFFIXES:
                found.append(raw.rstrip("/") + "/" + entry.path[len(root.rstrip("/")):].lstrip("/"))
            else:
                suffix = suffix or "(no suffix)"
                self.skipped[suffix] = self.skipped.get(suffix, 0) + 1
        return sorted(found)

    def _add(self, p: str) -> None:
        if not URI.match(p):
            super()._add(p)
        elif p not in self._names:
            self._names.add(p)
            self.documents.append(p)


# ------------------------------------------------------------------------------- one document


def extract_where(path: str, doc: str, *, with_text: bool, llm: LLMConfig | None,
                  time_limit: float | None) -> tuple[Report, str | None]:
    """One document, named ``doc``: a local ``path`` read in place, a URI read through
    ``pyarrow.fs`` into a temporary file (the converters tell the format by content)."""
    args: dict[str, Any] = {"with_text": with_text, "llm": llm, "time_limit": time_limit, "doc": doc}
    budget = time_limit if llm is None else None  # with --llm, the client's own timeouts bound it
    if not URI.match(path):
        return _within_budget(budget, path, args)
    try:
        data = _read_uri(path)
    except (OSError, ValueError) as exc:
        report = Report(doc=doc)
        report.add_error("ingest", f"cannot read file: {exc}")
        return serialised(report)
    with tempfile.TemporaryDirectory(prefix="xxgk-") as tmp:
        local = os.path.join(tmp, "document" + os.path.splitext(path)[1].lower())
        with open(local, "wb") as fh:
            fh.write(data)
        return _within_budget(budget, local, args)


def _within_budget(budget: float | None, path: str, args: dict[str, Any]) -> tuple[Report, str | None]:
    try:
        with thread_budget(budget):
            return _extract_serialised(path, **args)
    except DocumentTimeout:  # the timer fired as the document finished, outside its own handler
        return timeout_report(args["doc"], args["time_limit"]), None


def _read_uri(uri: str) -> bytes:
    from pyarrow import fs

    filesystem, path = fs.FileSystem.from_uri(uri)
    size = filesystem.get_file_info(path).size
    if size is not None and size > MAX_BYTES:
        raise ValueError(f"file is {size} bytes, over the {MAX_BYTES}-byte limit")
    with filesystem.open_input_stream(path) as stream:
        return stream.read()


class Extractor:
    """The Ray Data actor: loads jieba and the rules once, then extracts batches of documents.

    Each result goes back pickled as the ``Result`` the local engine's worker processes send for
    the output ``form`` (its rows ready to write; its ``Report`` only when ``keep_report``). With ``--llm`` the documents of a batch wait on the endpoint together (threads,
    as the local engine does), each request holding one of the cluster's request slots."""

    def __init__(self, with_text: bool, llm: LLMConfig | None, time_limit: float | None, slots: Any = None,
                 form: str | None = None, keep_report: bool = True):
        warm_up()
        self.form, self.keep_report = form, keep_report
        self.args: dict[str, Any] = {"with_text": with_text, "llm": llm, "time_limit": time_limit}
        if slots is not None:
            from .llm.client import share_request_slots

            share_request_slots(_ClusterSlots(slots))

    def __call__(self, batch: Any) -> Any:
        import pyarrow as pa

        # Arrow in and out: no conversion of the columns to and from numpy arrays of objects
        paths, docs = batch.column("path").to_pylist(), batch.column("doc").to_pylist()
        jobs = [(os.fsdecode(p), d) for p, d in zip(paths, docs, strict=True)]
        llm = self.args["llm"]
        if llm is not None and len(jobs) > 1:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=max(1, min(llm.concurrency, len(jobs)))) as threads:
                made = list(threads.map(lambda job: extract_where(*job, **self.args), jobs))
        else:
            made = [extract_where(*job, **self.args) for job in jobs]
        results = [make_result(report, line, self.form, self.keep_report) for report, line in made]
        blobs = [pickle.dumps(r, protocol=pickle.HIGHEST_PROTOCOL) for r in results]
        return pa.table({"i": batch.column("i"), "result": pa.array(blobs, type=pa.binary())})


# ------------------------------------------------------------------------------- LLM requests


class RequestSlots:
    """The cluster's LLM requests in flight at once (a Ray actor: one counter for every node,
    since an endpoint's rate limit is global). ``acquire`` waits for a free slot and returns
    its token, which ``release`` gives back. A slot held past ``lease`` seconds is taken back:
    its holder died during the request (a request ends within the client's timeout), and the
    slot would otherwise be lost for the rest of the run. A token given back late is ignored."""

    def __init__(self, slots: int, lease: float | None = None, clock: Callable[[], float] = time.monotonic):
        import asyncio

        self._slots = max(1, slots)
        self._lease = lease
        self._clock = clock
        self._held: dict[int, float] = {}  # token: when granted
        self._last = 0
        self._changed = asyncio.Condition()

    def _take_back_expired(self) -> float | None:
        """Drop the slots held past the lease; seconds until the next one expires (None: never)."""
        if self._lease is None:
            return None
        now = self._clock()
        self._held = {token: since for token, since in self._held.items() if now - since < self._lease}
        return min(self._held.values()) + self._lease - now if self._held else None

    async def acquire(self) -> int:
        import asyncio

        async with self._changed:
            while True:
                expires = self._take_back_expired()
                if len(self._held) < self._slots:
                    self._last += 1
                    self._held[self._last] = self._clock()
                    return self._last
                try:
                    await asyncio.wait_for(self._changed.wait(), expires)
                except TimeoutError:  # a slot's lease ran out: taken back at the top of the loop
                    pass

    async def release(self, token: int) -> None:
        async with self._changed:
            if self._held.pop(token, None) is not None:
                self._changed.notify()

    async def release_after(self, token: int) -> None:
        """Give back a slot whose holder stopped waiting (Ray calls this once the grant, the
        ``acquire`` call given as the argument, resolved to its token)."""
        await self.release(token)


class _ClusterSlots:
    """A request slot of ``RequestSlots``, taken and given back around one request (as a
    ``threading.Semaphore``'s ``acquire``/``release``, which the LLM client calls, in the thread
    that sends the request: each thread keeps the token of the slot it holds)."""

    def __init__(self, actor: Any):
        self.actor = actor
        self._held = threading.local()

    def acquire(self, timeout: float | None = None) -> bool:
        """Wait for a free slot, at most ``timeout`` seconds (a document's time left): False when none came.
        A slot granted after the wait was given up is handed back as soon as it is granted."""
        import ray
        from ray.exceptions import GetTimeoutError

        granted = self.actor.acquire.remote()
        try:
            self._held.token = ray.get(granted, timeout=timeout)
        except GetTimeoutError:
            self.actor.release_after.remote(granted)  # runs once the pending grant resolves
            return False
        return True

    def release(self) -> None:
        self.actor.release.remote(self._held.token)


# ------------------------------------------------------------------------------- the batch


def _quiet() -> None:
    """Ray Data's log lines (plan, start, finish) and its note that progress bars are off stay
    in its log files; its warnings still show."""
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    logging.getLogger("ray.data._internal.progress").setLevel(logging.ERROR)


class RayBatch(Batch):
    """``Batch`` whose results are made by Ray Data actors. ``workers``: actors (0 = one per CPU
    of the cluster); ``address``: the cluster (None: start a local Ray, stopped at the end)."""

    def __init__(self, paths: Iterable[str | os.PathLike[str]] | None = None, *, documents: list[str] | None = None,
                 workers: int = 0, address: str | None = None, llm: LLMConfig | None = None,
                 with_text: bool = False, time_limit: float | None = DEFAULT_TIME_LIMIT,
                 on_late: LateCheck | None = None):
        require_ray()
        if documents is None:
            documents = RayInputs(paths or []).documents
        super().__init__(documents=documents, workers=1, llm=llm, with_text=with_text, time_limit=time_limit,
                         on_late=on_late)
        self.workers = workers
        self.address = address

    def _outputs(self, form: str | None, keep_report: bool) -> Iterator[Result]:
        if not self.documents:
            return
        import ray

        with contextlib.ExitStack() as run:  # a Ray this run started is shut down as it closes
            connect(self.address, run, meanwhile=import_ray_data)
            yield from self._run(ray, form, keep_report)

    def _run(self, ray: Any, form: str | None, keep_report: bool) -> Iterator[Result]:
        cpus = int(ray.cluster_resources().get("CPU", 1)) or 1
        actors = max(1, min(self.workers or cpus, len(self.documents)))
        context = ray.data.DataContext.get_current()
        before = (context.execution_options.preserve_order, context.enable_progress_bars, context.max_errored_blocks)
        try:
            # blocks come back as they finish (an actor never waits for a slow block ahead of it);
            # the results are put back in input order here, as the local engine's pool does
            context.execution_options.preserve_order = False
            context.enable_progress_bars = False
            context.max_errored_blocks = -1  # a block that failed every try: its documents get an error
            _quiet()
            yield from self._stream(ray, actors, form, keep_report)
        finally:  # a caller's own Ray Data settings as they were
            (context.execution_options.preserve_order, context.enable_progress_bars,
             context.max_errored_blocks) = before

    def _stream(self, ray: Any, actors: int, form: str | None, keep_report: bool) -> Iterator[Result]:
        slots = None
        if self.llm is not None:
            lease = self.llm.timeout + LEASE_MARGIN
            slots = ray.remote(num_cpus=0)(RequestSlots).remote(self.llm.concurrency, lease)
        items = [{"i": i, "path": os.fsencode(_where(p)), "doc": doc_name(p)} for i, p in enumerate(self.documents)]
        options = {"with_text": self.with_text, "llm": self.llm, "time_limit": self.time_limit, "slots": slots,
                   "form": form, "keep_report": keep_report}

        def again(lost: list[int]) -> Iterator[tuple[int, bytes]]:
            return _one_by_one(ray, [items[i] for i in lost], options)

        try:
            for i, blob in in_input_order(_results(ray, items, actors, options), len(items), again):
                if blob is not None:
                    yield pickle.loads(blob)
                else:  # a document on which its actor died on every try
                    yield make_result(failed_report(doc_name(self.documents[i]), ACTOR_LOST), None, form, keep_report)
        finally:
            if slots is not None:
                ray.kill(slots)


def _results(ray: Any, items: list[dict[str, Any]], actors: int, options: dict[str, Any],
             ) -> Iterator[tuple[int, bytes]]:
    """``(index, pickled Result)`` of each of ``items`` as Ray Data's ``actors`` finish them, in
    blocks of up to ``BLOCK_DOCS`` documents (a block is a task: 256 documents instead of 32
    took 2.5-4.5 s off 19-23 s for 5,000 documents, the same CPU-seconds, on 2 CPUs), yet enough
    blocks for every actor to have work."""
    blocks = min(len(items), max(actors * 4, math.ceil(len(items) / BLOCK_DOCS)))
    with warnings.catch_warnings():
        # max_task_retries has no named parameter yet; Ray 2.60 warns of the keyword form
        warnings.filterwarnings("ignore", message=".*ray_remote_args.* is deprecated")
        dataset = ray.data.from_items(items, override_num_blocks=blocks).map_batches(
            Extractor, batch_size=BATCH_DOCS, batch_format="pyarrow", fn_constructor_kwargs=options,
            compute=ray.data.ActorPoolStrategy(size=actors), num_cpus=1,
            max_task_retries=ACTOR_RETRIES)
    for batch in dataset.iter_batches(batch_size=None, batch_format="pyarrow"):
        yield from zip(batch.column("i").to_pylist(), batch.column("result").to_pylist(), strict=True)


def _one_by_one(ray: Any, items: list[dict[str, Any]], options: dict[str, Any]) -> Iterator[tuple[int, bytes]]:
    """The documents of blocks Ray Data gave up on, each in a Ray task of its own, as they finish.

    When a document kills its actor, Ray Data fails every block that actor held, and the blocks
    sent to it while it restarts, each try included: a crash cost dozens of documents. A task
    that kills its worker is tried again on another (``ACTOR_RETRIES`` times) and touches no other
    task, so only a document that kills its process every time is left without a result."""
    alone = ray.remote(num_cpus=1, max_retries=ACTOR_RETRIES)(_extract_alone)
    pending = {alone.remote(item, options): item for item in items}
    while pending:
        done, _ = ray.wait(list(pending), num_returns=min(len(pending), 64), timeout=1.0)
        for ref in done:
            item = pending.pop(ref)
            try:
                yield item["i"], ray.get(ref)
            except ray.exceptions.RayTaskError as exc:  # raised in our code, not a crash: its error
                report = failed_report(item["doc"], message(exc.cause or exc))
                yield item["i"], pickle.dumps(make_result(report, None, options["form"], options["keep_report"]))
            except ray.exceptions.RayError:  # its worker died on every try
                continue


def _extract_alone(item: dict[str, Any], options: dict[str, Any]) -> bytes:
    """One document as ``Extractor`` extracts it (a task's process loads the rules once: later
    tasks in it find them loaded)."""
    import pyarrow as pa

    batch = pa.table({"i": [item["i"]], "path": [item["path"]], "doc": [item["doc"]]})
    return bytes(Extractor(**options)(batch).column("result")[0].as_py())


def _where(path: str) -> str:
    """Where an actor reads ``path``: a URI as it is, a local path made absolute (an actor's
    working folder is not the driver's)."""
    return path if URI.match(path) else os.path.abspath(path)


def extract_ray(paths: Iterable[str | os.PathLike[str]], *, address: str | None = None, workers: int = 0,
                llm: LLMConfig | None = None, with_text: bool = False,
                time_limit: float | None = DEFAULT_TIME_LIMIT, on_late: LateCheck | None = None) -> Iterator[Report]:
    """``extract_batch`` on a Ray cluster: the same results in the same order (see the module).

    ``address``: the cluster to join (``"auto"``, ``"ray://host:10001"``, ``host:6379``); None
    joins the cluster Ray is already connected to, or starts a local one for this run.
    ``workers``: actors (0 = one per CPU of the cluster).
    """
    return iter(RayBatch(paths, workers=workers, address=address, llm=llm, with_text=with_text,
                         time_limit=time_limit, on_late=on_late))
