"""Cell rules: the feature sets, the ``cell_rule`` and ``relative_cell_rule`` primitives, learning
a table from a task's train pairs, its program's source, its description length, and the
policy, the vote and a run using it (and object and stamp rules, :mod:`soar.agents.dsl.object_rules`)."""

from __future__ import annotations

import numpy as np
import pytest
import soar.agents.dsl.primitives  # noqa: F401 (what executor workers import before programs)
from soar.agents.dsl.fast_load import load_program
from soar.agents.dsl.object_rules import object_rule_programs, stamp_rule_programs
from soar.agents.dsl.policy import DSLPolicy
from soar.agents.dsl.primitives_rules import (
    FEATURES,
    RELATIVE_FEATURES,
    cell_features,
    cell_rule,
    relative_cell_rule,
)
from soar.agents.dsl.prior import program_prior
from soar.agents.dsl.program import describe, parse_source, to_source
from soar.agents.dsl.rules import covers, learn_table, rule_description_length, rule_program
from soar.agents.policy import SampleRequest, SamplingConfig
from soar.agents.runs.config import RunConfig
from soar.agents.runs.run import run
from soar.arc_env import Pair, Task, load_tasks

GRID = np.array(
    [
        [0, 2, 0, 0],
        [0, 0, 0, 3],
        [2, 0, 3, 3],
    ]
)

RULE_TASKS = {
    "b6afb2da": "count4",  # a block's corners, edges and inside: by how many neighbours it has
    "272f95fa": "rays",  # the cells of a grid of lines: by which lines bound them
    "0d3d703e": "object_size",  # a fixed colour map: the columns are objects of size 3
}
"""Real arc1/train tasks whose one-step cell rule is right on test, with the features chosen."""


@pytest.fixture(scope="module")
def tasks():
    return {task.id: task for task in load_tasks("arc1/train")}


def test_features_read_each_cells_surroundings():
    assert cell_features(GRID, "count8")[..., 1].tolist() == [
        [1, 0, 2, 1],
        [2, 3, 4, 2],
        [0, 2, 2, 2],
    ]
    assert cell_features(GRID, "count4")[..., 1].tolist() == [
        [1, 0, 1, 1],
        [1, 1, 2, 1],
        [0, 2, 1, 2],
    ]
    assert cell_features(GRID, "object_size")[..., 1].tolist() == [
        [0, 1, 0, 0],
        [0, 0, 0, 3],
        [1, 0, 3, 3],
    ]
    # colour 3 is one object of 3 cells; each 2 is its own
    assert cell_features(GRID, "colour_object_size")[2, :, 1].tolist() == [1, 0, 3, 3]
    # the 3x3 window of (1, 1) holds 0, 2 and 3; of (0, 3): 0 and 3
    neighbours = cell_features(GRID, "neighbour_colours")[..., 1]
    assert neighbours[1, 1] == 1 << 0 | 1 << 2 | 1 << 3 and neighbours[0, 3] == 1 << 0 | 1 << 3
    rays = cell_features(GRID, "rays")  # colour, then up, down, left, right
    assert rays[1, 1].tolist() == [0, 2, -1, -1, 3] and rays[2, 1].tolist() == [0, 2, -1, 2, 3]
    between = cell_features(GRID, "between")  # the colour met on both sides, else -1
    assert between[2, 1].tolist() == [0, -1, -1]  # 2 above, nothing below; 2 left, 3 right
    assert cell_features(np.array([[1, 0, 0, 1]]), "between")[0, 1].tolist() == [0, -1, 1]
    assert cell_features(GRID, "cross")[0, 0].tolist() == [0, -1, 0, -1, 2]
    lines = cell_features(GRID, "line_colours")
    assert lines[2, 0].tolist() == [2, 1 << 2 | 1 << 3, 1 << 2]
    window = cell_features(GRID, "window")
    assert window.shape == (3, 4, 9) and window[1, 1].tolist() == [0, 2, 0, 0, 0, 0, 2, 0, 3]
    for features in FEATURES:  # every set keys every cell, on a 1x1 grid too
        assert cell_features(np.array([[5]]), features).shape[:2] == (1, 1)


def test_cell_rule_recolours_by_key_and_keeps_unknown_keys():
    table = ((0, 1, 7), (0, 2, 8))  # a background cell with 1 (2) foreground neighbours
    out = cell_rule(GRID, "count4", table)
    assert out.tolist() == [[7, 2, 7, 7], [7, 7, 8, 3], [2, 8, 3, 3]]
    assert GRID[0, 0] == 0  # the input is not changed
    assert cell_rule([[0, 0]], "count4", table).tolist() == [[0, 0]]  # key (0, 0) unknown


