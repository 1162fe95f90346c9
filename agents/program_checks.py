"""What can be wrong with a program tried on a task: the predicates behind every program filter.

Two layers filter programs with them: the vote (:mod:`soar.agents.vote_filters`: which programs
may vote, as SOAR's released code filters before its vote) and the training data
(:mod:`soar.training.filters`: which programs may become examples). Each predicate takes the task
(with its known outputs) and a search node, and says whether the node has the flaw; thresholds are
arguments, because the two layers use different ones.

Grids are compared as the tuples of tuples the executor returns; nothing here runs a program.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import combinations

import numpy as np
from soar.arc_env.executor.result import Status
from soar.arc_env.grid import Grid
from soar.arc_env.task import Task

from .search.node import Node

__all__ = [
    "absurd_source",
    "blank_test_outputs",
    "constant_output",
    "errored",
    "given_outputs",
    "grid_distance",
    "hard_coded",
    "identity_output",
    "invalid_grid",
    "mean_distance",
    "mostly_identity",
    "similar_outputs",
]

_FAILED = (Status.ERROR, Status.TIMEOUT, Status.MEMORY)


def given_outputs(node: Node) -> list[tuple[int, Grid]]:
    """(position among the train then test inputs, grid) for every input it gave a grid on."""
    results = node.train + node.test
    return [(i, r.output) for i, r in enumerate(results) if r.ok and r.output is not None]


def errored(node: Node) -> bool:
    """It raised, timed out or ran out of memory on some input, train or test."""
    return any(r.status in _FAILED for r in node.train + node.test)


def invalid_grid(node: Node) -> bool:
    """It returned something that is not a grid on some input (the executor's ``invalid-output``,
    or a logged ``ok`` without a grid). The executor validated every grid it reported."""
    return any(
        r.status is Status.INVALID_OUTPUT or (r.ok and r.output is None)
        for r in node.train + node.test
    )


def _known_pairs(task: Task) -> list[tuple[Grid, Grid]]:
    return [(p.input, p.output) for p in task.train + task.test if p.output is not None]


def constant_output(task: Task, node: Node) -> bool:
    """It gave the same grid for every input (at least two), unless that grid is the real output
    of every pair whose output is known."""
    given = given_outputs(node)
    outputs = {out for _, out in given}
    if len(given) < 2 or len(outputs) != 1:
        return False
    return {out for _, out in _known_pairs(task)} != outputs


def identity_output(task: Task, node: Node) -> bool:
    """It gave every input back unchanged, though some known output differs from its input."""
    inputs = [p.input for p in task.train + task.test]
    given = given_outputs(node)
    if not given or any(out != inputs[i] for i, out in given):
        return False
    return any(inp != out for inp, out in _known_pairs(task))


def mostly_identity(task: Task, node: Node, share: float = 0.3) -> bool:
    """More than ``max(share, the task's own share)`` of its train outputs are their input, where
    the task's own share is that of its real train pairs (SOAR's release: 0.3)."""
    if not node.train:
        return False
    same = [r.output == p.input for r, p in zip(node.train, task.train, strict=False)]
    real = [p.output == p.input for p in task.train]
    return sum(same) / len(same) > max(share, sum(real) / max(1, len(real)))


def blank_test_outputs(task: Task, node: Node) -> bool:
    """Every test output is all background (colour 0) while no real train output is."""
    outputs = [r.output for r in node.test]
    if not outputs or any(out is None or any(any(row) for row in out) for out in outputs):
        return False
    return all(any(any(row) for row in p.output) for p in task.train if p.output is not None)


def grid_distance(a: Grid, b: Grid) -> float:
    """The share of cells that differ, both grids padded to a common size, counting only cells
    that are not background (0) in one of them (a padded cell counts); 0 for two blank grids.

    >>> grid_distance(((1, 0), (0, 0)), ((1, 0), (0, 2)))
    0.5
    >>> grid_distance(((0,),), ((0, 0),))  # the padded cell is not background: it differs
    1.0
    """
    x, y = np.asarray(a), np.asarray(b)
    rows, cols = max(x.shape[0], y.shape[0]), max(x.shape[1], y.shape[1])
    px = np.full((rows, cols), -1)
    py = np.full((rows, cols), -1)
    px[: x.shape[0], : x.shape[1]] = x
    py[: y.shape[0], : y.shape[1]] = y
    mask = (px != 0) | (py != 0)
    n = int(mask.sum())
    return float((px[mask] != py[mask]).sum() / n) if n else 0.0


def mean_distance(grids: Sequence[Grid]) -> float | None:
    """The mean :func:`grid_distance` over every pair of ``grids`` (None: fewer than two)."""
    pairs = list(combinations(grids, 2))
    if not pairs:
        return None
    return sum(0.0 if a == b else grid_distance(a, b) for a, b in pairs) / len(pairs)


def similar_outputs(node: Node, real_distance: float | None, at_most: float = 0.2) -> bool:
    """Its train outputs are closer to one another (mean :func:`grid_distance`) than
    ``min(at_most, real_distance)``, the real train outputs' own mean distance (SOAR's release:
    0.2): near-constant answers. Needs two train outputs, and the real distance."""
    outputs = [r.output for r in node.train]
    if real_distance is None or len(outputs) < 2 or any(out is None for out in outputs):
        return False
    found = mean_distance(outputs)  # type: ignore[arg-type]
    return found is not None and found < min(at_most, real_distance)


_SPACE = re.compile(r"\s+")
_BRACKETS = re.compile(r"[\[\]]")


def _normalise(text: str, brackets: bool) -> str:
    """Source or a grid's repr without spacing, ``()`` as ``[]``, no trailing commas, and without
    brackets unless ``brackets``."""
    text = _SPACE.sub("", text).replace("(", "[").replace(")", "]").replace(",]", "]")
    return text if brackets else _BRACKETS.sub("", text)


def hard_coded(node: Node, *, min_cells: int = 2, brackets: bool = True) -> bool:
    """Its source holds one of its own output grids of at least ``min_cells`` cells, as a nested
    list or tuple: spacing, parentheses and trailing commas ignored, and with ``brackets=False``
    the brackets too (then ``[[1, 2], [3, 4]]`` is found in ``1, 2, 3, 4``)."""
    source = _normalise(node.program or "", brackets)
    grids = {out for _, out in given_outputs(node)}
    return any(
        _normalise(repr(grid), brackets) in source
        for grid in grids
        if len(grid) * len(grid[0]) >= min_cells
    )


def absurd_source(node: Node, *, max_lines: int | None = 400, max_line_length: int = 400) -> bool:
    """Its source has more than ``max_lines`` lines (None: any number) or a line longer than
    ``max_line_length`` characters: in practice pasted data, not a rule."""
    lines = (node.program or "").splitlines()
    too_many = max_lines is not None and len(lines) > max_lines
    return too_many or any(len(line) > max_line_length for line in lines)
