"""Object rules: reading a grid's objects, their features, the ``object_rule`` and ``stamp_rule``
primitives, learning their tables from a task's train pairs, their programs' source and their
description lengths (the policy and a run using them: ``test_rules.py``)."""

from __future__ import annotations

import numpy as np
import pytest
import soar.agents.dsl.primitives  # noqa: F401 (what executor workers import before programs)
from soar.agents.dsl.fast_load import load_program
from soar.agents.dsl.object_rules import (
    learn_object_table,
    object_rule_description_length,
    object_rule_programs,
    object_targets,
    stamp_rule_description_length,
    stamp_rule_programs,
)
from soar.agents.dsl.primitives_object_rules import (
    KEEP,
    OBJECT_FEATURES,
    background_colour,
    find_objects,
    object_keys,
    object_rule,
    stamp_row,
    stamp_rule,
)
from soar.agents.dsl.prior import program_prior
from soar.agents.dsl.program import describe, parse_source, to_source
from soar.arc_env import Pair, Task, load_tasks

GRID = np.array(
    [
        [1, 1, 0, 0, 0],
        [1, 1, 0, 2, 0],
        [0, 0, 0, 0, 0],
        [0, 2, 2, 0, 3],
        [0, 0, 2, 0, 0],
    ]
)
"""Four objects read as ``colour4``, in this order: the 1-block (size 4, on the edge), the lone 2
inside (size 1), the 2-corner (size 3, on the edge), the lone 3 (size 1, on the edge)."""

RING = np.array(
    [
        [0, 0, 0, 0, 0],
        [0, 5, 5, 5, 0],
        [0, 5, 0, 5, 0],
        [0, 5, 5, 5, 0],
        [0, 0, 0, 0, 4],
    ]
)

RULE_TASKS = {
    "ea32f347": ("colour4", "size_rank"),  # bars recoloured by length: longest 1, then 4, then 2
    "b2862040": ("colour4", "holes"),  # on a grey (9) background: shapes with a hole become 8
    "08ed6ac7": ("colour4", "size_rank"),  # four bars: by height rank
    "42a50994": ("colour8", "smallest"),  # lone cells (8-connected) are erased
}
"""Real arc1/train tasks whose object rule is right on test, with the reading and features."""


@pytest.fixture(scope="module")
def tasks():
    return {task.id: task for task in load_tasks("arc1/train")}


def keys(grid, features, objects="colour4"):
    return [key for _, key in object_keys(np.asarray(grid), objects, features)]


def test_the_background_is_the_most_common_colour():
    assert background_colour(GRID) == 0
    assert background_colour(np.where(GRID == 0, 9, GRID)) == 9
    grey = np.where(GRID == 0, 9, GRID)
    assert [o.size for o in find_objects(grey, "colour4")] == [4, 1, 3, 1]  # 0 is a colour now


def test_the_four_readings_of_objects():
    diagonal = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 0]])
    assert len(find_objects(diagonal, "colour4")) == 2
    assert len(find_objects(diagonal, "colour8")) == 1
    touching = np.array([[1, 2, 0], [0, 0, 0], [0, 0, 0]])
    assert [o.colour for o in find_objects(touching, "colour4")] == [1, 2]
    (both,) = find_objects(touching, "multi4")
    assert (both.colour, both.colours, both.size) == (-1, 2, 2)
    with pytest.raises(ValueError, match="objects: expected one of colour4, colour8"):
        find_objects(GRID, "blobs")


def test_features_read_each_objects_properties():
    assert keys(GRID, "colour") == [(1,), (2,), (2,), (3,)]
    assert keys(GRID, "size") == [(4,), (1,), (3,), (1,)]
    assert keys(GRID, "size_rank") == [(0,), (2,), (1,), (2,)]  # sizes 4 > 3 > 1
    assert keys(GRID, "size_rank_up") == [(2,), (0,), (1,), (0,)]
    assert keys(GRID, "largest") == [(1,), (0,), (0,), (0,)]
    assert keys(GRID, "smallest") == [(0,), (1,), (0,), (1,)]
    assert keys(GRID, "height") == keys(GRID, "width") == [(2,), (1,), (2,), (1,)]
    assert keys(GRID, "border") == [(1,), (0,), (1,), (1,)]
    assert keys(GRID, "colours") == [(1,), (1,), (1,), (1,)]
    assert keys(GRID, "rectangle") == [(1,), (1,), (0,), (1,)]
    assert keys(GRID, "same_size") == keys(GRID, "same_shape") == [(1,), (2,), (1,), (2,)]
    assert keys(GRID, "colour_size") == [(1, 4), (2, 1), (2, 3), (3, 1)]
    block, lone2, corner, lone3 = keys(GRID, "shape")
    assert lone2 == lone3 and len({block, lone2, corner}) == 3
    assert keys(RING, "holes") == keys(RING, "has_holes") == [(0,), (1,)]  # the 4, the ring
    assert keys(RING, "rectangle") == [(1,), (0,)]
    with pytest.raises(ValueError, match="features: expected one of colour, size"):
        keys(GRID, "weight")


