"""Loading DSL programs in executor workers without compiling their source.

Compiling and executing a program's module costs about a tenth of a DSL program's whole run in a
worker. :func:`load_worker_program` (:func:`load_program` with the worker's prefix cache) is the
program loader ``soar.agents.dsl.primitives`` offers the executor (as ``__arc_program_loader__``;
see ``soar.arc_env.executor._worker``): for a source that is exactly
what :func:`~soar.agents.dsl.program.to_source` writes, it returns a ``transform`` that behaves as the
source's own would, built from a runner compiled once per number of steps. The runner's lines sit
where the source's do (``np.array`` on line 6, step ``i`` on line ``7 + i``) and it is compiled
under the executor's program file name, so an error names the same line. Any other source gets
None, and the executor compiles it as usual.

Programs share their leading steps: an enumeration tries many second steps after each first one,
and refinements change one step of a program tried before. A worker therefore keeps the
outputs of leading steps (:class:`PrefixCache`, by input grid and steps) and starts a program
after the longest leading part it has already run on that grid. Primitives are deterministic
functions of the grid and their arguments, so the output is the same; the cache keeps its own
copies and hands out copies, so no step can change what a later program finds.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from functools import partial

import numpy as np

from .program import parse_source, to_source

PROGRAM_FILENAME = "<program>"
"""The file name the executor compiles programs under (errors report lines in it)."""
_FIRST_STEP_LINE = 7  # to_source: header, import, 2 blank lines, def, np.array, then the steps

_RUNNERS: dict[int, Callable] = {}
_PRIMITIVES = "soar.agents.dsl.primitives"  # imports this module: looked up when first needed

MAX_CACHED_BYTES = 48 << 20
"""Bytes of prefix outputs a worker keeps (its memory limit is usually 1 GiB); all are dropped
when a new one would not fit."""


class PrefixCache:
    """Outputs of programs' leading steps, by the input grid (as a tuple of row tuples) and the
    steps that ran on it (``((function, args), ...)``)."""

    def __init__(self, max_bytes: int = MAX_CACHED_BYTES) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.by_grid: dict[tuple, dict[tuple, np.ndarray]] = {}
        self.hits = self.misses = 0

    def longest(self, grid: tuple, calls: tuple) -> tuple[int, np.ndarray | None]:
        """The number of leading steps of ``calls`` (fewer than all) whose output on ``grid`` is
        kept, with a copy of that output; ``(0, None)`` if none is."""
        kept = self.by_grid.get(grid)
        if kept:
            for k in range(len(calls) - 1, 0, -1):
                found = kept.get(calls[:k])
                if found is not None:
                    self.hits += 1
                    return k, found.copy()
        self.misses += 1
        return 0, None

    def keep(self, grid: tuple, prefix: tuple, output: object) -> None:
        """Keep a copy of ``output``, what ``prefix`` made of ``grid`` (only plain arrays)."""
        if type(output) is not np.ndarray:
            return
        if self.size + output.nbytes > self.max_bytes:
            self.by_grid.clear()
            self.size = 0
        self.by_grid.setdefault(grid, {})[prefix] = output.copy()
        self.size += output.nbytes


CACHE = PrefixCache()
"""This process's prefix cache (each executor worker has its own)."""


def _runner(n: int) -> Callable:
    """``transform(grid, steps, first=0, last=n)``: steps ``first..last - 1`` of ``n`` (function,
    args) steps applied to ``grid`` (converted by ``np.array`` when ``first`` is 0), laid out
    line for line like :func:`~soar.agents.dsl.program.to_source`'s output."""
    runner = _RUNNERS.get(n)
    if runner is None:
        lines = [""] * (_FIRST_STEP_LINE - 3)
        lines += [f"def transform(g, steps, first=0, last={n}):"]
        lines += ["    g = np.array(g) if first == 0 else g"]
        lines += [
            f"    g = steps[{i}][0](g, *steps[{i}][1]) if first <= {i} < last else g"
            for i in range(n)
        ]
        lines.append("    return g")
        namespace: dict = {"np": np}
        exec(compile("\n".join(lines) + "\n", PROGRAM_FILENAME, "exec"), namespace)
        runner = _RUNNERS[n] = namespace["transform"]
    return runner


def _with_prefixes(calls: tuple, cache: PrefixCache) -> Callable:
    """The ``transform`` of a program of two or more steps: it starts after the longest leading
    part already run on the same grid, and keeps the outputs of the leading parts it runs.

    Grids are told apart by their values, so rows must hold ints as the executor's workers pass
    them (``[[1.0]]`` and ``[[True]]`` would be taken for ``[[1]]``); inputs that are not lists
    run every step."""
    run = _runner(len(calls))
    last = len(calls) - 1

    def transform(grid):
        if type(grid) is not list:  # workers pass lists: anything else runs every step
            return run(grid, calls)
        try:
            key = tuple(map(tuple, grid))
            start, g = cache.longest(key, calls)  # hashes the key
        except TypeError:  # not rows of cells: the plain runner raises what the source would
            return run(grid, calls)
        if g is None:
            g = grid
        for i in range(start, last):
            g = run(g, calls, i, i + 1)
            cache.keep(key, calls[: i + 1], g)
        return run(g, calls, last, last + 1)

    return transform


def load_program(source: str, cache: PrefixCache | None = None) -> Callable | None:
    """The ``transform`` of a DSL program's source, or None if the source is anything else (not
    exactly as :func:`~soar.agents.dsl.program.to_source` writes it, or naming a function that
    ``from soar.agents.dsl.primitives import *`` does not bring).

    Args:
        source: the program's source.
        cache: where the outputs of leading steps are kept and found (None: run every step);
            its ``transform`` must then be given grids as lists of rows of ints.

    >>> src = to_source((("flip_h", ()), ("recolour", (1, 2))))
    >>> load_program(src)([[1, 0]]).tolist()
    [[0, 2]]
    >>> load_program("def transform(grid):\\n    return grid\\n") is None
    True
    """
    steps = parse_source(source)
    if steps is None or to_source(steps, check=False) != source:
        return None
    primitives = sys.modules.get(_PRIMITIVES) or importlib.import_module(_PRIMITIVES)
    exported = primitives.__all__
    calls = []
    for name, args in steps:
        if name not in exported or name == "np":
            return None
        calls.append((getattr(primitives, name), args))
    if cache is not None and len(calls) > 1:
        return _with_prefixes(tuple(calls), cache)
    return partial(_runner(len(calls)), steps=tuple(calls))


def load_worker_program(source: str) -> Callable | None:
    """:func:`load_program` with this process's :data:`CACHE`: the loader DSL programs offer the
    executor, whose workers give every program its inputs as fresh lists of rows of ints."""
    return load_program(source, CACHE)
