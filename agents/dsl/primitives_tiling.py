"""Tiling primitives: scaling up and down, repeating and mirroring the grid into a larger one,
finding the block a grid repeats, and building larger grids from copies of the grid (by its own size, its number of colours, or
its own cells: fractals).

Each primitive takes a grid (a 2-D integer array of colours 0..9) and the parameters its registry
entry names, and returns a new array; the input is never changed.
"""

from __future__ import annotations

import numpy as np

from .primitives_base import (
    BACKGROUND,
    as_grid,
    check_colour,
    check_repeat,
    colour_counts,
    primitive,
)

MAX_SIDE = 30
"""The largest side of a grid that the primitives below build from copies of the input (ARC's
largest grid): a larger one could be no task's answer, and would cost time to build."""


def _fits(grid: np.ndarray, rows: int, columns: int, what: str) -> None:
    """Raise ValueError unless ``rows`` x ``columns`` copies of ``grid`` fit in :data:`MAX_SIDE`."""
    height, width = grid.shape
    if height * rows > MAX_SIDE or width * columns > MAX_SIDE:
        raise ValueError(
            f"{what} of a {height}x{width} grid would be {height * rows}x{width * columns}, "
            f"larger than {MAX_SIDE}x{MAX_SIDE}"
        )


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


def _period(g: np.ndarray) -> int:
    """The smallest p such that every row equals the row p above it (the height if none)."""
    for p in range(1, g.shape[0]):
        if (g[p:] == g[:-p]).all():
            return p
    return g.shape[0]


@primitive()
def tile_unit(grid: np.ndarray) -> np.ndarray:
    """The smallest block whose repetition (a partial copy allowed at the end) makes the grid.

    Raises:
        ValueError: if the grid repeats along neither axis.

    >>> tile_unit(np.array([[1, 2, 1, 2, 1], [3, 4, 3, 4, 3]])).tolist()
    [[1, 2], [3, 4]]
    """
    g = as_grid(grid)
    rows, cols = _period(g), _period(g.T)
    if (rows, cols) == g.shape:
        raise ValueError("the grid does not repeat")
    return g[:rows, :cols].copy()


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


@primitive()
def tile_rotations(grid: np.ndarray) -> np.ndarray:
    """Build a square grid twice as wide and tall from the grid and its three turns.

    Top left the grid, top right its quarter turn anticlockwise, bottom left its half turn,
    bottom right its quarter turn clockwise.

    Raises:
        ValueError: if the grid is not square.

    >>> tile_rotations(np.array([[1, 2], [3, 4]])).tolist()
    [[1, 2, 2, 4], [3, 4, 1, 3], [4, 3, 3, 1], [2, 1, 4, 2]]
    """
    g = as_grid(grid)
    if g.shape[0] != g.shape[1]:
        raise ValueError(f"tile_rotations needs a square grid, got shape {g.shape}")
    return np.block([[g, np.rot90(g, 1)], [np.rot90(g, 2), np.rot90(g, -1)]])


def _colour_count(grid: np.ndarray) -> int:
    return int(np.count_nonzero(colour_counts(grid)))


def _scale(g: np.ndarray, factor: int, what: str) -> np.ndarray:
    _fits(g, factor, factor, what)
    return g.repeat(factor, axis=0).repeat(factor, axis=1)


@primitive()
def scale_by_colour_count(grid: np.ndarray) -> np.ndarray:
    """Scale the grid up by its number of colours (background included).

    Raises:
        ValueError: if the result would be larger than 30x30.

    >>> scale_by_colour_count(np.array([[1, 0]])).tolist()
    [[1, 1, 0, 0], [1, 1, 0, 0]]
    """
    g = as_grid(grid)
    return _scale(g, _colour_count(g), "scale_by_colour_count")


@primitive()
def scale_by_foreground_count(grid: np.ndarray) -> np.ndarray:
    """Scale the grid up by its number of colours other than the background.

    Raises:
        ValueError: if the grid is all background, or the result would be larger than 30x30.

    >>> scale_by_foreground_count(np.array([[1, 0], [0, 2]])).tolist()
    [[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 2, 2], [0, 0, 2, 2]]
    """
    g = as_grid(grid)
    counts = colour_counts(g)
    counts[BACKGROUND] = 0
    factor = int(np.count_nonzero(counts))
    if factor < 1:
        raise ValueError("scale_by_foreground_count needs a colour other than the background")
    return _scale(g, factor, "scale_by_foreground_count")


@primitive()
def tile_by_colour_count(grid: np.ndarray) -> np.ndarray:
    """Repeat the grid across and down as many times as it has colours (background included).

    Raises:
        ValueError: if the result would be larger than 30x30.

    >>> tile_by_colour_count(np.array([[1, 0]])).tolist()
    [[1, 0, 1, 0], [1, 0, 1, 0]]
    """
    g = as_grid(grid)
    factor = _colour_count(g)
    _fits(g, factor, factor, "tile_by_colour_count")
    return np.tile(g, (factor, factor))


@primitive()
def tile_by_size(grid: np.ndarray) -> np.ndarray:
    """Repeat an h x w grid h times down and w times across.

    Raises:
        ValueError: if the result would be larger than 30x30.

    >>> tile_by_size(np.array([[1, 2]])).tolist()
    [[1, 2, 1, 2]]
    """
    g = as_grid(grid)
    _fits(g, *g.shape, "tile_by_size")
    return np.tile(g, g.shape)


def _fractal(cells: np.ndarray, copy: np.ndarray) -> np.ndarray:
    """Each true cell of ``cells`` becomes ``copy``, each other one a block of background."""
    _fits(copy, *cells.shape, "a fractal")
    return np.kron(cells.astype(np.int64), copy)


@primitive()
def fractal(grid: np.ndarray) -> np.ndarray:
    """Replace each foreground cell with a copy of the grid, each background cell with a blank.

    An h x w grid becomes h*h x w*w.

    Raises:
        ValueError: if the result would be larger than 30x30.

    >>> fractal(np.array([[1, 0]])).tolist()
    [[1, 0, 0, 0]]
    """
    g = as_grid(grid)
    return _fractal(g != BACKGROUND, g)


@primitive("colour")
def fractal_of_colour(grid: np.ndarray, colour: int) -> np.ndarray:
    """Replace each cell of ``colour`` with a copy of the grid, every other cell with a blank.

    An h x w grid becomes h*h x w*w.

    Args:
        colour: the cells that become copies.

    Raises:
        ValueError: if the result would be larger than 30x30.

    >>> fractal_of_colour(np.array([[5, 2]]), 5).tolist()
    [[5, 2, 0, 0]]
    """
    colour = check_colour(colour)
    g = as_grid(grid)
    return _fractal(g == colour, g)


@primitive()
def fractal_inverted(grid: np.ndarray) -> np.ndarray:
    """Replace each foreground cell with an inverted copy of the grid, each background cell with a blank.

    In the copy, foreground cells become background and background cells take the grid's most
    common foreground colour.

    Raises:
        ValueError: if the grid has no foreground, or the result would be larger than 30x30.

    >>> fractal_inverted(np.array([[3, 0]])).tolist()
    [[0, 3, 0, 0]]
    """
    g = as_grid(grid)
    counts = colour_counts(g)
    counts[BACKGROUND] = 0
    if not counts.any():
        raise ValueError("fractal_inverted needs a grid with foreground")
    inverted = np.where(g == BACKGROUND, int(counts.argmax()), BACKGROUND)
    return _fractal(g != BACKGROUND, inverted)
