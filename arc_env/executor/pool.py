"""The executor: a pool of sandboxed worker processes that run ``transform`` programs on tasks.

The parent never runs untrusted code and never builds objects from what a worker sends: results
come back as JSON and are validated here. One dispatcher thread owns every worker: it sends jobs
(about :data:`QUEUED_SECONDS` of work queued per worker, so a worker never waits for the parent),
reads results as they stream in (in batches), enforces each input's hard deadline by killing the
worker's process group (after reading whatever the worker sent in time), and replaces workers that
died, were killed, or retired themselves after a program that changed shared state.
A job cut short resumes on a fresh worker from the input after the one that failed; jobs a worker
held but never started run again elsewhere, charged nothing.
"""

from __future__ import annotations

import collections
import json
import mmap
import operator
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from itertools import chain

from ..error import ExecutorError
from ..grid import DIGIT_TO_COLOUR
from ..task import Task
from . import _wire
from .result import InputResult, ProgramResult, Status

WORKER_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_worker.py")

DEFAULT_PRELOAD = (
    "numpy",
    "scipy",
    "scipy.ndimage",
    "math",
    "cmath",
    "collections",
    "collections.abc",
    "itertools",
    "functools",
    "copy",
    "re",
    "typing",
    "heapq",
    "random",
    "operator",
    "string",
    "statistics",
    "fractions",
    "decimal",
    "dataclasses",
    "enum",
    "bisect",
    "queue",
    "numbers",
    "array",
    "json",
    "sys",
    "time",
)
"""Modules imported by every worker before it runs programs (an import inside a program is then a
dictionary lookup). A program importing anything else makes its worker restart afterwards (so the
module cannot carry state to later programs); standard-library modules seen that way are added to
the preload list of the workers started from then on."""

DEFAULT_ON_DEMAND = ("soar.agents.dsl.primitives",)
"""Modules a worker imports when a program first imports them, before running it, and keeps (no
restart): side-effect-free modules that only some programs use and that would slow every worker's
start. The DSL's primitives (numpy and scipy only) are imported by every DSL program; preloading
them costs each worker about a quarter more start-up time, importing them on demand about 0.1 s
once per worker that sees a DSL program."""

QUEUED_SECONDS = 0.025
"""About how much work each worker holds beyond the job it runs: enough to keep it busy while the
parent is slow to answer (a thread of the parent waits up to 5 ms for the interpreter lock), little
enough that the last jobs of a batch are spread evenly."""
MAX_IN_FLIGHT = 128  # jobs a worker may hold, its current one included: 25 ms of 0.2 ms programs
MIN_IN_FLIGHT = 2  # its current one and one waiting (long programs)
_WORKER_INPUT_CACHE = 4096  # task inputs a worker keeps; past that it starts afresh
_STATUSES = {s.value: s for s in Status}


@dataclass
class ExecutorStats:
    """Counters since the executor started (read them, do not write)."""

    jobs: int = 0
    inputs: int = 0
    timeouts: int = 0
    worker_starts: int = 0
    worker_exits: collections.Counter = field(default_factory=collections.Counter)
    """Why workers were replaced: "timeout", "died", or the state a program changed."""


class _Inputs:
    """A task's inputs as the worker protocol carries them (a key, and the encoded grids), and the
    train outputs a program's outputs are compared with."""

    __slots__ = ("key", "blob", "task_ref", "expected")

    def __init__(self, key: int, blob: bytes, task: Task):
        self.key = key
        self.blob = blob
        self.task_ref = weakref.ref(task)
        self.expected = tuple(_UNEQUAL if p.output is None else p.output for p in task.train)


_UNEQUAL = object()  # an unknown train output: no output equals it (not even a missing one)
_OUTPUT = operator.attrgetter("output")
_SECONDS = operator.attrgetter("seconds")


class _Batch:
    """The results of one :meth:`Executor.run` call, filled in by the dispatcher thread: one
    event for the whole batch instead of a future per job (a future costs the parent several
    microseconds, which matters for programs of a fraction of a millisecond)."""

    __slots__ = ("results", "remaining", "done", "error")

    def __init__(self, size: int) -> None:
        self.results: list[ProgramResult | None] = [None] * size
        self.remaining = size
        self.done = threading.Event()
        self.error: str | None = None

    def deliver(self, slot: int, result: ProgramResult) -> None:
        self.results[slot] = result
        self.remaining -= 1
        if not self.remaining:
            self.done.set()

    def fail(self, message: str) -> None:
        self.error = message
        self.done.set()


