"""Part primitives: splitting a grid into halves, into square blocks or by separator lines, and
combining, overlaying, summarising or choosing among the parts.

Separator lines are full rows or columns of one non-background colour (see
:func:`separators`); square blocks are what a grid k times as tall as wide (or as wide as tall)
is made of (see :func:`square_blocks`). Each primitive takes a grid (a 2-D integer array
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
    colour_counts,
    primitive,
)
from .selection import select_labelled


def split_halves(grid: np.ndarray, axis: str) -> tuple[np.ndarray, np.ndarray]:
    """The two halves of ``grid``: left and right (``horizontal``) or top and bottom (``vertical``).

    For an odd size the middle line belongs to neither half.

    Raises:
        ValueError: if the grid has a single line along that axis.

    >>> [h.tolist() for h in split_halves(np.array([[1, 5, 2]]), "horizontal")]
    [[[1]], [[2]]]
    """
    axis = check_choice(axis, "axis")
    size = grid.shape[1] if axis == "horizontal" else grid.shape[0]
    if size < 2:
        raise ValueError(f"cannot split a grid of shape {grid.shape} into {axis} halves")
    half = size // 2
    if axis == "horizontal":
        return grid[:, :half], grid[:, size - half :]
    return grid[:half], grid[size - half :]


def separators(grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Boolean masks of the separator rows and columns of ``grid``.

    Separator lines are full rows or columns (of two or more cells) of one non-background colour.
    The colour with the most such lines away from the grid's edge wins (the smallest colour on
    ties); its lines on the edge count too once it is chosen.

    Raises:
        ValueError: if the grid has no separator line, or only separator lines.

    >>> rows, cols = separators(np.array([[1, 5, 2], [3, 5, 4]]))
    >>> rows.tolist(), cols.tolist()
    ([False, False], [False, True, False])
    """
    height, width = grid.shape
    # a line of one cell separates nothing: rows count in grids two or more columns wide
    row_colours = np.where((grid == grid[:, :1]).all(axis=1) & (width > 1), grid[:, 0], BACKGROUND)
    col_colours = np.where((grid == grid[:1]).all(axis=0) & (height > 1), grid[0], BACKGROUND)
    inside = np.concatenate([row_colours[1:-1], col_colours[1:-1]])  # edge lines separate nothing
    counts = np.bincount(inside, minlength=10)
    counts[BACKGROUND] = 0
    if not counts.any():
        raise ValueError("no separator lines inside the grid")
    colour = int(counts.argmax())
    best = (row_colours == colour, col_colours == colour)
    if best[0].all() or best[1].all():
        raise ValueError("the grid is made of separator lines only")
    return best


def split_parts(grid: np.ndarray) -> list[np.ndarray]:
    """The parts of ``grid`` between its separator lines (:func:`separators`), in reading order.

    Raises:
        ValueError: if the grid has no separator line, or only separator lines.

    >>> [p.tolist() for p in split_parts(np.array([[1, 5, 2], [3, 5, 4]]))]
    [[[1], [3]], [[2], [4]]]
    """
    rows, cols = separators(grid)
    row_runs, col_runs = _runs(~rows), _runs(~cols)
    return [grid[r0:r1, c0:c1] for r0, r1 in row_runs for c0, c1 in col_runs]


def square_blocks(grid: np.ndarray) -> list[np.ndarray]:
    """The square blocks of a grid k times as tall as it is wide (or as wide as tall), k >= 2.

    Raises:
        ValueError: if neither side is a multiple (two or more times) of the other.

    >>> [b.tolist() for b in square_blocks(np.array([[1, 2, 3, 4]]))]
    [[[1]], [[2]], [[3]], [[4]]]
    """
    height, width = grid.shape
    if height > width and height % width == 0:
        return [grid[top : top + width] for top in range(0, height, width)]
    if width > height and width % height == 0:
        return [grid[:, left : left + height] for left in range(0, width, height)]
    raise ValueError(f"a grid of shape {grid.shape} is not a row or column of square blocks")


