"""Short programs of a task in order of their chance: every one-step program, then two-step ones.

Sampling short programs repeats itself: a few hundred one-step programs take thousands of draws
to see, and most two-step programs drawn are rearrangements with the same outputs. An
:class:`Enumeration` gives each short program once, most likely first: every one-step program (by
its chance under the grammar), then two-step programs best first (the chance of a two-step
program is the product of its steps' chances, so the pairs are walked along the sorted one-step
list with a heap), skipping pairs that say again what another program says:

- a step repeated (``crop_to_content`` twice; a flip twice is nothing, a rotation twice another
  rotation);
- two rotations or mirrors (their composition is one of them);
- a colour map that works cell by cell (``recolour``, ``swap_colours``, ...) followed by a
  primitive that only moves cells (rotations, mirrors, scaling, tiling): the same program with
  the two steps the other way round is given instead.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .program import Step, Steps

if TYPE_CHECKING:
    from .arguments import ArgDrawer
    from .grammar import Grammar

ISOMETRIES = frozenset(
    {"rotate_90", "rotate_180", "rotate_270", "flip_h", "flip_v", "transpose", "anti_transpose"}
)
"""Primitives that turn or mirror the grid: any two make one of them (or nothing)."""
MOVERS = ISOMETRIES | {
    "scale_up",
    "tile",
    "tile_h",
    "tile_v",
    "mirror_h",
    "mirror_v",
    "mirror_4",
    "tile_rotations",
    "roll",
}
"""Primitives that only move or copy cells, whatever their colours."""
CELL_MAPS = frozenset(
    {
        "recolour",
        "swap_colours",
        "keep_colour",
        "remove_colour",
        "fill_background",
        "recolour_foreground",
    }
)
"""Primitives that map each cell's colour to a colour, cell by cell."""
MAX_SIDE = 30
"""The largest side of a grid the executor accepts."""


def redundant(first: Step, second: Step) -> bool:
    """Whether the two-step program ``first, second`` says again what another program says.

    >>> redundant(("flip_h", ()), ("rotate_90", ()))
    True
    >>> redundant(("recolour", (1, 2)), ("flip_h", ())), redundant(("flip_h", ()), ("recolour", (1, 2)))
    (True, False)
    >>> redundant(("crop_to_content", ()), ("crop_to_content", ()))
    True
    """
    a, b = first[0], second[0]
    if first == second:
        return True
    if a in ISOMETRIES and b in ISOMETRIES:
        return True
    return a in CELL_MAPS and b in MOVERS


def behaviour(fn: Callable, args: tuple, inputs: Sequence[np.ndarray]) -> tuple:
    """The outputs of ``fn(grid, *args)`` on every input as one hashable key: per input its
    shape and cells, or None where there is no grid the executor would accept (an error, a side
    outside 1..30, a colour outside 0..9)."""
    key = []
    for grid in inputs:
        try:
            out = fn(grid, *args)
        except Exception:  # a primitive refusing an input: the program fails there
            key.append(None)
            continue
        if (
            not isinstance(out, np.ndarray)
            or out.ndim != 2
            or not (1 <= out.shape[0] <= MAX_SIDE and 1 <= out.shape[1] <= MAX_SIDE)
            or out.dtype.kind not in "iu"
            or out.min() < 0
            or out.max() > 9
        ):
            key.append(None)
        else:
            key.append((out.shape, out.tobytes()))
    return tuple(key)


class Enumeration:
    """The short programs of one task, most likely first (see the module docstring).

    Args:
        grammar: the grammar whose chances order the programs.
        drawer: the task's argument drawer.
        task: the public task; when given, every one-step program is run once on its train and
            test inputs (here, not in the executor) and only one program per behaviour is kept:
            the likeliest of those whose outputs are the same on every input, leaving out those
            that give every input back unchanged, fail on a test input or on every train input.
            Two-step programs then start only with these, and only with those that fail nowhere.
        max_pairs: the most two-step programs given (then :meth:`next` returns None).
    """

    def __init__(
        self, grammar: Grammar, drawer: ArgDrawer, task: Any = None, max_pairs: int = 20_000
    ) -> None:
        singles = grammar.single_steps(drawer)
        order = sorted(range(len(singles)), key=lambda i: -singles[i][1])
        self.steps: list[Step] = [singles[i][0][0] for i in order]
        self.chances: list[float] = [singles[i][1] for i in order]
        self.first = list(range(len(self.steps)))
        """Indices (into :attr:`steps`) of the one-step programs given, most likely first."""
        self.prefixes = self.first
        """Indices of the steps two-step programs start with, most likely first."""
        if task is not None:
            self.first, self.prefixes = self._distinct(grammar, task)
        lengths = grammar.lengths
        self.length_chances = (lengths[0], lengths[1] if len(lengths) > 1 else 0.0)
        self.max_pairs = max_pairs
        self._programs = self._walk()

    def _distinct(self, grammar: Grammar, task: Any) -> tuple[list[int], list[int]]:
        inputs = [np.asarray(p.input, dtype=np.int64) for p in (*task.train, *task.test)]
        n_train = len(task.train)
        seen = {tuple((g.shape, g.tobytes()) for g in inputs)}  # the identity
        kept, prefixes = [], []
        for index, (name, args) in enumerate(self.steps):
            key = behaviour(grammar.functions[name], args, inputs)
            if key in seen or None in key[n_train:] or all(k is None for k in key[:n_train]):
                continue
            seen.add(key)
            kept.append(index)
            if None not in key:
                prefixes.append(index)
        return kept, prefixes

    def next(self) -> Steps | None:
        """The next program, or None once every one-step and ``max_pairs`` two-step programs
        were given."""
        return next(self._programs, None)

    def _walk(self) -> Iterator[Steps]:
        """One-step and two-step programs merged by chance (the chance of the length included)."""
        steps, chances, first, prefixes = self.steps, self.chances, self.first, self.prefixes
        one, two = self.length_chances
        n, m = len(prefixes), len(steps)
        heap = [(-two * chances[prefixes[0]] * chances[0], 0, 0)] if n and m and two > 0 else []
        queued = {0}
        given = 0
        k = 0
        while k < len(first) or (heap and given < self.max_pairs):
            if k < len(first) and (
                not heap or given >= self.max_pairs or one * chances[first[k]] >= -heap[0][0]
            ):
                yield (steps[first[k]],)
                k += 1
                continue
            _, a, b = heapq.heappop(heap)
            for x, y in ((a + 1, b), (a, b + 1)):
                if x < n and y < m and x * m + y not in queued:
                    queued.add(x * m + y)
                    heapq.heappush(heap, (-two * chances[prefixes[x]] * chances[y], x, y))
            i = prefixes[a]
            if not redundant(steps[i], steps[b]):
                given += 1
                yield (steps[i], steps[b])
