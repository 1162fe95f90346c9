"""The description length of a DSL program: how many nats the grammar needs to write it.

A program's description length is ``-ln P(program)`` under the grammar's sampler for the task: the
chance of its length, of each step's primitive in the task's context, and of each argument as the
task's :class:`~soar.agents.dsl.arguments.ArgDrawer` draws it. Short programs with the task's own
colours and ratios are cheap; long ones with unlikely primitives and arguments are dear. The vote
(:mod:`soar.agents.voting`) uses it to prefer the simplest program among those that fit the train
pairs, as a minimum-description-length prior.

A step or argument the grammar cannot draw (an unknown primitive, a colour outside the task's)
costs :data:`UNLIKELY` nats instead of an infinite length, so every program gets a finite one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ..voting import source_description_length
from .arguments import slot
from .grammar import Grammar
from .object_rules import object_rule_description_length, stamp_rule_description_length
from .program import Steps, parse_source
from .rules import rule_description_length

UNLIKELY = 12.0
"""Nats charged for a choice the grammar gives no chance (about one in 160,000)."""


def _nats(p: float) -> float:
    return -math.log(p) if p > 0 else UNLIKELY


def description_length(grammar: Grammar, steps: Steps, task_or_drawer: Any) -> float:
    """``-ln P(steps)`` under ``grammar``'s sampler for a task, in nats.

    Args:
        grammar: the grammar (its lengths, primitive weights and argument chances).
        steps: the program.
        task_or_drawer: the public task, or an :class:`~soar.agents.dsl.arguments.ArgDrawer`
            for it (see :meth:`Grammar.drawer`).

    >>> from soar.arc_env import Pair, Task
    >>> task = Task("t", (Pair(((1, 2),), ((2, 1),)),), ())
    >>> g = Grammar()
    >>> one = description_length(g, (("flip_h", ()),), task)
    >>> two = description_length(g, (("flip_h", ()), ("flip_v", ())), task)
    >>> 0 < one < two
    True
    """
    drawer = grammar.drawer(task_or_drawer)
    ctx = drawer.info.context
    lengths = grammar.lengths
    n = len(steps)
    total = _nats(lengths[n - 1]) if 1 <= n <= len(lengths) else UNLIKELY * max(1, n)
    prev = None
    for name, args in steps:
        params = grammar.params.get(name)
        if params is None or len(params) != len(args):
            total += UNLIKELY * (1 + len(args))
            prev = None
            continue
        total += _nats(grammar.weight(ctx, name, prev))
        for j, (kind, value) in enumerate(zip(params, args, strict=True)):
            total += _nats(drawer.chance(kind, value, slot(name, j)))
        prev = name
    return total


_GRAMMAR: list[Grammar] = []


def rule_length(steps: Steps) -> float | None:
    """A learned rule's description length (cell, object or stamp rule); None for any other
    program."""
    for length_of in (
        rule_description_length,
        object_rule_description_length,
        stamp_rule_description_length,
    ):
        length = length_of(steps)
        if length is not None:
            return length
    return None


def program_prior(task: Any, grammar: Grammar | None = None) -> Callable[[str | None], float]:
    """A function giving the description length of any program's source for ``task``: the
    grammar's (:func:`description_length`) for DSL programs it knows, a learned rule's
    (:func:`rule_length`: a cell, object or stamp rule learned from the train pairs; after a
    grammar prefix, the prefix's length plus the rule's), else the source-length fallback of
    :func:`soar.agents.voting.source_description_length`.

    Args:
        task: the public task.
        grammar: the grammar (default: the built-in weights, made once).

    >>> from soar.arc_env import Pair, Task
    >>> from soar.agents.dsl.program import to_source
    >>> prior = program_prior(Task("t", (Pair(((1, 2),), ((2, 1),)),), ()))
    >>> prior(to_source((("flip_h", ()),))) < prior(to_source((("flip_h", ()), ("flip_v", ()))))
    True
    >>> prior("def transform(g):\\n    return g[::-1]\\n")  # not DSL: 0.1 nat a character
    3.5
    """
    if grammar is None:
        if not _GRAMMAR:
            _GRAMMAR.append(Grammar())
        grammar = _GRAMMAR[0]
    drawer = grammar.drawer(task)
    known: dict[str, float] = {}

    def prior(source: str | None) -> float:
        if not source:
            return UNLIKELY
        length = known.get(source)
        if length is None:
            steps = parse_source(source)
            if steps is not None and grammar.known(steps):
                length = description_length(grammar, steps, drawer)
            else:
                rule = None if steps is None else rule_length(steps)
                if rule is None and steps and grammar.known(steps[:-1]):  # prefix, then rule
                    last = rule_length(steps[-1:])
                    if last is not None:
                        rule = description_length(grammar, steps[:-1], drawer) + last
                length = source_description_length(source) if rule is None else rule
            known[source] = length
        return length

    return prior
