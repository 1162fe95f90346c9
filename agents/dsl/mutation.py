"""Refinement edits of DSL programs, chosen with the parent's execution feedback in mind.

Each edit changes exactly one thing: one argument (``arg``), one primitive for another with the
same parameter kinds, keeping the arguments (``swap``), one step added at the start or the end
(``append``), or one step dropped (``drop``). Feedback makes some edits likelier: a program whose
outputs all have the wrong shape more often gains a step; one that failed to run more often loses
one or has an argument changed.
"""

from __future__ import annotations

import bisect
import random
from itertools import accumulate
from typing import TYPE_CHECKING, Any

from .arguments import ArgDrawer, slot
from .program import Steps

if TYPE_CHECKING:
    from .grammar import Grammar

ERROR, SHAPE, CONTENT, RIGHT = "error", "shape", "content", "right"

EDIT_WEIGHTS: dict[str | None, dict[str, float]] = {
    None: {"arg": 2.0, "swap": 2.0, "append": 1.5, "drop": 1.0},
    ERROR: {"arg": 3.0, "swap": 2.0, "append": 0.5, "drop": 2.0},
    SHAPE: {"arg": 1.0, "swap": 2.0, "append": 3.0, "drop": 1.5},
    CONTENT: {"arg": 3.0, "swap": 2.0, "append": 1.5, "drop": 1.0},
    RIGHT: {"arg": 2.0, "swap": 2.0, "append": 1.0, "drop": 1.0},
}
"""How likely each edit is, by the parent's feedback (see :func:`feedback`)."""


def feedback(task: Any, result: Any) -> str:
    """What went wrong with a program on the train pairs, in one word.

    Args:
        task: the public task (its train outputs are known).
        result: the program's :class:`~arc_env.ProgramResult` on it.

    Returns:
        ``error`` (some train input gave no grid), ``shape`` (every train output has the wrong
        shape), ``right`` (every train output is right) or ``content`` (otherwise).

    >>> from types import SimpleNamespace as NS
    >>> task = NS(train=[NS(output=((1, 2),))])
    >>> feedback(task, NS(train=[NS(ok=True, output=((1,),))], train_correct=(False,)))
    'shape'
    """
    outputs = [r.output if r.ok else None for r in result.train]
    if not outputs or any(o is None for o in outputs):
        return ERROR
    if result.train_correct and all(result.train_correct):
        return RIGHT
    expected = [pair.output for pair in task.train]
    if all(_shape(o) != _shape(e) for o, e in zip(outputs, expected, strict=False)):
        return SHAPE
    return CONTENT


def _shape(grid: Any) -> tuple[int, int]:
    return (len(grid), len(grid[0]) if len(grid) else 0)


def _edit_arg(
    grammar: Grammar, steps: Steps, drawer: ArgDrawer, rng: random.Random
) -> Steps | None:
    slots = [
        (i, j)
        for i, (name, _) in enumerate(steps)
        for j, kind in enumerate(grammar.params[name])
        if len(drawer.domain(kind)) > 1
    ]
    if not slots:
        return None
    i, j = slots[int(rng.random() * len(slots))]
    name, args = steps[i]
    kind = grammar.params[name][j]
    value = args[j]
    for _ in range(4):  # the task's preferred values first, as when sampling
        value = drawer.draw(kind, rng, slot(name, j))
        if value != args[j]:
            break
    if value == args[j]:
        others = [v for v in drawer.domain(kind) if v != args[j]]
        value = others[int(rng.random() * len(others))]
    new_args = args[:j] + (value,) + args[j + 1 :]
    return steps[:i] + ((name, new_args),) + steps[i + 1 :]


def _swap(grammar: Grammar, steps: Steps, drawer: ArgDrawer, rng: random.Random) -> Steps | None:
    ctx = drawer.info.context
    slots = []
    for i, (name, _) in enumerate(steps):
        others = [n for n in grammar.signatures[grammar.params[name]] if n != name]
        if others:
            slots.append((i, others))
    if not slots:
        return None
    i, others = slots[int(rng.random() * len(slots))]
    name = _choose(others, [grammar.weight(ctx, n) + 1e-9 for n in others], rng)
    return steps[:i] + ((name, steps[i][1]),) + steps[i + 1 :]


def _append(grammar: Grammar, steps: Steps, drawer: ArgDrawer, rng: random.Random) -> Steps | None:
    if len(steps) >= grammar.max_length:
        return None
    if steps and rng.random() < 0.3:
        return (grammar.sample_step(drawer, rng),) + steps
    return steps + (grammar.sample_step(drawer, rng, steps[-1][0] if steps else None),)


def _drop(grammar: Grammar, steps: Steps, drawer: ArgDrawer, rng: random.Random) -> Steps | None:
    if len(steps) < 2:
        return None
    i = int(rng.random() * len(steps))
    return steps[:i] + steps[i + 1 :]


def _choose(items: list[str], weights: list[float], rng: random.Random) -> str:
    cum = list(accumulate(weights))
    return items[min(bisect.bisect_right(cum, rng.random() * cum[-1]), len(items) - 1)]


EDITS = {"arg": _edit_arg, "swap": _swap, "append": _append, "drop": _drop}


def mutate(
    grammar: Grammar,
    steps: Steps,
    drawer: ArgDrawer,
    rng: random.Random,
    feedback: str | None = None,
) -> Steps:
    """One edit of ``steps`` that differs from it (a fresh sample if no edit applies).

    Args:
        grammar: the grammar (primitives, weights, maximum length).
        steps: the parent program; every primitive must be known to the grammar.
        drawer: draws arguments for the task.
        rng: the randomness.
        feedback: the parent's feedback (keys of :data:`EDIT_WEIGHTS`).
    """
    weights = dict(EDIT_WEIGHTS.get(feedback, EDIT_WEIGHTS[None]))
    while weights:
        edit = _choose(list(weights), list(weights.values()), rng)
        for _ in range(4):
            new = EDITS[edit](grammar, steps, drawer, rng)
            if new is None:
                break
            if new != steps:
                return new
        del weights[edit]
    return grammar.sample(drawer, rng)
