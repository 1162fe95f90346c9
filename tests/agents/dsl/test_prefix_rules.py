"""Cell rules after a one-step prefix (:func:`soar.agents.dsl.rules.prefix_rule_program`): learned
from the prefix's outputs, right on real tasks, refused where they would only look answers up,
priced by the vote as the prefix plus the table, and given by the policy only where nothing else
fits, without stopping deeper screening (a run it solves: test_rules.py)."""

from __future__ import annotations

import numpy as np
import pytest
import soar.agents.dsl.primitives  # noqa: F401 (what executor workers import before programs)
from soar.agents.dsl.builders import build_enumeration
from soar.agents.dsl.enumeration import Enumeration
from soar.agents.dsl.fast_load import load_program
from soar.agents.dsl.policy import DSLPolicy
from soar.agents.dsl.prior import description_length, program_prior
from soar.agents.dsl.program import parse_source, to_source
from soar.agents.dsl.rules import prefix_rule_program, rule_description_length
from soar.arc_env import Pair, Task, load_tasks

PREFIX_TASKS = {
    "af902bf9": ("bridge_same_colour", "cell_rule"),  # fill between 4s, colour what lies between
    "b27ca6d3": ("recolour_by_size_rank", "cell_rule"),  # 2s in pairs get a frame: rank, colour
    "31aa019c": ("keep_colour", "relative_cell_rule"),  # the unique colour kept, framed in 2
}
"""Real arc1/train tasks that no screened program fits and whose prefix rule is right on test."""


@pytest.fixture(scope="module")
def tasks():
    return {task.id: task for task in load_tasks("arc1/train")}


def _outputs(grammar, task):
    return Enumeration(grammar, grammar.drawer(task), task, 20_000, 0).outputs


@pytest.mark.parametrize("task_id, names", sorted(PREFIX_TASKS.items()))
def test_real_tasks_get_a_prefix_rule_right_on_test(grammar, tasks, task_id, names):
    task = tasks[task_id]
    steps = prefix_rule_program(task.public(), _outputs(grammar, task.public()))
    assert steps is not None and (steps[0][0], steps[1][0]) == names
    source = to_source(steps)
    assert parse_source(source) == steps
    transform = load_program(source)  # the executor's fast path takes it like any DSL program
    for pair in (*task.train, *task.test):
        assert np.array_equal(transform(pair.input), pair.output)


def test_the_shortest_table_wins_and_single_cells_make_no_rule():
    grid = np.array([[1, 0], [0, 1]])
    target = np.array([[2, 0], [0, 2]])
    task = Task("t", (Pair(grid, target),), (Pair(grid, None),))
    mixed = np.array([[1, 3], [4, 1]])  # three colours to map: a table of three rows
    outputs = {
        ("a", ()): [mixed, mixed],
        ("b", ()): [grid, grid],  # the input itself: two rows (1 -> 2, 0 stays), though later
    }
    steps = prefix_rule_program(task, outputs)
    assert steps is not None and steps[0] == ("b", ())
    one = Task("one", (Pair([[3]], [[5]]), Pair([[4]], [[6]])), (Pair([[3]], None),))
    picked = np.array([[3]]), np.array([[4]]), np.array([[3]])
    assert prefix_rule_program(one, {("pick", ()): list(picked)}) is None  # looks answers up
    shaped = {("wide", ()): [np.zeros((1, 2), int)] * 3}  # not the targets' shape
    assert prefix_rule_program(one, shaped) is None


def test_no_prefix_rule_when_the_prefix_alone_fits_or_the_table_leaves_test_cells_unseen():
    grid, target = np.array([[1, 2]]), np.array([[2, 1]])
    task = Task("t", (Pair(grid, target),), (Pair(grid, None),))
    assert prefix_rule_program(task, {("flip_h", ()): [target, target]}) is None
    unseen = np.array([[7, 7]])  # the test output of the prefix has a colour no table row has
    assert prefix_rule_program(task, {("p", ()): [grid, unseen]}) is None


def test_the_vote_prices_the_prefix_and_the_table(grammar, tasks):
    task = tasks["af902bf9"].public()
    steps = prefix_rule_program(task, _outputs(grammar, task))
    prefix_length = description_length(grammar, steps[:1], task)
    expected = prefix_length + rule_description_length(steps[1:])
    assert program_prior(task)(to_source(steps)) == pytest.approx(expected)


@pytest.mark.parametrize("task_id", sorted(PREFIX_TASKS))
def test_the_policy_gives_a_prefix_rule_first_only_where_nothing_fits(grammar, tasks, task_id):
    task = tasks[task_id].public()
    policy = DSLPolicy.from_spec("default")
    built = build_enumeration(policy.grammar, policy.others, task, policy.settings)
    expected = prefix_rule_program(task, _outputs(grammar, task))
    assert built.next() == expected
    assert built.fits == []  # not taken for a fit: deeper screening still runs
    fitting = tasks["b6afb2da"].public()  # a cell rule fits: no prefix rule is looked for
    built = build_enumeration(policy.grammar, policy.others, fitting, policy.settings)
    given = [built.next() for _ in range(len(built.fits) + 5)]
    assert built.fits and not any(s[-1][0] == "cell_rule" and len(s) == 2 for s in given)