class _Job:
    __slots__ = (
        "id",
        "task",
        "program",
        "inputs",
        "results",
        "pending",
        "future",
        "slot",
        "started",
    )

    def __init__(
        self,
        job_id: int,
        task: Task,
        program: str,
        inputs: _Inputs,
        future: Future | _Batch,
        slot: int = 0,
    ):
        self.id = job_id
        self.task = task
        self.program = program
        self.inputs = inputs
        n = len(task.train) + len(task.test)
        self.results: list[InputResult | None] = [None] * n
        self.pending = list(range(n))  # inputs without a result yet, in order
        self.future = future  # where the result goes: a future, or a slot of a batch
        self.slot = slot
        self.started = 0.0

    @property
    def resumed(self) -> bool:
        return len(self.pending) < len(self.results)

    def message(self, worker: _Worker) -> bytes:
        """The job for ``worker`` as JSON: the task's inputs travel only the first time it sees
        them."""
        program = json.dumps(self.program).encode()
        head = b"[%d,%s,%s," % (self.id, program, str(self.pending).encode())
        key = self.inputs.key
        if key in worker.known_inputs:
            return head + b"%d]" % key
        clear = len(worker.known_inputs) >= _WORKER_INPUT_CACHE
        if clear:
            worker.known_inputs.clear()
        worker.known_inputs.add(key)
        return head + b"[%d,%s%s]]" % (key, self.inputs.blob, b",1" if clear else b"")


def _held(worker: _Worker) -> int:
    return len(worker.inflight)


class _Worker:
    __slots__ = (
        "proc",
        "job_fd",
        "result_fd",
        "tmpdir",
        "frames",
        "outbox",
        "inflight",
        "ready",
        "retiring",
        "left",
        "timed_out",
        "last_activity",
        "pid",
        "progress",
        "known_inputs",
    )

    def __init__(self, proc: subprocess.Popen, job_fd: int, result_fd: int, tmpdir: str, progress):
        self.proc = proc
        self.progress = progress  # (job id, input index) the worker is running, shared memory
        self.known_inputs: set[int] = set()  # keys of the task inputs this worker holds
        self.pid = proc.pid
        self.job_fd = job_fd
        self.result_fd = result_fd
        self.tmpdir = tmpdir
        self.frames = _wire.FrameBuffer()
        self.outbox = bytearray()
        self.inflight: collections.deque[_Job] = collections.deque()
        self.ready = False
        self.retiring = False  # no new jobs: it is leaving or being killed
        self.left = False  # it said it exits after the job it reported last (see _handle)
        self.timed_out = False
        self.last_activity = time.monotonic()


