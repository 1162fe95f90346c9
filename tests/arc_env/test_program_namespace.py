"""The names a program finds already bound (np, math, scipy, List, Tuple), as the released SOAR
executor bound them; a program's own imports and assignments still win."""

from __future__ import annotations

import pytest
from soar.arc_env import Executor
from soar.arc_env.executor import _worker

ROTATE_BODY = "    return np.rot90(np.array(grid), 2).tolist()\n"


@pytest.mark.parametrize(
    "program",
    [
        "def transform(grid):\n" + ROTATE_BODY,
        "def transform(grid):\n    assert math.floor(2.5) == 2\n"
        "    return [row[::-1] for row in grid[::-1]]\n",
        "def transform(grid):\n    labels, n = scipy.ndimage.label(np.array(grid) > 0)\n"
        + ROTATE_BODY,
        "def transform(grid: List[List[int]]) -> List[List[int]]:\n" + ROTATE_BODY,
        "def transform(grid: Tuple[int, ...]) -> Tuple[int, ...]:\n" + ROTATE_BODY,
    ],
    ids=["np", "math", "scipy", "List", "Tuple"],
)
def test_each_name_is_bound_without_an_import(executor, rotate_task, program):
    result = executor.run([(rotate_task, program)])[0]
    assert result.all_train_correct, [r.message for r in result.train]


@pytest.mark.parametrize(
    "program",
    [
        # the program's own assignment wins
        "np = 'mine'\ndef transform(grid):\n    assert np == 'mine'\n"
        "    return [row[::-1] for row in grid[::-1]]\n",
        "List = list\ndef transform(grid):\n    assert List is list\n"
        "    return [row[::-1] for row in grid[::-1]]\n",
        # the program's own import wins
        "import cmath as math\ndef transform(grid):\n    assert math.__name__ == 'cmath'\n"
        "    return [row[::-1] for row in grid[::-1]]\n",
        "from fractions import Fraction as Tuple\ndef transform(grid):\n"
        "    assert Tuple(1, 2) == 0.5\n    return [row[::-1] for row in grid[::-1]]\n",
    ],
    ids=["assigned-np", "assigned-List", "imported-math", "imported-Tuple"],
)
def test_the_programs_own_binding_wins(executor, rotate_task, program):
    result = executor.run([(rotate_task, program)])[0]
    assert result.all_train_correct, [r.message for r in result.train]


def test_a_rebinding_does_not_reach_the_next_program(rotate_task):
    clobber = "np = None\nscipy = None\ndef transform(grid):\n    return grid\n"
    uses = "def transform(grid):\n    scipy.ndimage.label(np.array(grid))\n" + ROTATE_BODY
    with Executor(workers=1, timeout=1.0) as ex:
        first, second = ex.run([(rotate_task, clobber), (rotate_task, uses)])
        assert not ex.stats.worker_exits  # one worker ran both
    assert first.train[0].ok and second.all_train_correct


def test_names_are_bound_even_when_not_preloaded(rotate_task):
    """The worker imports them itself, before its state is recorded: using them is not an import
    that makes the worker restart."""
    program = "def transform(grid):\n    assert scipy.__name__ == 'scipy'\n" + ROTATE_BODY
    with Executor(workers=1, timeout=2.0, preload=()) as ex:
        results = ex.run([(rotate_task, program)] * 3)
        assert not ex.stats.worker_exits
    assert all(r.all_train_correct for r in results)


def test_the_bound_names():
    bound = _worker.program_globals()
    assert sorted(bound) == ["List", "Tuple", "math", "np", "scipy"]
    assert bound["np"].__name__ == "numpy" and bound["scipy"].__name__ == "scipy"
