"""What the grammar draws arguments from: a task's colours and sizes, and the primitives' kinds.

:func:`task_info` reads a public task once; :class:`ArgDrawer` then draws each kind of argument
in a few hundred nanoseconds. :func:`shape_effect` tells, by running each primitive on small
probe grids, whether it keeps the grid's shape, makes it larger or smaller, or depends on content.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

import numpy as np

from .features import Context, size_ratios, task_context
from .primitives_base import COLOUR_ROLES, colours_of

COLOURS = tuple(range(10))
PREFER_TO = 0.7
"""How often a ``colour_to`` is a colour that outputs add or that changed cells become."""
PREFER_FROM = 0.7
"""How often a ``colour_from`` is a colour that outputs drop or that changed cells had."""
PREFER_ANY = 0.5
"""How often a ``colour`` is one of those (the colours the rule is likely about)."""
PREFER_FACTOR = 0.7
"""How often a ``factor`` or ``count`` is the task's own size ratio, when it has one."""
PREFERENCES = {
    "colour_to": PREFER_TO,
    "colour_from": PREFER_FROM,
    "colour": PREFER_ANY,
    "factor": PREFER_FACTOR,
    "count": PREFER_FACTOR,
}
"""The built-in chance, per kind, that an argument is one of the task's preferred values."""
Tilts = Mapping[str, Mapping[Any, float]]
"""Learned argument preferences: per slot (``"name/j"``, the ``j``-th parameter of primitive
``name``), a factor per value that multiplies the value's chance (see :meth:`ArgDrawer.chance`)."""


def slot(name: str, j: int) -> str:
    """The key of a primitive's ``j``-th parameter in :data:`Tilts`.

    >>> slot("recolour", 1)
    'recolour/1'
    """
    return f"{name}/{j}"


@dataclass(frozen=True)
class TaskInfo:
    """What sampling needs from a public task.

    Attributes:
        context: the task's context (see :mod:`soar.agents.dsl.features`).
        colours: every colour of the train inputs and outputs.
        inputs: the colours of the train inputs.
        outputs: the colours of the train outputs.
        new: colours of outputs that no input has.
        gone: colours of inputs that no output has.
        ratios: the task's integer size ratios (scaling up or down, along either axis), > 1.
        changed_from: in pairs whose output keeps the input's shape, the input colours of the
            cells that change.
        changed_to: the colours those cells become.
    """

    context: Context
    colours: tuple[int, ...]
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    new: tuple[int, ...]
    gone: tuple[int, ...]
    ratios: tuple[int, ...]
    changed_from: tuple[int, ...] = ()
    changed_to: tuple[int, ...] = ()


def task_info(task: Any) -> TaskInfo:
    """Read what sampling needs from ``task`` (only its train pairs).

    >>> from soar.arc_env import Pair, Task
    >>> info = task_info(Task("t", (Pair(((1, 0),), ((2, 2), (0, 0))),), ()))
    >>> info.new, info.gone, info.ratios
    ((2,), (1,), (2,))
    >>> info = task_info(Task("t", (Pair(((1, 5, 8),), ((1, 8, 5),)),), ()))
    >>> info.changed_from, info.changed_to
    ((5, 8), (5, 8))
    """
    return pairs_info([(p.input, p.output) for p in task.train], task_context(task))


def pairs_info(pairs: Sequence[tuple[Any, Any]], context: Context = ()) -> TaskInfo:
    """What sampling needs from (input, output) grid pairs: :func:`task_info` of a task with
    these train pairs, or of what is left to do once a first step made the inputs (with the
    ``context`` given, since it describes the whole task)."""
    pairs = [(np.asarray(i), np.asarray(o)) for i, o in pairs]
    inputs = set().union(*(colours_of(i) for i, _ in pairs)) if pairs else set()
    outputs = set().union(*(colours_of(o) for _, o in pairs)) if pairs else set()
    changed_from: set[int] = set()
    changed_to: set[int] = set()
    for i, o in pairs:
        if i.shape == o.shape:
            diff = i != o
            changed_from.update(colours_of(i[diff]))
            changed_to.update(colours_of(o[diff]))
    return TaskInfo(
        context=context,
        colours=tuple(sorted(inputs | outputs)) or COLOURS,
        inputs=tuple(sorted(inputs)) or COLOURS,
        outputs=tuple(sorted(outputs)) or COLOURS,
        new=tuple(sorted(outputs - inputs)),
        gone=tuple(sorted(inputs - outputs)),
        ratios=size_ratios(pairs),
        changed_from=tuple(sorted(changed_from)),
        changed_to=tuple(sorted(changed_to)),
    )


