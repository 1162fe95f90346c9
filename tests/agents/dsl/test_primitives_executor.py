"""Programs built on the primitives run in the real sandboxed executor, which preloads the module."""

from __future__ import annotations

import pytest
from soar.arc_env import Executor, Status
from soar.arc_env.executor import DEFAULT_PRELOAD

PRELOAD = (*DEFAULT_PRELOAD, "soar.agents.dsl.primitives")

# Tasks whose rule is a single primitive, and the call that solves them.
SOLVED = {
    "67a3c6ac": "flip_h(np.array(grid))",  # mirror left to right
    "3c9b0459": "rotate_180(np.array(grid))",
    "c59eb873": "scale_up(np.array(grid), 2)",
    "b1948b0a": "recolour(np.array(grid), 6, 2)",
    "d511f180": "swap_colours(np.array(grid), 5, 8)",
    "c3e719e8": "fractal_of_colour(np.array(grid), 'most_common')",  # a colour role
}


def _program(call: str) -> str:
    return f"from soar.agents.dsl.primitives import *\ndef transform(grid):\n    return {call}.tolist()\n"


@pytest.fixture(scope="module")
def dsl_executor():
    with Executor(workers=1, timeout=1.0, preload=PRELOAD) as ex:
        yield ex


def test_single_primitive_programs_solve_their_tasks(dsl_executor, arc1_train):
    jobs = [(arc1_train[task_id], _program(call)) for task_id, call in SOLVED.items()]
    results = dsl_executor.run(jobs)
    for (task, _), result in zip(jobs, results, strict=True):
        assert all(r.status is Status.OK for r in result.train + result.test), [
            r.message for r in result.train + result.test
        ]
        assert result.all_train_correct, task.id
        assert result.test_outputs == task.test_outputs, task.id
    # the preloaded import is a lookup: no worker was replaced for importing new modules
    assert dsl_executor.stats.worker_starts == 1
    assert not dsl_executor.stats.worker_exits


def test_a_failing_primitive_is_an_ordinary_error(dsl_executor, arc1_train):
    result = dsl_executor.run([(arc1_train["3c9b0459"], _program("scale_down(np.array(grid), 2)"))])
    first = result[0].train[0]
    assert first.status is Status.ERROR
    assert "ValueError" in first.message and "down by 2" in first.message
