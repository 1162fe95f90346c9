"""Feedback-driven refinement: a program right but for its colours gets them fixed."""

from __future__ import annotations

from types import SimpleNamespace as NS

import pytest

from agents.dsl.mutation import colour_fix
from agents.dsl.policy import DSLPolicy
from agents.dsl.program import to_source
from agents.policy import RefineRequest, SamplingConfig

from .test_dsl_policy import dsl_executor, tasks  # noqa: F401 (fixtures)

FLIP = (("flip_h", ()),)


def _case(pairs):
    """A task and a result whose train outputs are ``pairs`` of (produced, expected)."""
    task = NS(train=[NS(output=expected) for _, expected in pairs])
    result = NS(train=[NS(ok=produced is not None, output=produced) for produced, _ in pairs])
    return task, result


@pytest.mark.parametrize(
    ("pairs", "fix"),
    [
        ([(((1, 0),), ((2, 0),)), (((0, 1),), ((0, 2),))], (("recolour", (1, 2)),)),
        ([(((1, 2),), ((2, 1),))], (("swap_colours", (1, 2)),)),
        ([(((1, 2, 3),), ((2, 3, 4),))], tuple(("recolour", a) for a in ((3, 4), (2, 3), (1, 2)))),
        ([(((1, 2, 5),), ((2, 1, 6),))], (("recolour", (5, 6)), ("swap_colours", (1, 2)))),
    ],
)
def test_a_colour_map_is_added_in_an_order_that_realises_it(pairs, fix):
    task, result = _case(pairs)
    assert colour_fix(task, result, FLIP, 4) == FLIP + fix


@pytest.mark.parametrize(
    "pairs",
    [
        [(((1, 1),), ((2, 3),))],  # one colour would have to become two
        [(((1, 0),), ((2, 0),)), (((1, 0),), ((3, 0),))],  # ... on different pairs
        [(((1, 2, 3),), ((2, 3, 1),))],  # a three-colour cycle
        [(((1, 0),), ((1, 0),))],  # nothing to fix
        [(((1, 0),), ((2, 0), (0, 0)))],  # the shape is wrong
        [(None, ((2, 0),))],  # the program failed
        [(((1, 2, 3, 4),), ((2, 3, 4, 5),))],  # four steps: past the length limit
    ],
)
def test_no_fix_when_no_colour_map_does_it(pairs):
    task, result = _case(pairs)
    assert colour_fix(task, result, FLIP, 4) is None


@pytest.mark.parametrize(
    ("task_id", "fix"), [("b1948b0a", ("recolour", (6, 2))), ("d511f180", ("swap_colours", (5, 8)))]
)
def test_refining_a_program_right_but_for_colours_fixes_them(dsl_executor, tasks, task_id, fix):  # noqa: F811
    task = tasks[task_id]
    steps = (("rotate_180", ()), ("rotate_180", ()))  # the identity: colours wrong
    (result,) = dsl_executor.run([(task.public(), to_source(steps))])
    assert not any(result.train_correct)
    policy = DSLPolicy(sampling=SamplingConfig(seed=0))
    request = RefineRequest(task.public(), to_source(steps), result, n=10)
    (answers,) = policy.generate([request])
    fixed = to_source((*steps, fix))
    assert [a.program for a in answers].count(fixed) == 1  # given, and once only
    (checked,) = dsl_executor.run([(task, fixed)])
    assert checked.all_train_correct and checked.test_outputs == task.test_outputs
