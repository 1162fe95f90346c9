"""Hindsight relabeling: a program is, by construction, a solution of the task it actually computes.

Given a task and a logged program (a search node), :func:`relabel` builds the synthetic task with the
same inputs and, as outputs, the program's own outputs: on train and on test. Running the program on
that task is right on every pair, whatever it did on the real task (SOAR, Pourcel et al. 2025,
after hindsight experience replay). The relabeled task is what the sampling prompt of a training
record shows (its public form: train pairs and test inputs), and the program is the answer.
"""

from __future__ import annotations

from soar.agents.search.node import Node
from soar.arc_env.executor.result import InputResult
from soar.arc_env.task import Pair, Task

__all__ = ["belongs", "relabel", "relabel_id", "usable"]


def relabel_id(task_id: str, node_id: int) -> str:
    """The id of the synthetic task of node ``node_id`` of task ``task_id``.

    >>> relabel_id("3c9b0459", 7)
    '3c9b0459-relabel-7'
    """
    return f"{task_id}-relabel-{node_id}"


def belongs(task: Task, node: Node) -> bool:
    """Whether ``node`` has a program and one result per train and test input of ``task``."""
    return (
        node.program is not None
        and node.task_id == task.id
        and len(node.train) == len(task.train)
        and len(node.test) == len(task.test)
    )


def _gave_grid(result: InputResult) -> bool:
    return result.ok and result.output is not None


def usable(task: Task, node: Node, *, drop_failed: bool = False) -> bool:
    """Whether :func:`relabel` accepts ``node`` for ``task`` with the same ``drop_failed``.

    A usable node has a program, one result per train and per test input of ``task``, and a grid
    on every input (with ``drop_failed``: on at least one train input and one test input).
    """
    if not belongs(task, node):
        return False
    if drop_failed:
        return any(map(_gave_grid, node.train)) and any(map(_gave_grid, node.test))
    return all(map(_gave_grid, node.train + node.test))


def relabel(task: Task, node: Node, *, drop_failed: bool = False) -> Task:
    """The synthetic task that ``node``'s program solves by construction.

    Its train and test pairs have ``task``'s inputs and the program's outputs on them; its id is
    :func:`relabel_id` (records keep the original task id apart).

    Args:
        task: the task the program was run on (only its inputs are used).
        node: the logged program with its results on every input of ``task``.
        drop_failed: leave out the inputs on which the program gave no grid (an error, a timeout,
            an invalid output) instead of refusing the node; at least one train and one test pair
            must remain.

    Raises:
        ValueError: the node has no program, belongs to another task, has not one result per
            input of ``task``, or gave no grid on an input (on every train or every test input
            with ``drop_failed``).
    """
    if not belongs(task, node):
        found = (
            "no program"
            if node.program is None
            else f"task {node.task_id}, {len(node.train)} train and {len(node.test)} test results"
        )
        raise ValueError(
            f"node {node.node_id}: expected a program with one result per input of task "
            f"{task.id} ({len(task.train)} train, {len(task.test)} test), found {found}"
        )
    if not usable(task, node, drop_failed=drop_failed):
        where = "every train or every test input" if drop_failed else "some input"
        raise ValueError(
            f"node {node.node_id} of task {task.id}: gave no grid on {where}, so it defines no "
            "synthetic task"
        )
    train = tuple(
        Pair(pair.input, result.output)
        for pair, result in zip(task.train, node.train, strict=True)
        if _gave_grid(result)
    )
    test = tuple(
        Pair(pair.input, result.output)
        for pair, result in zip(task.test, node.test, strict=True)
        if _gave_grid(result)
    )
    return Task(relabel_id(task.id, node.node_id), train, test, task.source)
