"""Applying a function to every task's node log of a run, in several processes when the logs are
large (scoring a 2.4-million-program run reads and votes on each task independently).

Each worker process reads a task's log itself (only the task and the small result cross process
boundaries), so the work spreads over the cores; results come back in task order. Workers are
forked (Linux), which needs no re-import of the caller's ``__main__`` and costs no start-up; where
forking is not safe (another platform, or other threads running in this process) everything runs
in this process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

import pyarrow.parquet as pq
from soar.agents.search.node import Node
from soar.arc_env.task import Task

from .rundir import RunDir

__all__ = ["PARALLEL_FROM", "map_logs"]

T = TypeVar("T")

PARALLEL_FROM = 200_000
"""Programs in the logs from which :func:`map_logs` uses several processes by default (below,
starting them costs more than it saves)."""
_JSONL_BYTES_PER_NODE = 1_000
"""A low estimate of a JSONL line's size, to count the programs of logs in progress."""


def map_logs(
    run: RunDir,
    tasks: Sequence[Task],
    fn: Callable[[Task, list[Node]], T],
    *,
    processes: int | None = None,
) -> Iterator[T]:
    """``fn(task, nodes)`` for each task of ``tasks``, its nodes read from ``run``, in task order.

    Args:
        run: the run directory.
        tasks: the tasks (with their test outputs, if ``fn`` needs them).
        fn: a function that can be pickled (a module-level function, or a
            :func:`functools.partial` of one) when several processes are used.
        processes: worker processes (1: this process only); default: the cores this process
            may use (at most 8) when the logs hold at least :data:`PARALLEL_FROM` programs, else 1.
            Several need Linux and no other thread running here, else this process does all.
    """
    if processes is None:
        processes = 1
        if len(tasks) > 1 and _programs(run, tasks) >= PARALLEL_FROM:
            processes = min(_cores(), 8)
    if processes <= 1 or len(tasks) <= 1 or not _can_fork():
        for task in tasks:
            yield _one(run.path, task, fn)
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(processes, mp_context=context) as pool:
        jobs = [pool.submit(_one, run.path, task, fn) for task in tasks]
        try:
            for job in jobs:
                yield job.result()
        finally:
            for job in jobs:
                job.cancel()


def _one(path: os.PathLike, task: Task, fn: Callable[[Task, list[Node]], T]) -> T:
    enabled = gc.isenabled()
    gc.disable()  # reading makes many objects and no cycles
    try:
        return fn(task, RunDir(path).read_nodes(task.id))
    finally:
        if enabled:
            gc.enable()


def _can_fork() -> bool:
    """Whether worker processes can be forked safely: on Linux, with no other thread running."""
    return sys.platform == "linux" and threading.active_count() == 1


def _cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _programs(run: RunDir, tasks: Sequence[Task]) -> int:
    """About how many programs the tasks' logs hold (Parquet footers; JSONL sizes)."""
    count = 0
    for task in tasks:
        table, lines = run.table_path(task.id), run.node_path(task.id)
        if table.exists():
            count += pq.ParquetFile(table).metadata.num_rows
        if lines.exists():
            count += lines.stat().st_size // _JSONL_BYTES_PER_NODE
    return count
