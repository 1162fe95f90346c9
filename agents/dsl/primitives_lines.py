"""Line primitives: extending cells into lines up to the next object, joining cells of one colour
(with their colour or another), drawing full rows and columns through cells, and continuing lines
whose content repeats.

Each primitive takes a grid (a 2-D integer array of colours 0..9) and the parameters its registry
entry names, and returns a new array; the input is never changed.
"""

from __future__ import annotations

import numpy as np

from .primitives_base import (
    BACKGROUND,
    as_grid,
    check_choice,
    check_colour,
    in_direction,
    primitive,
)


def _nearest_before(g: np.ndarray) -> np.ndarray:
    """For each cell, the row of the nearest non-background cell at or above it (-1 if none)."""
    rows = np.where(g != BACKGROUND, np.arange(g.shape[0])[:, None], -1)
    return np.maximum.accumulate(rows, axis=0)


@primitive("direction")
def extend(grid: np.ndarray, direction: str) -> np.ndarray:
    """Extend every non-background cell in ``direction`` over background up to the next object.

    Each background cell takes the colour of the nearest non-background cell behind it.

    Args:
        direction: where lines grow.

    >>> extend(np.array([[0, 1, 0, 2, 0]]), "right").tolist()
    [[0, 1, 1, 2, 2]]
    """

    def down(g: np.ndarray) -> np.ndarray:
        nearest = _nearest_before(g)
        source = g[np.maximum(nearest, 0), np.arange(g.shape[1])]
        return np.where(nearest >= 0, source, BACKGROUND)

    return in_direction(as_grid(grid), direction, down)


@primitive("colour", "direction")
def extend_colour(grid: np.ndarray, colour: int, direction: str) -> np.ndarray:
    """Extend the cells of ``colour`` in ``direction`` over background up to the next object.

    Args:
        colour: the colour of the cells that grow lines.
        direction: where lines grow.

    >>> extend_colour(np.array([[0, 1, 0, 2, 0]]), 1, "right").tolist()
    [[0, 1, 1, 2, 0]]
    """
    colour = check_colour(colour)

    def down(g: np.ndarray) -> np.ndarray:
        nearest = _nearest_before(g)
        source = g[np.maximum(nearest, 0), np.arange(g.shape[1])]
        return np.where((g == BACKGROUND) & (nearest >= 0) & (source == colour), colour, g)

    return in_direction(as_grid(grid), direction, down)


@primitive("axis")
def connect_same_colour(grid: np.ndarray, axis: str) -> np.ndarray:
    """Join cells of the same colour on one row (``horizontal``) or column (``vertical``).

    Background cells between two cells of one colour take that colour; where lines of several
    colours would cross, the smallest colour wins.

    Args:
        axis: which lines to draw.

    >>> connect_same_colour(np.array([[1, 0, 0, 1, 0], [2, 0, 3, 0, 2]]), "horizontal").tolist()
    [[1, 1, 1, 1, 0], [2, 2, 3, 2, 2]]
    """
    axis_name = check_choice(axis, "axis")
    g = as_grid(grid)
    work = g if axis_name == "horizontal" else g.T
    out = work.copy()
    for colour in np.unique(work):
        if colour == BACKGROUND:
            continue
        same = work == colour
        after = np.logical_or.accumulate(same, axis=1)
        before = np.logical_or.accumulate(same[:, ::-1], axis=1)[:, ::-1]
        out[after & before & (out == BACKGROUND)] = colour
    return out if axis_name == "horizontal" else out.T


def _bridged_down(g: np.ndarray) -> np.ndarray:
    """The background cells between two cells of one colour in a column with only background
    between them."""
    height = g.shape[0]
    above = _nearest_before(g)
    below = height - 1 - _nearest_before(g[::-1])[::-1]  # height where none
    cols = np.arange(g.shape[1])
    found = (above >= 0) & (below < height)
    top = g[np.clip(above, 0, height - 1), cols]
    bottom = g[np.clip(below, 0, height - 1), cols]
    return found & (g == BACKGROUND) & (top == bottom)


@primitive("colour")
def bridge_same_colour(grid: np.ndarray, colour: int) -> np.ndarray:
    """Paint with ``colour`` the background between two cells of one colour on a row or column.

    Only background may lie between the two cells (:func:`connect_same_colour`, which paints with
    the cells' own colour, also reaches across other colours).

    Args:
        colour: the colour of the bridges.

    >>> bridge_same_colour(np.array([[1, 0, 0, 1, 0, 2], [0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0]]), 3).tolist()
    [[1, 3, 3, 1, 0, 2], [3, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0]]
    """
    colour = check_colour(colour)
    g = as_grid(grid)
    g[_bridged_down(g) | _bridged_down(g.T).T] = colour
    return g


@primitive("colour")
def cross_lines(grid: np.ndarray, colour: int) -> np.ndarray:
    """Draw the full row and column through every cell of ``colour``, over background only.

    Args:
        colour: the colour of the cells, and of the lines.

    >>> cross_lines(np.array([[0, 0, 0], [0, 1, 0], [0, 0, 2]]), 1).tolist()
    [[0, 1, 0], [1, 1, 1], [0, 1, 2]]
    """
    colour = check_colour(colour)
    g = as_grid(grid)
    same = g == colour
    lines = same.any(axis=1)[:, None] | same.any(axis=0)[None, :]
    g[lines & (g == BACKGROUND)] = colour
    return g


def _continue_down(g: np.ndarray) -> np.ndarray:
    """Continue each column's repeating content down to the bottom edge (see
    :func:`continue_lines`)."""
    height = g.shape[0]
    rows = np.arange(height)[:, None]
    filled = g != BACKGROUND
    first = np.where(filled.any(axis=0), filled.argmax(axis=0), height)
    last = height - 1 - filled[::-1].argmax(axis=0)  # below first in empty columns
    length = last - first + 1
    period = np.zeros(g.shape[1], dtype=np.int64)  # 0: no repeat found (yet)
    for p in range(1, int(length.max())):
        # columns whose content maps onto itself shifted by p, and is longer than p
        same = (g[:-p] == g[p:]) | (rows[:-p] < first) | (rows[:-p] + p > last)
        period[(period == 0) & (length > p) & same.all(axis=0)] = p
    repeats = period > 0
    if not repeats.any():
        return g.copy()
    # the content's row each row repeats (clipped where a column does not repeat)
    source = np.minimum(first + (rows - first) % np.maximum(period, 1), height - 1)
    out = g.copy()
    cells = (rows >= first) & repeats
    out[cells] = g[source, np.arange(g.shape[1])][cells]
    return out


@primitive("direction")
def continue_lines(grid: np.ndarray, direction: str) -> np.ndarray:
    """Continue every line whose content repeats to the edge in ``direction``.

    A line's content runs from its first to its last non-background cell (in ``direction``); its
    period is the smallest shift that maps the content onto itself. From its first cell on, the
    line becomes its period repeated; a line whose content does not repeat (its period is its
    whole length) is left as it is.

    Args:
        direction: where lines continue (``right``: each row to the right edge).

    >>> continue_lines(np.array([[0, 2, 2, 0, 2, 2, 0, 0, 0], [0, 3, 0, 0, 0, 0, 0, 0, 0]]), "right").tolist()
    [[0, 2, 2, 0, 2, 2, 0, 2, 2], [0, 3, 0, 0, 0, 0, 0, 0, 0]]
    """
    return in_direction(as_grid(grid), direction, _continue_down)
