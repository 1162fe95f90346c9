"""Tasks drawn on a background other than black: search them with that colour and black swapped.

The primitives take colour 0 (black) for the background: objects are the cells of other colours,
``fill_enclosed`` paints the black cells no edge reaches, ``outline`` the black cells around an
object, and so on. A task drawn on another colour ``b`` (grey, blue...) turns these rules upside
down: the primitive that would say the task in one step sees one big object. When every train and
test input of a task has the same most common colour ``b`` other than black
(:func:`task_background`), and screening found no program that fits the task itself,
:func:`background_fits` screens the task with ``b`` and black swapped in every grid
(:func:`swap_background`) and gives its fitting programs between two colour swaps
(:func:`wrap`)::

    swap_colours(b, 0), <the steps that fit the swapped task>, swap_colours(0, b)

The swap is its own inverse, so such a program is right on every train pair of the task exactly
when its middle is right on the swapped one; it is an ordinary DSL program that the executor runs
and scores like any other. Chosen on the design split of the training tasks (``bench/dsl.py``):
fitting programs for 4 more of its 473 tasks (3 of them right on test), and 1 more of the 160
validation tasks (right on test), for about a tenth of a second per task it applies to.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from soar.arc_env import Pair, Task, to_grid

from .enumeration import Enumeration
from .features import BACKGROUND
from .primitives_base import colour_counts
from .primitives_colour import swap_colours
from .program import Steps

SWAP = "swap_colours"
"""The primitive that swaps two colours (its own inverse)."""


def task_background(task: Any) -> int | None:
    """The colour that is the most common one of every train and test input, when there is one
    and it is not :data:`~soar.agents.dsl.features.BACKGROUND` (the primitives' own); else None.
    Ties go to the smallest colour.

    >>> task = Task("t", (Pair(((5, 5), (5, 1)), ((5, 1), (5, 5))),), (Pair(((5, 5, 2),)),))
    >>> task_background(task)
    5
    >>> task_background(Task("t", (Pair(((0, 0), (0, 1)), ((0, 1), (0, 0))),), ()))
    """
    tops = {
        int(colour_counts(np.asarray(pair.input, dtype=np.int64)).argmax())
        for pair in (*task.train, *task.test)
    }
    if len(tops) != 1:
        return None
    (colour,) = tops
    return None if colour == BACKGROUND else colour


def swap_background(task: Any, colour: int) -> Task:
    """``task`` with ``colour`` and the background swapped in every grid (hidden test outputs
    stay hidden), under its own id with ``~bg`` and the colour appended."""

    def swap(grid: Any) -> Any:  # the primitive the wrapped programs start and end with
        return None if grid is None else to_grid(swap_colours(grid, colour, BACKGROUND).tolist())

    def pairs(which: Any) -> tuple[Pair, ...]:
        return tuple(Pair(swap(p.input), swap(p.output)) for p in which)

    return Task(f"{task.id}~bg{colour}", pairs(task.train), pairs(task.test), task.source)


def wrap(steps: Steps, colour: int) -> Steps:
    """``steps`` between a swap of ``colour`` and the background and the swap back.

    >>> wrap((("flip_h", ()),), 5)
    (('swap_colours', (5, 0)), ('flip_h', ()), ('swap_colours', (0, 5)))
    """
    return ((SWAP, (colour, BACKGROUND)), *steps, (SWAP, (BACKGROUND, colour)))


def background_fits(grammar: Any, task: Any, screen: int, max_pairs: int = 20_000) -> list[Steps]:
    """The programs of :func:`wrap` whose middle the screening of the task with its background
    swapped (:func:`swap_background`; the first ``screen`` programs of its enumeration) finds
    right on every train pair, one per behaviour on the test inputs, most likely first; none
    when the task has no background of its own (:func:`task_background`) or the grammar lacks
    :data:`SWAP`.

    Args:
        grammar: the :class:`~soar.agents.dsl.grammar.Grammar` ordering the programs.
        task: the public task.
        screen: how many programs of the swapped task's enumeration are screened.
        max_pairs: the most two-step programs that enumeration walks.
    """
    colour = task_background(task)
    if colour is None or SWAP not in grammar.params or screen < 1:
        return []
    swapped = swap_background(task, colour)
    found = Enumeration(
        grammar, grammar.drawer(swapped), swapped, max_pairs=max_pairs, screen=screen
    ).fits
    return [wrap(steps, colour) for steps in found]
