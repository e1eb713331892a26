"""Issue 14, the Ray engine: ``xxgk extract --engine ray`` writes the local engine's output row for
row (PDF, HTML and text, cross-year checks included), reads URIs through pyarrow's filesystems,
resumes a killed run without losing or duplicating a document, keeps the cluster's LLM requests
within the configured concurrency, and says what to install when Ray is missing.

One local Ray with 2 CPUs serves the whole module (started here, stopped at the end)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.llm.testing import FakeOpenAIServer, Reply

ROOT = Path(__file__).resolve().parent.parent
EVALS = ROOT / "evals"
runner = CliRunner()


@pytest.fixture(scope="module")
def cluster():
    ray = pytest.importorskip("ray", reason="the [ray] extra (pip install -e '.[dev]' installs it)")
    for attempt in range(2):  # on a machine loaded by other jobs, Ray's own agents can start too slowly
        try:
            ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING")
            break
        except Exception:
            ray.shutdown()
            if attempt:
                raise
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[str]:
    """evals/full (PDF, HTML, Markdown, text; the hongze 2023 → 2024 pair), the seed report and
    every sixth report of evals/dev (enough blocks for both actors to take some out of turn, as
    every kind of document is there): paths relative to the repository, as a user types them."""
    dev = sorted(p for p in (EVALS / "dev").glob("*.txt"))[::6]
    return ["evals/full", "evals/seed", *(str(p.relative_to(ROOT)) for p in dev)]


def extract(paths: list[str], out: Path, *args: str) -> str:
    result = runner.invoke(app, ["extract", *paths, "-o", str(out), *args])
    assert result.exit_code == 0, result.stderr
    return result.stderr


def table(path: Path):  # type: ignore[no-untyped-def]
    import pyarrow.parquet as pq

    return pq.read_table(path)


@pytest.fixture(scope="module")
def local_rows(corpus, tmp_path_factory):  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("local") / "local.parquet"
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        extract(corpus, out, "--workers", "2")
    finally:
        os.chdir(cwd)
    return table(out)


@pytest.fixture()
def at_root(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)


def test_ray_writes_the_local_engines_rows(cluster, corpus, local_rows, tmp_path, at_root):
    out = tmp_path / "ray.parquet"
    stderr = extract(corpus, out, "--engine", "ray")
    got = table(out)
    assert got.schema.equals(local_rows.schema, check_metadata=True)
    assert got.equals(local_rows)  # every row, in the same order
    kinds = set(got.column("doc").to_pylist())
    assert any(d.endswith(".pdf") for d in kinds) and any(d.endswith(".html") for d in kinds)
    checks = [r for r in got.to_pylist() if r["kind"] == "check" and r["key"] == "cross_year.carry_over"]
    assert any("hongze" in r["doc"] for r in checks)
    assert f"{len(kinds)} documents extracted" in stderr


@pytest.mark.parametrize("form", ["parquet", "csv"])
def test_the_actors_send_the_local_workers_ready_to_write_results(cluster, form):
    """The command only writes: each result arrives with its rows made for the output format and
    no ``Report``, as a local worker sends it, rows and JSON line equal to the local engine's."""
    from extractor.batch import Batch
    from extractor.long_format import read_arrow
    from extractor.ray_batch import RayBatch

    documents = [str(p) for p in sorted((EVALS / "full").iterdir()) if p.suffix in (".pdf", ".html", ".txt")]
    local = list(Batch(documents=documents, workers=2).results(form))
    remote = list(RayBatch(documents=documents).results(form))
    assert [r.doc for r in remote] == [r.doc for r in local]
    assert all(r.report is None and r.rows for r in remote)
    for a, b in zip(local, remote, strict=True):
        assert (b.line, b.tail, b.count, b.columns, b.errors) == (a.line, a.tail, a.count, a.columns, a.errors)
        if form == "csv":
            assert b.rows == a.rows
        else:
            assert read_arrow(b.rows).equals(read_arrow(a.rows))


