"""Hand-built node logs for scoring, submission and report tests, written through ``RunDir``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from soar.agents.runs.rundir import RunDir
from soar.agents.search.node import Node
from soar.arc_env import InputResult, Status, Task
from soar.arc_env.grid import Grid

WRONG: Grid = ((9, 9), (9, 9))
"""A grid that is no test output of the tasks used here."""


def node(
    task: Task,
    node_id: int,
    outputs: Sequence[Grid | None] | None,
    accuracy: float = 0.0,
    *,
    program: str | None = None,
    created: float = 0.0,
) -> Node:
    """A node of ``task`` with these test outputs (``None``: that input failed) and a train
    accuracy rounded to the task's train pairs; ``outputs=None`` makes an invalid completion."""
    if outputs is None:
        return Node(
            task.id, node_id, None, "sample", "test", None, "no code block", created=created
        )
    n_train = len(task.train)
    right = round(accuracy * n_train)
    train = tuple(
        InputResult(Status.OK, pair.output) if i < right else InputResult(Status.OK, WRONG)
        for i, pair in enumerate(task.train)
    )
    test = tuple(
        InputResult(Status.OK, out) if out is not None else InputResult(Status.ERROR, None, "boom")
        for out in outputs
    )
    return Node(
        task_id=task.id,
        node_id=node_id,
        parent_id=None,
        kind="sample",
        policy_id="test",
        program=program if program is not None else f"def transform(grid):  # node {node_id}\n",
        train=train,
        test=test,
        train_correct=tuple(i < right for i in range(n_train)),
        created=created,
    )


def make_run(
    path: Path,
    logs: Mapping[Task, Sequence[Sequence[Grid | None] | None | Node]],
    config: dict[str, Any] | None = None,
) -> RunDir:
    """A run directory whose node logs hold, per task, nodes built from the entries given:
    a node, a tuple of test outputs (train accuracy 0), or ``None`` (an invalid completion)."""
    run = RunDir.create(path, config or {})
    for task, entries in logs.items():
        nodes = [e if isinstance(e, Node) else node(task, i, e) for i, e in enumerate(entries)]
        run.append_nodes(task.id, nodes)
    return run