class Executor:
    """Runs untrusted ARC programs on tasks in a pool of sandboxed worker processes.

    Args:
        workers: number of worker processes (default: the CPU cores this process may use).
        timeout: seconds allowed per input (loading the program shares the first input's time).
            A program still running then is interrupted; one that ignores the interruption is
            killed with its worker at ``timeout * 1.5 + 0.5`` seconds.
        memory_mb: memory each program may allocate on top of a worker's baseline, enforced as an
            address-space limit (default 1024). ``None`` disables the cap.
        sandbox: apply the kernel sandbox in workers (Landlock, seccomp, capabilities; see
            ``soar.arc_env.executor._sandbox``). On by default; where the kernel lacks a layer, the
            executor still runs and :attr:`isolation` says what is missing.
        preload: modules every worker imports before running programs.
        import_on_demand: modules a worker imports, outside any time limit, when a program first
            imports them (or a package above them), and keeps: no restart for such an import.
            Only for modules whose import has no side effects.

    Use as a context manager, or call :meth:`close`. ``submit``/``submit_many`` return futures
    (results stream while the caller prepares the next batch); :meth:`run` blocks.
    """

    def __init__(
        self,
        workers: int | None = None,
        *,
        timeout: float = 1.0,
        memory_mb: int | None = 1024,
        sandbox: bool = True,
        preload: Sequence[str] = DEFAULT_PRELOAD,
        import_on_demand: Sequence[str] = DEFAULT_ON_DEMAND,
    ) -> None:
        if workers is not None and workers < 1:
            raise ValueError(f"workers: expected at least 1, got {workers}")
        if not timeout > 0:
            raise ValueError(f"timeout: expected a positive number of seconds, got {timeout}")
        if memory_mb is not None and memory_mb < 16:
            raise ValueError(
                f"memory_mb: expected at least 16 (or None for no cap), got {memory_mb}"
            )
        self.num_workers = workers or usable_cores()
        self.timeout = float(timeout)
        self.kill_after = self.timeout * 1.5 + 0.5
        self.memory_mb = memory_mb
        self.sandbox = sandbox
        self._preload = list(preload)
        self._on_demand = list(import_on_demand)
        self.stats = ExecutorStats()
        self._job_seconds = 0.01  # the mean worker time per job so far (a guess to start with)
        self._lock = threading.Lock()
        self._queue: collections.deque[_Job] = collections.deque()
        self._next_id = 0
        self._next_key = 0
        self._inputs: dict[int, _Inputs] = {}  # by id() of the task object
        self._grid_cache = _GridCache()
        self._closing = False
        self._fatal: str | None = None
        self._isolation: tuple[list[str], list[str]] | None = None
        self._first_ready = threading.Event()
        self._failed_starts = 0
        self._workers: dict[int, _Worker] = {}
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._selector.register(self._wake_r, selectors.EVENT_READ, None)
        remove_stale_dirs()
        self._thread = threading.Thread(target=self._run_loop, name="arc-executor", daemon=True)
        self._thread.start()

    # ----------------------------------------------------------------------------- public API

    def submit(self, task: Task, program: str) -> Future[ProgramResult]:
        """Queue one program on one task; the future resolves to its :class:`ProgramResult`."""
        return self.submit_many([(task, program)])[0]

    def submit_many(self, jobs: Iterable[tuple[Task, str]]) -> list[Future[ProgramResult]]:
        """Queue many (task, program) jobs at once; one future per job, in order."""
        return self._enqueue(jobs, None)

    def run(self, jobs: Iterable[tuple[Task, str]]) -> list[ProgramResult]:
        """Run (task, program) jobs and return their results in the same order."""
        jobs = list(jobs)
        if not jobs:
            return []
        batch = _Batch(len(jobs))
        self._enqueue(jobs, batch)
        batch.done.wait()
        if batch.error is not None:
            raise ExecutorError(batch.error)
        return batch.results  # type: ignore[return-value]

    def _enqueue(
        self, jobs: Iterable[tuple[Task, str]], batch: _Batch | None
    ) -> list[Future[ProgramResult]]:
        """Queue jobs whose results go to ``batch``, or to new futures (returned)."""
        prepared = []
        for task, program in jobs:
            if not isinstance(program, str):
                raise TypeError(
                    f"program: expected source code as str, got {type(program).__name__}"
                )
            prepared.append((task, program, self._inputs_of(task)))
        futures = []
        with self._lock:
            if self._closing:
                raise ExecutorError("the executor is closed")
            if self._fatal:
                raise ExecutorError(self._fatal)
            for slot, (task, program, inputs) in enumerate(prepared):
                target: Future[ProgramResult] | _Batch
                if batch is None:
                    target = Future()
                    target.set_running_or_notify_cancel()
                    futures.append(target)
                else:
                    target = batch
                self._queue.append(_Job(self._next_id, task, program, inputs, target, slot))
                self._next_id += 1
        self._wake()
        return futures

    @property
    def isolation(self) -> dict[str, list[str]]:
        """Sandbox layers active in the workers and what could not be applied (waits for one)."""
        if not self._first_ready.wait(timeout=120):
            raise ExecutorError(self._fatal or "no executor worker became ready within 120 s")
        if self._isolation is None:
            raise ExecutorError(self._fatal or "executor workers failed to start")
        active, problems = self._isolation
        return {"active": list(active), "missing": list(problems)}

    def close(self) -> None:
        """Finish every queued job, then stop the workers. Idempotent.

        An executor that is never closed keeps its workers until the process exits (they are
        killed then, with the dispatcher thread that started them).
        """
        with self._lock:
            first = not self._closing
            self._closing = True
        if first:
            self._wake()
        if threading.current_thread() is not self._thread:
            self._thread.join()
            if first:
                os.close(self._wake_r)
                os.close(self._wake_w)

    def __copy__(self) -> Executor:
        return self

    def __deepcopy__(self, memo: dict) -> Executor:
        """An executor is a handle on running processes: copies share it (Gymnasium deep-copies
        an environment's constructor arguments, which may hold one)."""
        return self

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------------------ internals

    def _wake(self) -> None:
        try:
            os.write(self._wake_w, b"x")
        except BlockingIOError:  # already awake
            pass

    def _inputs_of(self, task: Task) -> _Inputs:
        cached = self._inputs.get(id(task))
        if cached is not None and cached.task_ref() is task:
            return cached
        grids = [[list(row) for row in pair.input] for pair in chain(task.train, task.test)]
        blob = json.dumps(grids, separators=(",", ":")).encode()
        if len(self._inputs) > 50_000:
            self._inputs = {k: v for k, v in self._inputs.items() if v.task_ref() is not None}
        self._next_key += 1
        inputs = self._inputs[id(task)] = _Inputs(self._next_key, blob, task)
        return inputs

    def _spawn(self) -> None:
        tmpdir = tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-")
        job_r, job_w = os.pipe()
        result_r, result_w = os.pipe()
        progress_fd = _shared_page()
        progress = memoryview(mmap.mmap(progress_fd, 16)).cast("q")
        progress[0] = progress[1] = -1  # no job started yet
        config = {
            "job_fd": job_r,
            "result_fd": result_w,
            "progress_fd": progress_fd,
            "tmpdir": tmpdir,
            "timeout": self.timeout,
            "memory_mb": self.memory_mb,
            "sandbox": self.sandbox,
            "preload": self._preload,
            "on_demand": self._on_demand,
        }
        env = dict(os.environ)
        env.update(
            OMP_NUM_THREADS="1",
            OPENBLAS_NUM_THREADS="1",
            MKL_NUM_THREADS="1",
            NUMEXPR_NUM_THREADS="1",
            PYTHONHASHSEED="0",
            PYTHONDONTWRITEBYTECODE="1",
        )
        try:
            proc = subprocess.Popen(
                [sys.executable, "-B", WORKER_SCRIPT, json.dumps(config)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                pass_fds=(job_r, result_w, progress_fd),
                start_new_session=True,
                cwd=tmpdir,
                env=env,
            )
        except OSError as e:
            for fd in (job_r, job_w, result_r, result_w, progress_fd):
                os.close(fd)
            shutil.rmtree(tmpdir, ignore_errors=True)
            self._fail_all(f"cannot start an executor worker: {e}")
            return
        os.close(job_r)
        os.close(result_w)
        os.close(progress_fd)
        os.set_blocking(job_w, False)
        os.set_blocking(result_r, False)
        worker = _Worker(proc, job_w, result_r, tmpdir, progress)
        self._workers[result_r] = worker
        self._selector.register(result_r, selectors.EVENT_READ, worker)
        self.stats.worker_starts += 1

    def _run_loop(self) -> None:
        try:
            for _ in range(self.num_workers):
                self._spawn()
            while True:
                self._dispatch()
                with self._lock:
                    idle = not self._queue and not any(w.inflight for w in self._workers.values())
                    if self._closing and (idle or self._fatal):
                        break
                for key, mask in self._selector.select(self._select_timeout()):
                    if key.data is None:
                        try:
                            while os.read(self._wake_r, 4096):
                                pass
                        except BlockingIOError:
                            pass
                    elif mask & selectors.EVENT_WRITE:
                        self._flush(key.data)
                    else:
                        self._receive(key.data)
                self._enforce_deadlines()
        except BaseException as e:  # never leave futures hanging
            self._fail_all(f"executor dispatcher crashed: {type(e).__name__}: {e}")
            raise
        finally:
            self._shutdown_workers()

    def _select_timeout(self) -> float | None:
        busy = [w.last_activity for w in self._workers.values() if w.inflight and w.ready]
        if not busy:
            return 1.0
        return max(0.0, min(busy) + self.kill_after - time.monotonic())

    def _dispatch(self) -> None:
        """Give every idle worker a job, then more ahead, each job to the worker holding fewest (so
        one slow program never holds a queued job while another worker is free), up to
        :meth:`_in_flight` jobs per worker."""
        with self._lock:
            if not self._queue:
                return
            live = [w for w in self._workers.values() if not w.retiring]
            workers = [w for w in live if w.ready]
            # send ahead only when no worker is starting (the idle ones get a job first)
            most = self._in_flight() if len(workers) == len(live) else 1
            # a job resumed after a kill is likely slow: queue nothing behind it
            takers = [w for w in workers if not (w.inflight and w.inflight[-1].resumed)]
            sending: dict[_Worker, list[bytes]] = {w: [] for w in takers}
            now = time.monotonic()
            while self._queue and takers:
                worker = min(takers, key=_held)  # the first of those holding fewest
                if len(worker.inflight) >= most:
                    break
                job = self._queue.popleft()
                if not worker.inflight:
                    worker.last_activity = now
                if not job.started:
                    job.started = now
                worker.inflight.append(job)
                sending[worker].append(job.message(worker))
                if job.resumed:
                    takers.remove(worker)
        for worker, messages in sending.items():
            if messages:
                worker.outbox += _wire.frame(messages)
                self._flush(worker)

    def _in_flight(self) -> int:
        """Jobs each worker may hold: about :data:`QUEUED_SECONDS` of work at the recent mean
        time per job, within :data:`MIN_IN_FLIGHT`..:data:`MAX_IN_FLIGHT`."""
        waiting = int(QUEUED_SECONDS / max(self._job_seconds, 1e-4))
        return max(MIN_IN_FLIGHT, min(MAX_IN_FLIGHT, 1 + waiting))

    def _flush(self, worker: _Worker) -> None:
        if worker.outbox:
            try:
                sent = os.write(worker.job_fd, worker.outbox)
                del worker.outbox[:sent]
            except BlockingIOError:
                pass
            except OSError:  # the worker is gone; its exit is handled when its results pipe closes
                worker.outbox.clear()
        if worker.outbox:
            self._register_write(worker)
        else:
            self._unregister_write(worker)

    def _register_write(self, worker: _Worker) -> None:
        try:
            self._selector.register(worker.job_fd, selectors.EVENT_WRITE, worker)
        except KeyError:
            pass

    def _unregister_write(self, worker: _Worker) -> None:
        try:
            self._selector.unregister(worker.job_fd)
        except KeyError:
            pass

    def _receive(self, worker: _Worker) -> bool:
        """Read and handle what the worker sent; whether there was anything (more may follow)."""
        try:
            data = os.read(worker.result_fd, 1 << 20)
        except BlockingIOError:
            return False
        except OSError:
            data = b""
        if not data:
            self._retire(worker)
            return False
        try:
            for body in worker.frames.feed(data):
                for message in json.loads(body):
                    self._handle(worker, message)
        except (ValueError, TypeError, IndexError, KeyError) as e:
            self._kill(worker)
            worker.retiring = True
            self.stats.worker_exits[f"protocol violation: {e}"] += 1
        return True

    def _drain(self, worker: _Worker) -> bool:
        """Handle everything the worker has sent so far (before judging it: this thread may have
        been kept from reading); whether the worker is still there."""
        while self._receive(worker):
            pass
        return self._workers.get(worker.result_fd) is worker

    def _handle(self, worker: _Worker, message: list) -> None:
        now = time.monotonic()
        worker.last_activity = now
        if message[0] == "ready":
            worker.ready = True
            self._failed_starts = 0
            if self._isolation is None:
                self._isolation = (list(message[2]), list(message[3]))
                self._first_ready.set()
            return
        if message[0] == "fatal":
            self._fatal = f"executor worker failed to start: {message[1]}"
            return
        job_id, final, results, taint = message
        job = worker.inflight[0] if worker.inflight else None
        if job is None or job.id != job_id:
            raise ValueError(f"results for job {job_id}, expected job {job and job.id}")
        for index, status, output, text, seconds in results:
            if job.results[index] is not None:
                raise ValueError(f"a second result for input {index}")
            status = _STATUSES[status]
            grid = self._grid_cache.parse(output) if status is Status.OK else None
            if status is Status.OK and grid is None:
                status, text = Status.INVALID_OUTPUT, "the worker returned a malformed grid"
            job.results[index] = InputResult(status, grid, str(text)[:1000], float(seconds))
        self.stats.inputs += len(results)
        job.pending = [i for i in job.pending if job.results[i] is None]
        if not final:
            return
        if job.pending:
            raise ValueError(f"job {job_id} finished without results for inputs {job.pending}")
        worker.inflight.popleft()
        if taint is not None:
            # the worker exits now, before starting any job it holds: they will run elsewhere
            worker.retiring = worker.left = True
            reason = str(taint)
            self.stats.worker_exits[reason[:200]] += 1
            self._learn_imports(reason)
        self._finish(job)

    def _learn_imports(self, reason: str) -> None:
        if reason.startswith("imported "):
            stdlib = getattr(sys, "stdlib_module_names", frozenset())
            for name in reason[len("imported ") :].split(","):
                top = name.split(".")[0]
                learnable = (top in stdlib or top in ("numpy", "scipy")) and not name.startswith(
                    "_"
                )
                if learnable and name not in self._preload and len(self._preload) < 400:
                    self._preload.append(name)

    def _finish(self, job: _Job) -> None:
        expected = job.inputs.expected
        results = job.results
        train = tuple(results[: len(expected)])
        result = ProgramResult(
            task_id=job.task.id,
            program=job.program,
            train=train,  # type: ignore[arg-type]
            test=tuple(results[len(expected) :]),  # type: ignore[arg-type]
            train_correct=tuple(map(operator.eq, map(_OUTPUT, train), expected)),
            seconds=round(time.monotonic() - job.started, 6),
        )
        self.stats.jobs += 1
        spent = sum(map(_SECONDS, results))
        self._job_seconds += 0.02 * (spent - self._job_seconds)  # a moving mean of ~50 jobs
        if type(job.future) is _Batch:
            job.future.deliver(job.slot, result)
        else:
            job.future.set_result(result)

    def _enforce_deadlines(self) -> None:
        now = time.monotonic()
        for worker in list(self._workers.values()):
            if worker.ready and worker.inflight and not worker.timed_out:
                late = now - worker.last_activity > self.kill_after
                # judge only what it sent so far: this thread may have been kept from reading
                if late and self._drain(worker) and now - worker.last_activity > self.kill_after:
                    worker.timed_out = True
                    self._kill(worker)
            elif not worker.ready and now - worker.last_activity > 120:
                self._kill(worker)

    def _kill(self, worker: _Worker) -> None:
        try:
            os.killpg(worker.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            try:
                worker.proc.kill()
            except ProcessLookupError:
                pass

    def _retire(self, worker: _Worker) -> None:
        """The worker's result pipe closed: reap it, settle its jobs, start a replacement."""
        self._selector.unregister(worker.result_fd)
        self._unregister_write(worker)
        del self._workers[worker.result_fd]
        os.close(worker.result_fd)
        os.close(worker.job_fd)
        try:  # a worker that closed its results pipe has nothing left to do: kill it if it lingers
            returncode = worker.proc.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            self._kill(worker)
            returncode = worker.proc.wait()
        self._kill(worker)  # anything left in its process group
        shutil.rmtree(worker.tmpdir, ignore_errors=True)
        if not worker.ready:
            self._failed_starts += 1
            if self._failed_starts >= 3 or self._fatal:
                self._fail_all(self._fatal or f"executor workers exit at start (code {returncode})")
                return
        elif not worker.retiring:
            reason = "timeout" if worker.timed_out else "died"
            self.stats.worker_exits[reason] += 1
        if worker.left:  # it retired itself: what it still holds was never started
            self._requeue(worker.inflight)
        elif worker.inflight:
            self._settle_interrupted(worker, returncode)
        with self._lock:
            closing = self._closing
        if not closing or self._queue:
            self._spawn()

    def _settle_interrupted(self, worker: _Worker, returncode: int) -> None:
        """Record the input that was running when the worker died; requeue everything else.

        The shared progress page names the running (job, input). Jobs sent to the worker before
        it may have finished with their results still held back: they run again elsewhere.
        """
        job_id, index = worker.progress[0], worker.progress[1]
        culprit = next((job for job in worker.inflight if job.id == job_id), None)
        if culprit is None or index not in culprit.pending:
            culprit = worker.inflight[0]  # died before reporting progress: blame the oldest job
            index = culprit.pending[0]
        if worker.timed_out:
            status, text = (
                Status.TIMEOUT,
                f"ran past the timeout and was killed after {self.kill_after:.1f} s",
            )
            self.stats.timeouts += 1
        else:
            status, text = Status.ERROR, _death_message(returncode)
        seconds = round(time.monotonic() - worker.last_activity, 6)
        culprit.results[index] = InputResult(status, None, text, seconds)
        culprit.pending.remove(index)
        self.stats.inputs += 1
        requeue = [job for job in worker.inflight if job.pending]
        if not culprit.pending:
            self._finish(culprit)
        self._requeue(requeue)

    def _requeue(self, jobs: Iterable[_Job]) -> None:
        """Put jobs back at the front of the queue, in order (they resume where they stopped)."""
        with self._lock:
            self._queue.extendleft(reversed(list(jobs)))

    def _fail_all(self, message: str) -> None:
        with self._lock:
            self._fatal = message
            jobs = list(self._queue)
            self._queue.clear()
        for worker in self._workers.values():
            jobs += worker.inflight
            worker.inflight.clear()
        for job in jobs:
            if type(job.future) is _Batch:
                job.future.fail(message)
            elif not job.future.done():
                job.future.set_exception(ExecutorError(message))
        self._first_ready.set()

    def _shutdown_workers(self) -> None:
        for worker in list(self._workers.values()):
            try:
                os.close(worker.job_fd)  # the worker exits at end of file
            except OSError:
                pass
        deadline = time.monotonic() + 2
        for worker in list(self._workers.values()):
            try:
                worker.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            self._kill(worker)
            worker.proc.wait()
            try:
                os.close(worker.result_fd)
            except OSError:
                pass
            shutil.rmtree(worker.tmpdir, ignore_errors=True)
        self._workers.clear()
        self._selector.close()


TMP_PREFIX = "arc-exec-"
"""Workers' temporary directories are ``<tmp>/arc-exec-<pid of the executor's process>-<random>``."""


def remove_stale_dirs(root: str | None = None) -> int:
    """Remove worker directories left by executors whose process died without closing them
    (a SIGKILLed run); the number removed. Directories of live processes are left alone."""
    root = root or tempfile.gettempdir()
    removed = 0
    try:
        names = os.listdir(root)
    except OSError:
        return 0
    for name in names:
        pid_text = name[len(TMP_PREFIX) :].split("-", 1)[0]
        if not (name.startswith(TMP_PREFIX) and pid_text.isdigit()):
            continue
        try:
            os.kill(int(pid_text), 0)
            continue  # the process lives (or a process reuses the pid): keep
        except ProcessLookupError:
            pass
        except (PermissionError, OverflowError):
            continue
        shutil.rmtree(os.path.join(root, name), ignore_errors=True)
        removed += 1
    return removed


def usable_cores() -> int:
    """CPU cores this process may run on (respects affinity masks and batch-scheduler pinning)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def _shared_page() -> int:
    """A file descriptor for 16 bytes of memory the parent and a worker both map."""
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("arc-exec-progress", 0)
    else:  # pragma: no cover - non-Linux
        handle = tempfile.TemporaryFile()  # noqa: SIM115 - only its descriptor is kept
        fd = os.dup(handle.fileno())
        handle.close()
    os.ftruncate(fd, 16)
    return fd


def _death_message(returncode: int) -> str:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        if name == "SIGKILL":
            return "the worker process was killed (SIGKILL), probably for using too much memory"
        return f"the program crashed its worker process ({name})"
    return f"the program ended its worker process (exit code {returncode})"


class _GridCache:
    """Parses workers' packed grids, handing out one shared grid per distinct output.

    Programs often return the same grids (and grids share rows), so a search keeps one copy of
    each instead of one per program: far less memory over millions of programs, and a repeated
    output costs a dictionary lookup instead of a parse. Both tables start afresh when full.
    """

    def __init__(self, max_entries: int = 200_000) -> None:
        self.max_entries = max_entries
        self.grids: dict[tuple[int, str], tuple] = {}
        self.rows: dict[tuple, tuple] = {}

    def parse(self, value: object):
        """A packed grid ``[rows, columns, digits]`` as a tuple of tuples, or None if invalid."""
        if type(value) is not list or len(value) != 3:
            return None
        height, width, digits = value
        if type(width) is not int or type(digits) is not str:
            return None
        grid = self.grids.get((width, digits))
        if grid is not None and len(grid) == height:
            return grid
        if not (
            type(height) is int
            and 1 <= height <= 30
            and 1 <= width <= 30
            and len(digits) == height * width
            and digits.isascii()
            and digits.isdigit()
        ):
            return None
        if len(self.grids) >= self.max_entries:
            self.grids.clear()
        if len(self.rows) >= self.max_entries:
            self.rows.clear()
        cells = iter(digits.encode().translate(DIGIT_TO_COLOUR))
        rows = tuple(zip(*[cells] * width, strict=True))  # width cells at a time, made in C
        shared = self.rows.setdefault  # a row seen before is shared, not kept twice
        grid = self.grids[(width, digits)] = tuple(map(shared, rows, rows))
        return grid
