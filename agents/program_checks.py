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
    rows, cols = max(len(a), len(b)), max(len(a[0]), len(b[0]))
    if rows * cols <= 256:  # small: plain Python is quicker than numpy here
        pad = (-1,) * cols
        n = differ = 0
        for i in range(rows):
            row_a = a[i] + pad[len(a[i]) :] if i < len(a) else pad
            row_b = b[i] + pad[len(b[i]) :] if i < len(b) else pad
            for x, y in zip(row_a, row_b, strict=True):
                if x or y:
                    n += 1
                    differ += x != y
        return differ / n if n else 0.0
    x, y = np.asarray(a), np.asarray(b)
    px = np.full((rows, cols), -1)
    py = np.full((rows, cols), -1)
    px[: x.shape[0], : x.shape[1]] = x
    py[: y.shape[0], : y.shape[1]] = y
    mask = (px != 0) | (py != 0)
    n = int(mask.sum())
    return float((px[mask] != py[mask]).sum() / n) if n else 0.0


def mean_distance(
    grids: Sequence[Grid],
    cache: dict[tuple[Grid, Grid], float] | None = None,
    enough: float | None = None,
) -> float | None:
    """The mean :func:`grid_distance` over every pair of ``grids`` (None: fewer than two);
    ``cache`` keeps pairs' distances across calls (searches repeat outputs). With ``enough``, the
    sum stops as soon as the mean is sure to reach it (a value >= ``enough`` is returned)."""
    pairs = list(combinations(grids, 2))
    if not pairs:
        return None
    total = 0.0
    limit = None if enough is None else enough * len(pairs)
    for a, b in pairs:
        if limit is not None and total >= limit:
            break
        if a == b:
            continue
        if cache is None:
            total += grid_distance(a, b)
            continue
        found = cache.get((a, b))
        if found is None:
            found = cache[(a, b)] = grid_distance(a, b)
        total += found
    return total / len(pairs)


def similar_outputs(
    node: Node,
    real_distance: float | None,
    at_most: float = 0.2,
    cache: dict[tuple[Grid, Grid], float] | None = None,
) -> bool:
    """Its train outputs are closer to one another (mean :func:`grid_distance`) than
    ``min(at_most, real_distance)``, the real train outputs' own mean distance (SOAR's release:
    0.2): near-constant answers. Needs two train outputs, and the real distance. ``cache`` as for
    :func:`mean_distance`."""
    outputs = [r.output for r in node.train]
    if real_distance is None or len(outputs) < 2 or any(out is None for out in outputs):
        return False
    bar = min(at_most, real_distance)
    if bar <= 0:
        return False  # nothing is closer than 0
    found = mean_distance(outputs, cache, enough=bar)  # type: ignore[arg-type]
    return found is not None and found < bar


_SPACE = re.compile(r"\s+")
_BRACKETS = re.compile(r"[\[\]]")
_DIGIT_CHARS = re.compile(r"[0-9,]+")
_GRID_CHARS = re.compile(r"[0-9,\[\]]+")


def source_text(source: str, brackets: bool = True) -> str:
    """Source without spacing, ``()`` as ``[]``, no trailing commas before ``]``, and without
    brackets unless ``brackets``: the form :func:`grid_text` is looked for in.

    >>> source_text("x = ((1, 2),\\n     (3, 4),)"), source_text("[[1, 2]]", brackets=False)
    ('x=[[1,2],[3,4]]', '1,2')
    """
    text = _SPACE.sub("", source).replace("(", "[").replace(")", "]").replace(",]", "]")
    return text if brackets else _BRACKETS.sub("", text)


def grid_text(grid: Grid, brackets: bool = True) -> str:
    """A grid as :func:`source_text` writes a nested list of it.

    >>> grid_text(((1, 2), (3, 4))), grid_text(((1, 2), (3, 4)), brackets=False)
    ('[[1,2],[3,4]]', '1,2,3,4')
    """
    rows = [",".join(map(str, row)) for row in grid]
    return "[[" + "],[".join(rows) + "]]" if brackets else ",".join(rows)


def hard_coded(
    node: Node,
    *,
    min_cells: int = 2,
    brackets: bool = True,
    texts: dict[Grid, str] | None = None,
) -> bool:
    """Its source holds one of its own output grids of at least ``min_cells`` cells, as a nested
    list or tuple: spacing, parentheses and trailing commas ignored, and with ``brackets=False``
    the brackets too (then ``[[1, 2], [3, 4]]`` is found in ``1, 2, 3, 4``). ``texts`` caches
    the grids' text (for the same ``brackets``) across calls."""
    grids = {out for _, out in given_outputs(node)}
    grids = {grid for grid in grids if len(grid) * len(grid[0]) >= min_cells}
    if not grids:
        return False
    source = source_text(node.program or "", brackets)
    # A grid's text holds 2 x cells - 1 digits and commas in a row: grids longer than the
    # source's longest such run cannot be in it, and need no text.
    runs = (_GRID_CHARS if brackets else _DIGIT_CHARS).findall(source)
    longest = max(map(len, runs), default=0)
    for grid in grids:
        if 2 * len(grid) * len(grid[0]) - 1 > longest:
            continue
        text = texts.get(grid) if texts is not None else None
        if text is None:
            text = grid_text(grid, brackets)
            if texts is not None:
                texts[grid] = text
        if text in source:
            return True
    return False


def absurd_source(node: Node, *, max_lines: int | None = 400, max_line_length: int = 400) -> bool:
    """Its source has more than ``max_lines`` lines (None: any number) or a line longer than
    ``max_line_length`` characters: in practice pasted data, not a rule."""
    lines = (node.program or "").splitlines()
    too_many = max_lines is not None and len(lines) > max_lines
    return too_many or any(len(line) > max_line_length for line in lines)
