"""Learning a task's object rules from its train pairs (see
:mod:`~soar.agents.dsl.primitives_object_rules`).

A task fits object rules under a reading of its objects (:data:`OBJECTS`) when each train output
is its input with every object either unchanged or painted over in one colour, and everything
else unchanged. Each feature set of :data:`OBJECT_FEATURES` then gives a table from every train
object's key to what it became, unless two objects with one key became different things. A
table is worth a program when it *covers* the test inputs (every test object's key was seen in
training) and is shorter than the list of train objects it was learned from (a table with a row
per object has learned nothing: it only repeats them). :func:`object_rule_programs` gives the
shortest such table (ties go to the simpler reading and features), and the next shortest too
when it is just as short and paints the test inputs differently: nothing tells the two apart, and
an answer has two attempts.

Chosen on the design split (:func:`bench.dsl.design_split`): 6 of its tasks get an object rule,
all 6 right on test. Checked on the validation split: 4 tasks, 3 right
(the fourth's two tied tables are both wrong).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .primitives_object_rules import (
    KEEP,
    OBJECT_FEATURES,
    OBJECTS,
    Table,
    find_objects,
    object_keys,
    object_rule,
)
from .program import Steps
from .rules import MAX_ROWS


def object_targets(grid: Any, target: Any, objects: str) -> list[int] | None:
    """What each object of ``grid`` (read as ``objects``) became in ``target``: a colour it was
    painted over in, or :data:`KEEP`; None when the shapes differ, an object became several
    colours, or a cell outside the objects changed.

    >>> object_targets([[1, 0, 2]], [[3, 0, 2]], "colour4")
    [3, -1]
    >>> object_targets([[1, 0, 2]], [[1, 5, 2]], "colour4") is None  # the background changed
    True
    """
    g, out = np.asarray(grid, dtype=np.int64), np.asarray(target, dtype=np.int64)
    if g.shape != out.shape:
        return None
    changed = g != out
    targets = []
    for o in find_objects(g, objects):
        painted = out[o.mask]
        if not changed[o.mask].any():
            targets.append(KEEP)
        elif (painted == painted[0]).all():
            targets.append(int(painted[0]))
        else:
            return None
        changed &= ~o.mask
    return None if changed.any() else targets


def learn_object_table(
    grids: Sequence[np.ndarray], targets: Sequence[list[int]], objects: str, features: str
) -> Table | None:
    """The table mapping each train object's key to what it became, rows sorted; None when two
    objects with one key became different things."""
    seen: dict[tuple, int] = {}
    for grid, became in zip(grids, targets, strict=True):
        for (_, key), colour in zip(object_keys(grid, objects, features), became, strict=True):
            if seen.setdefault(key, colour) != colour:
                return None
    return tuple(sorted((*key, colour) for key, colour in seen.items()))


def _covers(table: Table, grid: np.ndarray, objects: str, features: str) -> bool:
    known = {row[:-1] for row in table}
    return all(key in known for _, key in object_keys(grid, objects, features))


def object_rule_programs(task: Any) -> list[Steps]:
    """The one-step :func:`~soar.agents.dsl.primitives_object_rules.object_rule` programs of
    ``task`` (see the module docstring): none, the shortest covering table, or the two shortest
    when they tie and disagree on the test inputs.

    Args:
        task: the public task (train pairs with outputs; test inputs).
    """
    pairs = [(np.asarray(p.input, dtype=np.int64), p.output) for p in task.train]
    tests = [np.asarray(p.input, dtype=np.int64) for p in task.test]
    if not pairs or all(np.array_equal(a, b) for a, b in pairs):
        return []
    found: list[tuple[int, Steps]] = []
    for objects in OBJECTS:
        targets = [object_targets(a, b, objects) for a, b in pairs]
        if any(t is None for t in targets):
            continue
        n_objects = sum(len(t) for t in targets)
        if all(c == KEEP for t in targets for c in t):
            continue
        grids = [a for a, _ in pairs]
        for features in OBJECT_FEATURES:
            table = learn_object_table(grids, targets, objects, features)
            if table is None or len(table) >= n_objects or len(table) > MAX_ROWS:
                continue
            if all(_covers(table, g, objects, features) for g in tests):
                found.append((len(table), (("object_rule", (objects, features, table)),)))
    found.sort(key=lambda f: f[0])  # stable: ties keep the reading and features order
    if not found:
        return []
    best = [found[0][1]]
    outputs = _test_outputs(found[0][1], tests)
    for rows, steps in found[1:]:
        if rows > found[0][0]:
            break
        if _test_outputs(steps, tests) != outputs:
            best.append(steps)
            break
    return best


def _test_outputs(steps: Steps, tests: list[np.ndarray]) -> list[bytes]:
    ((_, args),) = steps
    return [object_rule(g, *args).tobytes() for g in tests]


def object_rule_description_length(steps: Steps) -> float | None:
    """How many nats a one-step object-rule program takes to write, for the vote's simplicity
    prior (:mod:`soar.agents.dsl.prior`): the choice of reading and features, then per row
    whether it paints the object (ln 2) and, if it does, in which of 10 colours (ln 10). None
    when ``steps`` is not such a program.

    >>> round(object_rule_description_length(
    ...     (("object_rule", ("colour4", "size", ((1, 3), (2, -1)))),)), 2)
    8.57
    """
    if len(steps) != 1 or steps[0][0] != "object_rule" or len(steps[0][1]) != 3:
        return None
    objects, features, table = steps[0][1]
    if objects not in OBJECTS or features not in OBJECT_FEATURES or not isinstance(table, tuple):
        return None
    painted = sum(row[-1] != KEEP for row in table)
    return (
        math.log(len(OBJECTS) * len(OBJECT_FEATURES))
        + len(table) * math.log(2)
        + painted * math.log(10)
    )
