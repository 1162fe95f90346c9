"""A probabilistic grammar over DSL programs, conditioned on task features.

A program is drawn in three parts: its length (1..4 steps, short ones likelier), each step's
primitive (by the weights of the task's context), and each primitive's arguments (from the task:
its colours and size ratios, or the finite domain of the parameter kind). Weights are looked up
for the longest prefix of the task's context that has any (see :mod:`soar.agents.dsl.features`),
else the global ones, and then tilted towards primitives whose effect on the grid's shape fits
the task (a task whose outputs keep the input shape rarely wants a scaling).

A grammar is treated as immutable once used (it caches its weight tables): make a new one, e.g.
with :meth:`Grammar.replace`, to change weights. :func:`soar.agents.dsl.fitting.fit` learns weights
from programs that solved tasks; :meth:`Grammar.mutate` edits a program for refinement (see
:mod:`soar.agents.dsl.mutation`).
"""

from __future__ import annotations

import bisect
import json
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from itertools import accumulate
from pathlib import Path
from typing import Any

from .arguments import (
    LARGER,
    SAME,
    SMALLER,
    TRANSPOSES,
    VARIES,
    ArgDrawer,
    TaskInfo,
    Tilts,
    adds_colours,
    shape_effect,
    slot,
    task_info,
)
from .features import Context, context_from_key, context_key
from .program import Steps

DEFAULT_LENGTHS = (0.45, 0.3, 0.15, 0.1)
"""The default chance of a program of 1, 2, 3 and 4 steps."""
FORMAT = "soar-dsl-grammar"
MAX_KEPT_TASKS = 4096
"""Tasks whose argument drawers a grammar keeps (then it starts afresh)."""

COMPATIBLE = {
    SAME: {SAME: 1.0, TRANSPOSES: 0.7, LARGER: 0.05, SMALLER: 0.05, VARIES: 0.2},
    LARGER: {SAME: 0.3, TRANSPOSES: 0.3, LARGER: 1.0, SMALLER: 0.05, VARIES: 0.3},
    SMALLER: {SAME: 0.3, TRANSPOSES: 0.3, LARGER: 0.05, SMALLER: 1.0, VARIES: 1.0},
}
"""How much a primitive with a shape effect (inner key) suits a task whose outputs are the same
size, larger or smaller than its inputs (outer key); other tasks take every primitive alike."""


_EFFECTS: dict[tuple, str] = {}
"""Shape effects found so far, by (function, parameter kinds, their domains)."""
_ADDERS: dict[tuple, bool] = {}
"""Whether each primitive can add colours, found so far (keyed as :data:`_EFFECTS`)."""


def _registry() -> tuple[Mapping[str, Any], Mapping[str, tuple | None]]:
    from . import primitives

    return primitives.PRIMITIVES, primitives.PARAM_KINDS


def normalised(weights: Mapping[str, float], names: Iterable[str]) -> dict[str, float]:
    """``weights`` over ``names`` summing to 1; a name without a weight gets the mean one."""
    names = list(names)
    known = [max(0.0, float(weights[n])) for n in names if n in weights]
    mean = sum(known) / len(known) if known else 1.0
    raw = {n: max(0.0, float(weights.get(n, mean))) for n in names}
    total = sum(raw.values()) or 1.0
    return {n: w / total for n, w in raw.items()}


