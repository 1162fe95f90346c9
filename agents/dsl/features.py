"""Simple features of a task's train pairs, and the *context* they make for the grammar.

A context is a tuple of short strings, one per entry of :data:`FEATURES`, most telling first, so
that its prefixes are coarser contexts (the grammar backs off along them). Only the public task is
read: the train pairs and nothing of the test pairs.

>>> pairs = [([[1, 0], [0, 0]], [[0, 1], [0, 0]]), ([[2, 2, 0]], [[0, 2, 2]])]
>>> context(pairs)
('same', '-', 'same', 'nosep', 'multi', 'one')
>>> context_key(context(pairs))
'same|-|same|nosep|multi|one'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import ndimage

Context = tuple[str, ...]
"""One value per feature of :data:`FEATURES`, in that order."""
Pairs = Sequence[tuple[Any, Any]]
"""Train pairs: (input grid, output grid), as nested lists, tuples or 2-D arrays."""

FEATURES = ("size", "factor", "colours", "separators", "output", "objects")
"""The features of a context, most telling first."""

BACKGROUND = 0
"""The colour that does not make objects (as for the primitives)."""

_EIGHT = np.ones((3, 3), dtype=bool)


def _shapes(pairs: Pairs) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    return [(np.shape(i), np.shape(o)) for i, o in pairs]  # type: ignore[misc]


def size_relation(pairs: Pairs) -> str:
    """How output sizes compare with input sizes across the pairs.

    Returns:
        ``same`` (every output has its input's shape), ``larger`` (every output is at least as
        tall and as wide, and bigger), ``smaller`` (the reverse), ``other`` (taller but narrower,
        or the other way), or ``mixed`` when the pairs disagree.

    >>> size_relation([([[1]], [[1, 1]]), ([[1, 2]], [[1, 2], [2, 1]])])
    'larger'
    >>> size_relation([([[1]], [[1]]), ([[1, 2]], [[1]])])
    'mixed'
    """
    seen = set()
    for (hi, wi), (ho, wo) in _shapes(pairs):
        if (hi, wi) == (ho, wo):
            seen.add("same")
        elif ho >= hi and wo >= wi:
            seen.add("larger")
        elif ho <= hi and wo <= wi:
            seen.add("smaller")
        else:
            seen.add("other")
    return seen.pop() if len(seen) == 1 else "mixed"


def scale_factors(pairs: Pairs) -> tuple[int, int] | None:
    """The integer factors (rows, columns) by which every output's shape multiplies its input's.

    Returns:
        ``(kh, kw)``, the same for every pair, or None when there is no such pair of integers.

    >>> scale_factors([([[1]], [[1, 1], [1, 1]]), ([[1, 2]], [[0] * 4] * 2)])
    (2, 2)
    >>> scale_factors([([[1]], [[1]])])
    (1, 1)
    >>> scale_factors([([[1, 2]], [[1, 2, 3]])]) is None
    True
    """
    factors = set()
    for (hi, wi), (ho, wo) in _shapes(pairs):
        if ho % hi or wo % wi:
            return None
        factors.add((ho // hi, wo // wi))
    return factors.pop() if len(factors) == 1 else None


def shrink_factors(pairs: Pairs) -> tuple[int, int] | None:
    """The integer factors (rows, columns) by which every input's shape divides into its output's.

    >>> shrink_factors([([[1, 2, 3, 4]], [[1, 2]]), ([[1, 2], [3, 4]], [[1], [3]])])
    (1, 2)
    """
    return scale_factors([(o, i) for i, o in pairs])


def size_ratios(pairs: Pairs) -> tuple[int, ...]:
    """The integer factors (> 1) by which every output's shape multiplies or divides its
    input's, along either axis.

    >>> size_ratios([([[1, 2, 3, 4]], [[1, 2]])]), size_ratios([([[1]], [[1, 1, 1]])])
    ((2,), (3,))
    """
    ratios: set[int] = set()
    for factors in (scale_factors(pairs), shrink_factors(pairs)):
        if factors is not None:
            ratios.update(k for k in factors if k > 1)
    return tuple(sorted(ratios))


def factor_feature(pairs: Pairs) -> str:
    """The size change as a short string: ``x2`` (scaled up twice both ways), ``x1x3`` (three
    times as wide), ``/2``, ``/2x1`` ... or ``-`` (same size, or no integer factor).

    >>> factor_feature([([[1]], [[1, 1, 1]])])
    'x1x3'
    >>> factor_feature([([[1, 1], [1, 1]], [[1]])])
    '/2'
    >>> factor_feature([([[1]], [[1]])])
    '-'
    """
    for prefix, factors in (("x", scale_factors(pairs)), ("/", shrink_factors(pairs))):
        if factors is not None and factors != (1, 1):
            kh, kw = factors
            return f"{prefix}{kh}" if kh == kw else f"{prefix}{kh}x{kw}"
    return "-"


def colour_change(pairs: Pairs) -> str:
    """Whether outputs bring colours their inputs lack, or lose colours their inputs have.

    Returns:
        ``same``, ``added``, ``removed`` or ``both`` (some pair adds and some pair removes).

    >>> colour_change([([[1, 2]], [[1, 3]])])
    'both'
    >>> colour_change([([[1, 2]], [[1, 1]])])
    'removed'
    """
    added = removed = False
    for i, o in pairs:
        colours_in, colours_out = set(np.unique(i).tolist()), set(np.unique(o).tolist())
        added |= bool(colours_out - colours_in)
        removed |= bool(colours_in - colours_out)
    return {(False, False): "same", (True, False): "added", (False, True): "removed"}.get(
        (added, removed), "both"
    )


def has_separators(grid: Any) -> bool:
    """Whether ``grid`` (at least 3x3) has a full row or column of one non-background colour
    that does not fill the grid.

    >>> has_separators([[1, 5, 2], [3, 5, 4], [0, 5, 0]])
    True
    >>> has_separators([[1, 1, 1], [1, 1, 1], [1, 1, 1]])
    False
    """
    g = np.asarray(grid)
    if g.shape[0] < 3 or g.shape[1] < 3:
        return False
    rows = (g == g[:, :1]).all(axis=1) & (g[:, 0] != BACKGROUND)
    cols = (g == g[:1, :]).all(axis=0) & (g[0, :] != BACKGROUND)
    return bool((rows.any() or cols.any()) and not (rows.all() or cols.all()))


def count_objects(grid: Any) -> int:
    """The number of 8-connected groups of non-background cells (any colours).

    >>> count_objects([[1, 0, 0], [0, 2, 0], [0, 0, 0], [3, 0, 0]])
    2
    """
    return int(ndimage.label(np.asarray(grid) != BACKGROUND, structure=_EIGHT)[1])


def objects_feature(pairs: Pairs) -> str:
    """The median number of objects in the inputs, bucketed: ``none``, ``one``, ``few`` (2..4)
    or ``many``.

    >>> objects_feature([([[1, 0, 2]], [[1]]), ([[1, 0, 2, 0, 3]], [[1]])])
    'few'
    """
    median = float(np.median([count_objects(i) for i, _ in pairs])) if pairs else 0.0
    if median < 0.5:
        return "none"
    if median < 1.5:
        return "one"
    return "few" if median < 4.5 else "many"


def context(pairs: Pairs) -> Context:
    """The context of a task from its train pairs (see :data:`FEATURES`).

    ``output`` is ``mono`` when every output has a single colour, else ``multi``; ``separators``
    is ``sep`` when every input has separator lines (:func:`has_separators`), else ``nosep``.

    >>> context([([[1, 0], [0, 0]], [[1, 1, 1, 1], [1, 1, 1, 1]])])
    ('larger', 'x1x2', 'removed', 'nosep', 'mono', 'one')
    """
    pairs = [(np.asarray(i), np.asarray(o)) for i, o in pairs]
    mono = bool(pairs) and all((o == o.flat[0]).all() for _, o in pairs)
    sep = bool(pairs) and all(has_separators(i) for i, _ in pairs)
    return (
        size_relation(pairs),
        factor_feature(pairs),
        colour_change(pairs),
        "sep" if sep else "nosep",
        "mono" if mono else "multi",
        objects_feature(pairs),
    )


def task_context(task: Any) -> Context:
    """The context of a task (anything with ``train`` pairs that have ``input`` and ``output``).

    >>> from soar.arc_env import Pair, Task
    >>> task_context(Task("t", (Pair(((1, 2),), ((2, 1),)),), ()))
    ('same', '-', 'same', 'nosep', 'multi', 'one')
    """
    return context([(pair.input, pair.output) for pair in task.train])


def context_key(ctx: Context) -> str:
    """A context (or a prefix of one) as one string, e.g. for a JSON object key.

    >>> context_key(("same", "-"))
    'same|-'
    >>> context_key(())
    ''
    """
    return "|".join(ctx)


def context_from_key(key: str) -> Context:
    """The inverse of :func:`context_key`.

    >>> context_from_key("same|-")
    ('same', '-')
    >>> context_from_key("")
    ()
    """
    return tuple(key.split("|")) if key else ()
