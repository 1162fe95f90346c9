"""Learning a task's cell rule from its train pairs (see :mod:`~soar.agents.dsl.primitives_rules`).

For a task whose outputs keep their inputs' shapes, each feature set of
:data:`~soar.agents.dsl.primitives_rules.FEATURES` gives a table from every train cell's key to its
output colour, unless two cells with one key become different colours (the features cannot
tell them apart). A table is only worth a program when it *covers* the test inputs: every key
they have was seen in the train pairs, so no test cell is left to the table's silence. Among the
tables that do, :func:`rule_program` takes the one with the fewest rows (the shortest
description; ties go to the simpler features), as a one-step program of
:func:`~soar.agents.dsl.primitives_rules.cell_rule`. When no table covers the test inputs, the
same is tried with keys and colours coded by their roles (a *relative* rule,
:func:`~soar.agents.dsl.primitives_rules.relative_cell_rule`), for test inputs that bring colours
the train pairs did not show.

Chosen on the design split (:func:`bench.dsl.design_split`) and checked on the validation split:
of the tasks with a covering table, every chosen table was right on test (14 of 14 and 10 of
10); tables that leave test keys unseen were right on 0 of 64 and 2 of 19. Relative rules, where
no plain one covers: 5 of 5 and 1 of 1.

Where the outputs are a recoloured version of what one step of the grammar makes of the inputs
(a crop, a tiling, an overlay of halves, objects ranked by size), no table reads them off the
inputs: :func:`prefix_rule_program` learns the table from that step's outputs instead, trying
every one-step program the enumeration ran on the task. The policy asks for one only where
nothing else fits, and gives it first without taking it for a fit (deeper screening still
runs). Chosen on the design split with the first 2,000 screened programs: of the tasks none of
those fits, 4 design tasks get a plain prefix rule, 1 right on test (af902bf9), and 3
validation tasks, all 3 right; relative prefix rules, where no plain one covers, 1 design task
(wrong) and 3 validation tasks (2 right). Prefixes whose outputs are single cells are left out:
their tables look the answers up (2 tasks, both wrong). Object rules after a prefix were tried
too: 1 design task more right (a61f2674), 4 wrong, none on validation; left out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .primitives_rules import (
    FEATURES,
    OWN_COLOUR,
    RELATIVE_FEATURES,
    Table,
    cell_features,
    relative_key,
)
from .program import Step, Steps

MAX_ROWS = 100
"""The most rows a table may have to become a program: one of 100 rows already costs the vote
more than missing half the train pairs of a task of two (see :func:`rule_description_length`),
and its source would be kilobytes long."""


RULES = ("cell_rule", "relative_cell_rule")
"""The names of the cell-rule primitives, plain first."""


Keys = dict[tuple[str, tuple[int, ...], bytes], list[tuple[int, ...]]]
"""Cell keys already read, by feature set and grid (shape and bytes)."""


def _keys(grid: np.ndarray, features: str, memo: Keys | None) -> list[tuple[int, ...]]:
    """Each cell's key under ``features``, row by row (read once per grid with ``memo``)."""
    name = (features, grid.shape, grid.tobytes()) if memo is not None else None
    if memo is not None and name in memo:
        return memo[name]
    keys = cell_features(grid, features)
    found = list(map(tuple, keys.reshape(-1, keys.shape[-1]).tolist()))
    if memo is not None:
        memo[name] = found
    return found


def learn_table(
    pairs: Sequence[tuple[Any, Any]],
    features: str,
    relative: bool = False,
    limit: int | None = None,
    memo: Keys | None = None,
) -> Table | None:
    """The table mapping each train cell's key under ``features`` to its output colour, rows
    sorted; None when a pair changes shape or two cells with one key become different colours.
    With ``relative``, keys and colours are coded by their roles
    (:func:`~soar.agents.dsl.primitives_rules.relative_key`), for
    :func:`~soar.agents.dsl.primitives_rules.relative_cell_rule`. ``limit``: None too when the
    table would have more rows; ``memo``: keys read before (see :func:`_keys`).

    >>> learn_table([([[0, 1]], [[2, 1]])], "count4")
    ((0, 1, 2), (1, 0, 1))
    >>> learn_table([([[0, 0, 0]], [[2, 0, 0]])], "count4") is None  # a 0 by no 1: 2 or 0?
    True
    """
    if relative and features not in RELATIVE_FEATURES:
        raise ValueError(
            f"features: expected one of {', '.join(RELATIVE_FEATURES)} for a relative table, "
            f"got {features!r}"
        )
    seen: dict[tuple[int, ...], int] = {}
    for grid, target in pairs:
        g, out = np.asarray(grid, dtype=np.int64), np.asarray(target, dtype=np.int64)
        if g.shape != out.shape:
            return None
        for key, colour in zip(_keys(g, features, memo), out.ravel().tolist(), strict=True):
            if relative:
                key, codes = relative_key(key)
                colour = codes.get(colour, colour)
            if seen.setdefault(key, colour) != colour:
                return None
        if limit is not None and len(seen) > limit:
            return None
    return tuple(sorted((*key, colour) for key, colour in seen.items()))