def test_turned_shapes_are_one_shape_and_plain_shapes_are_not():
    corners = np.zeros((6, 6), dtype=np.int64)
    corners[0, 0:2] = corners[1, 0] = 1  # an L and the same L turned a quarter
    corners[4, 4:6] = corners[5, 5] = 2
    plain, turned = keys(corners, "shape"), keys(corners, "turned_shape")
    assert plain[0] != plain[1] and turned[0] == turned[1]
    assert set(OBJECT_FEATURES) >= {"colour_turned_shape", "colour_holes"}  # colour pairs too


def test_object_rule_paints_by_key_and_keeps_the_rest():
    table = ((1, 7), (3, KEEP))  # size 1 becomes 7, size 3 is kept; size 4 has no row
    out = object_rule(GRID, "colour4", "size", table)
    expected = GRID.copy()
    expected[1, 3] = expected[3, 4] = 7
    assert out.tolist() == expected.tolist()
    assert GRID[1, 3] == 2  # the input is not changed


@pytest.mark.parametrize(
    "args, message",
    [
        (("colour4", "size", ((1, 2, 3),)), "expected rows of 2 ints for 'size'"),
        (("colour4", "colour_size", ((1, 2),)), "expected rows of 3 ints for 'colour_size'"),
        (("colour4", "size", ((1, 10),)), r"colour\s+0..9 or -1"),
        (("colour4", "size", ((1, -2),)), r"colour\s+0..9 or -1"),
        (("rings", "size", ()), "objects: expected one of"),
    ],
)
def test_object_rule_says_what_it_expected(args, message):
    with pytest.raises(ValueError, match=message):
        object_rule(GRID, *args)


def test_what_each_object_became():
    painted = GRID.copy()
    painted[GRID == 1] = 5
    assert object_targets(GRID, painted, "colour4") == [5, KEEP, KEEP, KEEP]
    half = painted.copy()
    half[0, 0] = 6  # the block became two colours
    assert object_targets(GRID, half, "colour4") is None
    outside = GRID.copy()
    outside[2, 2] = 4  # a background cell changed
    assert object_targets(GRID, outside, "colour4") is None
    assert object_targets(GRID, GRID[:2], "colour4") is None  # another shape


def test_learning_a_table_refuses_conflicts():
    painted = GRID.copy()
    painted[1, 3] = 7  # one of the two size-1 objects becomes 7, the other is kept
    targets = [object_targets(GRID, painted, "colour4")]
    assert learn_object_table([GRID], targets, "colour4", "size") is None
    assert learn_object_table([GRID], targets, "colour4", "colour_size") == (
        (1, 4, KEEP),
        (2, 1, 7),
        (2, 3, KEEP),
        (3, 1, KEEP),
    )


@pytest.mark.parametrize("task_id, rule", sorted(RULE_TASKS.items()))
def test_real_tasks_get_a_rule_right_on_test(tasks, task_id, rule):
    task = tasks[task_id]
    (steps,) = object_rule_programs(task.public())
    ((name, (objects, features, table)),) = steps
    assert (name, objects, features) == ("object_rule", *rule)
    for pair in (*task.train, *task.test):
        assert np.array_equal(object_rule(pair.input, objects, features, table), pair.output)