class Grammar:
    """Weights over primitives by context, a length distribution, and a shape tilt.

    Args:
        weights: per context (or context prefix), a weight per primitive name.
        default: the global weight per primitive name; primitives it lacks get the mean weight
            (an empty mapping: every primitive alike).
        lengths: the chance of a program of 1, 2, ... steps (normalised here).
        shape_bias: 0 to 1: how strongly :data:`COMPATIBLE` tilts the weights.
        primitives: the primitive registry (default: ``soar.agents.dsl.primitives.PRIMITIVES``);
            entries need ``fn`` and ``params``.
        kinds: the parameter kinds and their domains (default: ``PARAM_KINDS`` there).
        transitions: per primitive, factors that multiply the weight of each primitive of the
            next step (``"*"``: the factor of those not named); none: steps are independent.
        arguments: learned argument preferences per primitive parameter (see
            :data:`~soar.agents.dsl.arguments.Tilts`).
        preferences: per argument kind, the chance of the task's preferred values (default:
            :data:`~soar.agents.dsl.arguments.PREFERENCES`).
        earlier: the grammars of earlier self-improvement rounds (fitted weights, oldest
            first, without their own ``earlier``): a :class:`~soar.agents.dsl.policy.DSLPolicy`
            screens their first programs too, so that what an earlier round's grammar found is
            not lost when the next one orders programs differently. Saved with the weights.
    """

    def __init__(
        self,
        weights: Mapping[Context, Mapping[str, float]] | None = None,
        default: Mapping[str, float] | None = None,
        lengths: Iterable[float] = DEFAULT_LENGTHS,
        shape_bias: float = 1.0,
        *,
        primitives: Mapping[str, Any] | None = None,
        kinds: Mapping[str, tuple | None] | None = None,
        transitions: Mapping[str, Mapping[str, float]] | None = None,
        arguments: Tilts | None = None,
        preferences: Mapping[str, float] | None = None,
        earlier: Sequence[Grammar] = (),
    ) -> None:
        if primitives is None or kinds is None:
            default_primitives, default_kinds = _registry()
            primitives = default_primitives if primitives is None else primitives
            kinds = default_kinds if kinds is None else kinds
        self.kinds = dict(kinds)
        # A primitive whose parameter kinds are unknown cannot be given arguments: leave it out.
        self.params = {
            name: tuple(p.params)
            for name, p in primitives.items()
            if all(k in self.kinds for k in p.params)
        }
        self.primitives = {name: primitives[name] for name in self.params}
        self.functions = {name: entry.fn for name, entry in self.primitives.items()}
        if not self.params:
            raise ValueError("the grammar needs at least one primitive with known parameter kinds")
        self.weights = {tuple(c): dict(w) for c, w in (weights or {}).items()}
        self.default = dict(default or {})
        lengths = [max(0.0, float(p)) for p in lengths]
        if not lengths or sum(lengths) <= 0:
            raise ValueError(f"lengths: expected chances of 1, 2, ... steps, got {lengths}")
        self.lengths = tuple(p / sum(lengths) for p in lengths)
        if not 0 <= shape_bias <= 1:
            raise ValueError(f"shape_bias: expected 0..1, got {shape_bias}")
        self.shape_bias = float(shape_bias)
        self.transitions = {a: dict(t) for a, t in (transitions or {}).items()}
        self.arguments = {where: dict(t) for where, t in (arguments or {}).items()}
        self.preferences = dict(preferences or {})
        self.earlier = tuple(earlier)
        if any(g.earlier for g in self.earlier):
            raise ValueError("earlier: expected grammars without earlier grammars of their own")
        self.signatures: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for name, params in self.params.items():
            self.signatures[params].append(name)
        self._length_cum = list(accumulate(self.lengths))
        self._effects: dict[str, str] | None = None
        self._adders: frozenset[str] | None = None
        self._drawers: dict[str, tuple[Any, ArgDrawer]] = {}
        self._tables: dict[tuple, tuple[list[str], list[float], dict[str, float]]] = {}

    def replace(
        self,
        weights: Mapping[Context, Mapping[str, float]],
        default: Mapping[str, float],
        lengths: Iterable[float],
        **learned: Any,
    ) -> Grammar:
        """A grammar with the same primitives and shape bias, and these weights and lengths;
        ``learned`` may give new ``transitions``, ``arguments``, ``preferences`` and ``earlier``
        grammars (else this grammar's are kept)."""
        kept = {
            "transitions": self.transitions,
            "arguments": self.arguments,
            "preferences": self.preferences,
            "earlier": self.earlier,
        }
        return Grammar(
            weights,
            default,
            lengths,
            self.shape_bias,
            primitives=self.primitives,
            kinds=self.kinds,
            **{**kept, **learned},
        )

    def after(self, previous: Grammar) -> Grammar:
        """This grammar as the successor of ``previous`` (the grammar whose search gave the
        data it was fitted on): its :attr:`earlier` grammars are ``previous``'s and
        ``previous`` itself."""
        bare = previous.replace(previous.weights, previous.default, previous.lengths, earlier=())
        return self.replace(
            self.weights, self.default, self.lengths, earlier=(*previous.earlier, bare)
        )

    @property
    def names(self) -> list[str]:
        """Every primitive the grammar can use, in registry order."""
        return list(self.params)

    @property
    def max_length(self) -> int:
        return len(self.lengths)

    def effects(self) -> dict[str, str]:
        """Each primitive's shape effect (see :func:`~soar.agents.dsl.arguments.shape_effect`)."""
        if self._effects is None:
            effects = {}
            for name, params in self.params.items():
                fn = self.functions[name]
                key = (fn, params, tuple(self.kinds[k] for k in params))
                if key not in _EFFECTS:
                    _EFFECTS[key] = shape_effect(fn, params, self.kinds)
                effects[name] = _EFFECTS[key]
            self._effects = effects
        return self._effects

    def colour_adders(self) -> frozenset[str]:
        """The primitives that may give a grid a colour it lacks: those with a colour parameter
        (they may paint with it), and those that add colours on the probe grids (see
        :func:`~soar.agents.dsl.arguments.adds_colours`)."""
        if self._adders is None:
            adders = set()
            for name, params in self.params.items():
                fn = self.functions[name]
                key = (fn, params, tuple(self.kinds[k] for k in params))
                if key not in _ADDERS:
                    _ADDERS[key] = adds_colours(fn, params, self.kinds)
                if _ADDERS[key] or {"colour", "colour_to"} & set(params):
                    adders.add(name)
            self._adders = frozenset(adders)
        return self._adders

    def known(self, steps: Steps) -> bool:
        """Whether every step names a primitive of the grammar with the right number of args."""
        return all(
            name in self.params and len(args) == len(self.params[name]) for name, args in steps
        )

    # ---------------------------------------------------------------------------- weights

    def context_weights(self, ctx: Context, prev: str | None = None) -> dict[str, float]:
        """The normalised weight of each primitive for a task of context ``ctx`` (as the step
        after primitive ``prev``, when the grammar has transitions from it)."""
        base = self.default
        for k in range(len(ctx), 0, -1):
            found = self.weights.get(tuple(ctx[:k]))
            if found is not None:
                base = found
                break
        weights = normalised(base, self.names)
        if ctx and ctx[0] in COMPATIBLE and self.shape_bias > 0:
            weights = {n: w * self.shape_tilt(ctx[0], n) for n, w in weights.items()}
        tilt = self.transitions.get(prev) if prev is not None else None
        if tilt is not None:
            other = tilt.get("*", 1.0)
            weights = {n: w * tilt.get(n, other) for n, w in weights.items()}
        return normalised(weights, self.names)

    def shape_tilt(self, relation: str | None, name: str) -> float:
        """The factor on primitive ``name``'s weight where outputs must be ``relation``
        (``same``, ``larger``, ``smaller``: see :func:`~soar.agents.dsl.features.size_relation`)
        than the grids it is given: :data:`COMPATIBLE` scaled by :attr:`shape_bias` (1 for other
        relations)."""
        table = COMPATIBLE.get(relation) if relation is not None else None
        if table is None:
            return 1.0
        return 1 - self.shape_bias + self.shape_bias * table[self.effects()[name]]

    def _table(
        self, ctx: Context, prev: str | None = None
    ) -> tuple[list[str], list[float], dict[str, float]]:
        key = (ctx, prev if prev in self.transitions else None)
        table = self._tables.get(key)
        if table is None:
            weights = self.context_weights(*key)
            names = [n for n in self.names if weights[n] > 0] or self.names
            table = (names, list(accumulate(weights.get(n, 1.0) for n in names)), weights)
            self._tables[key] = table
        return table

    def weight(self, ctx: Context, name: str, prev: str | None = None) -> float:
        """The normalised weight of primitive ``name`` in context ``ctx``, as the step after
        primitive ``prev`` (None: the first step) (cached)."""
        return self._table(ctx, prev)[2].get(name, 0.0)

    # ---------------------------------------------------------------------------- sampling

    def choose_primitive(self, ctx: Context, rng: random.Random, prev: str | None = None) -> str:
        """One primitive name drawn by the weights of context ``ctx`` (after primitive
        ``prev``)."""
        names, cum, _ = self._table(ctx, prev)
        index = bisect.bisect_right(cum, rng.random() * cum[-1])
        return names[min(index, len(names) - 1)]

    def sample_length(self, rng: random.Random, minimum: int = 1) -> int:
        """A program length drawn from :attr:`lengths`, given that it is at least ``minimum``
        (``minimum`` itself if no longer length has a chance)."""
        cum = self._length_cum
        low = cum[minimum - 2] if 1 < minimum <= len(cum) else 0.0
        if minimum > len(cum) or cum[-1] - low <= 0:
            return minimum
        pick = low + rng.random() * (cum[-1] - low)
        return max(minimum, min(bisect.bisect_right(cum, pick), len(cum) - 1) + 1)

    def sample_step(
        self, drawer: ArgDrawer, rng: random.Random, prev: str | None = None
    ) -> tuple[str, tuple]:
        """One step for the task ``drawer`` reads, after a step of primitive ``prev``: a
        primitive and its arguments."""
        name = self.choose_primitive(drawer.info.context, rng, prev)
        return name, drawer.draw_args(self.params[name], rng, name)

    def sample(self, task_or_drawer: Any, rng: random.Random, length: int | None = None) -> Steps:
        """A program for a task.

        Args:
            task_or_drawer: the public task, or an :class:`ArgDrawer` for it (see
                :meth:`drawer`).
            rng: the randomness.
            length: the number of steps (None: drawn from :attr:`lengths`).
        """
        drawer = self.drawer(task_or_drawer)
        length = self.sample_length(rng) if length is None else length
        steps: list[tuple[str, tuple]] = []
        for _ in range(length):
            steps.append(self.sample_step(drawer, rng, steps[-1][0] if steps else None))
        return tuple(steps)

    def single_steps(self, task_or_drawer: Any) -> list[tuple[Steps, float]]:
        """Every one-step program for a task, with its weight under :meth:`sample` given one
        step (about its chance; programs with chance 0, and maps of a colour to itself, are
        left out)."""
        drawer = self.drawer(task_or_drawer)
        ctx = drawer.info.context
        out = []
        for name, params in self.params.items():
            weight = self.weight(ctx, name)
            if weight <= 0:
                continue
            combos: list[tuple[tuple, float]] = [((), weight)]
            for j, kind in enumerate(params):
                where = slot(name, j)
                combos = [
                    (args + (value,), p * chance)
                    for args, p in combos
                    for value in drawer.domain(kind)
                    if (chance := drawer.chance(kind, value, where)) > 0
                ]
            if "colour_from" in params and "colour_to" in params:  # as sample_step avoids them
                i, j = params.index("colour_from"), params.index("colour_to")
                combos = [(args, p) for args, p in combos if args[i] != args[j]]
            out.extend((((name, args),), p) for args, p in combos)
        return out

    def drawer(self, task_or_drawer: Any) -> ArgDrawer:
        """An :class:`ArgDrawer` for a task, read once per task id and kept (a drawer is
        returned as it is; a :class:`TaskInfo` gets a new one)."""
        if isinstance(task_or_drawer, ArgDrawer):
            return task_or_drawer
        if isinstance(task_or_drawer, TaskInfo):
            return ArgDrawer(self.kinds, task_or_drawer, self.preferences, self.arguments)
        task = task_or_drawer
        kept = self._drawers.get(task.id)
        if kept is None or (kept[0] is not task and kept[0].train != task.train):
            if len(self._drawers) >= MAX_KEPT_TASKS:
                self._drawers.clear()
            kept = (task, ArgDrawer(self.kinds, task_info(task), self.preferences, self.arguments))
            self._drawers[task.id] = kept
        return kept[1]

    def mutate(
        self, steps: Steps, task_or_drawer: Any, rng: random.Random, feedback: str | None = None
    ) -> Steps:
        """An edit of ``steps``: one argument changed, one primitive swapped for another with the
        same parameter kinds, one step added or one dropped (see :mod:`soar.agents.dsl.mutation`).

        Args:
            steps: the parent program (its primitives must be known to the grammar).
            task_or_drawer: the public task, or an :class:`ArgDrawer` for it.
            rng: the randomness.
            feedback: what went wrong with the parent (``error``, ``shape``, ``content``; see
                :func:`soar.agents.dsl.mutation.feedback`), to favour the edits likelier to help.
        """
        from .mutation import mutate

        return mutate(self, steps, self.drawer(task_or_drawer), rng, feedback)

    # ---------------------------------------------------------------------------- storage

    def to_json(self) -> dict:
        """The weights as JSON-ready data (see :meth:`from_json`)."""
        return {
            "format": FORMAT,
            "version": 2,
            "lengths": list(self.lengths),
            "shape_bias": self.shape_bias,
            "default": dict(self.default),
            "contexts": {context_key(c): dict(w) for c, w in sorted(self.weights.items())},
            "transitions": {a: dict(t) for a, t in sorted(self.transitions.items())},
            "arguments": {
                w: [[v, f] for v, f in t.items()] for w, t in sorted(self.arguments.items())
            },
            "preferences": dict(self.preferences),
            **({"earlier": [g.to_json() for g in self.earlier]} if self.earlier else {}),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], **registry: Any) -> Grammar:
        """The grammar :meth:`to_json` wrote (version 1 files have no transitions, arguments or
        preferences); ``registry`` may give ``primitives`` and ``kinds``."""
        if data.get("format") != FORMAT:
            raise ValueError(
                f"expected grammar weights (format {FORMAT!r}), got {data.get('format')!r}"
            )
        return cls(
            {context_from_key(k): w for k, w in data.get("contexts", {}).items()},
            data.get("default", {}),
            data.get("lengths", DEFAULT_LENGTHS),
            data.get("shape_bias", 1.0),
            transitions=data.get("transitions"),
            arguments={w: dict(map(tuple, t)) for w, t in data.get("arguments", {}).items()},
            preferences=data.get("preferences"),
            earlier=[cls.from_json(g, **registry) for g in data.get("earlier", ())],
            **registry,
        )

    def save(self, path: str | Path) -> None:
        """Write the weights to a JSON file."""
        Path(path).write_text(json.dumps(self.to_json(), indent=1, sort_keys=True) + "\n")

    @classmethod
    def load(cls, path: str | Path, **registry: Any) -> Grammar:
        """Read weights :meth:`save` wrote."""
        try:
            data = json.loads(Path(path).read_text())
        except (OSError, ValueError) as err:
            raise ValueError(f"{path}: expected a JSON file of grammar weights ({err})") from None
        return cls.from_json(data, **registry)
