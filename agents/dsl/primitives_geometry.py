"""Geometry primitives: rotations and flips, moving cells, cropping, borders and halves.

Scaling and tiling are in :mod:`soar.agents.dsl.primitives_tiling`, symmetry completion in
:mod:`soar.agents.dsl.primitives_patterns`.

Each primitive takes a grid (a 2-D integer array of colours 0..9) and the parameters its registry
entry names, and returns a new array; the input is never changed.
"""

from __future__ import annotations

import numpy as np

from .primitives_base import (
    BACKGROUND,
    as_grid,
    bounding_box,
    check_colour,
    in_direction,
    primitive,
)

# ------------------------------------------------------------------------ rotations and flips


@primitive()
def rotate_90(grid: np.ndarray) -> np.ndarray:
    """Rotate the grid a quarter turn clockwise.

    >>> rotate_90(np.array([[1, 2], [3, 4]])).tolist()
    [[3, 1], [4, 2]]
    """
    return np.rot90(as_grid(grid), -1)


@primitive()
def rotate_180(grid: np.ndarray) -> np.ndarray:
    """Rotate the grid half a turn.

    >>> rotate_180(np.array([[1, 2], [3, 4]])).tolist()
    [[4, 3], [2, 1]]
    """
    return np.rot90(as_grid(grid), 2)


@primitive()
def rotate_270(grid: np.ndarray) -> np.ndarray:
    """Rotate the grid a quarter turn anticlockwise (three quarter turns clockwise).

    >>> rotate_270(np.array([[1, 2], [3, 4]])).tolist()
    [[2, 4], [1, 3]]
    """
    return np.rot90(as_grid(grid), 1)


@primitive()
def flip_h(grid: np.ndarray) -> np.ndarray:
    """Mirror the grid left to right (reverse each row).

    >>> flip_h(np.array([[1, 2], [3, 4]])).tolist()
    [[2, 1], [4, 3]]
    """
    return as_grid(grid)[:, ::-1]


@primitive()
def flip_v(grid: np.ndarray) -> np.ndarray:
    """Mirror the grid top to bottom (reverse the order of the rows).

    >>> flip_v(np.array([[1, 2], [3, 4]])).tolist()
    [[3, 4], [1, 2]]
    """
    return as_grid(grid)[::-1]


@primitive()
def transpose(grid: np.ndarray) -> np.ndarray:
    """Mirror the grid in its main diagonal (rows become columns).

    >>> transpose(np.array([[1, 2], [3, 4]])).tolist()
    [[1, 3], [2, 4]]
    """
    return as_grid(grid).T


@primitive()
def anti_transpose(grid: np.ndarray) -> np.ndarray:
    """Mirror the grid in its anti-diagonal (top right to bottom left).

    >>> anti_transpose(np.array([[1, 2], [3, 4]])).tolist()
    [[4, 2], [3, 1]]
    """
    return as_grid(grid)[::-1, ::-1].T


# ------------------------------------------------------------------------------- moving cells


@primitive("direction")
def shift(grid: np.ndarray, direction: str) -> np.ndarray:
    """Move every cell one step in ``direction``; the line left behind becomes background.

    Args:
        direction: where cells move.

    >>> shift(np.array([[1, 2, 3]]), "right").tolist()
    [[0, 1, 2]]
    """

    def down(g: np.ndarray) -> np.ndarray:
        out = np.full_like(g, BACKGROUND)
        out[1:] = g[:-1]
        return out

    return in_direction(as_grid(grid), direction, down)


@primitive("direction")
def roll(grid: np.ndarray, direction: str) -> np.ndarray:
    """Move every cell one step in ``direction``, wrapping around the edge.

    Args:
        direction: where cells move.

    >>> roll(np.array([[1, 2, 3]]), "left").tolist()
    [[2, 3, 1]]
    """
    return in_direction(as_grid(grid), direction, lambda g: np.roll(g, 1, axis=0))


@primitive("direction")
def gravity(grid: np.ndarray, direction: str) -> np.ndarray:
    """Let every non-background cell fall in ``direction`` until it meets the edge or another cell.

    Cells keep their order along each line.

    Args:
        direction: where cells fall.

    >>> gravity(np.array([[1, 0], [0, 2], [3, 0]]), "up").tolist()
    [[1, 2], [3, 0], [0, 0]]
    """

    def down(g: np.ndarray) -> np.ndarray:
        order = np.argsort(g != BACKGROUND, axis=0, kind="stable")
        return np.take_along_axis(g, order, axis=0)

    return in_direction(as_grid(grid), direction, down)