def test_no_rule_without_a_covering_table_that_says_less_than_its_examples(tasks):
    assert object_rule_programs(tasks["007bbfb7"].public()) == []  # outputs larger
    same = Task("same", (Pair(GRID, GRID),), (Pair(GRID, None),))
    assert object_rule_programs(same) == []  # nothing changes
    # "1 becomes 5" and "size 1 becomes 5" are as short, and colour comes first; but colour 3
    # was never seen, so only the size table covers the test input.
    train, target = np.array([[1, 0, 1, 0, 2, 2]]), np.array([[5, 0, 5, 0, 2, 2]])
    unseen = Task("unseen", (Pair(train, target),), (Pair(np.array([[3, 0, 1]]), None),))
    given = object_rule_programs(unseen)
    assert given[0][0][1][:2] == ("colour4", "size")
    assert all(steps[0][1][1] != "colour" for steps in given)
    assert object_rule(np.array([[3, 0, 1]]), *given[0][0][1]).tolist() == [[5, 0, 5]]
    # Every object its own row: a table as long as its examples repeats them, and is refused
    # (under "colour", this one would have painted the 1 on a test input).
    one = np.array([[1, 0, 2]])
    memorised = Task("memorised", (Pair(one, np.array([[5, 0, 2]])),), (Pair(one, None),))
    assert object_rule_programs(memorised) == []


def test_two_tied_rules_that_disagree_are_both_given():
    train = np.array([[1, 1, 0, 2, 0, 0]])
    target = np.array([[3, 3, 0, 2, 0, 0]])  # the largest, or the 1, becomes 3
    test = np.array([[2, 2, 0, 1, 0, 0]])  # these two readings disagree here
    task = Task("tie", (Pair(train, target),) * 2, (Pair(test, None),))
    given = object_rule_programs(task)
    assert len(given) == 2
    first, second = (object_rule(test, *steps[0][1]).tolist() for steps in given)
    assert first != second


def test_rule_programs_round_trip_through_source_and_the_executor_loader(tasks):
    task = tasks["ea32f347"]
    (steps,) = object_rule_programs(task.public())
    source = to_source(steps)
    assert parse_source(source) == steps
    assert describe(steps) == "object_rule('colour4', 'size_rank', <3 rows>)"
    fast, namespace = load_program(source), {}
    exec(compile(source, "<program>", "exec"), namespace)
    for pair in task.test:
        assert np.array_equal(fast(pair.input), pair.output)
        assert np.array_equal(namespace["transform"](pair.input), pair.output)


def test_the_vote_prices_a_rule_by_its_table(tasks):
    task = tasks["ea32f347"].public()
    (steps,) = object_rule_programs(task)
    prior = program_prior(task)
    assert prior(to_source(steps)) == object_rule_description_length(steps)
    ((_, (objects, features, table)),) = steps
    bigger = (("object_rule", (objects, features, (*table, (3, 5)))),)
    assert prior(to_source(bigger)) > prior(to_source(steps))
    assert object_rule_description_length((("flip_h", ()),)) is None


# ------------------------------------------------------------------------------ stamp rules

CROSS = (0, 8, 0, 8, 3, 8, 0, 8, 0)
"""A 3x3 patch: a 3 with a cross of 8 around it."""


def test_stamp_rows_hold_the_key_the_size_and_the_cells():
    patch = np.array([[1, 2], [3, 4]])
    assert stamp_row((7,), patch, 9) == (7, 2, 2, 1, 2, 3, 4, -1, -1)
    assert stamp_row((5, 1), patch, 8) == (5, 1, 2, 2, 1, 2, 3, 4)


def test_stamp_rule_replaces_each_objects_box_by_its_patch():
    grid = np.zeros((5, 6), dtype=np.int64)
    grid[1, 1] = grid[3, 4] = 3  # two lone cells (size 1) ...
    grid[0, 5] = 3  # ... and one in the corner, whose box leaves the grid
    grid[3, 1:3] = 4  # a bar of size 2: no row
    table = (stamp_row((1,), np.array(CROSS).reshape(3, 3), 12),)
    out = stamp_rule(grid, "colour4", "size", 1, table)
    expected = grid.copy()
    for y, x in ((1, 1), (3, 4)):
        expected[y - 1 : y + 2, x - 1 : x + 2] = np.array(CROSS).reshape(3, 3)
    expected[0, 4] = expected[1, 5] = 8  # the corner's cross: the part inside the grid
    assert out.tolist() == expected.tolist()
    keep = (stamp_row((3,), np.array([-1, 8, -1, 8, 3, 8, -1, 8, -1]).reshape(3, 3), 12),)
    grid[0, 0] = 5  # in a corner of the first cross's box, where the patch keeps the grid's cell
    kept = stamp_rule(grid, "colour4", "colour", 1, keep)
    assert kept[0, 0] == 5 and kept.tolist() == np.where(grid == 5, 5, out).tolist()
    no_margin = stamp_rule(grid, "colour4", "size", 0, table)  # 1x1 boxes, 3x3 patch: kept
    assert no_margin.tolist() == grid.tolist()


