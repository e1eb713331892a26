"""Starting or joining the Ray a run extracts on (``ray_batch``): a cluster at an address, or a
local Ray for this run only, started without the processes such a run does not use and while
the driver goes on with its own imports."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from typing import Any


def connect(address: str | None, run: contextlib.ExitStack, meanwhile: Callable[[], None] = lambda: None) -> bool:
    """Join ``address`` (or start a local Ray when None); True when this call started Ray, which
    ``run`` then shuts down as it closes (with what a local Ray needs until then). ``meanwhile``
    runs while a local Ray starts (``_start_local``), else before joining; what it raises is
    raised, with a Ray it started shut down as ``run`` closes."""
    import ray

    if ray.is_initialized():
        meanwhile()
        return False
    if address is not None:
        meanwhile()
        with _sigterm_kept():
            ray.init(address=address, include_dashboard=False, logging_level=logging.WARNING)
        run.callback(ray.shutdown)
        return True
    _start_local(run, meanwhile)
    return True


@contextlib.contextmanager
def _sigterm_kept() -> Iterator[None]:
    """``ray.init`` in the main thread with the SIGTERM handler it finds kept: Ray sets one that
    exits at once (``sys.exit``), which would replace the command's own (``cli._stop_on_signals``:
    a stopped run ends with a finished output and its message). Where there was none (SIG_DFL),
    Ray's stays."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.getsignal(signal.SIGTERM)
    try:
        yield
    finally:
        if before not in (signal.SIG_DFL, None):
            signal.signal(signal.SIGTERM, before)


def _exit_on_sigterm() -> None:
    """What ``ray.init`` does in the main thread (and not in another, where ``_start_local`` calls
    it): SIGTERM exits through ``sys.exit``, so a Ray started for the run is shut down on the
    way out. Only where no handler is set: the command's own, or a caller's, is kept."""
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(signum))


# Ray's log records kept off the command's stderr while a one-run local Ray starts: notes about
# Ray's defaults, not about the run. Ray turns on token authentication for every new local
# cluster unless RAY_AUTH_MODE says otherwise, and says so; started in a thread (``_start_local``)
# it says it set no SIGTERM handler (the command's own handlers stop a run: cli._stop_on_signals).
_START_NOTES = {"ray._private.authentication.authentication_token_setup": "",
                "ray._private.worker": "SIGTERM handler is not set"}


