"""Loading DSL programs in executor workers without compiling their source.

Compiling and executing a program's module costs about a tenth of a DSL program's whole run in a
worker. :func:`load_program` is the program loader ``soar.agents.dsl.primitives`` offers the executor
(as ``__arc_program_loader__``; see ``soar.arc_env.executor._worker``): for a source that is exactly
what :func:`~soar.agents.dsl.program.to_source` writes, it returns a ``transform`` that behaves as the
source's own would, built from a runner compiled once per number of steps. The runner's lines sit
where the source's do (``np.array`` on line 6, step ``i`` on line ``7 + i``) and it is compiled
under the executor's program file name, so an error names the same line. Any other source gets
None, and the executor compiles it as usual.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial

import numpy as np

from .program import parse_source, to_source

PROGRAM_FILENAME = "<program>"
"""The file name the executor compiles programs under (errors report lines in it)."""
_FIRST_STEP_LINE = 7  # to_source: header, import, 2 blank lines, def, np.array, then the steps

_RUNNERS: dict[int, Callable] = {}


def _runner(n: int) -> Callable:
    """``transform(grid, steps)`` applying ``n`` (function, args) steps, laid out line for line
    like :func:`~soar.agents.dsl.program.to_source`'s output."""
    runner = _RUNNERS.get(n)
    if runner is None:
        lines = [""] * (_FIRST_STEP_LINE - 3)
        lines += ["def transform(grid, steps):", "    g = np.array(grid)"]
        lines += [f"    g = steps[{i}][0](g, *steps[{i}][1])" for i in range(n)]
        lines.append("    return g")
        namespace: dict = {"np": np}
        exec(compile("\n".join(lines) + "\n", PROGRAM_FILENAME, "exec"), namespace)
        runner = _RUNNERS[n] = namespace["transform"]
    return runner


def load_program(source: str) -> Callable | None:
    """The ``transform`` of a DSL program's source, or None if the source is anything else (not
    exactly as :func:`~soar.agents.dsl.program.to_source` writes it, or naming a function that
    ``from soar.agents.dsl.primitives import *`` does not bring).

    >>> src = to_source((("flip_h", ()), ("recolour", (1, 2))))
    >>> load_program(src)([[1, 0]]).tolist()
    [[0, 2]]
    >>> load_program("def transform(grid):\\n    return grid\\n") is None
    True
    """
    steps = parse_source(source)
    if steps is None or to_source(steps, check=False) != source:
        return None
    primitives = sys.modules["soar.agents.dsl.primitives"]
    exported = primitives.__all__
    calls = []
    for name, args in steps:
        if name not in exported or name == "np":
            return None
        calls.append((getattr(primitives, name), args))
    return partial(_runner(len(calls)), steps=tuple(calls))