@pytest.mark.parametrize(
    "args, message",
    [
        (("colour4", "holes", 1, ()), "features: expected one of colour, size, shape"),
        (("colour4", "size", 2, ()), "margin: expected 0 or 1"),
        (("colour4", "size", 1, ((1, 3),)), "a key of 1, a height and a width"),
        (("colour4", "size", 1, ((1, 0, 3),)), "a key of 1, a height and a width"),
        (("colour4", "size", 1, ((1, 1, 2, 5),)), "expected 2 colours 0..9"),
        (("colour4", "size", 1, ((1, 1, 1, 12),)), "expected 1 colours 0..9"),
        (("colour4", "size", 1, ((1, 1, 1, -2),)), r"\(or -1 to keep a cell\)"),
        (("blobs", "size", 1, ()), "objects: expected one of"),
    ],
)
def test_stamp_rule_says_what_it_expected(args, message):
    with pytest.raises(ValueError, match=message):
        stamp_rule(GRID, *args)


STAMP_TASKS = {
    "6c434453": ("colour4", "shape", 0),  # each hollow square becomes a plus of 2
    "b60334d2": ("colour4", "colour", 1),  # each grey cell becomes a ring of 1 and 5 around 0
    # a cell of 2 gets a 3 and an 8 above it, a 6 and a 7 below: where its box leaves the grid,
    # the train pairs show part of the patch and the stamp is clipped
    "a9f96cdd": ("colour4", "colour", 1),
    # a cell of 2 gets 4s on its diagonals, one of 1 gets 7s beside it: the patches only paint,
    # so the 8 next to a 2 does not erase the 2's corner (and its box leaves the grid in training)
    "0ca9ddb6": ("colour4", "colour", 1),
}


@pytest.mark.parametrize("task_id, rule", sorted(STAMP_TASKS.items()))
def test_real_tasks_get_a_stamp_rule_right_on_test(tasks, task_id, rule):
    task = tasks[task_id]
    (steps,) = stamp_rule_programs(task.public())
    ((name, (objects, features, margin, table)),) = steps
    assert (name, objects, features, margin) == ("stamp_rule", *rule)
    for pair in (*task.train, *task.test):
        assert np.array_equal(stamp_rule(pair.input, objects, features, margin, table), pair.output)
    source = to_source(steps)
    assert parse_source(source) == steps
    assert np.array_equal(load_program(source)(task.test[0].input), task.test[0].output)
    assert program_prior(task.public())(source) == stamp_rule_description_length(steps)


def test_no_stamp_rule_without_patches_that_cover_the_test_objects(tasks):
    assert stamp_rule_programs(tasks["007bbfb7"].public()) == []  # outputs larger
    lone = np.zeros((5, 5), dtype=np.int64)
    lone[2, 2] = 3
    crossed = lone.copy()
    crossed[1:4, 1:4] = np.array(CROSS).reshape(3, 3)
    task = Task("cross", (Pair(lone, crossed), Pair(lone.T, crossed.T)), (Pair(lone, None),))
    (steps,) = stamp_rule_programs(task)
    assert np.array_equal(stamp_rule(lone, *steps[0][1]), crossed)
    edge = lone.copy()
    edge[2, 2], edge[0, 0] = 0, 3  # its box leaves the grid: the part inside is stamped
    (steps,) = stamp_rule_programs(Task("edge", task.train, (Pair(edge, None),)))
    assert stamp_rule(edge, *steps[0][1])[:2, :2].tolist() == [[3, 8], [8, 0]]
    big = lone.copy()
    big[2, 2:4] = 3  # a bar: neither its size, shape nor box was seen
    assert stamp_rule_programs(Task("big", task.train, (Pair(big, None),))) == []
    assert stamp_rule_description_length((("object_rule", ("colour4", "size", ())),)) is None
