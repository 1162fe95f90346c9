"""Running a search agent over many tasks at once.

All unfinished tasks advance together. Each step gathers the requests of many tasks, in turn
(round-robin), until ``batch_size`` programs; calls the policy once for all of them; and submits
every valid program to the executor in one go. While that batch executes, the next one is
generated from the tasks that have nothing in flight (a task has at most one batch in flight, so
REX always chooses from observed results). When the older batch has finished, each task's nodes
are logged (as soon as that task's programs are done) and handed to the agent.

Batches are composed from the log alone: which tasks are ready when the next batch is built never
depends on how fast programs ran, so a run is repeatable for a seed (given a repeatable policy).

Resuming is running again on the same run directory: each task starts from its logged nodes
(a partly written last line is cut away), node ids continue after them, and budgets count every
node, so a resumed run ends with exactly the nodes an uninterrupted one would have. A task's log
is appended to while it runs and made columnar (Parquet) as it finishes (see
:meth:`~soar.agents.runs.rundir.RunDir.finish_task`).

Memory: with ``max_tasks``, only that many unfinished tasks are searched at a time (the next ones
in order start as tasks finish, after each batch is logged, so the order is repeatable too), and
with ``keep_nodes=False`` a finished task's nodes are let go (they are in its log). Memory then
stays that of ``max_tasks`` tasks, whatever the number of tasks: millions of programs fit.
"""

from __future__ import annotations

import collections
import hashlib
import itertools
import queue
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from soar.arc_env import Executor, ProgramResult, Task

from ..policy import Completion, Policy
from .agent import AgentRequest, SearchAgent, TaskState
from .node import Node

if TYPE_CHECKING:
    from soar.agents.runs.rundir import RunDir


PREPARE_AHEAD = 1024
"""How many waiting tasks (past the unfinished ones) the policy hears of (:meth:`Policy.prepare`)."""


@dataclass(frozen=True)
class SearchProgress:
    """Counters passed to the ``progress`` callback of :func:`run_search`."""

    tasks: int
    tasks_finished: int
    tasks_solved: int
    """Tasks with at least one program right on every train pair."""
    programs: int
    """Programs (nodes) in the logs, those of a resumed run included."""
    programs_budget: int
    """Upper bound on ``programs``: tasks × the agent's budget per task."""
    new_programs: int
    """Programs produced by this call."""
    programs_per_second: float
    """``new_programs`` per second of this call."""


ProgressCallback = Callable[[SearchProgress], None]
"""Called after every task's batch is logged (and once at the start), e.g. to move a tqdm bar."""


FinishCallback = Callable[[Task, list[Node]], None]
"""Called once per task as it finishes (or is found finished in the log), with the public task and
all its nodes, e.g. to vote while the nodes are still in memory."""


class _Finishing:
    """Makes finished tasks' logs columnar (:meth:`RunDir.finish_task`) in a thread of its own,
    so that the search never waits for it (writing Parquet releases the GIL, and the main thread
    often waits for programs). A task takes milliseconds, so few wait at a time; at most the
    tasks that finished together (``max_tasks`` or fewer) when many finish at once, at the end of
    a search. :meth:`close` waits for all and raises the first error."""

    def __init__(self, rundir: RunDir) -> None:
        self.rundir = rundir
        self.pool: ThreadPoolExecutor | None = None
        self.pending: collections.deque[Future[bool]] = collections.deque()

    def submit(self, task_id: str, nodes: list[Node]) -> None:
        if self.pool is None:
            self.pool = ThreadPoolExecutor(1, thread_name_prefix="soar-finish")
        while self.pending and self.pending[0].done():
            self.pending.popleft().result()  # an error stops the search now
        self.pending.append(self.pool.submit(self.rundir.finish_task, task_id, nodes))

    def close(self) -> None:
        try:
            while self.pending:
                self.pending.popleft().result()
        finally:
            if self.pool is not None:
                self.pool.shutdown(wait=True)
                self.pool = None


