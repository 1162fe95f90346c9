"""The order of the steps after a first step, as the enumeration walks two-step programs.

A two-step program's chance is its first step's times its second step's given the first. With no
learned transitions and a first step that leaves outputs standing to the targets as the task's
inputs do, the second step's chance is its one-step chance, and every such prefix shares one
order. Otherwise the order is tilted: by the grammar's transitions from the first step's
primitive, by the shape tilt of how the targets compare with the first step's outputs, and by the
arguments those outputs call for (size ratios, colours to change), each a factor on the one-step
chance. :class:`SecondSteps` computes the orders with arrays and keeps each one it computed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from .arguments import ArgDrawer, TaskInfo
from .program import Step

if TYPE_CHECKING:
    from .grammar import Grammar


class SecondSteps:
    """The task's steps in order of their chance after a given first step.

    Args:
        grammar: the grammar whose chances order the steps.
        drawer: the task's argument drawer (its context and preferred arguments).
        steps: the task's one-step programs' steps, most likely first.
        chances: their one-step chances.
    """

    def __init__(
        self, grammar: Grammar, drawer: ArgDrawer, steps: Sequence[Step], chances: Sequence[float]
    ) -> None:
        self.steps = steps
        self._grammar, self._context, self._drawer = grammar, drawer.info.context, drawer
        self.own = (self._context[0] if self._context else None, replace(drawer.info, context=()))
        """The task's own relation (its outputs to its inputs: a shape relation and what is
        left to do, as :attr:`~soar.agents.dsl.enumeration.Enumeration.relations` are)."""
        self._names = sorted({name for name, _ in steps})
        self._chances = np.asarray(chances)
        self._step_tables: tuple[np.ndarray, np.ndarray, list[tuple[str, Any]]] | None = None
        self._transition_tilts: dict[str | None, np.ndarray] = {}
        self._shape_tilts: dict[str, np.ndarray] = {}
        self._argument_tilts: dict[TaskInfo, np.ndarray] = {}
        self._orders: dict[tuple | None, tuple[np.ndarray, np.ndarray]] = {}

    def after(
        self, prev: str, relation: tuple[str, TaskInfo] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The steps in order of their chance after a step of primitive ``prev`` whose outputs
        the targets compare with as ``relation`` says (see :attr:`own`; None: as with the
        task's inputs), and those chances: the grammar's transitions from ``prev`` reorder them,
        and so do the shape tilt and the preferred arguments (factors, colours), taken from the
        first step's outputs instead of the task's inputs (a task whose outputs are smaller than
        its inputs may want a crop, then a scaling up by 2 or a recolouring of the cells the crop
        left wrong); without either, every prefix shares the one-step order."""
        if relation is not None and relation == self.own:
            relation = None
        key = (prev, relation)
        kept = self._orders.get(key)
        if kept is None:
            if prev not in self._grammar.transitions and relation is None:
                kept = self._orders.get(None)  # the one-step order, shared by such prefixes
                if kept is None:
                    kept = self._orders[None] = (np.arange(len(self.steps)), self._chances)
            else:
                names, slots, values = self._tables()
                tilt = self._name_tilt(prev, None if relation is None else relation[0])
                chances = self._chances * tilt[names]
                if relation is not None:  # the arguments the prefix's outputs call for
                    chances *= self._argument_tilt(relation[1], values)[slots].prod(axis=1)
                order = np.argsort(-chances, kind="stable")
                kept = (order, chances[order])  # arrays: compact, and no work for the GC
            self._orders[key] = kept
        return kept

    def _tables(self) -> tuple[np.ndarray, np.ndarray, list[tuple[str, Any]]]:
        """Per step, the index of its primitive in :attr:`_names`, and the indices of its
        (parameter kind, argument) pairs in the list of those pairs also returned (padded with
        that list's last index, which the tilts keep at 1)."""
        if self._step_tables is None:
            params = self._grammar.params
            index = {name: i for i, name in enumerate(self._names)}
            values: dict[tuple[str, Any], int] = {}
            rows = [
                [
                    values.setdefault((kind, v), len(values))
                    for kind, v in zip(params[n], a, strict=True)
                ]
                for n, a in self.steps
            ]
            width = max((len(r) for r in rows), default=0)
            pad = len(values)
            slots = np.array([r + [pad] * (width - len(r)) for r in rows], dtype=np.int64)
            names = np.array([index[n] for n, _ in self.steps], dtype=np.int64)
            self._step_tables = (names, slots.reshape(len(rows), width), list(values))
        return self._step_tables

    def _name_tilt(self, prev: str, relation: str | None) -> np.ndarray:
        """Per primitive of :attr:`_names`, the factor on its one-step chance as the step after
        ``prev`` (the grammar's transitions) given outputs the targets are ``relation`` than
        (the shape tilt; None: the task's own): the product of the two factors, each computed
        once per task for its key (a task has about a hundred prefixes but few relations)."""
        tilt = self._transition_tilt(prev)
        if relation is not None and self._grammar.shape_bias > 0:
            tilt = tilt * self._shape_tilt(relation)
        return tilt

    def _transition_tilt(self, prev: str) -> np.ndarray:
        """Per primitive of :attr:`_names`, its weight after ``prev`` over its weight as a
        first step (0 where that is 0); the same for every ``prev`` without transitions."""
        key = prev if prev in self._grammar.transitions else None
        tilt = self._transition_tilts.get(key)
        if tilt is None:
            grammar, ctx = self._grammar, self._context
            factors = []
            for name in self._names:
                w = grammar.weight(ctx, name)
                factors.append(grammar.weight(ctx, name, key) / w if w else 0.0)
            tilt = self._transition_tilts[key] = np.array(factors)
        return tilt

    def _shape_tilt(self, relation: str) -> np.ndarray:
        """Per primitive of :attr:`_names`, its shape tilt for outputs the targets are
        ``relation`` than, over the tilt for the task's own relation."""
        tilt = self._shape_tilts.get(relation)
        if tilt is None:
            grammar, own = self._grammar, self.own[0]
            tilt = self._shape_tilts[relation] = np.array(
                [grammar.shape_tilt(relation, n) / grammar.shape_tilt(own, n) for n in self._names]
            )
        return tilt

    def _argument_tilt(self, left: TaskInfo, values: list[tuple[str, Any]]) -> np.ndarray:
        """Per (kind, argument) pair of ``values``, and 1 for the padding after them, the
        factor on its chance when what is left to do is ``left`` rather than the task."""
        tilt = self._argument_tilts.get(left)
        if tilt is None:
            grammar, drawer = self._grammar, self._drawer
            then = ArgDrawer(grammar.kinds, left, grammar.preferences)
            factors = []
            for kind, value in values:
                own = drawer.chance(kind, value)
                factors.append(then.chance(kind, value) / own if own else 0.0)
            tilt = self._argument_tilts[left] = np.array([*factors, 1.0])
        return tilt
