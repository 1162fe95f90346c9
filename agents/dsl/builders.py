"""Building each task's enumeration, here or ahead of time in processes of its own.

A :class:`~soar.agents.dsl.policy.DSLPolicy` gives a task's programs from its
:class:`~soar.agents.dsl.enumeration.Enumeration`: the one-step programs run once on the task's
inputs, the first 2,000 programs screened on its train pairs, the fits under earlier grammars, the
background swap, the learned rules, a rule after a one-step prefix where nothing else fits
(:func:`build_enumeration`). That is most of the policy's work, about half a second a task, and
it depends on nothing but the grammar and the task. Built in the search's own process it holds
up the search: while the policy builds, no new programs reach the executor's workers.
:class:`Builders` builds the enumerations of the tasks the search will ask about next in other
processes, in the order the search starts them, and hands each over (a pickle: the walk's arrays
and the programs found, without the screening's grids) when the search first asks for the task.
What a policy gives is the same either way.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
import types
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from soar.arc_env.executor.pool import usable_cores

from .background import background_fits
from .enumeration import Enumeration
from .grammar import Grammar
from .object_rules import object_rule_programs, stamp_rule_programs
from .program import Steps
from .rules import prefix_rule_program, rule_program

log = logging.getLogger(__name__)

LOOKAHEAD = 64
"""How many of the tasks the search will ask about next are built (or queued) at a time."""
PARENT_CHECK_SECONDS = 1.0
"""How often a builder process checks that the process that started it is still there."""


@dataclass(frozen=True)
class BuildSettings:
    """What goes into a task's enumeration (the :class:`~soar.agents.dsl.policy.DSLPolicy`
    keywords of the same names)."""

    distinct: bool = True
    pairs: int = 20_000
    screen: int = 2_000
    background: bool = True
    rules: bool = True
    deep_screen: int = 12_000
    deep_prefixes: int = 20


def build_enumeration(
    grammar: Grammar,
    others: Sequence[Grammar],
    task: Any,
    settings: BuildSettings,
    deep: bool | None = None,
) -> Enumeration:
    """A task's enumeration: screened, with the programs that fit under the ``others`` grammars,
    under the background swap and the learned rules given first.

    Args:
        grammar: the policy's grammar.
        others: the grammars whose screened fits are given too (earlier rounds', the built-in).
        task: the public task.
        settings: what to screen and learn.
        deep: True: screen deeper now (:meth:`~soar.agents.dsl.enumeration.Enumeration.
            prepare_deep`), to be given when the policy reaches that point; False: the search
            will not reach it (the grids are let go); None: keep the grids, to screen deeper
            when asked.
    """
    s = settings
    screening = s.distinct and s.screen > 0
    outputs: dict = {}  # one-step outputs, run once for every grammar's screening
    shared = outputs if screening and others else None
    drawer = grammar.drawer(task)
    built = Enumeration(
        grammar, drawer, task if s.distinct else None, s.pairs, s.screen, one_step_outputs=shared
    )
    if shared is not None:
        known, found = set(built.fits), []
        for other in others:
            their = Enumeration(other, other.drawer(task), task, s.pairs, s.screen, shared).fits
            for steps in their:
                if steps not in known:
                    known.add(steps)
                    found.append(steps)
        built.give_first(found)
    if screening and s.background and not built.fits:
        built.give_first(background_fits(grammar, task, s.screen, s.pairs))
    if s.rules:
        cell = rule_program(task)
        learned: list[Steps] = object_rule_programs(task) + stamp_rule_programs(task)
        prefixed = None
        if not (cell or learned or built.fits) and built.outputs:
            prefixed = prefix_rule_program(task, built.outputs)
        built.give_first(([cell] if cell else []) + learned)
        built.give_next([prefixed] if prefixed else [])
    if deep is not None:
        built.prepare_deep(s.deep_screen if deep else 0, s.deep_prefixes if deep else 0)
    return built


_KEPT: tuple[Grammar, tuple[Grammar, ...], BuildSettings] | None = None
"""In a builder process: what every build there uses (sent once, when it starts)."""


def _start_builder(
    parent: int, grammar: Grammar, others: tuple[Grammar, ...], settings: BuildSettings
) -> None:
    global _KEPT
    _KEPT = (grammar, others, settings)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as it started (see _starting_builders)
    threading.Thread(target=_end_with, args=(parent,), daemon=True).start()


def _end_with(parent: int) -> None:
    """End this builder once its parent (process id ``parent``, perhaps gone before this one
    started) is gone, killed say: a builder waiting to hand over a build would otherwise wait
    for ever (it holds the reading end of the queue too)."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)


def _build(task: Any, deep: bool) -> Enumeration:
    assert _KEPT is not None, "a builder process starts with _start_builder"
    grammar, others, settings = _KEPT
    return build_enumeration(grammar, others, task, settings, deep)


@contextlib.contextmanager
def _starting_builders() -> Iterator[None]:
    """Processes started here do not run the parent's ``__main__`` again: a spawned process
    imports the main script unless told otherwise, and a script without an ``if __name__ ==
    "__main__"`` guard (or one read from standard input, or a notebook) would start a search
    there or die. Builders need nothing from it: they only run soar's own code. They also start
    with Ctrl-C ignored (a signal ignored at ``exec`` stays ignored, and Python then installs no
    handler of its own): one pressed while a builder still imports would kill it half started,
    and the search, which handles Ctrl-C, stops its builders itself."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    here = threading.current_thread() is threading.main_thread()  # signals are set from it only
    interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN) if here else None
    try:
        yield
    finally:
        sys.modules["__main__"] = main
        if here:
            signal.signal(signal.SIGINT, interrupt)


def default_builders() -> int:
    """Builder processes by default: one per usable core, as the executor has workers (a
    builder waits once it is :data:`LOOKAHEAD` tasks ahead, so the two share the cores as the
    work needs)."""
    return usable_cores()


class Builders:
    """Builds enumerations in ``workers`` processes, :data:`LOOKAHEAD` tasks ahead.

    Args:
        grammar, others, settings: as :func:`build_enumeration` takes them.
        workers: builder processes (started with the first :meth:`plan`).
        lookahead: how many of the upcoming tasks are built or queued at a time (at least two
            a worker).
    """

    def __init__(
        self,
        grammar: Grammar,
        others: Sequence[Grammar],
        settings: BuildSettings,
        workers: int,
        lookahead: int = LOOKAHEAD,
    ) -> None:
        if workers < 1 or lookahead < 1:
            raise ValueError(f"workers and lookahead: expected >= 1, got {workers}, {lookahead}")
        self._start = (os.getpid(), grammar, tuple(others), settings)
        self.workers, self.lookahead = workers, max(lookahead, 2 * workers)
        self._pool: ProcessPoolExecutor | None = None
        self._planned: dict[str, tuple[Any, Future[Enumeration]]] = {}
        """The builds submitted and not taken, by task id, in order."""
        self._upcoming: collections.deque[Any] = collections.deque()
        """The tasks to build next, in order."""
        self._deep = False
        self.broken = False
        """Set when a builder process died: every task is then built by the policy itself."""

    def plan(self, tasks: Sequence[Any], deep: bool) -> None:
        """Build ``tasks`` in order, :attr:`lookahead` at a time (the next starts as one is
        taken); builds planned before for tasks not among them are dropped."""
        if self.broken:
            return
        wanted = {task.id for task in tasks}
        for task_id in [t for t in self._planned if t not in wanted]:
            self._planned.pop(task_id)[1].cancel()  # one already running finishes, unread
        self._upcoming = collections.deque(t for t in tasks if t.id not in self._planned)
        self._deep = deep
        self._top_up()

    def _top_up(self) -> None:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),  # no fork of a threaded parent
                initializer=_start_builder,
                initargs=self._start,
            )
        try:
            with _starting_builders():  # the first submit starts the processes
                while self._upcoming and len(self._planned) < self.lookahead:
                    task = self._upcoming.popleft()
                    future = self._pool.submit(_build, task, self._deep)
                    self._planned[task.id] = (task, future)
        except BrokenProcessPool as err:
            self._break(err)

    def take(self, task: Any) -> Enumeration | None:
        """The enumeration built for ``task`` (waiting for it), or None when none was planned
        for it (or for a task of that id with other train pairs)."""
        planned = self._planned.pop(task.id, None)
        if planned is None or self.broken:
            return None
        self._top_up()  # the next build queues while this one is waited for
        if planned[0] is not task and planned[0].train != task.train:
            planned[1].cancel()
            return None
        try:
            return planned[1].result()
        except BrokenProcessPool as err:
            self._break(err)
            return None

    def _break(self, err: BaseException) -> None:
        log.warning("a builder process died (%s); the policy builds every task itself now", err)
        self.broken = True
        self.close()

    def close(self) -> None:
        """Stop the builder processes now (builds not taken, running ones too, are dropped:
        a deep build can take seconds, and a search stopped by Ctrl-C should not wait)."""
        self._planned.clear()
        self._upcoming.clear()
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if hasattr(pool, "terminate_workers"):  # Python 3.14
            pool.terminate_workers()
            return
        processes = list(pool._processes.values())  # no public way to stop them before 3.14
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        for process in processes:
            process.join()