def _runs(keep: np.ndarray) -> list[tuple[int, int]]:
    """Maximal runs of true values as (start, stop) pairs.

    >>> _runs(np.array([True, True, False, True]))
    [(0, 2), (3, 4)]
    """
    edges = np.diff(np.concatenate(([0], keep.astype(np.int8), [0])))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [(int(a), int(b)) for a, b in zip(starts, stops, strict=True)]


def combine_masks(masks: list[np.ndarray], combine: str) -> np.ndarray:
    """Combine boolean masks cell by cell (see ``combine`` in :data:`PARAM_KINDS`).

    >>> a, b = np.array([True, True, False]), np.array([True, False, True])
    >>> [combine_masks([a, b], c).tolist() for c in ("and", "xor", "left_minus_right")]
    [[True, False, False], [False, True, True], [False, True, False]]
    """
    combine = check_choice(combine, "combine")
    stack = np.stack(masks)
    if combine == "and":
        return stack.all(axis=0)
    if combine == "or":
        return stack.any(axis=0)
    if combine == "xor":
        return stack.sum(axis=0) == 1
    if combine == "neither":
        return ~stack.any(axis=0)
    return stack[0] & ~stack[1:].any(axis=0)


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
            second), ``neither``.
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
            ``left_minus_right`` (the first part and no other), ``neither`` (no part).
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


@primitive("selector")
def crop_block(grid: np.ndarray, selector: str) -> np.ndarray:
    """The square block that ``selector`` picks, of a grid that is a row or column of them.

    The blocks are those of :func:`square_blocks`. They are judged by their non-background cells
    as :func:`~soar.agents.dsl.selection.select_object` judges objects (``largest`` has the most
    such cells, ``top_left`` is the first block), except that a block that is its own mirror
    image in a diagonal is ``symmetric`` too; blocks without any are never picked.

    Raises:
        ValueError: if the grid is not made of square blocks, no block has a non-background
            cell, or the selector finds no single block.

    >>> crop_block(np.array([[1, 0, 2, 2, 0, 3], [0, 0, 2, 0, 0, 0]]), "largest").tolist()
    [[2, 2], [2, 0]]
    """
    selector = check_choice(selector, "selector")
    g = as_grid(grid)
    blocks = square_blocks(g)
    has = [bool((b != BACKGROUND).any()) for b in blocks]
    filled = [b for b, h in zip(blocks, has, strict=True) if h]
    # each block's non-background cells labelled with its number among the filled blocks
    labels = np.concatenate(
        [np.where(b != BACKGROUND, k, 0) for b, k in zip(blocks, np.cumsum(has), strict=True)],
        axis=0 if g.shape[0] > g.shape[1] else 1,
    )
    return filled[select_labelled(g, labels, len(filled), selector, diagonal=True)].copy()


@primitive()
def downscale_parts(grid: np.ndarray) -> np.ndarray:
    """One cell per part between separator lines: the part's most common colour.

    The colour is the most common one other than the background and the separators' (the
    smallest on ties); a part with no other colour gives a background cell. The result has one
    row per row of parts and one column per column of parts.

    Raises:
        ValueError: if the grid has no separator lines, or only separator lines.

    >>> downscale_parts(np.array([[1, 1, 5, 0], [0, 1, 5, 0], [5, 5, 5, 5], [2, 0, 5, 3]])).tolist()
    [[1, 0], [2, 3]]
    """
    g = as_grid(grid)
    rows, cols = separators(g)
    line = np.flatnonzero(rows)
    separator = int(g[line[0], 0]) if line.size else int(g[0, np.flatnonzero(cols)[0]])
    row_runs, col_runs = _runs(~rows), _runs(~cols)
    out = np.full((len(row_runs), len(col_runs)), BACKGROUND, dtype=np.int64)
    for i, (r0, r1) in enumerate(row_runs):
        for j, (c0, c1) in enumerate(col_runs):
            counts = colour_counts(g[r0:r1, c0:c1])
            counts[[BACKGROUND, separator]] = 0
            if counts.any():
                out[i, j] = int(counts.argmax())
    return out


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
