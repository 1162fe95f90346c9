"""Tasks drawn on a colour other than black: screened with that colour and black swapped, and the
programs found given between two colour swaps, which the real executor scores right."""

from __future__ import annotations

import numpy as np
from soar.agents.dsl.background import (
    background_fits,
    swap_background,
    task_background,
    wrap,
)
from soar.agents.dsl.enumeration import Enumeration
from soar.agents.dsl.policy import DSLPolicy
from soar.agents.dsl.program import parse_source, to_source
from soar.agents.policy import SampleRequest, SamplingConfig
from soar.arc_env import Executor, Pair, Task
from soar.arc_env.executor import DEFAULT_PRELOAD

# b2862040 (arc1/train, a design task): on a blue (9) background, recolour the shapes that enclose
# background with 8; `recolour_enclosing` says it on a black background only.
GREY_TASK = "b2862040"


def run_steps(grammar, steps, grid):
    grid = np.array(grid)
    for name, args in steps:
        grid = grammar.functions[name](grid, *args)
    return grid


def test_the_background_is_the_most_common_colour_of_every_input(public_tasks):
    assert task_background(public_tasks[GREY_TASK]) == 9
    assert task_background(public_tasks["7b6016b9"]) is None  # black: the primitives' own
    mixed = Task("m", (Pair(((5, 5, 1),), ((5, 5, 1),)), Pair(((2, 2, 5),), ((2, 2, 5),))), ())
    assert task_background(mixed) is None  # 5 in one input, 2 in the other


def test_swapping_changes_every_grid_and_keeps_hidden_outputs_hidden(public_tasks):
    task = public_tasks[GREY_TASK]
    swapped = swap_background(task, 9)
    assert swapped.id != task.id
    assert all(p.output is None for p in swapped.test)
    for mine, theirs in zip(swapped.train, task.train, strict=True):
        a, b = np.array(mine.input), np.array(theirs.input)
        assert ((a == 0) == (b == 9)).all() and ((a == 9) == (b == 0)).all()
        assert (a[(b != 0) & (b != 9)] == b[(b != 0) & (b != 9)]).all()
    back = swap_background(swapped, 9)
    assert [p.input for p in back.train] == [p.input for p in task.train]
    assert [p.output for p in back.train] == [p.output for p in task.train]


def test_a_grey_task_gets_wrapped_programs_right_on_every_pair(grammar, public_tasks, arc1_train):
    task = public_tasks[GREY_TASK]
    assert Enumeration(grammar, grammar.drawer(task), task, screen=2000).fits == []
    found = background_fits(grammar, task, screen=2000)
    assert found
    for steps in found:
        assert steps[0] == ("swap_colours", (9, 0)) and steps[-1] == ("swap_colours", (0, 9))
        for pair in task.train:
            assert (run_steps(grammar, steps, pair.input) == np.array(pair.output)).all()
    solved = arc1_train[GREY_TASK]
    outputs = [run_steps(grammar, found[0], p.input).tolist() for p in solved.test]
    assert outputs == [[list(row) for row in p.output] for p in solved.test]
    # Nothing to add without a background of the task's own, or without screening.
    assert background_fits(grammar, public_tasks["7b6016b9"], screen=2000) == []
    assert background_fits(grammar, task, screen=0) == []


def test_the_policy_gives_them_first_and_the_executor_scores_them(public_tasks, arc1_train):
    task = public_tasks[GREY_TASK]
    policy = DSLPolicy(sampling=SamplingConfig(seed=0), rules=False)  # an object rule fits too
    first = policy.generate([SampleRequest(task, 1)])[0][0].text
    steps = parse_source(first)
    assert steps[0] == ("swap_colours", (9, 0)) and len(steps) >= 3
    preload = (*DEFAULT_PRELOAD, "soar.agents.dsl.primitives")
    with Executor(workers=1, timeout=1.0, preload=preload) as executor:
        (result,) = executor.run([(arc1_train[GREY_TASK], first)])
    assert result.all_train_correct
    assert result.test_outputs == arc1_train[GREY_TASK].test_outputs
    off = DSLPolicy(sampling=SamplingConfig(seed=0), background=False)
    given = [parse_source(c.text) for c in off.generate([SampleRequest(task, 300)])[0]]
    assert not any(p[0][0] == "swap_colours" and p[0][1][1] == 0 and len(p) > 2 for p in given)


def test_a_task_that_fits_as_it_is_gets_no_swaps(grammar):
    # Mirror the grid on a grey (5) background: flip_h fits the task itself.
    pairs = [
        (((5, 5, 1), (5, 2, 5)), ((1, 5, 5), (5, 2, 5))),
        (((3, 5, 5), (5, 5, 5)), ((5, 5, 3), (5, 5, 5))),
    ]
    task = Task("grey-flip", tuple(Pair(i, o) for i, o in pairs), (Pair(((5, 5, 4),)),))
    assert task_background(task) == 5
    policy = DSLPolicy(sampling=SamplingConfig(seed=0))
    first = parse_source(policy.generate([SampleRequest(task, 1)])[0][0].text)
    assert first[0][0] != "swap_colours"
    for pair in task.train:
        assert (run_steps(grammar, first, pair.input) == np.array(pair.output)).all()
    enumeration = policy._enumerations[task.id]
    assert not any(steps[0][0] == "swap_colours" for steps in enumeration.fits)


def test_wrapped_programs_are_ordinary_sources():
    steps = wrap((("recolour_enclosing", (8,)),), 9)
    assert parse_source(to_source(steps)) == steps
