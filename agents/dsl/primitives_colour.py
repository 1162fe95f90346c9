"""Colour primitives: maps and swaps, keeping and removing colours, inverting, and counting.

Each primitive takes a grid (a 2-D integer array of colours 0..9) and the parameters its registry
entry names, and returns a new array; the input is never changed.
"""

from __future__ import annotations

import numpy as np

from .primitives_base import (
    BACKGROUND,
    as_grid,
    check_colour,
    colour_counts,
    label,
    primitive,
    ranked_colour,
)

# ------------------------------------------------------------------------------ colour maps


@primitive("colour_from", "colour_to")
def recolour(grid: np.ndarray, colour_from: int, colour_to: int) -> np.ndarray:
    """Paint every cell of ``colour_from`` with ``colour_to``.

    Args:
        colour_from: the colour to replace.
        colour_to: its replacement.

    >>> recolour(np.array([[1, 2, 1]]), 1, 3).tolist()
    [[3, 2, 3]]
    """
    colour_from, colour_to = check_colour(colour_from), check_colour(colour_to)
    g = as_grid(grid)
    g[g == colour_from] = colour_to
    return g


@primitive("colour_from", "colour_to")
def swap_colours(grid: np.ndarray, colour_from: int, colour_to: int) -> np.ndarray:
    """Swap two colours: cells of either become the other.

    Args:
        colour_from: one colour.
        colour_to: the other.

    >>> swap_colours(np.array([[1, 2, 3]]), 1, 2).tolist()
    [[2, 1, 3]]
    """
    a, b = check_colour(colour_from), check_colour(colour_to)
    g = as_grid(grid)
    out = g.copy()
    out[g == a] = b
    out[g == b] = a
    return out


@primitive("colour")
def keep_colour(grid: np.ndarray, colour: int) -> np.ndarray:
    """Keep only the cells of ``colour``; every other cell becomes background.

    Args:
        colour: the colour to keep.

    >>> keep_colour(np.array([[1, 2, 1]]), 1).tolist()
    [[1, 0, 1]]
    """
    colour = check_colour(colour)
    g = as_grid(grid)
    g[g != colour] = BACKGROUND
    return g


@primitive("colour")
def remove_colour(grid: np.ndarray, colour: int) -> np.ndarray:
    """Turn every cell of ``colour`` into background.

    Args:
        colour: the colour to remove.

    >>> remove_colour(np.array([[1, 2, 1]]), 1).tolist()
    [[0, 2, 0]]
    """
    colour = check_colour(colour)
    g = as_grid(grid)
    g[g == colour] = BACKGROUND
    return g


@primitive("colour")
def fill_background(grid: np.ndarray, colour: int) -> np.ndarray:
    """Paint every background cell with ``colour``.

    Args:
        colour: the new background colour.

    >>> fill_background(np.array([[0, 2, 0]]), 5).tolist()
    [[5, 2, 5]]
    """
    colour = check_colour(colour)
    g = as_grid(grid)
    g[g == BACKGROUND] = colour
    return g


@primitive("colour")
def recolour_foreground(grid: np.ndarray, colour: int) -> np.ndarray:
    """Paint every non-background cell with ``colour``.

    Args:
        colour: the new foreground colour.

    >>> recolour_foreground(np.array([[0, 2, 3]]), 5).tolist()
    [[0, 5, 5]]
    """
    colour = check_colour(colour)
    g = as_grid(grid)
    g[g != BACKGROUND] = colour
    return g


@primitive()
def recolour_to_most_common(grid: np.ndarray) -> np.ndarray:
    """Paint every non-background cell with the most common non-background colour.

    Raises:
        ValueError: if every cell is background.

    >>> recolour_to_most_common(np.array([[1, 2, 2, 0]])).tolist()
    [[2, 2, 2, 0]]
    """
    g = as_grid(grid)
    g[g != BACKGROUND] = ranked_colour(g, most=True, foreground=True)
    return g


@primitive()
def recolour_to_least_common(grid: np.ndarray) -> np.ndarray:
    """Paint every non-background cell with the least common non-background colour.

    Raises:
        ValueError: if every cell is background.

    >>> recolour_to_least_common(np.array([[1, 2, 2, 0]])).tolist()
    [[1, 1, 1, 0]]
    """
    g = as_grid(grid)
    g[g != BACKGROUND] = ranked_colour(g, most=False, foreground=True)
    return g


@primitive()
def invert(grid: np.ndarray) -> np.ndarray:
    """Swap the background with the grid's only non-background colour.

    Raises:
        ValueError: unless the grid has exactly one non-background colour.

    >>> invert(np.array([[0, 3], [3, 3]])).tolist()
    [[3, 0], [0, 0]]
    """
    g = as_grid(grid)
    present = np.flatnonzero(colour_counts(g)[1:]) + 1
    if present.size != 1:
        raise ValueError(f"invert: expected one non-background colour, got {present.tolist()}")
    foreground = g == present[0]
    g[foreground] = BACKGROUND
    g[~foreground] = present[0]
    return g


