"""The workers' fast path for DSL programs behaves exactly as compiling their source does."""

from __future__ import annotations

import random

import numpy as np
import pytest
from soar.agents.dsl import primitives
from soar.agents.dsl.fast_load import load_program
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
        assert primitives.__arc_program_loader__ is load_program
        solved, failed, typo = ex.run([(task, good), (task, bad), (task, renamed)])
    assert solved.all_train_correct and solved.test_outputs == task.test_outputs
    first = failed.train[0]
    assert first.status is Status.ERROR
    assert first.message.startswith("ValueError") and first.message.endswith("(line 8)")
    assert typo.train[0].message == "NameError: name 'scale_dowm' is not defined (line 8)"