def task_rng(seed: int, task_id: str, n_nodes: int) -> np.random.Generator:
    """The randomness of one task's step: a function of the seed, the task and its node count."""
    key = int.from_bytes(hashlib.sha256(task_id.encode()).digest()[:8], "little")
    return np.random.default_rng([seed, key, n_nodes])


@dataclass(eq=False)
class _TaskRun:
    task: Task  # the public form: what agents, policies and the executor see
    state: TaskState | None = None  # None until started, and once let go
    nodes: list[Node] = field(default_factory=list)
    count: int = 0  # nodes logged (kept when the nodes are let go)
    finished: bool = False
    busy: bool = False
    solved: bool = False


@dataclass(eq=False)
class _Part:
    """One task's share of a batch."""

    run: _TaskRun
    asks: list[AgentRequest]
    completions: list[list[Completion]] = field(default_factory=list)
    futures: list[Future[ProgramResult]] = field(default_factory=list)
    pending: int = 0


@dataclass(eq=False)
class _Batch:
    parts: list[_Part]
    seconds_per_program: float = 0.0
    done: queue.SimpleQueue[_Part] = field(default_factory=queue.SimpleQueue)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Search:
    def __init__(
        self, runs, agent, policy, executor, rundir, batch_size, keep, seed, progress, window
    ):
        self.runs: list[_TaskRun] = runs
        self.window: int | None = window  # max_tasks
        self.keep_nodes = True
        self.on_finish: FinishCallback | None = None
        self.waiting: collections.deque[_TaskRun] = collections.deque(runs)
        self.active: list[_TaskRun] = []
        self.agent: SearchAgent = agent
        self.policy: Policy = policy
        self.executor: Executor = executor
        self.rundir: RunDir = rundir
        self.batch_size: int = batch_size
        self.keep = keep
        self.seed = seed
        self.progress: ProgressCallback | None = progress
        self.cursor = 0
        self.started = time.perf_counter()
        self.new_programs = 0
        self.finishing = _Finishing(rundir)

    def start(self, run: _TaskRun) -> None:
        """Read the task's log and let the agent take it from there."""
        task, rundir, agent = run.task, self.rundir, self.agent
        nodes = rundir.read_nodes(task.id, repair=True)
        ids = [node.node_id for node in nodes]
        if ids != list(range(len(nodes))) or any(node.task_id != task.id for node in nodes):
            raise ValueError(
                f"{rundir.node_path(task.id)}: expected nodes of task {task.id} numbered "
                f"0..{len(nodes) - 1} in order, found ids {ids[:5]}..."
            )
        run.state = agent.start(task, nodes)
        run.nodes, run.count = list(nodes), len(nodes)
        run.solved = any(node.all_train_correct for node in nodes)
        run.finished = agent.finished(run.state)
        if run.finished:
            self.let_go(run)

    def let_go(self, run: _TaskRun) -> None:
        """The task is finished: have its log made columnar, tell ``on_finish``, then forget its
        nodes unless kept."""
        self.finishing.submit(run.task.id, run.nodes)
        if self.on_finish is not None:
            self.on_finish(run.task, run.nodes)
        if not self.keep_nodes:
            run.nodes, run.state = [], None

    def refill(self) -> None:
        """Start waiting tasks, in task order, until ``max_tasks`` are unfinished (without a
        limit: all of them, finished ones kept in place, so the turn order never changes)."""
        if self.window is not None:
            self.active = [run for run in self.active if not run.finished]
        while self.waiting and (self.window is None or len(self.active) < self.window):
            run = self.waiting.popleft()
            self.start(run)
            if self.window is None or not run.finished:
                self.active.append(run)
        upcoming = [run.task for run in self.active if not run.finished]
        upcoming += [run.task for run in itertools.islice(self.waiting, PREPARE_AHEAD)]
        self.policy.prepare(upcoming, self.agent.config.programs)

    def loop(self) -> None:
        inflight: collections.deque[_Batch] = collections.deque()
        try:
            while True:
                batch = self.generate()
                if batch is not None:
                    inflight.append(batch)
                if len(inflight) == 2 or (batch is None and inflight):
                    self.harvest(inflight.popleft())
                elif batch is None:
                    return
        except Exception:
            for batch in inflight:  # keep what was already generated, then report the error
                try:
                    self.harvest(batch)
                except Exception:
                    break
            raise

    def generate(self) -> _Batch | None:
        """Gather requests from ready tasks, in turn, generate them and submit the programs."""
        parts, space, n, start = [], self.batch_size, len(self.active), self.cursor
        for offset in range(n):
            if space == 0:
                break
            index = (start + offset) % n
            run = self.active[index]
            if run.finished or run.busy:
                continue
            assert run.state is not None
            rng = task_rng(self.seed, run.task.id, run.count)
            asks = self.agent.requests(run.state, space, rng)
            space -= self.check(run, asks, space)
            run.busy = True
            parts.append(_Part(run, asks))
            self.cursor = (index + 1) % n
        if not parts:
            return None
        requests = [ask.request for part in parts for ask in part.asks]
        start = time.perf_counter()
        answers = self.policy.generate(requests)
        seconds = time.perf_counter() - start
        if len(answers) != len(requests):
            raise RuntimeError(
                f"{type(self.policy).__name__}.generate returned {len(answers)} answer lists "
                f"for {len(requests)} requests"
            )
        batch = _Batch(parts, seconds / (self.batch_size - space))
        jobs, owners = [], []
        position = 0
        for part in parts:
            part.completions = answers[position : position + len(part.asks)]
            position += len(part.asks)
            for ask, completions in zip(part.asks, part.completions, strict=True):
                if len(completions) != ask.n:
                    raise RuntimeError(
                        f"the policy returned {len(completions)} completions for a request of "
                        f"{ask.n} (task {part.run.task.id})"
                    )
                for completion in completions:
                    if completion.valid:
                        jobs.append((part.run.task, completion.program))
                        owners.append(part)
        futures = self.executor.submit_many(jobs) if jobs else []
        for part, future in zip(owners, futures, strict=True):
            part.futures.append(future)
        for part in parts:
            part.pending = len(part.futures)
            if not part.futures:
                batch.done.put(part)
            for future in part.futures:
                future.add_done_callback(lambda _, p=part: self._one_done(batch, p))
        return batch

    @staticmethod
    def _one_done(batch: _Batch, part: _Part) -> None:
        with batch.lock:
            part.pending -= 1
            complete = part.pending == 0
        if complete:
            batch.done.put(part)

    def check(self, run: _TaskRun, asks: list[AgentRequest], space: int) -> int:
        """Hold the agent to its contract; the number of programs asked for."""
        name = f"agent {type(self.agent).__name__} on task {run.task.id}"
        total = sum(ask.n for ask in asks)
        if total < 1:
            raise RuntimeError(f"{name}: asked for no program although the task is not finished")
        limit = min(space, self.agent.remaining(run.state))
        if total > limit:
            raise RuntimeError(
                f"{name}: asked for {total} programs, expected at most {limit} (the space left in "
                f"the batch, and the task's remaining budget)"
            )
        for ask in asks:
            task = ask.request.task
            if task.id != run.task.id or any(pair.output is not None for pair in task.test):
                raise RuntimeError(f"{name}: requests must carry the task's public form")
            if ask.parent_id is not None and not 0 <= ask.parent_id < run.count:
                raise RuntimeError(f"{name}: refines node {ask.parent_id}, which does not exist")
        return total

    def harvest(self, batch: _Batch) -> None:
        """Log and record each task's nodes as soon as its programs are done."""
        for _ in batch.parts:
            part = batch.done.get()
            run = part.run
            results = iter(part.futures)
            nodes = []
            for ask, completions in zip(part.asks, part.completions, strict=True):
                for completion in completions:
                    result = next(results).result() if completion.valid else None
                    nodes.append(
                        Node.build(
                            run.task.id,
                            run.count + len(nodes),
                            completion,
                            result,
                            kind=ask.kind,
                            parent_id=ask.parent_id,
                            island=ask.island,
                            keep_completion=self.keep,
                            generate_seconds=batch.seconds_per_program,
                            created=time.time(),
                        )
                    )
            self.rundir.append_nodes(run.task.id, nodes)
            run.nodes.extend(nodes)
            run.count += len(nodes)
            assert run.state is not None
            self.agent.record(run.state, nodes)
            self.new_programs += len(nodes)
            run.solved = run.solved or any(node.all_train_correct for node in nodes)
            run.finished = self.agent.finished(run.state)
            run.busy = False
            if run.finished:
                self.let_go(run)
            self.report()
        if self.window is not None:
            self.refill()

    def report(self) -> None:
        if self.progress is None:
            return
        elapsed = time.perf_counter() - self.started
        self.progress(
            SearchProgress(
                tasks=len(self.runs),
                tasks_finished=sum(run.finished for run in self.runs),
                tasks_solved=sum(run.solved for run in self.runs),
                programs=sum(run.count for run in self.runs),
                programs_budget=len(self.runs) * self.agent.config.programs,
                new_programs=self.new_programs,
                programs_per_second=self.new_programs / elapsed if elapsed > 0 else 0.0,
            )
        )