@pytest.mark.parametrize(
    "args, message",
    [
        (("count4", ((0, 1),)), "rows of 3 ints"),
        (("count4", ((0, 1, 10),)), "colour 0..9"),
        (("nearby", ((0, 1, 2),)), "features: expected one of count8, count4"),
    ],
)
def test_cell_rule_says_what_it_expected(args, message):
    with pytest.raises(ValueError, match=message):
        cell_rule(GRID, *args)
    with pytest.raises(ValueError, match="expected a non-empty 2-D array"):
        cell_rule([1, 2], "count4", ((0, 1, 2),))


def test_learning_a_table_refuses_conflicts_and_shape_changes():
    same_key_two_colours = [([[0, 0, 0]], [[2, 0, 0]])]  # both ends have 0 neighbours
    assert learn_table(same_key_two_colours, "count4") is None
    assert learn_table(same_key_two_colours, "cross") is not None  # the ends differ here
    assert learn_table([([[1, 2]], [[1], [2]])], "count4") is None
    table = learn_table([(GRID, cell_rule(GRID, "count4", ((0, 1, 7),)))], "count4")
    assert (0, 1, 7) in table and (0, 2, 0) in table and list(table) == sorted(table)
    assert covers(table, GRID, "count4") and not covers(table, [[0]], "count4")


@pytest.mark.parametrize("task_id, features", sorted(RULE_TASKS.items()))
def test_real_tasks_get_a_rule_right_on_test(tasks, task_id, features):
    task = tasks[task_id]
    steps = rule_program(task.public())
    assert steps is not None and steps[0][0] == "cell_rule" and steps[0][1][0] == features
    for pair in (*task.train, *task.test):
        assert np.array_equal(cell_rule(pair.input, *steps[0][1]), pair.output)


def test_no_rule_without_a_covering_table(tasks):
    assert rule_program(tasks["007bbfb7"].public()) is None  # outputs larger than inputs
    same = Task("same", (Pair(((1, 2),), ((1, 2),)),), (Pair(((2, 1),), None),))
    assert rule_program(same) is None  # the outputs are the inputs: nothing to learn
    unseen = Task("unseen", (Pair(((0, 1),), ((2, 1),)),), (Pair(((3, 0, 3),), None),))
    # every feature set sees colour 3 for the first time, and a background cell with
    # foreground on both sides is new even to the relative ones
    assert rule_program(unseen) is None


def test_no_rule_from_a_table_too_long_to_be_worth_it():
    rng = np.random.default_rng(0)
    grid, target = rng.integers(0, 10, size=(2, 30, 30))  # a target unrelated to the grid
    assert len(learn_table([(grid, target)], "window")) == 900  # each cell's window is its own
    assert rule_program(Task("big", (Pair(grid, target),), (Pair(grid, None),))) is None
    small, small_target = grid[:3, :3], target[:3, :3]
    small_task = Task("small", (Pair(small, small_target),), (Pair(small, None),))
    assert len(rule_program(small_task)[0][1][1]) == 9  # a key per cell, 9 rows: short enough


def test_rule_programs_round_trip_through_source_and_the_executor_loader(tasks):
    steps = rule_program(tasks["b6afb2da"].public())
    source = to_source(steps)
    assert parse_source(source) == steps
    assert describe(steps).startswith("cell_rule('count4', <")
    transform = load_program(source)  # the executor's fast path takes it like any DSL program
    test = tasks["b6afb2da"].test[0]
    assert transform is not None and np.array_equal(transform(test.input), test.output)
    namespace: dict = {}
    exec(compile(source, "<program>", "exec"), namespace)  # and so does compiling it
    assert np.array_equal(namespace["transform"](test.input), test.output)


@pytest.mark.parametrize(
    "bad",
    [
        ((0, 1), (2,)),  # rows of two lengths
        ((0, 1.5),),  # not ints
        ((0, "a"),),
        (),  # empty
        (0, 1),  # not rows
    ],
)
def test_malformed_tables_are_refused(bad):
    with pytest.raises(ValueError, match="int-table"):
        to_source((("cell_rule", ("count4", bad)),))
    header = '# dsl: [["cell_rule", ["count4", [[0, 1], [2]]]]]\n'
    assert parse_source(header) is None


