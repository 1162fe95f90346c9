"""The workers' fast path for DSL programs behaves exactly as compiling their source does."""

from __future__ import annotations

import random

import numpy as np
import pytest
from soar.agents.dsl import primitives
from soar.agents.dsl.fast_load import PrefixCache, load_program, load_worker_program
from soar.agents.dsl.grammar import Grammar
from soar.agents.dsl.program import to_source
from soar.arc_env import Executor, Status
from soar.arc_env.executor import DEFAULT_PRELOAD, _worker

PRELOAD = (*DEFAULT_PRELOAD, "soar.agents.dsl.primitives")


def _compiled_transform(source: str):
    namespace: dict = {}
    exec(compile(source, _worker.PROGRAM_FILENAME, "exec"), namespace)
    return namespace["transform"]


def _outcome(transform, grid):
    try:
        return "ok", np.asarray(transform([list(row) for row in grid])).tolist()
    except Exception as exc:
        return "error", _worker.describe(exc)


def test_fast_and_compiled_programs_agree_on_outputs_and_errors(arc1_train):
    grammar, rng = Grammar(), random.Random(0)
    tasks = [arc1_train[i] for i in sorted(arc1_train)[:12]]
    errors = 0
    for task in tasks:
        grids = [pair.input for pair in task.train + task.test]
        for _ in range(40):
            source = to_source(grammar.sample(task, rng))
            fast = load_program(source)
            assert fast is not None, source
            for grid in grids:
                expected = _outcome(_compiled_transform(source), grid)
                assert _outcome(fast, grid) == expected, source
                errors += expected[0] == "error"
    assert errors > 50  # errors (with their line numbers) were compared, not only outputs


def test_programs_sharing_leading_steps_start_from_kept_outputs_and_agree(arc1_train):
    """Programs made of one task's sampled steps, recombined so that many share their first one
    or two steps: each run from the prefix cache gives the compiled source's output or error."""
    grammar, rng = Grammar(), random.Random(1)
    task = arc1_train[sorted(arc1_train)[3]]
    steps = [step for _ in range(30) for step in grammar.sample(task, rng)]
    firsts, lasts = steps[:8], steps[8:20]
    programs = [(a, b) for a in firsts for b in lasts] + [
        (a, b, c) for a in firsts[:3] for b in lasts[:3] for c in lasts[3:8]
    ]
    cache = PrefixCache()
    grids = [pair.input for pair in task.train + task.test]
    errors = 0
    for program in programs:
        source = to_source(program)
        fast = load_program(source, cache)
        for grid in grids:
            expected = _outcome(_compiled_transform(source), grid)
            assert _outcome(fast, grid) == expected, source
            errors += expected[0] == "error"
    runs = len(programs) * len(grids)
    assert cache.hits + cache.misses == runs
    assert cache.hits > runs / 2  # most started after kept leading steps (not after failed ones)
    assert errors > 0


def test_the_cache_keeps_and_hands_out_copies_and_stays_within_its_bytes():
    cache = PrefixCache(max_bytes=3 * 800)  # three 10x10 int64 grids
    grid = tuple((0,) * 10 for _ in range(10))
    calls = ((np.flipud, ()), (np.fliplr, ()))
    output = np.ones((10, 10), dtype=np.int64)
    cache.keep(grid, calls[:1], output)
    output[0, 0] = 7  # the step's output is changed after it was kept
    k, found = cache.longest(grid, calls)
    assert k == 1 and found.sum() == 100
    found[:] = 3  # and what was handed out is changed too
    assert cache.longest(grid, calls)[1].sum() == 100
    assert cache.longest(grid, calls[:1]) == (0, None)  # never the whole program
    for i in range(3):
        cache.keep(((i,),), calls[:1], output)
    assert cache.size == 800 and cache.longest(grid, calls) == (0, None)  # was full: dropped all
    cache.keep(grid, calls[:1], [[1]])  # not an array: not kept
    assert cache.longest(grid, calls) == (0, None)


def _direct(transform, grid):
    try:
        return "ok", np.asarray(transform(grid)).tolist()
    except Exception as exc:
        return "error", _worker.describe(exc)


@pytest.mark.parametrize("grid", [5, None, [[[1]]], [[1, 2], [3]], np.array([[1, 0]])])
def test_inputs_that_are_not_rows_of_cells_fail_or_pass_as_the_source_does(grid):
    source = to_source((("flip_h", ()), ("recolour", (1, 2))))
    expected = _direct(_compiled_transform(source), grid)
    assert _direct(load_program(source, PrefixCache()), grid) == expected


@pytest.mark.parametrize(
    "edit",
    [
        lambda s: s.replace("    return g", "    return g.T"),  # the body was changed
        lambda s: s + "\n",  # not exactly as written
        lambda s: s.replace("flip_h", "open"),  # a name `import *` does not bring
        lambda s: s.replace("flip_h", "np"),
        lambda s: "\n" + s,  # no header first
    ],
)
def test_any_other_source_is_left_to_the_compiler(edit):
    source = to_source((("flip_h", ()), ("recolour", (1, 2))))
    assert load_program(source) is not None
    assert load_program(edit(source)) is None


def test_the_executor_workers_use_the_loader_and_report_the_same_errors(arc1_train):
    task = arc1_train["3c9b0459"]
    good = to_source((("rotate_180", ()),))
    bad = to_source((("rotate_180", ()), ("scale_down", (2,))))
    renamed = bad.replace("scale_down", "scale_dowm")  # a typo: compiled, NameError at line 8
    with Executor(workers=1, timeout=1.0, preload=PRELOAD) as ex:
        assert primitives.__arc_program_loader__ is load_worker_program
        solved, failed, typo = ex.run([(task, good), (task, bad), (task, renamed)])
    assert solved.all_train_correct and solved.test_outputs == task.test_outputs
    first = failed.train[0]
    assert first.status is Status.ERROR
    assert first.message.startswith("ValueError") and first.message.endswith("(line 8)")
    assert typo.train[0].message == "NameError: name 'scale_dowm' is not defined (line 8)"