def covers(
    table: Table, grid: Any, features: str, relative: bool = False, memo: Keys | None = None
) -> bool:
    """Whether every cell of ``grid`` has a key that ``table`` maps (coded, with ``relative``)."""
    known = {row[:-1] for row in table}
    keys = _keys(np.asarray(grid, dtype=np.int64), features, memo)
    code = (lambda key: relative_key(key)[0]) if relative else (lambda key: key)
    return all(code(key) in known for key in keys)


def _shortest_table(
    pairs: Sequence[tuple[Any, Any]],
    tests: Sequence[Any],
    relative: bool,
    shorter_than: int = MAX_ROWS + 1,
    memo: Keys | None = None,
) -> tuple[int, str, Table] | None:
    """The shortest table (rows, features, table) of fewer than ``shorter_than`` rows (at most
    :data:`MAX_ROWS`) learned from ``pairs`` that covers every grid of ``tests``; ties go to
    the simpler features."""
    best: tuple[int, str, Table] | None = None
    for features in RELATIVE_FEATURES if relative else FEATURES:
        limit = (best[0] if best is not None else shorter_than) - 1
        table = learn_table(pairs, features, relative, limit, memo)
        if table is None or len(table) > limit:
            continue
        if all(covers(table, grid, features, relative, memo) for grid in tests):
            best = (len(table), features, table)
    return best


def rule_program(task: Any) -> Steps | None:
    """The one-step :func:`~soar.agents.dsl.primitives_rules.cell_rule` program of ``task``'s
    shortest table that covers its test inputs (see the module docstring); failing that, the
    :func:`~soar.agents.dsl.primitives_rules.relative_cell_rule` program of its shortest
    relative one. None when no feature set gives one of at most :data:`MAX_ROWS` rows, or when
    the train outputs are their inputs unchanged.

    Args:
        task: the public task (train pairs with outputs; test inputs).
    """
    pairs = [(p.input, p.output) for p in task.train]
    if not pairs or all(np.array_equal(a, b) for a, b in pairs):
        return None
    for relative in (False, True):
        best = _shortest_table(pairs, [p.input for p in task.test], relative)
        if best is not None:
            return ((RULES[relative], (best[1], best[2])),)
    return None


def prefix_rule_program(task: Any, outputs: Mapping[Step, Sequence[np.ndarray]]) -> Steps | None:
    """A two-step program: a one-step program of the grammar, then a cell rule learned from its
    train outputs to the targets (see the module docstring), for tasks whose outputs are a
    recoloured crop, tiling, halves' overlay, ... of their inputs. The prefix's train outputs
    must have the targets' shapes (and not all be one cell: the table of a single cell's
    colour is a lookup of the answers), and its table must cover the prefix's test outputs; of
    all prefixes, the one with the shortest plain table wins (ties: the likelier prefix), or,
    where no plain table covers, the one with the shortest relative table (as in
    :func:`rule_program`).

    Args:
        task: the public task.
        outputs: prefix step -> its outputs on the task's train then test inputs, likeliest
            step first (:attr:`~soar.agents.dsl.enumeration.Enumeration.outputs`).
    """
    targets = [np.asarray(p.output) for p in task.train]
    n = len(targets)
    candidates = []
    for step, grids in outputs.items():
        train = grids[:n]
        if any(g.shape != t.shape for g, t in zip(train, targets, strict=True)) or all(
            g.size == 1 for g in train
        ):
            continue
        if all(np.array_equal(g, t) for g, t in zip(train, targets, strict=True)):
            continue  # the prefix alone fits
        candidates.append((step, list(zip(train, targets, strict=True)), grids[n:]))
    memo: Keys = {}
    for relative in (False, True):
        best: tuple[int, Step, str, Table] | None = None
        for step, pairs, tests in candidates:
            shorter_than = best[0] if best is not None else MAX_ROWS + 1
            found = _shortest_table(pairs, tests, relative, shorter_than, memo)
            if found is not None:
                best = (found[0], step, found[1], found[2])
        if best is not None:
            return (best[1], (RULES[relative], (best[2], best[3])))
    return None


def rule_description_length(steps: Steps) -> float | None:
    """How many nats a one-step cell-rule program takes to write, for the vote's simplicity
    prior (:mod:`soar.agents.dsl.prior`): the choice of features, then per row whether it
    changes the cell's colour (ln 2) and, if it does, to which of the 9 others (ln 9). None
    when ``steps`` is not such a program.

    A short rule is as cheap as a short program of the grammar, and far cheaper than a program
    that misses a train pair (see :data:`soar.agents.voting.MISS`); a table of a hundred rows
    costs about as much as missing one train pair of four.

    >>> round(rule_description_length((("cell_rule", ("count4", ((0, 0, 0), (0, 2, 2)))),)), 2)
    6.58
    """
    if len(steps) != 1 or steps[0][0] not in RULES or len(steps[0][1]) != 2:
        return None
    features, table = steps[0][1]
    if features not in FEATURES or not isinstance(table, tuple):
        return None
    own = OWN_COLOUR.get(features, 0)
    changed = sum(row[own] != row[-1] for row in table)
    return math.log(len(FEATURES) * len(RULES)) + len(table) * math.log(2) + changed * math.log(9)