class ArgDrawer:
    """Draws arguments of each parameter kind for one task.

    Args:
        kinds: every parameter kind and its finite domain, or None for colour kinds (their
            domain: the task's colours, then the colour roles of
            :data:`~soar.agents.dsl.primitives_base.COLOUR_ROLES`).
        info: the task.
        preferences: per kind, the chance that an argument is one of the task's preferred
            values (default: :data:`PREFERENCES`).
        tilts: learned preferences per primitive parameter (see :data:`Tilts`); a slot without
            one draws by its kind alone.
    """

    def __init__(
        self,
        kinds: Mapping[str, tuple | None],
        info: TaskInfo,
        preferences: Mapping[str, float] | None = None,
        tilts: Tilts | None = None,
    ) -> None:
        self.info = info
        chances = {**PREFERENCES, **(preferences or {})}
        self.tilts = tilts or {}
        self._slots: dict[str, tuple[tuple, list[float], dict]] = {}
        self.domains: dict[str, tuple] = {}
        for kind, domain in kinds.items():
            if domain is None:
                colours = {"colour_from": info.inputs, "colour_to": info.outputs}.get(
                    kind, info.colours
                )
                domain = (*colours, *COLOUR_ROLES)
            self.domains[kind] = tuple(domain)
        self.preferred: dict[str, tuple[tuple, float]] = {}
        for kind, values in (
            ("colour_to", set(info.new) | set(info.changed_to)),
            ("colour_from", set(info.gone) | set(info.changed_from)),
            ("colour", set(info.new) | set(info.changed_from) | set(info.changed_to)),
        ):
            if values and kind in self.domains:
                self.preferred[kind] = (tuple(sorted(values)), chances[kind])
        for kind in ("factor", "count"):
            ratios = tuple(r for r in info.ratios if r in self.domains.get(kind, ()))
            if ratios:
                self.preferred[kind] = (ratios, chances[kind])

    def domain(self, kind: str) -> tuple:
        """Every value an argument of ``kind`` may take for this task."""
        return self.domains[kind]

    def chance(self, kind: str, value: Any, where: str | None = None) -> float:
        """The chance that :meth:`draw` gives ``value`` for ``kind`` (at slot ``where``: see
        :func:`slot`; its learned tilts, if any, multiply the chances, renormalised).

        >>> drawer = ArgDrawer({"colour": None}, TaskInfo((), (1, 2), (1,), (2,), (2,), (1,), ()))
        >>> drawer.domain("colour")[:3], [round(drawer.chance("colour", c), 3) for c in (1, 2, 3)]
        ((1, 2, 'most_common'), [0.083, 0.583, 0.0])
        >>> tilted = ArgDrawer({"colour": (1, 2)}, drawer.info, tilts={"f/0": {1: 3.0}})
        >>> [tilted.chance("colour", c, "f/0") for c in (1, 2, 3)]
        [0.5, 0.5, 0.0]
        """
        if where is not None and where in self.tilts:
            return self._slot(kind, where)[2].get(value, 0.0)
        domain = self.domains[kind]
        base = 1 / len(domain) if value in domain else 0.0
        preferred = self.preferred.get(kind)
        if preferred is None:
            return base
        values, p = preferred
        return (1 - p) * base + (p / len(values) if value in values else 0.0)

    def _slot(self, kind: str, where: str) -> tuple[tuple, list[float], dict]:
        """The values of a tilted slot, their cumulative chances, and each value's chance."""
        table = self._slots.get(where)
        if table is None:
            tilt = self.tilts[where]
            values = self.domains[kind]
            raw = [self.chance(kind, v) * tilt.get(v, 1.0) for v in values]
            total = sum(raw) or 1.0
            chances = [r / total for r in raw]
            table = self._slots[where] = (
                values,
                list(accumulate(chances)),
                dict(zip(values, chances, strict=True)),
            )
        return table

    def draw(self, kind: str, rng: random.Random, where: str | None = None) -> Any:
        """One argument of ``kind`` (at slot ``where``, by its learned tilts if it has any)."""
        if where is not None and where in self.tilts:
            values, cum, _ = self._slot(kind, where)
            index = bisect.bisect_right(cum, rng.random() * cum[-1])
            return values[min(index, len(values) - 1)]
        preferred = self.preferred.get(kind)
        if preferred is not None and rng.random() < preferred[1]:
            values = preferred[0]
        else:
            values = self.domains[kind]
        return values[int(rng.random() * len(values))]

    def draw_args(self, params: Sequence[str], rng: random.Random, name: str = "") -> tuple:
        """Arguments for primitive ``name`` with parameter kinds ``params``; a ``colour_to`` is
        drawn again (up to three times) while it equals the ``colour_from`` before it."""
        args = [self.draw(kind, rng, slot(name, j)) for j, kind in enumerate(params)]
        if "colour_from" in params and "colour_to" in params:
            source, target = params.index("colour_from"), params.index("colour_to")
            for _ in range(3):
                if args[source] != args[target]:
                    break
                args[target] = self.draw("colour_to", rng, slot(name, target))
        return tuple(args)


