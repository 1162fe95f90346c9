"""DSL program source: round trips, compiling, running in-process, rejecting malformed steps."""

from __future__ import annotations

import doctest
import importlib
import random

import numpy as np
import pytest
from soar.agents.dsl.grammar import Grammar
from soar.agents.dsl.primitives import PRIMITIVES
from soar.agents.dsl.program import HEADER, IMPORT, describe, parse_source, to_source
from soar.arc_env import load_tasks

DOCTEST_MODULES = [
    "soar.agents.dsl.program",
    "soar.agents.dsl.features",
    "soar.agents.dsl.arguments",
    "soar.agents.dsl.mutation",
    "soar.agents.dsl.prior",
    "soar.agents.dsl.pruning",
    "soar.agents.dsl.running",
    "soar.agents.dsl.background",
]


@pytest.fixture(scope="module")
def sampled():
    """Programs sampled for a few real tasks: (task, steps)."""
    grammar = Grammar()
    rng = random.Random(0)
    tasks = load_tasks("arc1/train")[:20]
    return [(task, grammar.sample(task, rng)) for task in tasks for _ in range(25)]


def run_steps(steps, grid):
    g = np.array(grid)
    for name, args in steps:
        g = PRIMITIVES[name].fn(g, *args)
    return g.tolist()


def test_round_trip_of_sampled_programs(sampled):
    for _, steps in sampled:
        source = to_source(steps)
        assert parse_source(source) == steps
        assert source.startswith(HEADER) and IMPORT in source
        compile(source, "<dsl>", "exec")


def test_source_computes_what_the_steps_compute(sampled):
    checked = 0
    for task, steps in sampled[::5]:
        namespace: dict = {}
        exec(compile(to_source(steps), "<dsl>", "exec"), namespace)
        grid = task.train[0].input
        try:
            expected = run_steps(steps, grid)
        except Exception as err:  # a primitive rejects this input: so must the program
            with pytest.raises(type(err)):
                namespace["transform"]([list(row) for row in grid])
            continue
        assert np.asarray(namespace["transform"]([list(row) for row in grid])).tolist() == expected
        checked += 1
    assert checked > 20


def test_empty_program_is_the_identity():
    namespace: dict = {}
    exec(to_source(()), namespace)
    assert namespace["transform"]([[1, 2]]).tolist() == [[1, 2]]
    assert parse_source(to_source(())) == ()
    assert describe(()) == "identity"


@pytest.mark.parametrize(
    "source",
    [
        "def transform(grid):\n    return grid\n",
        "# dsl: not json\n",
        '# dsl: {"a": 1}\n',
        '# dsl: [["flip_h", [1.5]]]\n',
        '# dsl: [["os.system", []]]\n',
        '# dsl: [["flip_h", ["x) or (1"]]]\n',
        '# dsl: [["flip_h"]]\n',
        "",
    ],
)
def test_non_dsl_or_damaged_sources_parse_to_none(source):
    assert parse_source(source) is None


@pytest.mark.parametrize(
    "steps",
    [
        (("os.system", ()),),
        (("flip_h", ("x); import os; (",)),),
        (("flip_h", (True,)),),
        (("flip_h", [1]),),
        ("flip_h",),
    ],
)
def test_malformed_steps_are_refused(steps):
    with pytest.raises(ValueError):
        to_source(steps)


def test_arguments_are_written_as_python_literals():
    source = to_source((("extend_colour", (3, "up")), ("scale_up", (2,))))
    assert "    g = extend_colour(g, 3, 'up')\n    g = scale_up(g, 2)\n" in source
    assert source.splitlines()[0] == '# dsl: [["extend_colour", [3, "up"]], ["scale_up", [2]]]'


@pytest.mark.parametrize("name", DOCTEST_MODULES)
def test_doctests(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
