"""Attempts from a run's node logs, and ``attempts.json`` in the Kaggle submission format.

The vote (:mod:`soar.agents.voting`) gives, per test input, at most two attempts: the outputs of the two
heaviest groups of programs, or the one group's output twice. The file holds, for every task of
the requested set, one entry per test input::

    {"007bbfb7": [{"attempt_1": [[0, 7], ...], "attempt_2": [[0, 7], ...]}], ...}

Kaggle requires both keys for every test input of every task, so a task where no program voted
(none produced a grid for every test input) is written with the placeholder grid ``[[0]]`` in
both attempts. A placeholder is not an attempt: scoring (:mod:`soar.agents.runs.scoring`) works from the
vote itself, where such a task has no attempts and scores 0, and ``scores.json`` marks it
``"attempted": false``. :func:`read` returns the file as written, placeholders included.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from soar.agents.search.node import Node
from soar.agents.voting import WEIGHTINGS, Ballot, attempts
from soar.arc_env.grid import Grid

from .rundir import RunDir, RunDirError

__all__ = [
    "PLACEHOLDER",
    "WEIGHTINGS",
    "attempts_for_task",
    "ballots",
    "from_kaggle",
    "read",
    "to_kaggle",
    "write",
]

PLACEHOLDER: Grid = ((0,),)
"""The grid written for an attempt that does not exist (Kaggle requires both attempts)."""

Attempts = list[list[Grid]]
"""Per test input, the attempts, best first: two, or none when no program voted."""


def ballots(nodes: Sequence[Node], n_tests: int) -> list[Ballot]:
    """One ballot per node, in node order (the order breaks ties).

    A node whose number of test results is not ``n_tests`` (a log from another version of the
    task) gets an empty ballot, which does not vote but keeps the later nodes' places.
    """
    return [
        Ballot(node.test_outputs if len(node.test) == n_tests else (), node.train_accuracy)
        for node in nodes
    ]


def attempts_for_task(nodes: Sequence[Node], n_tests: int, weighting: str = "soar") -> Attempts:
    """The two attempts for each test input of a task, from its nodes.

    Args:
        nodes: the task's nodes in the order they were produced.
        n_tests: the task's number of test inputs.
        weighting: ``"soar"`` (1 + 1000 x train accuracy per program) or ``"count"``.

    Returns:
        ``n_tests`` lists of two grids (attempt 1, attempt 2), or ``n_tests`` empty lists when no
        program produced a grid for every test input.

    >>> from soar.arc_env import InputResult, Status
    >>> def node(i, out, acc):
    ...     test = (InputResult(Status.OK, out),)
    ...     return Node("t", i, None, "sample", "p", "...", test=test, train_correct=acc)
    >>> a, b = ((1,),), ((2,),)
    >>> attempts_for_task([node(0, a, (True, False)), node(1, b, (True, True))], 1)
    [[((2,),), ((1,),)]]
    >>> attempts_for_task([node(0, a, (False,))], 1)
    [[((1,),), ((1,),)]]
    >>> attempts_for_task([], 2)
    [[], []]
    """
    return attempts(ballots(nodes, n_tests), n_tests, weighting=weighting)


# --- the Kaggle format ------------------------------------------------------------------------


def _grid_json(grid: Grid) -> list[list[int]]:
    return [list(row) for row in grid]


def to_kaggle(attempts_by_task: Mapping[str, Attempts]) -> dict[str, list[dict[str, list]]]:
    """The attempts in the Kaggle submission format, placeholders where there are none.

    >>> to_kaggle({"t": [[((1, 2),), ((3, 4),)]], "u": [[]]})
    {'t': [{'attempt_1': [[1, 2]], 'attempt_2': [[3, 4]]}], 'u': [{'attempt_1': [[0]], 'attempt_2': [[0]]}]}
    """
    out: dict[str, list[dict[str, list]]] = {}
    for task_id, per_test in attempts_by_task.items():
        entries = []
        for tried in per_test:
            first = tried[0] if tried else PLACEHOLDER
            second = tried[1] if len(tried) > 1 else first
            entries.append({"attempt_1": _grid_json(first), "attempt_2": _grid_json(second)})
        out[task_id] = entries
    return out


def from_kaggle(data: Any, label: str = "attempts") -> dict[str, Attempts]:
    """Per task, per test input, ``[attempt_1, attempt_2]`` from a Kaggle-format submission.

    Raises:
        ValueError: ``data`` is not in the submission format (the message names the place).

    >>> from_kaggle({"t": [{"attempt_1": [[1]], "attempt_2": [[2]]}]})
    {'t': [[((1,),), ((2,),)]]}
    >>> from_kaggle({"t": [{"attempt_1": [[1]]}]})
    Traceback (most recent call last):
    ...
    ValueError: attempts: task t, test 1: expected 'attempt_1' and 'attempt_2', got ['attempt_1']
    """
    if not isinstance(data, dict):
        raise ValueError(f"{label}: expected an object of tasks by id, got {type(data).__name__}")
    result: dict[str, Attempts] = {}
    for task_id, entries in data.items():
        if not isinstance(entries, list):
            raise ValueError(f"{label}: task {task_id}: expected a list, one entry per test input")
        per_test: Attempts = []
        for n, entry in enumerate(entries, start=1):
            where = f"{label}: task {task_id}, test {n}"
            if not isinstance(entry, dict) or sorted(entry) != ["attempt_1", "attempt_2"]:
                got = sorted(entry) if isinstance(entry, dict) else type(entry).__name__
                raise ValueError(f"{where}: expected 'attempt_1' and 'attempt_2', got {got}")
            per_test.append([_grid(entry[key], f"{where}, {key}") for key in sorted(entry)])
        result[task_id] = per_test
    return result


def _grid(value: Any, where: str) -> Grid:
    if not (
        isinstance(value, list)
        and value
        and all(isinstance(row, list) and row for row in value)
        and all(type(cell) is int for row in value for cell in row)
    ):
        raise ValueError(f"{where}: expected a grid, a non-empty list of non-empty lists of ints")
    return tuple(tuple(row) for row in value)


# --- through the run directory ----------------------------------------------------------------


def write(run: RunDir, attempts_by_task: Mapping[str, Attempts]) -> None:
    """Write ``attempts.json`` (atomically) in the Kaggle format."""
    run.write_attempts(to_kaggle(attempts_by_task))


def read(run: RunDir) -> dict[str, Attempts]:
    """Read ``attempts.json`` back, placeholders included.

    Raises:
        RunDirError: there is no ``attempts.json``, or it is not in the submission format.
    """
    path = run.path / "attempts.json"
    try:
        return from_kaggle(run.read_attempts(), str(path))
    except RunDirError:
        raise
    except ValueError as err:  # malformed JSON (JSONDecodeError) or format
        raise RunDirError(f"{path}: {err}" if str(path) not in str(err) else str(err)) from None