# ------------------------------------------------------------------------------ shape effects

SAME, LARGER, SMALLER, VARIES = "same", "larger", "smaller", "varies"
TRANSPOSES = "transposes"
"""The shape effect of a rotation by a quarter turn: an h x w grid becomes w x h."""


def _probe_grids() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    grids = []
    for h, w in ((6, 6), (5, 7), (8, 4), (9, 9)):
        grid = np.zeros((h, w), dtype=np.int64)
        for _ in range(3):  # a few rectangles of colour on a background
            r, c = rng.integers(0, h - 1), rng.integers(0, w - 1)
            grid[r : r + rng.integers(1, 3), c : c + rng.integers(1, 3)] = rng.integers(1, 5)
        if h == 9:  # separator lines
            grid[4, :] = 5
            grid[:, 4] = 5
        grids.append(grid)
    one_colour = np.zeros((4, 6), dtype=np.int64)
    one_colour[1:3, 1:4] = 2
    one_colour[3, 5] = 2
    grids.append(one_colour)
    # a small grid, for primitives that build a grid from many copies (fractals: 3x3 to 9x9)
    grids.append(np.array([[1, 0, 2], [0, 1, 0], [2, 0, 0]], dtype=np.int64))
    return grids


def shape_effect(fn: Any, params: Sequence[str], kinds: Mapping[str, tuple | None]) -> str:
    """How ``fn`` changes a grid's shape, judged on a few probe grids with drawn arguments.

    Returns:
        ``same``, ``larger`` (never smaller, sometimes larger), ``smaller`` (never larger,
        sometimes smaller), ``transposes`` (h x w becomes w x h) or ``varies`` (both, neither
        being comparable, or every probe failed).

    >>> shape_effect(lambda g, k: np.kron(g, np.ones((k, k), int)), ("factor",), {"factor": (2,)})
    'larger'
    """
    rng = random.Random(0)
    seen = set()
    transposed = True
    for grid in _probe_grids():
        colours = tuple(int(c) for c in np.unique(grid))
        for _ in range(3):
            args = [
                rng.choice(colours if kinds.get(k) is None else kinds[k])  # type: ignore[arg-type]
                for k in params
            ]
            try:
                out = np.asarray(fn(grid.copy(), *args))
            except Exception:  # a primitive may reject a probe: that says nothing of its shape
                continue
            if out.ndim != 2:
                continue
            (hi, wi), (ho, wo) = grid.shape, out.shape
            transposed &= (ho, wo) == (wi, hi)
            if (ho, wo) == (hi, wi):
                seen.add(SAME)
            elif ho >= hi and wo >= wi:
                seen.add(LARGER)
            elif ho <= hi and wo <= wi:
                seen.add(SMALLER)
            else:
                seen.add(VARIES)
    if not seen:  # every probe failed: nothing is known of it
        return VARIES
    if seen == {SAME}:
        return SAME
    if transposed:
        return TRANSPOSES
    seen.discard(SAME)
    return seen.pop() if len(seen) == 1 else VARIES


def adds_colours(fn: Any, params: Sequence[str], kinds: Mapping[str, tuple | None]) -> bool:
    """Whether ``fn`` can give a grid a colour it did not have (background aside), judged on the
    probe grids with drawn arguments (colours drawn from all ten, so that a colour map shows that
    it paints with new ones).

    >>> adds_colours(lambda g: g[::-1], (), {}), adds_colours(lambda g, c: g * 0 + c, ("colour",), {"colour": None})
    (False, True)
    """
    rng = random.Random(0)
    for grid in _probe_grids():
        have = set(np.unique(grid).tolist()) | {0}
        for _ in range(4):
            args = [
                rng.choice(COLOURS if kinds.get(k) is None else kinds[k])  # type: ignore[arg-type]
                for k in params
            ]
            try:
                out = np.asarray(fn(grid.copy(), *args))
            except Exception:  # a primitive may reject a probe
                continue
            if not set(np.unique(out).tolist()) <= have:
                return True
    return False