def test_the_vote_prices_a_rule_by_its_table(tasks):
    task = tasks["b6afb2da"].public()
    steps = rule_program(task)
    prior = program_prior(task)
    assert prior(to_source(steps)) == rule_description_length(steps)
    ((_, (features, table)),) = steps
    bigger = (("cell_rule", (features, (*table, (9, 9, 9)))),)  # one more row: dearer
    assert prior(to_source(bigger)) > prior(to_source(steps))
    assert rule_description_length((("flip_h", ()),)) is None


RULE_OF = {
    "b6afb2da": rule_program,  # a cell rule
    "ea32f347": lambda task: object_rule_programs(task)[0],  # an object rule
    "6c434453": lambda task: stamp_rule_programs(task)[0],  # a stamp rule
}


@pytest.mark.parametrize("task_id", sorted(RULE_OF))
def test_the_policy_gives_the_rule_first_and_not_when_told_not_to(tasks, task_id):
    task = tasks[task_id].public()
    rule = RULE_OF[task_id](task)
    given = DSLPolicy(sampling=SamplingConfig(seed=0)).programs(SampleRequest(task, 8))
    assert rule in given
    off = DSLPolicy(sampling=SamplingConfig(seed=0), rules=False).programs(SampleRequest(task, 64))
    assert rule not in off


@pytest.mark.parametrize("task_id", [*sorted(RULE_OF), "af902bf9"])  # and a prefix rule
def test_a_run_solves_a_task_only_a_rule_solves(tmp_path, task_id):
    scores = {}
    for rules in (True, False):
        config = RunConfig(
            tasks=f"arc1/train:{task_id}",
            budget=100,
            workers=2,
            out=str(tmp_path / f"run-{rules}"),
            policy_options={"rules": rules},
        )
        scores[rules] = run(config, show_progress=False).score
    assert scores == {True: 1.0, False: 0.0}


def test_a_relative_rule_names_colours_by_their_role():
    # "a background cell with the same colour left and right of it takes that colour", for
    # any colour: one row
    table = ((0, -1, 10, 10),)
    grid = [[4, 0, 4, 0, 7, 0, 7], [2, 0, 0, 0, 0, 0, 0]]
    out = relative_cell_rule(grid, "between", table)
    assert out.tolist() == [[4, 4, 4, 0, 7, 7, 7], [2, 0, 0, 0, 0, 0, 0]]
    plain = cell_rule(grid, "between", ((0, -1, 4, 4),))  # the plain rule learned from 4s
    assert plain.tolist() == [[4, 4, 4, 0, 7, 0, 7], [2, 0, 0, 0, 0, 0, 0]]


@pytest.mark.parametrize(
    "args, message",
    [
        (("count4", ((0, 0, 0),)), "expected one of between, cross, rays, window"),
        (("between", ((0, -1, 10, 11),)), "a code its key has"),  # no 11 in the key
        (("between", ((0, -1, 10),)), "rows of 4 ints"),
    ],
)
def test_relative_cell_rule_says_what_it_expected(args, message):
    with pytest.raises(ValueError, match=message):
        relative_cell_rule([[4, 0, 4]], *args)


def test_relative_tables_are_learned_only_from_colour_features():
    pairs = [([[4, 0, 4]], [[4, 4, 4]])]
    assert learn_table(pairs, "between", relative=True) == ((0, -1, 10, 10), (10, -1, -1, 10))
    assert learn_table(pairs, "between") == ((0, -1, 4, 4), (4, -1, -1, 4))
    assert set(RELATIVE_FEATURES) < set(FEATURES)
    with pytest.raises(ValueError, match="for a relative table"):
        learn_table(pairs, "count8", relative=True)


def test_a_relative_rule_comes_only_when_no_plain_one_covers(tasks):
    # 67a423a3: where a vertical and a horizontal line cross, a ring of 4 is drawn; the test
    # input's lines have colours no train pair had
    task = tasks["67a423a3"]
    steps = rule_program(task.public())
    assert steps[0][0] == "relative_cell_rule" and steps[0][1][0] == "window"
    for pair in (*task.train, *task.test):
        assert np.array_equal(relative_cell_rule(pair.input, *steps[0][1]), pair.output)
    source = to_source(steps)
    assert parse_source(source) == steps
    assert np.array_equal(load_program(source)(task.test[0].input), task.test[0].output)
    assert rule_description_length(steps) == program_prior(task.public())(source)
    plain = rule_program(tasks["b6afb2da"].public())
    assert plain[0][0] == "cell_rule"  # plainly covered: no relative rule