@primitive()
def dedup_rows(grid: np.ndarray) -> np.ndarray:
    """Collapse each run of identical consecutive rows into one row.

    >>> dedup_rows(np.array([[1, 2], [1, 2], [3, 4], [1, 2]])).tolist()
    [[1, 2], [3, 4], [1, 2]]
    """
    g = as_grid(grid)
    keep = np.ones(g.shape[0], dtype=bool)
    keep[1:] = (g[1:] != g[:-1]).any(axis=1)
    return g[keep]


@primitive()
def dedup_cols(grid: np.ndarray) -> np.ndarray:
    """Collapse each run of identical consecutive columns into one column.

    >>> dedup_cols(np.array([[1, 1, 2], [3, 3, 4]])).tolist()
    [[1, 2], [3, 4]]
    """
    g = as_grid(grid)
    keep = np.ones(g.shape[1], dtype=bool)
    keep[1:] = (g[:, 1:] != g[:, :-1]).any(axis=0)
    return g[:, keep]


# ------------------------------------------------------------------------- cropping, borders


@primitive()
def crop_to_content(grid: np.ndarray) -> np.ndarray:
    """Crop the grid to the bounding box of its non-background cells.

    Raises:
        ValueError: if every cell is background.

    >>> crop_to_content(np.array([[0, 0, 0], [0, 1, 0], [0, 0, 2]])).tolist()
    [[1, 0], [0, 2]]
    """
    g = as_grid(grid)
    return g[bounding_box(g != BACKGROUND, "non-background cells")]


@primitive("colour")
def crop_to_colour(grid: np.ndarray, colour: int) -> np.ndarray:
    """Crop the grid to the bounding box of the cells of ``colour``.

    Args:
        colour: the colour whose cells span the box.

    Raises:
        ValueError: if no cell has that colour.

    >>> crop_to_colour(np.array([[2, 0, 0], [0, 1, 1], [0, 3, 1]]), 1).tolist()
    [[1, 1], [3, 1]]
    """
    colour = check_colour(colour)
    g = as_grid(grid)
    return g[bounding_box(g == colour, f"cells of colour {colour}")]


@primitive("colour")
def pad_border(grid: np.ndarray, colour: int) -> np.ndarray:
    """Surround the grid with a one-cell border of ``colour`` (two rows and columns larger).

    Args:
        colour: the border's colour.

    >>> pad_border(np.array([[1]]), 2).tolist()
    [[2, 2, 2], [2, 1, 2], [2, 2, 2]]
    """
    colour = check_colour(colour)
    return np.pad(as_grid(grid), 1, constant_values=colour)


@primitive()
def strip_border(grid: np.ndarray) -> np.ndarray:
    """Remove the outermost ring of cells (two rows and columns smaller).

    Raises:
        ValueError: if the grid has fewer than three rows or columns.

    >>> strip_border(np.array([[1, 1, 1], [1, 2, 1], [1, 1, 1]])).tolist()
    [[2]]
    """
    g = as_grid(grid)
    if min(g.shape) < 3:
        raise ValueError(f"cannot strip the border of a grid of shape {g.shape}")
    return g[1:-1, 1:-1]


@primitive("colour")
def draw_border(grid: np.ndarray, colour: int) -> np.ndarray:
    """Paint the outermost ring of cells with ``colour`` (same size).

    Args:
        colour: the border's colour.

    >>> draw_border(np.array([[0, 0, 0], [0, 0, 0]]), 4).tolist()
    [[4, 4, 4], [4, 4, 4]]
    """
    colour = check_colour(colour)
    g = as_grid(grid)
    g[[0, -1], :] = colour
    g[:, [0, -1]] = colour
    return g


@primitive("direction")
def half(grid: np.ndarray, direction: str) -> np.ndarray:
    """Keep the half of the grid on the ``direction`` side (``up`` keeps the top half).

    For an odd size the middle line belongs to neither half.

    Args:
        direction: which half.

    Raises:
        ValueError: if the grid has a single line across that direction.

    >>> half(np.array([[1, 2, 3], [4, 5, 6]]), "right").tolist()
    [[3], [6]]
    """

    def bottom(g: np.ndarray) -> np.ndarray:
        if g.shape[0] < 2:
            raise ValueError(f"cannot halve a grid of shape {grid.shape} in direction {direction}")
        return g[g.shape[0] - g.shape[0] // 2 :]

    return in_direction(as_grid(grid), direction, bottom)