class _StartNotes(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        kept = _START_NOTES.get(record.name)
        return kept is None or record.levelno >= logging.ERROR or kept not in record.getMessage()


def _start_local(run: contextlib.ExitStack, meanwhile: Callable[[], None]) -> None:
    """``ray.init`` of a local Ray for this run only, in a thread, while ``meanwhile`` runs here.

    Starting the node takes 1.6-1.7 s in which this process waits for Ray's own processes (GCS,
    raylet, agents) to come up, about one CPU of two idle; the driver's import of Ray Data
    (0.5 s) fits in it. An error of either is raised once both are done (a Ray that started is
    then shut down as ``run`` closes, as after a run). Ray's processes die with the thread that
    started them (on Linux the signal Ray asks for at its parent's death follows that thread),
    so the thread lasts as long as ``run``; a signal that stops the command while Ray is still
    starting is raised once Ray is up, so that ``run`` shuts it down."""
    import ray
    from ray._private import node, parameter, services  # noqa: F401 — imported here, not in both threads at once

    failure: list[BaseException] = []
    started, over, registered = threading.Event(), threading.Event(), threading.Event()

    def start() -> None:
        try:
            with _one_run_node(), _one_run_environment(run):
                # the actors print nothing the user needs: their errors come back with their results
                ray.init(include_dashboard=False, logging_level=logging.WARNING, log_to_driver=False)
        except BaseException as exc:  # noqa: BLE001 — given to the thread that waits
            failure.append(exc)
        started.set()
        if not failure:
            over.wait()
            if not registered.is_set() and ray.is_initialized():
                ray.shutdown()  # the caller left before it could take the Ray that came up (a second Ctrl-C)

    run.callback(over.set)  # last: after ray.shutdown and the stand-ins' folder
    _exit_on_sigterm()
    notes = _StartNotes()
    loggers = [logging.getLogger(name) for name in _START_NOTES]
    for logger in loggers:
        logger.addFilter(notes)
    stopped: BaseException | None = None
    try:
        threading.Thread(target=start, name="xxgk-ray-init", daemon=True).start()
        try:
            meanwhile()
        except BaseException as exc:  # noqa: BLE001 — raised once Ray has started
            stopped = exc
        while not started.is_set():
            # Ctrl-C or SIGTERM while Ray is still starting (a second or so): wait it out, so the
            # Ray that then comes up is shut down as ``run`` closes; a second one stops at once
            # (a ``ray.init`` that hangs), and the thread shuts down the Ray it then starts
            try:
                started.wait()
            except BaseException as exc:
                if stopped is not None:
                    raise
                stopped = exc
        if not failure:
            run.callback(ray.shutdown)  # first as ``run`` closes
            registered.set()
    finally:
        for logger in loggers:
            logger.removeFilter(notes)
    if stopped is not None:
        raise stopped
    if failure:
        raise failure[0]


# Ray's settings for a local Ray started for one run, given as Ray reads them from the environment
# its processes start with (``RAY_<setting>``; a Ray without such a setting ignores it, a value
# the user set is kept): its workers at the command's own priority, as the local engine's worker
# processes are (Ray lowers them to nice 15, below every other job of a shared machine), and no
# metrics (nobody reads them; with the agents' ports given, see ``_one_run_node``, every worker
# would send them to a dashboard agent that, without ``ray[default]``, does not take them).
ONE_RUN_SETTINGS = {"RAY_worker_niceness": "0", "RAY_enable_metrics_collection": "0"}

# Modules that Ray's own imports reach and that cost much to import, yet that Ray never uses:
# rfc3987-syntax (brought by Jupyter: jsonschema[format-nongpl]) builds some twenty Earley
# parsers when imported, about 1 CPU-second, because jsonschema imports it for a format checker
# Ray does not use. Each Python process of a local Ray (two agents, the Ray Data service actors,
# the extraction actors) imports Ray, so each paid it.
SLOW_UNUSED_IMPORTS = ("rfc3987_syntax",)


@contextlib.contextmanager
def _one_run_environment(run: contextlib.ExitStack) -> Iterator[None]:
    """``ray.init`` starting a node whose processes (the raylet, and through it every agent and
    worker, take this process's environment as ``ray.init`` starts them) have ``ONE_RUN_SETTINGS``
    and cannot import ``SLOW_UNUSED_IMPORTS`` (jsonschema, which tries, goes on without that
    format checker): a folder of stand-ins that raise ImportError, first on their
    ``PYTHONPATH``. The environment is given back when ``ray.init`` returns; the folder lasts
    as long as ``run``."""
    import importlib.util

    changes = {name: value for name, value in ONE_RUN_SETTINGS.items() if name not in os.environ}
    present = [name for name in SLOW_UNUSED_IMPORTS if importlib.util.find_spec(name) is not None]
    if present:
        folder = run.enter_context(tempfile.TemporaryDirectory(prefix="xxgk-ray-path-"))
        for name in present:
            with open(os.path.join(folder, name + ".py"), "w", encoding="utf-8") as fh:
                fh.write(f"raise ImportError({name!r} + ' is left out of the processes of this Ray (xxgk)')\n")
        path = os.environ.get("PYTHONPATH")
        changes["PYTHONPATH"] = folder if not path else folder + os.pathsep + path
    before = {name: os.environ.get(name) for name in changes}
    os.environ.update(changes)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                del os.environ[name]
            else:
                os.environ[name] = value


AGENT_PORTS = ("metrics_agent_port", "metrics_export_port", "dashboard_agent_listen_port", "runtime_env_agent_port")


def _free_port() -> int:
    """A port free on every interface now (as Ray's own ``Node._get_unused_port`` picks one)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def _one_run_node() -> Iterator[None]:
    """``ray.init`` starting a node without the processes a one-run local Ray does not use, each
    a Python process that imports Ray (0.4-1.3 CPU-seconds) while ``ray.init`` runs: the
    autoscaler's monitor (a one-run Ray never scales), the log monitor (it sends the workers'
    output to the driver, which ``log_to_driver=False`` turns away) and the dashboard's head
    process (``include_dashboard=False`` still starts it, for usage statistics only; ``ray.init``
    waits for it to come up before it starts the raylet). ``ray.init`` has no parameter for
    them; the node's own settings (``RayParams.no_monitor``, ``include_log_monitor``, as
    ``ray start`` sets them) are given through the class it builds them with, and the node's
    ``start_api_server`` is left out. With a Ray whose settings or methods are named
    otherwise, the node starts as ``ray.init`` starts it."""
    from ray._private import node, parameter

    plain = parameter.RayParams
    api_server = getattr(node.Node, "start_api_server", None)

    class OneRunParams(plain):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any):
            super().__init__(*args, **kwargs)
            self.no_monitor = True
            self.include_log_monitor = False
            for name in AGENT_PORTS:  # the raylet waits for an agent to report a port left to it
                if hasattr(self, name) and not getattr(self, name):
                    setattr(self, name, _free_port())

    def no_api_server(self: Any, **_: Any) -> None:
        self._webui_url = ""  # what Ray records when the dashboard is left out

    parameter.RayParams = OneRunParams
    if api_server is not None:
        node.Node.start_api_server = no_api_server
    try:
        yield
    finally:
        parameter.RayParams = plain
        if api_server is not None:
            node.Node.start_api_server = api_server
