"""Short programs of a task in order of their chance: every one-step program, then two-step ones.

Sampling short programs repeats itself: a few hundred one-step programs take thousands of draws
to see, and most two-step programs drawn are rearrangements with the same outputs. An
:class:`Enumeration` gives each short program once, most likely first: every one-step program (by
its chance under the grammar), then two-step programs best first (the chance of a two-step
program is the chance of its first step times that of its second given the first: with no learned
transitions, the product of their one-step chances; a heap walks each first step's sorted list of
second steps), skipping pairs that say again what another program says:

- a step repeated (``crop_to_content`` twice; a flip twice is nothing, a rotation twice another
  rotation);
- two rotations or mirrors (their composition is one of them);
- a colour map that works cell by cell (``recolour``, ``swap_colours``, ...) followed by a
  primitive that only moves cells (rotations, mirrors, scaling, tiling): the same program with
  the two steps the other way round is given instead.

Given the task, every one-step program is run once on its train and test inputs, in this process
(a few hundred primitive calls per task, about a tenth of a second): programs with the same
outputs on every input count once (the likeliest stands for them); a one-step program is given on
its own only if it could be right or refined (it gives every train output its target's shape, or
gets a train pair right); and two-step programs start only with steps that fail on no input, and
skip second steps that cannot mend what the first got wrong: a wrong shape followed by a primitive
that keeps shapes, or a missing colour followed by one that adds none.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .arguments import SAME
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
            test inputs (here, not in the executor; see :meth:`_screen`), which keeps one program
            per behaviour and leaves out two-step programs that cannot be right.
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
        self.misfits: dict[int, tuple[bool, bool]] = {}
        """For prefixes whose outputs cannot be finished by any second step of some kind:
        (some train output has the wrong shape, some train output lacks a colour its target
        has)."""
        self.same_shape = frozenset(n for n, e in grammar.effects().items() if e == SAME)
        self.adders = grammar.colour_adders()
        if task is not None:
            self._screen(grammar, task)
        lengths = grammar.lengths
        self.length_chances = (lengths[0], lengths[1] if len(lengths) > 1 else 0.0)
        self.max_pairs = max_pairs
        self._grammar, self._context = grammar, drawer.info.context
        self._orders: dict[str, tuple[list[int], list[float]]] = {}
        self._programs = self._walk()

    def _screen(self, grammar: Grammar, task: Any) -> None:
        """Run each one-step program on the task's inputs once and keep, per behaviour (the
        outputs on every input), its likeliest program: as a one-step program when it could be
        right or refined (it gives every train output its target's shape, or gets a train pair
        right), and as the start of two-step programs when it fails on no input. Programs that
        give every input back unchanged, or fail on a test input, are left out."""
        inputs = [np.asarray(p.input, dtype=np.int64) for p in (*task.train, *task.test)]
        targets = [np.asarray(p.output, dtype=np.int64) for p in task.train]
        n_train = len(targets)
        wanted = [(t.shape, t.tobytes()) for t in targets]
        colours = [set(np.unique(t).tolist()) - {0} for t in targets]
        seen = {tuple((g.shape, g.tobytes()) for g in inputs)}  # the identity
        kept, prefixes = [], []
        for index, (name, args) in enumerate(self.steps):
            key = behaviour(grammar.functions[name], args, inputs)
            if key in seen or None in key[n_train:] or all(k is None for k in key[:n_train]):
                continue
            seen.add(key)
            train = key[:n_train]
            shaped = all(k is not None and k[0] == w[0] for k, w in zip(train, wanted, strict=True))
            if shaped or any(k == w for k, w in zip(train, wanted, strict=True)):
                kept.append(index)
            if None in key:
                continue
            prefixes.append(index)
            short = any(
                not need <= set(np.unique(np.frombuffer(k[1], dtype=np.int64)).tolist())
                for k, need in zip(train, colours, strict=True)
            )
            if not shaped or short:
                self.misfits[index] = (not shaped, short)
        self.first, self.prefixes = kept, prefixes

    def feasible(self, first: int, second: int) -> bool:
        """Whether the two-step program of steps ``first`` (a prefix) and ``second`` could be
        right on every train pair: a second step that keeps the shape cannot mend a wrong one,
        and one that adds no colour cannot bring a missing one."""
        misfit = self.misfits.get(first)
        if misfit is None:
            return True
        name = self.steps[second][0]
        wrong_shape, short = misfit
        return not (wrong_shape and name in self.same_shape) and not (
            short and name not in self.adders
        )

    def next(self) -> Steps | None:
        """The next program, or None once every one-step and ``max_pairs`` two-step programs
        were given."""
        return next(self._programs, None)

    def _after(self, prev: str) -> tuple[list[int], list[float]]:
        """The steps in order of their chance after a step of primitive ``prev``, and those
        chances (the grammar's transitions from ``prev`` reorder them; without any, every
        prefix shares the one-step order)."""
        kept = self._orders.get(prev)
        if kept is None:
            grammar, ctx = self._grammar, self._context
            if prev not in grammar.transitions:
                kept = (list(range(len(self.steps))), self.chances)
            else:
                ratio = {
                    name: grammar.weight(ctx, name, prev) / w
                    if (w := grammar.weight(ctx, name))
                    else 0.0
                    for name in {step[0] for step in self.steps}
                }
                chances = [
                    c * ratio[step[0]] for step, c in zip(self.steps, self.chances, strict=True)
                ]
                order = sorted(range(len(chances)), key=lambda i: -chances[i])
                kept = (order, [chances[i] for i in order])
            self._orders[prev] = kept
        return kept

    def _walk(self) -> Iterator[Steps]:
        """One-step and two-step programs merged by chance (the chance of the length included):
        the two-step programs of each prefix come in the order of :meth:`_after`, and a heap
        keeps every prefix's next one."""
        steps, chances, first, prefixes = self.steps, self.chances, self.first, self.prefixes
        one, two = self.length_chances
        heap: list[tuple[float, int, int]] = []
        if two > 0:
            for a, i in enumerate(prefixes):
                order, after = self._after(steps[i][0])
                if order:
                    heap.append((-two * chances[i] * after[0], a, 0))
            heapq.heapify(heap)
        given = 0
        k = 0
        while k < len(first) or (heap and given < self.max_pairs):
            if k < len(first) and (
                not heap or given >= self.max_pairs or one * chances[first[k]] >= -heap[0][0]
            ):
                yield (steps[first[k]],)
                k += 1
                continue
            _, a, rank = heapq.heappop(heap)
            i = prefixes[a]
            order, after = self._after(steps[i][0])
            if rank + 1 < len(order):
                heapq.heappush(heap, (-two * chances[i] * after[rank + 1], a, rank + 1))
            b = order[rank]
            if not redundant(steps[i], steps[b]) and self.feasible(i, b):
                given += 1
                yield (steps[i], steps[b])