@primitive()
def most_common_colour(grid: np.ndarray) -> np.ndarray:
    """A 1x1 grid of the most common non-background colour (the smallest on ties).

    Raises:
        ValueError: if every cell is background.

    >>> most_common_colour(np.array([[1, 2, 2, 0, 0, 0]])).tolist()
    [[2]]
    """
    return np.array([[ranked_colour(as_grid(grid), most=True, foreground=True)]], dtype=np.int64)


@primitive()
def least_common_colour(grid: np.ndarray) -> np.ndarray:
    """A 1x1 grid of the least common non-background colour (the smallest on ties).

    Raises:
        ValueError: if every cell is background.

    >>> least_common_colour(np.array([[1, 2, 2, 0]])).tolist()
    [[1]]
    """
    return np.array([[ranked_colour(as_grid(grid), most=False, foreground=True)]], dtype=np.int64)


# ---------------------------------------------------------------------------------- counting


def _count_objects(grid: np.ndarray, colour: int) -> int:
    n = label(as_grid(grid) == colour, 4)[1]
    if n == 0:
        raise ValueError(f"no cells of colour {colour} in the grid")
    return n


def _count_cells(grid: np.ndarray, colour: int) -> int:
    n = int((as_grid(grid) == colour).sum())
    if n == 0:
        raise ValueError(f"no cells of colour {colour} in the grid")
    return n


@primitive("colour")
def count_objects_row(grid: np.ndarray, colour: int) -> np.ndarray:
    """A 1xN grid of ``colour``, N being the number of 4-connected objects of that colour.

    Args:
        colour: the colour of the objects to count, and of the result.

    Raises:
        ValueError: if no cell has that colour.

    >>> count_objects_row(np.array([[2, 0, 2], [2, 0, 0]]), 2).tolist()
    [[2, 2]]
    """
    colour = check_colour(colour)
    return np.full((1, _count_objects(grid, colour)), colour, dtype=np.int64)


@primitive("colour")
def count_objects_col(grid: np.ndarray, colour: int) -> np.ndarray:
    """An Nx1 grid of ``colour``, N being the number of 4-connected objects of that colour.

    Args:
        colour: the colour of the objects to count, and of the result.

    Raises:
        ValueError: if no cell has that colour.

    >>> count_objects_col(np.array([[2, 0, 2], [2, 0, 0]]), 2).tolist()
    [[2], [2]]
    """
    colour = check_colour(colour)
    return np.full((_count_objects(grid, colour), 1), colour, dtype=np.int64)


@primitive("colour")
def count_cells_row(grid: np.ndarray, colour: int) -> np.ndarray:
    """A 1xN grid of ``colour``, N being the number of cells of that colour.

    Args:
        colour: the colour to count, and of the result.

    Raises:
        ValueError: if no cell has that colour.

    >>> count_cells_row(np.array([[2, 0, 2], [2, 0, 0]]), 2).tolist()
    [[2, 2, 2]]
    """
    colour = check_colour(colour)
    return np.full((1, _count_cells(grid, colour)), colour, dtype=np.int64)


@primitive("colour")
def count_cells_col(grid: np.ndarray, colour: int) -> np.ndarray:
    """An Nx1 grid of ``colour``, N being the number of cells of that colour.

    Args:
        colour: the colour to count, and of the result.

    Raises:
        ValueError: if no cell has that colour.

    >>> count_cells_col(np.array([[2, 0, 1]]), 1).tolist()
    [[1]]
    """
    colour = check_colour(colour)
    return np.full((_count_cells(grid, colour), 1), colour, dtype=np.int64)


# --------------------------------------------------------------------------------- rankings


@primitive()
def colours_by_count(grid: np.ndarray) -> np.ndarray:
    """An Nx1 grid of the N non-background colours, the most common first.

    Ties go to the smaller colour.

    Raises:
        ValueError: if every cell is background.

    >>> colours_by_count(np.array([[1, 2, 2, 0, 3, 3, 3]])).tolist()
    [[3], [2], [1]]
    """
    counts = colour_counts(as_grid(grid))
    counts[BACKGROUND] = 0
    present = np.flatnonzero(counts)
    if present.size == 0:
        raise ValueError("no non-background cell in the grid")
    order = sorted(present.tolist(), key=lambda c: (-counts[c], c))
    return np.array(order, dtype=np.int64)[:, None]


@primitive()
def colours_by_size(grid: np.ndarray) -> np.ndarray:
    """An Nx1 grid of the colours of the N objects, the largest object first.

    Objects are 8-connected, of any colours; an object's colour is its most common one. Ties go
    to the object met first in reading order.

    Raises:
        ValueError: if the grid has no objects.

    >>> colours_by_size(np.array([[1, 0, 2, 2], [0, 0, 2, 0], [0, 0, 0, 0], [3, 3, 0, 0]])).tolist()
    [[2], [3], [1]]
    """
    g = as_grid(grid)
    labels, n = label(g != BACKGROUND, 8)
    if n == 0:
        raise ValueError("no objects in the grid")
    sizes = np.bincount(labels.ravel(), minlength=n + 1)[1:]
    counts = np.bincount(labels.ravel() * 10 + g.ravel(), minlength=(n + 1) * 10)
    colours = counts.reshape(n + 1, 10)[1:].argmax(axis=1)
    order = sorted(range(n), key=lambda i: -sizes[i])
    return colours[order].astype(np.int64)[:, None]