def test_uris_are_read_through_pyarrow_filesystems_by_any_number_of_actors(cluster, tmp_path):
    from extractor import extract_batch
    from extractor.long_format import long_rows
    from extractor.ray_batch import extract_ray

    folder = EVALS / "full"
    uri = folder.as_uri()
    local = [row for report in extract_batch([str(folder)]) for row in long_rows(report)]
    remote = [row for report in extract_ray([uri], workers=1) for row in long_rows(report)]  # one actor
    assert len(remote) == len(local) > 0
    assert all(row["doc"].startswith(uri + "/") for row in remote)
    for a, b in zip(local, remote, strict=True):  # the same rows, named by the URI (a cross-year detail too)
        assert {k: v.replace(uri, str(folder)) if isinstance(v, str) else v for k, v in b.items()} == a


def test_a_killed_ray_run_resumes_without_loss_or_duplicate(cluster, corpus, local_rows, tmp_path, at_root):
    out = tmp_path / "killed.parquet"
    # a part file per document written, so the kill lands with some documents written and not others
    code = "import extractor.output as o; o.PART_SECONDS = 0; from extractor.cli import main; main()"
    # one actor (one fewer to start), then the resume with two: the output holds for either count
    cmd = [sys.executable, "-c", code, "extract", *corpus, "-o", str(out), "--engine", "ray", "--address", cluster,
           "--workers", "1"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    parts = out.with_name(out.name + ".partial")
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if parts.is_dir() and len(list(parts.glob("*.parquet"))) >= 3:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the run ended before it could be killed: " + proc.stderr.read().decode()[-500:]
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stderr.close()
    assert not out.exists()  # killed mid-run: only parts on disk
    written = len(list(parts.glob("*.parquet")))
    assert 3 <= written < len(set(local_rows.column("doc").to_pylist()))
    stderr = extract(corpus, out, "--engine", "ray", "--resume")
    assert "resuming:" in stderr
    got = table(out)
    docs = [r["doc"] for r in got.to_pylist() if r["kind"] == "doc"]
    assert len(docs) == len(set(docs))  # nothing twice
    assert got.equals(local_rows)  # nothing lost, the same rows in the same order


def test_llm_requests_across_the_cluster_stay_within_the_concurrency(cluster, tmp_path, at_root):
    lock = threading.Lock()
    inflight = [0, 0]  # now, most

    def slow(request: dict) -> Reply:
        with lock:
            inflight[0] += 1
            inflight[1] = max(inflight[1], inflight[0])
        time.sleep(0.15)
        with lock:
            inflight[0] -= 1
        return Reply.answer({"assignments": []})

    docs = [str(p.relative_to(ROOT)) for p in sorted((EVALS / "dev").glob("*.txt"))[:6]]
    env = {"XXGK_CACHE_DIR": str(tmp_path / "cache"), "XXGK_LLM_API_KEY": "sk-test", "XXGK_LLM_RETRIES": "0",
           "XXGK_LLM_CONCURRENCY": "1", "OPENAI_API_KEY": "", "OPENAI_BASE_URL": ""}
    with FakeOpenAIServer(responder=slow) as server:
        result = runner.invoke(app, ["extract", *docs, "-o", str(tmp_path / "llm.jsonl"), "--engine", "ray",
                                     "--llm", "all", "--model", "m", "--base-url", server.base_url], env=env)
        assert result.exit_code == 0, result.stderr
        assert len(server.requests) >= len(docs)
    assert inflight[1] == 1  # two actors, several threads each: one request at a time over the cluster


def test_without_ray_the_engine_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray fails as on an install without the extra
    result = runner.invoke(app, ["extract", str(EVALS / "seed"), "--engine", "ray", "-o", str(tmp_path / "r.parquet")])
    assert result.exit_code == 2
    assert "pip install 'xxgk-extractor[ray]'" in result.stderr
    assert not (tmp_path / "r.parquet").exists()


def test_ray_data_that_cannot_be_imported_says_what_to_install(monkeypatch):
    """Ray Data failing to import as the run starts (what the check before the run cannot see:
    a requirement of an older version, a broken install) says what to install."""
    pytest.importorskip("ray")
    from extractor.ray_batch import RAY_MISSING, RayMissing, import_ray_data, require_ray

    require_ray()  # Ray and what Ray Data needs installed (the [ray] extra)
    monkeypatch.setitem(sys.modules, "ray.data", None)  # as if ray.data could not be imported
    with pytest.raises(RayMissing, match=r"pip install 'xxgk-extractor\[ray\]'") as raised:
        import_ray_data()
    assert str(raised.value).startswith(RAY_MISSING)


def test_ray_data_failing_to_import_as_the_run_starts_ends_the_command_with_what_to_install(
        cluster, monkeypatch, tmp_path):
    from extractor import ray_batch

    def missing() -> None:
        raise ray_batch.RayMissing(ray_batch.RAY_MISSING + " (No module named 'pandas')")

    monkeypatch.setattr(ray_batch, "import_ray_data", missing)
    out = tmp_path / "r.parquet"
    result = runner.invoke(app, ["extract", str(EVALS / "seed"), "--engine", "ray", "--address", cluster, "-o", str(out)])
    assert result.exit_code == 2, result.stderr
    assert "pip install 'xxgk-extractor[ray]'" in result.stderr and "pandas" in result.stderr
    assert not out.exists() or out.stat().st_size == 0 or table(out).num_rows == 0


def test_a_local_ray_starts_while_the_driver_imports_and_is_shut_down_when_that_fails():
    """``connect`` with no address starts a local Ray in a thread while ``meanwhile`` runs in the
    caller (the driver's import of Ray Data); when ``meanwhile`` fails, the Ray it started is
    shut down and the error is raised. In a fresh process: the module's cluster is not in it."""
    pytest.importorskip("ray")
    probe = """
import contextlib, signal, threading, ray
from extractor.ray_node import connect
seen = []
def broken():
    seen.append(("xxgk-ray-init" in {t.name for t in threading.enumerate()}, ray.is_initialized()))
    raise RuntimeError("meanwhile failed")
with contextlib.ExitStack() as run:
    try:
        connect(None, run, broken)
    except RuntimeError as exc:
        print("raised:", exc)
print("ran while Ray was starting:", seen[0] == (True, False))
print("initialized after:", ray.is_initialized())
with contextlib.ExitStack() as run:
    print("started:", connect(None, run, lambda: None), ray.is_initialized())
print("shut down with the run:", not ray.is_initialized())
try:  # no SIGTERM handler was set: as ray.init sets in the main thread, SIGTERM exits
    signal.getsignal(signal.SIGTERM)(signal.SIGTERM, None)
except SystemExit as exc:
    print("SIGTERM exits:", exc.code == signal.SIGTERM)
"""
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["raised: meanwhile failed", "ran while Ray was starting: True",
                                        "initialized after: False", "started: True True",
                                        "shut down with the run: True", "SIGTERM exits: True"], done.stdout
    assert "SIGTERM" not in done.stderr and "Token authentication" not in done.stderr, done.stderr


def test_ctrl_c_while_a_local_ray_starts_stops_once_it_is_up_and_leaves_nothing_running():
    """Ctrl-C (SIGINT) while the command waits for its local Ray to come up: the interrupt is
    raised once Ray is up, and the run shuts that Ray down (its GCS and raylet are not left
    running, nor marked as running: the next ``connect`` starts a new one)."""
    psutil = pytest.importorskip("psutil")  # installed with Ray
    probe = """
import contextlib, os, signal, threading, ray, psutil
from extractor.ray_node import connect
def interrupt_soon():  # the driver's imports are done; Ray takes a second or more to start
    threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()
with contextlib.ExitStack() as run:
    try:
        connect(None, run, interrupt_soon)
    except KeyboardInterrupt:
        print("interrupted once up:", ray.is_initialized())
print("initialized after:", ray.is_initialized())
left = [p.name() for p in psutil.Process().children(recursive=True) if p.status() != psutil.STATUS_ZOMBIE]
print("GCS or raylet left:", any(n in ("gcs_server", "raylet") for n in left))
with contextlib.ExitStack() as run:
    print("next run starts its own:", connect(None, run), bool(ray.cluster_resources().get("CPU")))
"""
    del psutil
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["interrupted once up: True", "initialized after: False",
                                        "GCS or raylet left: False", "next run starts its own: True True"], done.stdout


def test_a_second_ctrl_c_while_a_local_ray_starts_stops_at_once_and_that_ray_is_shut_down():
    """A second Ctrl-C does not wait for Ray (a ``ray.init`` that hangs could not be stopped
    otherwise); the thread starting Ray shuts it down once it is up, leaving nothing running."""
    pytest.importorskip("psutil")  # installed with Ray
    probe = """
import contextlib, os, signal, threading, time, ray, psutil
from extractor.ray_node import connect
def interrupt_twice():
    threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT)).start()
    threading.Timer(0.4, os.kill, (os.getpid(), signal.SIGINT)).start()
with contextlib.ExitStack() as run:
    try:
        connect(None, run, interrupt_twice)
    except KeyboardInterrupt:
        print("stopped before Ray was up:", not ray.is_initialized())
for thread in threading.enumerate():
    if thread.name == "xxgk-ray-init":
        thread.join(120)
print("shut down by its thread:", not ray.is_initialized())
left = [p.name() for p in psutil.Process().children(recursive=True) if p.status() != psutil.STATUS_ZOMBIE]
print("GCS or raylet left:", any(n in ("gcs_server", "raylet") for n in left))
"""
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["stopped before Ray was up: True", "shut down by its thread: True",
                                        "GCS or raylet left: False"], done.stdout


def test_a_sigterm_handler_set_before_joining_a_cluster_is_kept(cluster, monkeypatch):
    """``ray.init`` in the main thread sets a SIGTERM handler that exits at once; joining a
    cluster keeps the one the command set (a stopped run finishes its output)."""
    import contextlib
    import signal

    import ray

    from extractor.ray_node import connect

    def ours(signum, frame):  # type: ignore[no-untyped-def]
        pass

    monkeypatch.setattr(ray, "is_initialized", lambda: False)  # the module's Ray, joined again
    joined: list[str] = []

    def init(**kwargs):  # type: ignore[no-untyped-def]
        joined.append(kwargs["address"])
        signal.signal(signal.SIGTERM, lambda signum, frame: None)  # as ray.init does

    monkeypatch.setattr(ray, "init", init)
    monkeypatch.setattr(ray, "shutdown", lambda: joined.append("shutdown"))
    before = signal.signal(signal.SIGTERM, ours)
    try:
        with contextlib.ExitStack() as run:
            assert connect(cluster, run) is True
            assert signal.getsignal(signal.SIGTERM) is ours
        assert joined == [cluster, "shutdown"]  # shut down (disconnected) as the run closed
    finally:
        signal.signal(signal.SIGTERM, before)


def test_ray_without_its_data_extra_is_found_missing_before_the_output_is_touched(monkeypatch, tmp_path):
    """Every Ray wheel holds ``ray.data``; what the ``data`` extra adds (pandas, …) is what may be
    missing. The command says what to install before it opens the output: a previous output stays."""
    pytest.importorskip("ray")
    import importlib.metadata

    from extractor import ray_batch

    assert "pandas" in ray_batch._ray_data_requirements()
    real = importlib.metadata.distribution

    def distribution(name: str):  # type: ignore[no-untyped-def]
        if name == "pandas":
            raise importlib.metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(importlib.metadata, "distribution", distribution)
    previous = tmp_path / "r.jsonl"
    previous.write_text('{"doc": "earlier"}\n', encoding="utf-8")
    result = runner.invoke(app, ["extract", str(EVALS / "seed"), "--engine", "ray", "-o", str(previous)])
    assert result.exit_code == 2 and "pip install 'xxgk-extractor[ray]'" in result.stderr
    assert previous.read_text(encoding="utf-8") == '{"doc": "earlier"}\n'


def test_engine_options_are_checked(tmp_path):
    result = runner.invoke(app, ["extract", str(EVALS / "seed"), "--engine", "spark"])
    assert result.exit_code == 2 and "--engine" in result.stderr
    result = runner.invoke(app, ["extract", str(EVALS / "seed"), "--address", "auto"])
    assert result.exit_code == 2 and "--engine ray" in result.stderr


def test_a_cluster_slot_waited_for_past_the_time_left_is_given_back(cluster):
    import ray

    from extractor.ray_batch import RequestSlots, _ClusterSlots

    slots = _ClusterSlots(ray.remote(RequestSlots).remote(1))
    assert slots.acquire(timeout=10)
    assert not slots.acquire(timeout=0.2)  # the one slot is held: the document's time runs out
    slots.release()
    # the grant given up above comes later and is handed straight back: the slot is free again
    assert slots.acquire(timeout=10)
    assert not slots.acquire(timeout=0.2)
    slots.release()


def test_a_document_over_its_time_budget_gets_an_error_in_an_actor(cluster):
    from extractor.ray_batch import extract_ray

    pdf = next(p for p in sorted((EVALS / "full").iterdir()) if p.suffix == ".pdf")
    (report,) = extract_ray([str(pdf)], time_limit=0.01)  # a PDF takes a few tenths of a second
    # wherever the budget's exception lands (in a converter too), the document is over its time
    (error,) = report.errors
    assert error.message == "time limit exceeded (0.01 s): document skipped"
    assert not report.mentions and not report.tables


def test_results_are_put_back_in_input_order_and_a_lost_block_is_named():
    from extractor.input_order import in_input_order

    arriving = [(2, b"c"), (0, b"a"), (5, b"f"), (1, b"b")]  # blocks finish out of order; 3 and 4 never come
    got = list(in_input_order(arriving, 6))
    assert got == [(0, b"a"), (1, b"b"), (2, b"c"), (3, None), (4, None), (5, b"f")]
    assert list(in_input_order([], 2)) == [(0, None), (1, None)]


def test_the_documents_of_a_lost_block_are_asked_for_again_once_the_stream_ends():
    from extractor.input_order import in_input_order

    asked: list[list[int]] = []

    def again(lost: list[int]) -> list[tuple[int, bytes]]:
        asked.append(lost)
        return [(i, bytes([97 + i])) for i in lost if i != 4]  # 4 fails again

    arriving = iter([(2, b"c"), (0, b"a"), (5, b"f"), (1, b"b")])
    got = []
    for pair in in_input_order(arriving, 6, again):
        got.append(pair)
        if pair[0] == 2:  # what came before the first lost one is out while the stream runs
            assert asked == []
    assert asked == [[3, 4]]
    assert got == [(0, b"a"), (1, b"b"), (2, b"c"), (3, b"d"), (4, None), (5, b"f")]
    assert list(in_input_order(iter([(0, b"a")]), 1, again)) == [(0, b"a")] and asked == [[3, 4]]  # none lost


def test_results_held_for_a_lost_one_past_the_memory_budget_wait_on_disk():
    """A block lost near the start holds every later result until the stream ends: past the
    budget they wait in a scratch file, and come out in order all the same."""
    import random

    from extractor.input_order import Held, in_input_order

    order = list(range(1, 400))
    random.Random(5).shuffle(order)
    arriving = [(i, f"result {i}".encode()) for i in order]  # 0 is lost, then found again
    held = Held(budget=200)
    got = []
    for i, blob in in_input_order(arriving, 400, lambda lost: [(j, f"result {j}".encode()) for j in lost], held):
        assert held.in_memory <= 200
        got.append((i, blob))
    assert held.spilled
    assert got == [(i, f"result {i}".encode()) for i in range(400)]
    # and one never found again is None, wherever the others waited
    held = Held(budget=30)
    assert list(in_input_order([(2, b"cc"), (1, b"b" * 40), (3, b"d")], 4, None, held)) == [
        (0, None), (1, b"b" * 40), (2, b"cc"), (3, b"d")]


CRASH_HOOK = """
import os
import extractor.ray_batch as ray_batch

def setup():
    # a document that kills its actor's process (a crash in a C library), every time it is read
    plain = ray_batch._extract_serialised
    def crashing(path, **kwargs):
        if "crash" in os.path.basename(str(kwargs.get("doc") or path)):
            os._exit(1)
        return plain(path, **kwargs)
    ray_batch._extract_serialised = crashing
"""


def test_a_document_that_kills_its_actor_every_time_costs_only_itself(cluster, tmp_path):
    """Ray tries a block whose actor died on a fresh actor twice more, then gives up on the whole
    block; its documents are then tried again one to a block, so only the killer has an error."""
    corpus = tmp_path / "reports"
    corpus.mkdir()
    sources = sorted((EVALS / "dev").glob("*.txt"))[:12]
    for k, source in enumerate(sources):
        name = f"{k:02d}-{'crash' if k == 5 else 'ok'}.txt"
        (corpus / name).write_bytes(source.read_bytes())
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "crash_hook.py").write_text(CRASH_HOOK, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    # a driver of its own (a job) whose actors run the hook as they start
    code = ("import sys, ray; from extractor.cli import main; "
            f"ray.init(address={cluster!r}, logging_level='ERROR', runtime_env={{'env_vars': {{'PYTHONPATH': "
            f"{str(hooks)!r} + ':' + {str(ROOT)!r}}}, 'worker_process_setup_hook': 'crash_hook.setup'}}); main()")
    proc = subprocess.run([sys.executable, "-c", code, "extract", str(corpus), "-o", str(out), "--engine", "ray",
                           "--workers", "2"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    import json

    results = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [Path(r["doc"]).name for r in results] == sorted(p.name for p in corpus.iterdir())
    failed = [Path(r["doc"]).name for r in results if r["errors"]]
    assert failed == ["05-crash.txt"], [(Path(r["doc"]).name, r["errors"]) for r in results if r["errors"]]
    assert "actor process ended" in results[5]["errors"][0]["message"]
    local = tmp_path / "local.jsonl"
    extract([str(corpus)], local)
    expected = [json.loads(line) for line in local.read_text(encoding="utf-8").splitlines()]
    assert [r for r in results if not r["errors"]] == [r for r in expected if "crash" not in r["doc"]]


def test_a_cluster_slot_whose_holder_died_is_taken_back_after_its_lease():
    import asyncio

    from extractor.ray_batch import RequestSlots

    now = [0.0]

    async def scenario() -> None:
        slots = RequestSlots(1, lease=90.0, clock=lambda: now[0])
        lost = await slots.acquire()  # its holder dies: never given back
        with pytest.raises(TimeoutError):  # within the lease the slot stays taken
            await asyncio.wait_for(slots.acquire(), 0.05)
        now[0] = 90.0  # the lease ran out
        token = await asyncio.wait_for(slots.acquire(), 5)
        assert token != lost
        await slots.release(lost)  # the dead holder's token, given back late (a slow holder): ignored
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(slots.acquire(), 0.05)
        await slots.release(token)
        assert await asyncio.wait_for(slots.acquire(), 5) not in (lost, token)

    asyncio.run(scenario())


def test_a_run_that_starts_its_own_ray_writes_the_same_rows_without_the_unused_processes(tmp_path):
    """``--engine ray`` with no cluster: the command starts a local Ray for the run, without the
    autoscaler's monitor, the log monitor and the dashboard's head process (a one-run Ray uses
    none of them), its workers at the command's priority (not Ray's nice 15), and keeps Ray's
    note about token authentication off stderr."""
    psutil = pytest.importorskip("psutil")  # installed with Ray
    out = tmp_path / "own.parquet"
    cmd = [sys.executable, "-m", "extractor.cli", "extract", "evals/seed", "-o", str(out), "--engine", "ray"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen: set[str] = set()
    niceness: dict[int, int] = {}  # Ray's workers (actors): pid → niceness, last seen
    root = psutil.Process(proc.pid)
    while proc.poll() is None:  # the command lines of the processes the run started
        try:
            family = root.children(recursive=True)
        except psutil.Error:
            break
        for member in family:
            try:
                line = " ".join(member.cmdline())
                seen.add(line)
                if line.startswith("ray::") and "Agent" not in line:
                    niceness[member.pid] = member.nice()
            except psutil.Error:
                pass
        time.sleep(0.05)
    stderr = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait() == 0, stderr
    assert any("raylet" in line for line in seen)  # Ray's processes were seen
    assert any("ray::MapWorker" in line for line in seen)  # the extraction actors
    assert not any("monitor.py" in line for line in seen)  # monitor.py, log_monitor.py
    assert not any("dashboard.py" in line for line in seen)  # the dashboard's head (its agent is dashboard/agent.py)
    assert niceness and set(niceness.values()) == {os.nice(0)}, niceness
    assert "Token authentication" not in stderr and "SIGTERM" not in stderr
    expected = tmp_path / "local.parquet"
    extract([str(EVALS / "seed")], expected)
    mine = table(out).to_pylist()
    assert len(mine) > 1 and mine == [{**row, "doc": row["doc"].replace(str(EVALS / "seed"), "evals/seed")}
                    for row in table(expected).to_pylist()]


def test_a_one_run_node_leaves_out_what_it_can_and_restores_ray(monkeypatch):
    """Inside ``_one_run_node`` the node's settings say no monitors and give the agents their
    ports (the raylet then does not wait for each agent to report one), and the dashboard's head
    is not started; outside it Ray's own classes are back."""
    pytest.importorskip("ray")
    from ray._private import node, parameter

    from extractor.ray_node import _one_run_node

    plain, api_server = parameter.RayParams, node.Node.start_api_server
    with _one_run_node():
        params = parameter.RayParams()
        assert params.no_monitor and not params.include_log_monitor
        ports = [params.metrics_agent_port, params.metrics_export_port, params.dashboard_agent_listen_port,
                 params.runtime_env_agent_port]
        assert all(port > 0 for port in ports) and len(set(ports)) == 4
        assert parameter.RayParams(runtime_env_agent_port=6500).runtime_env_agent_port == 6500  # a port given stays

        class FakeNode:
            _webui_url = None

        fake = FakeNode()
        node.Node.start_api_server(fake, include_dashboard=False, raise_on_failure=False)
        assert fake._webui_url == ""  # what Ray records when the dashboard is left out
    assert parameter.RayParams is plain and node.Node.start_api_server is api_server


def test_a_ray_named_otherwise_starts_its_node_as_ray_init_does(monkeypatch):
    """A Ray whose node has no ``start_api_server`` and whose settings lack an agent's port: the
    context changes nothing it cannot find (no method added, no port set)."""
    pytest.importorskip("ray")
    from ray._private import node, parameter

    from extractor.ray_node import _one_run_node

    monkeypatch.delattr(node.Node, "start_api_server")

    class OlderParams(parameter.RayParams):  # type: ignore[misc, valid-type]
        def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            super().__init__(*args, **kwargs)
            del self.runtime_env_agent_port

    monkeypatch.setattr(parameter, "RayParams", OlderParams)
    with _one_run_node():
        params = parameter.RayParams()
        assert not hasattr(params, "runtime_env_agent_port") and params.metrics_agent_port > 0
        assert not hasattr(node.Node, "start_api_server")
    assert parameter.RayParams is OlderParams and not hasattr(node.Node, "start_api_server")


def test_ray_processes_started_for_a_run_get_the_one_run_settings_and_not_the_slow_modules(monkeypatch, tmp_path):
    """While a one-run Ray starts, the environment its processes take has Ray's one-run settings
    (a value the user set kept) and a ``PYTHONPATH`` that leads to stand-ins making the slow
    modules Ray never uses fail to import (as if not installed); the environment is given back
    at once, the stand-ins removed with the run. A module that is not installed gets none."""
    import contextlib

    from extractor import ray_node

    monkeypatch.setattr(ray_node, "SLOW_UNUSED_IMPORTS", ("csv", "no_such_module_xxgk"))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    monkeypatch.setenv("RAY_worker_niceness", "5")  # the user's
    monkeypatch.delenv("RAY_enable_metrics_collection", raising=False)
    probe = "try:\n import csv\nexcept ImportError: print('left out')\nelse: print('imported')"
    with contextlib.ExitStack() as run:
        with ray_node._one_run_environment(run):
            folder = os.environ["PYTHONPATH"].split(os.pathsep)[0]
            assert os.environ["PYTHONPATH"] == folder + os.pathsep + str(tmp_path)
            assert sorted(os.listdir(folder)) == ["csv.py"]
            assert os.environ["RAY_enable_metrics_collection"] == "0" and os.environ["RAY_worker_niceness"] == "5"
            started = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
            assert started.stdout.strip() == "left out"
        assert os.environ["PYTHONPATH"] == str(tmp_path) and os.path.isdir(folder)  # the run still needs it
        assert "RAY_enable_metrics_collection" not in os.environ and os.environ["RAY_worker_niceness"] == "5"
    assert not os.path.exists(folder)
    monkeypatch.delenv("PYTHONPATH")
    monkeypatch.delenv("RAY_worker_niceness")
    with contextlib.ExitStack() as run, ray_node._one_run_environment(run):
        assert "PYTHONPATH" in os.environ and os.environ["RAY_worker_niceness"] == "0"
    assert "PYTHONPATH" not in os.environ and "RAY_worker_niceness" not in os.environ
    monkeypatch.setattr(ray_node, "SLOW_UNUSED_IMPORTS", ("no_such_module_xxgk",))
    with contextlib.ExitStack() as run, ray_node._one_run_environment(run):
        assert "PYTHONPATH" not in os.environ
