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

A *stamp rule* (:func:`stamp_rule_programs`) is learned the same way, with what each object's box
(its bounding box, grown by a margin of 0 or 1 cell) became in the output as the table's value:
"each hollow square becomes a plus", "each grey cell gets a ring around it". A patch paints only
the cells the train outputs changed around the key's objects (the others keep what is there), and
a box that leaves the grid shows the part of its patch inside it, and is stamped clipped the
same way.

Chosen on the design split (:func:`bench.dsl.design_split`): 6 of its tasks get an object rule,
all 6 right on test; 8 a stamp rule, 7 right. Checked on the validation split: object rules 4
tasks, 3 right (the fourth's two tied tables are both wrong); stamp rules 3 of 3. Clipped boxes
and patches that only paint (thirteenth session) add two design tasks (a9f96cdd, 0ca9ddb6) and
one validation task, all three right; a margin of 2 would add two design tasks, both wrong.
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
    STAMP_FEATURES,
    Stamp,
    Table,
    find_objects,
    key_length,
    object_keys,
    object_rule,
    stamp_boxes,
    stamp_row,
    stamp_rule,
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
    return _shortest(found, tests)


def _shortest(found: list[tuple[int, Steps]], tests: list[np.ndarray]) -> list[Steps]:
    """The program of the fewest rows among ``found`` (rows, program), the first of those tied;
    and the next tied one that gives the test inputs other outputs, if any."""
    found = sorted(found, key=lambda f: f[0])  # stable: ties keep the order they were found in
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
    ((name, args),) = steps
    apply = stamp_rule if name == "stamp_rule" else object_rule
    return [apply(g, *args).tobytes() for g in tests]


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


MAX_STAMPED = 30
"""The most objects a grid may have for a stamp rule: past that, a grid is noise or texture,
not a few shapes to replace."""


def stamp_rule_programs(task: Any) -> list[Steps]:
    """The one-step :func:`~soar.agents.dsl.primitives_object_rules.stamp_rule` programs of
    ``task``: for each reading of objects, margin (0 or 1) and feature set of
    :data:`~soar.agents.dsl.primitives_object_rules.STAMP_FEATURES`, the table from each train
    object's key to the patch its box became in the output, kept when objects with one key got
    one patch, stamping the patches onto the train inputs gives their outputs, the test objects'
    keys and box sizes were all seen, and the table has fewer rows than the train objects. As
    :func:`object_rule_programs`, the shortest (and a tied one that stamps the test inputs
    differently).

    Args:
        task: the public task (train pairs with outputs; test inputs).
    """
    pairs = [
        (np.asarray(p.input, dtype=np.int64), np.asarray(p.output, dtype=np.int64))
        for p in task.train
    ]
    tests = [np.asarray(p.input, dtype=np.int64) for p in task.test]
    if not pairs or any(a.shape != b.shape for a, b in pairs):
        return []
    if all(np.array_equal(a, b) for a, b in pairs):
        return []
    found: list[tuple[int, Steps]] = []
    for objects in OBJECTS:
        for margin in (0, 1):
            boxes = [stamp_boxes(a, objects, margin) for a, _ in pairs]
            if any(not b or len(b) > MAX_STAMPED for b in boxes):
                continue
            n_objects = sum(len(b) for b in boxes)
            for features in STAMP_FEATURES:
                table = _stamp_table(pairs, boxes, objects, features)
                if table is None or len(table) >= n_objects or len(table) > MAX_ROWS:
                    continue
                steps = (("stamp_rule", (objects, features, margin, table)),)
                if all(
                    np.array_equal(stamp_rule(a, objects, features, margin, table), b)
                    for a, b in pairs
                ) and all(_stamps(table, g, objects, features, margin) for g in tests):
                    found.append((len(table), steps))
    return _shortest(found, tests)


def _stamp_table(
    pairs: list[tuple[np.ndarray, np.ndarray]],
    boxes: list[list[Stamp]],
    objects: str,
    features: str,
) -> Table | None:
    """The patch each train object's key got (rows of :func:`stamp_row`, sorted), or None when
    two objects with one key got boxes of different sizes or different cells. A patch paints
    only the cells some train object's output changed; the others are -1 (kept), so that one
    object's patch does not erase what a neighbour's painted. A box that leaves the grid shows
    part of its patch."""
    patches: dict[tuple, np.ndarray] = {}
    painted: dict[tuple, np.ndarray] = {}
    for (grid, target), grid_boxes in zip(pairs, boxes, strict=True):
        for (_, key), (shape, box, part) in zip(
            object_keys(grid, objects, features), grid_boxes, strict=True
        ):
            patch = patches.setdefault(key, np.full(shape, -1, dtype=np.int64))
            if patch.shape != shape:
                return None
            seen, cells = patch[part], target[box]
            if np.any((seen >= 0) & (seen != cells)):
                return None
            patch[part] = cells
            changed = painted.setdefault(key, np.zeros(shape, dtype=bool))
            changed[part] |= cells != grid[box]
    kept = {key: np.where(painted[key], p, -1) for key, p in patches.items()}
    width = max(len(key) + 2 + p.size for key, p in kept.items())
    return tuple(sorted(stamp_row(key, p, width) for key, p in kept.items()))


def _stamps(table: Table, grid: np.ndarray, objects: str, features: str, margin: int) -> bool:
    """Whether every object of ``grid`` has a row in ``table`` whose patch has its box's size."""
    size = key_length(features)
    shapes = {row[:size]: (row[size], row[size + 1]) for row in table}
    found = object_keys(grid, objects, features)
    boxes = stamp_boxes(grid, objects, margin)
    return bool(found) and all(
        key in shapes and shapes[key] == shape
        for (_, key), (shape, _, _) in zip(found, boxes, strict=True)
    )


def stamp_rule_description_length(steps: Steps) -> float | None:
    """How many nats a one-step stamp-rule program takes to write, for the vote's prior: the
    choice of reading, margin and features, then ln 2 + ln 10 a row, as a row of an object rule
    that paints (a patch is read off the train outputs, as a painted colour is). None when
    ``steps`` is not such a program.

    >>> round(stamp_rule_description_length(
    ...     (("stamp_rule", ("colour4", "size", 1, ((1, 1, 1, 5),))),)), 2)
    6.87
    """
    if len(steps) != 1 or steps[0][0] != "stamp_rule" or len(steps[0][1]) != 4:
        return None
    objects, features, _, table = steps[0][1]
    if objects not in OBJECTS or features not in STAMP_FEATURES or not isinstance(table, tuple):
        return None
    choices = len(OBJECTS) * 2 * len(STAMP_FEATURES)
    return math.log(choices) + len(table) * (math.log(2) + math.log(10))
