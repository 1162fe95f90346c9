"""Part primitives: splitting a grid into halves or by separator lines, and combining,
overlaying or choosing among the parts.

Separator lines are full rows or columns of one non-background colour (see
:func:`~agents.dsl.primitives_base.separators`). Each primitive takes a grid (a 2-D integer array
of colours 0..9) and the parameters its registry entry names, and returns a new array; the input
is never changed.
"""

from __future__ import annotations

import numpy as np

from .primitives_base import (
    BACKGROUND,
    as_grid,
    check_choice,
    check_colour,
    combine_masks,
    primitive,
    separators,
    split_halves,
    split_parts,
)


def _same_shape(parts: list[np.ndarray]) -> list[np.ndarray]:
    if len(parts) < 2:
        raise ValueError(f"expected at least two parts, got {len(parts)}")
    shapes = {p.shape for p in parts}
    if len(shapes) != 1:
        raise ValueError(f"parts of different shapes {sorted(shapes)}")
    return parts


def _combined(parts: list[np.ndarray], combine: str, colour: int) -> np.ndarray:
    mask = combine_masks([p != BACKGROUND for p in _same_shape(parts)], combine)
    return np.where(mask, colour, BACKGROUND).astype(np.int64)


def _overlaid(parts: list[np.ndarray]) -> np.ndarray:
    out = _same_shape(parts)[0].copy()
    for part in parts[1:]:
        out = np.where(part != BACKGROUND, part, out)
    return out


@primitive("axis", "combine", "colour")
def combine_halves(grid: np.ndarray, axis: str, combine: str, colour: int) -> np.ndarray:
    """Combine the grid's two halves cell by cell into a grid of ``colour`` on background.

    For an odd size the middle line (often a separator) belongs to neither half.

    Args:
        axis: ``horizontal`` for the left and right halves, ``vertical`` for top and bottom.
        combine: which cells get ``colour``, by whether each half has a non-background cell
            there: ``and``, ``or``, ``xor``, ``left_minus_right`` (the first half but not the
            second).
        colour: the colour of the result's cells.

    Raises:
        ValueError: if the grid has a single line along ``axis``.

    >>> combine_halves(np.array([[1, 0, 5, 2, 2], [0, 0, 5, 0, 2]]), "horizontal", "and", 3).tolist()
    [[3, 0], [0, 0]]
    """
    axis, combine = check_choice(axis, "axis"), check_choice(combine, "combine")
    colour = check_colour(colour)
    return _combined(list(split_halves(as_grid(grid), axis)), combine, colour)


@primitive("combine", "colour")
def combine_parts(grid: np.ndarray, combine: str, colour: int) -> np.ndarray:
    """Combine the parts between separator lines cell by cell into a grid of ``colour``.

    Args:
        combine: which cells get ``colour``, by whether the parts have a non-background cell
            there: ``and`` (every part), ``or`` (any), ``xor`` (exactly one),
            ``left_minus_right`` (the first part and no other).
        colour: the colour of the result's cells.

    Raises:
        ValueError: if the grid has no separator lines, or parts of different shapes.

    >>> combine_parts(np.array([[1, 0, 5, 2, 2], [0, 0, 5, 0, 2]]), "or", 3).tolist()
    [[3, 3], [0, 3]]
    """
    combine, colour = check_choice(combine, "combine"), check_colour(colour)
    return _combined(split_parts(as_grid(grid)), combine, colour)


@primitive("axis")
def overlay_halves(grid: np.ndarray, axis: str) -> np.ndarray:
    """Draw the non-background cells of the grid's second half over its first half.

    For an odd size the middle line belongs to neither half.

    Args:
        axis: ``horizontal`` for the right half over the left, ``vertical`` for the bottom over
            the top.

    Raises:
        ValueError: if the grid has a single line along ``axis``.

    >>> overlay_halves(np.array([[1, 1], [0, 2], [3, 0], [0, 0]]), "vertical").tolist()
    [[3, 1], [0, 2]]
    """
    axis = check_choice(axis, "axis")
    return _overlaid(list(split_halves(as_grid(grid), axis)))


@primitive()
def overlay_parts(grid: np.ndarray) -> np.ndarray:
    """Stack the parts between separator lines, each later part drawn over the earlier ones.

    Raises:
        ValueError: if the grid has no separator lines, or parts of different shapes.

    >>> overlay_parts(np.array([[1, 1, 5, 0, 2], [0, 0, 5, 3, 0]])).tolist()
    [[1, 2], [3, 0]]
    """
    return _overlaid(split_parts(as_grid(grid)))


@primitive()
def unique_part(grid: np.ndarray) -> np.ndarray:
    """The one part between separator lines that is unlike every other part.

    Raises:
        ValueError: if the grid has no separator lines, or unless exactly one part is unlike
            all the others.

    >>> unique_part(np.array([[1, 5, 1, 5, 2, 5, 1], [0, 5, 0, 5, 0, 5, 0]])).tolist()
    [[2], [0]]
    """
    parts = split_parts(as_grid(grid))
    keys = [(p.shape, p.tobytes()) for p in parts]
    unique = [p for p, key in zip(parts, keys, strict=True) if keys.count(key) == 1]
    if len(parts) < 3 or len(unique) != 1:
        raise ValueError(f"expected one odd part among three or more, got {len(unique)}")
    return unique[0].copy()


@primitive()
def remove_separators(grid: np.ndarray) -> np.ndarray:
    """Delete the separator lines, joining the parts between them.

    Raises:
        ValueError: if the grid has no separator lines, or only separator lines.

    >>> remove_separators(np.array([[1, 5, 2], [5, 5, 5], [3, 5, 4]])).tolist()
    [[1, 2], [3, 4]]
    """
    g = as_grid(grid)
    rows, cols = separators(g)
    return g[~rows][:, ~cols]
