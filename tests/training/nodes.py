"""Hand-built tasks and nodes for the relabeling, selection and dataset tests."""

from __future__ import annotations

from collections.abc import Sequence

from soar.agents.search.node import Node
from soar.arc_env import InputResult, Pair, Status, Task
from soar.arc_env.grid import Grid

A: Grid = ((1, 0), (0, 0))
B: Grid = ((0, 1), (0, 0))
C: Grid = ((2, 2), (0, 3))
D: Grid = ((2, 2), (3, 0))
E: Grid = ((4, 0, 0),)
F: Grid = ((0, 0, 4),)
X: Grid = ((7, 7), (7, 7))
Y: Grid = ((8, 8), (8, 8))
Z: Grid = ((5, 6), (6, 5))

MIRROR = "def transform(grid):\n    return [row[::-1] for row in grid]\n"

TASK = Task("mirror", (Pair(A, B), Pair(C, D)), (Pair(E, F),))
"""Two train pairs and one test pair, test output known: the rule is a left-right mirror."""

Outcome = Grid | Status
"""A grid the program returned, or the status of an input it gave none on."""


def result(outcome: Outcome) -> InputResult:
    if isinstance(outcome, Status):
        return InputResult(outcome, None, f"{outcome.value} here")
    return InputResult(Status.OK, outcome)


def make_node(
    node_id: int,
    train: Sequence[Outcome],
    test: Sequence[Outcome],
    *,
    task: Task = TASK,
    program: str | None = None,
    kind: str = "sample",
    parent_id: int | None = None,
) -> Node:
    """A node of ``task`` with these outcomes; train correctness is computed from the task."""
    return Node(
        task_id=task.id,
        node_id=node_id,
        parent_id=parent_id,
        kind=kind,
        policy_id="test",
        program=program if program is not None else f"def transform(grid):  # {node_id}\n",
        train=tuple(result(o) for o in train),
        test=tuple(result(o) for o in test),
        train_correct=tuple(o == p.output for o, p in zip(train, task.train, strict=True)),
    )


def right(
    node_id: int, *, program: str = MIRROR, kind: str = "sample", parent_id: int | None = None
) -> Node:
    """A node that solves :data:`TASK`."""
    return make_node(node_id, [B, D], [F], program=program, kind=kind, parent_id=parent_id)
