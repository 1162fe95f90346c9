"""Geometry primitives: rotations and flips, scaling, tiling and mirroring, moving cells, cropping,
borders, halves and symmetry completion.

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
    check_repeat,
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


# ---------------------------------------------------------------------------------- scaling


@primitive("factor")
def scale_up(grid: np.ndarray, factor: int) -> np.ndarray:
    """Scale the grid up: each cell becomes a ``factor`` x ``factor`` block.

    Args:
        factor: the scale.

    >>> scale_up(np.array([[1, 2]]), 2).tolist()
    [[1, 1, 2, 2], [1, 1, 2, 2]]
    """
    factor = check_repeat(factor, "factor")
    return as_grid(grid).repeat(factor, axis=0).repeat(factor, axis=1)


def _blocks(grid: np.ndarray, factor: int) -> np.ndarray:
    """The ``factor`` x ``factor`` blocks of ``grid`` as an array (rows, columns, cells)."""
    height, width = grid.shape
    if height % factor or width % factor:
        raise ValueError(f"cannot scale a grid of shape {grid.shape} down by {factor}")
    blocks = grid.reshape(height // factor, factor, width // factor, factor).swapaxes(1, 2)
    return blocks.reshape(height // factor, width // factor, factor * factor)


@primitive("factor")
def scale_down(grid: np.ndarray, factor: int) -> np.ndarray:
    """Scale the grid down: each ``factor`` x ``factor`` block becomes its most common colour.

    Ties go to the smallest colour.

    Args:
        factor: the scale.

    Raises:
        ValueError: if a side of the grid is not a multiple of ``factor``.

    >>> scale_down(np.array([[1, 1, 2, 0], [1, 0, 2, 2]]), 2).tolist()
    [[1, 2]]
    """
    factor = check_repeat(factor, "factor")
    blocks = _blocks(as_grid(grid), factor)
    counts = (blocks[..., None] == np.arange(10)).sum(axis=2)
    return counts.argmax(axis=2)


@primitive("factor")
def scale_down_sample(grid: np.ndarray, factor: int) -> np.ndarray:
    """Scale the grid down: each ``factor`` x ``factor`` block becomes its top-left cell.

    Args:
        factor: the scale.

    Raises:
        ValueError: if a side of the grid is not a multiple of ``factor``.

    >>> scale_down_sample(np.array([[1, 0, 2, 0], [0, 0, 0, 0]]), 2).tolist()
    [[1, 2]]
    """
    factor = check_repeat(factor, "factor")
    return _blocks(as_grid(grid), factor)[:, :, 0]


# ------------------------------------------------------------------------ tiling and mirroring


@primitive("factor")
def tile(grid: np.ndarray, factor: int) -> np.ndarray:
    """Repeat the grid ``factor`` times across and ``factor`` times down.

    Args:
        factor: copies along each side.

    >>> tile(np.array([[1, 2]]), 2).tolist()
    [[1, 2, 1, 2], [1, 2, 1, 2]]
    """
    factor = check_repeat(factor, "factor")
    return np.tile(as_grid(grid), (factor, factor))


@primitive("factor")
def tile_h(grid: np.ndarray, factor: int) -> np.ndarray:
    """Repeat the grid ``factor`` times side by side.

    Args:
        factor: copies.

    >>> tile_h(np.array([[1], [2]]), 3).tolist()
    [[1, 1, 1], [2, 2, 2]]
    """
    factor = check_repeat(factor, "factor")
    return np.tile(as_grid(grid), (1, factor))


@primitive("factor")
def tile_v(grid: np.ndarray, factor: int) -> np.ndarray:
    """Repeat the grid ``factor`` times one above the other.

    Args:
        factor: copies.

    >>> tile_v(np.array([[1, 2]]), 2).tolist()
    [[1, 2], [1, 2]]
    """
    factor = check_repeat(factor, "factor")
    return np.tile(as_grid(grid), (factor, 1))


@primitive()
def mirror_h(grid: np.ndarray) -> np.ndarray:
    """Put the grid's left-to-right mirror image to its right (twice as wide).

    >>> mirror_h(np.array([[1, 2]])).tolist()
    [[1, 2, 2, 1]]
    """
    g = as_grid(grid)
    return np.hstack([g, g[:, ::-1]])


@primitive()
def mirror_v(grid: np.ndarray) -> np.ndarray:
    """Put the grid's top-to-bottom mirror image below it (twice as tall).

    >>> mirror_v(np.array([[1], [2]])).tolist()
    [[1], [2], [2], [1]]
    """
    g = as_grid(grid)
    return np.vstack([g, g[::-1]])


@primitive()
def mirror_4(grid: np.ndarray) -> np.ndarray:
    """Build a grid twice as wide and tall from the grid and its three mirror images.

    >>> mirror_4(np.array([[1, 2]])).tolist()
    [[1, 2, 2, 1], [1, 2, 2, 1]]
    """
    g = as_grid(grid)
    top = np.hstack([g, g[:, ::-1]])
    return np.vstack([top, top[::-1]])


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


# ----------------------------------------------------------------------- symmetry completion


def _complete(grid: np.ndarray, colour: int, images: list[np.ndarray]) -> np.ndarray:
    """Fill cells of ``colour`` from the first of ``images`` (same shape) that is not ``colour``."""
    out = grid.copy()
    for image in images:
        fill = (out == colour) & (image != colour)
        out[fill] = image[fill]
    return out


def _square(grid: np.ndarray, what: str) -> np.ndarray:
    if grid.shape[0] != grid.shape[1]:
        raise ValueError(f"{what} needs a square grid, got shape {grid.shape}")
    return grid


@primitive("colour")
def symmetry_h(grid: np.ndarray, colour: int) -> np.ndarray:
    """Fill the cells of ``colour`` from their left-to-right mirror images.

    Args:
        colour: the colour of the holes to fill (often background).

    >>> symmetry_h(np.array([[1, 2, 0, 0]]), 0).tolist()
    [[1, 2, 2, 1]]
    """
    colour = check_colour(colour)
    g = as_grid(grid)
    return _complete(g, colour, [g[:, ::-1]])


@primitive("colour")
def symmetry_v(grid: np.ndarray, colour: int) -> np.ndarray:
    """Fill the cells of ``colour`` from their top-to-bottom mirror images.

    Args:
        colour: the colour of the holes to fill.

    >>> symmetry_v(np.array([[1], [2], [5]]), 5).tolist()
    [[1], [2], [1]]
    """
    colour = check_colour(colour)
    g = as_grid(grid)
    return _complete(g, colour, [g[::-1]])


@primitive("colour")
def symmetry_hv(grid: np.ndarray, colour: int) -> np.ndarray:
    """Fill the cells of ``colour`` from their images in both mirrors and the half turn.

    Args:
        colour: the colour of the holes to fill.

    >>> symmetry_hv(np.array([[1, 0], [0, 0]]), 0).tolist()
    [[1, 1], [1, 1]]
    """
    colour = check_colour(colour)
    g = as_grid(grid)
    return _complete(g, colour, [g[:, ::-1], g[::-1], g[::-1, ::-1]])


@primitive("colour")
def symmetry_rot180(grid: np.ndarray, colour: int) -> np.ndarray:
    """Fill the cells of ``colour`` from their images under a half turn.

    Args:
        colour: the colour of the holes to fill.

    >>> symmetry_rot180(np.array([[1, 2], [0, 0]]), 0).tolist()
    [[1, 2], [2, 1]]
    """
    colour = check_colour(colour)
    g = as_grid(grid)
    return _complete(g, colour, [g[::-1, ::-1]])


@primitive("colour")
def symmetry_rot90(grid: np.ndarray, colour: int) -> np.ndarray:
    """Fill the cells of ``colour`` from their images under quarter turns (square grids).

    Args:
        colour: the colour of the holes to fill.

    Raises:
        ValueError: if the grid is not square.

    >>> symmetry_rot90(np.array([[1, 0], [0, 0]]), 0).tolist()
    [[1, 1], [1, 1]]
    """
    colour = check_colour(colour)
    g = _square(as_grid(grid), "symmetry_rot90")
    return _complete(g, colour, [np.rot90(g, 1), np.rot90(g, 2), np.rot90(g, 3)])


@primitive("colour")
def symmetry_diag(grid: np.ndarray, colour: int) -> np.ndarray:
    """Fill the cells of ``colour`` from their mirror images in the main diagonal (square grids).

    Args:
        colour: the colour of the holes to fill.

    Raises:
        ValueError: if the grid is not square.

    >>> symmetry_diag(np.array([[1, 2], [0, 3]]), 0).tolist()
    [[1, 2], [2, 3]]
    """
    colour = check_colour(colour)
    g = _square(as_grid(grid), "symmetry_diag")
    return _complete(g, colour, [g.T])