def run_search(
    tasks: Iterable[Task],
    agent: SearchAgent,
    policy: Policy,
    executor: Executor,
    run: RunDir,
    *,
    batch_size: int = 1024,
    keep_completions: bool = True,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    max_tasks: int | None = None,
    keep_nodes: bool = True,
    on_finish: FinishCallback | None = None,
) -> dict[str, list[Node]]:
    """Search every task with ``agent``, logging each program tried to ``run``.

    Tasks with nodes in ``run`` continue from them (resume); tasks already finished are left as
    they are.

    Args:
        tasks: the tasks (their test outputs, if known, never reach the agent or the policy).
        agent: the search strategy (see :func:`~soar.agents.search.registry.make_agent`).
        policy: writes the programs.
        executor: runs them.
        run: the run directory whose node logs are read and appended to.
        batch_size: the most programs asked of the policy in one generate call.
        keep_completions: keep each completion's full text in the log (not only the program).
        seed: makes the agent's random choices repeatable.
        progress: called with :class:`SearchProgress` counters as the search advances.
        max_tasks: the most unfinished tasks searched at a time (None: all); the rest wait
            their turn, in order. A few times ``batch_size`` / the agent's width keeps batches
            full.
        keep_nodes: keep every task's nodes in memory to return them; with False a finished
            task's nodes are let go (read them from ``run``) and the lists returned are empty.
        on_finish: called with each task and its nodes as it finishes (see
            :data:`FinishCallback`).

    Returns:
        Every task's nodes (logged before and now), in node-id order, by task id.
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size: expected a number of programs >= 1, got {batch_size!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed: expected an integer >= 0, got {seed!r}")
    if max_tasks is not None and (
        isinstance(max_tasks, bool) or not isinstance(max_tasks, int) or max_tasks < 1
    ):
        raise ValueError(f"max_tasks: expected a number of tasks >= 1 or None, got {max_tasks!r}")
    runs: list[_TaskRun] = []
    ids: set[str] = set()
    for task in tasks:
        if task.id in ids:
            raise ValueError(f"tasks: expected distinct task ids, got {task.id!r} twice")
        ids.add(task.id)
        runs.append(_TaskRun(task.public()))
    search = _Search(
        runs, agent, policy, executor, run, batch_size, keep_completions, seed, progress, max_tasks
    )
    search.keep_nodes = keep_nodes
    search.on_finish = on_finish
    try:
        search.refill()
        search.report()
        search.loop()
    finally:
        search.finishing.close()  # every finished task's log columnar before returning
    return {r.task.id: r.nodes for r in runs}
