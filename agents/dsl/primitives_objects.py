"""Object primitives: selecting, cropping, keeping, removing and recolouring connected objects,
removing noise, hollowing and outlining, filling enclosed areas and rectangles.

An object is a connected component of non-background cells (of any colours), 4-connected (edge
neighbours) unless the name ends in ``8`` (edge and corner neighbours), or for
:func:`crop_colour_object` one of one colour; see :func:`~soar.agents.dsl.selection.select_object`
for the selectors. Each primitive takes a grid (a
2-D integer array of colours 0..9) and the parameters its registry entry names, and returns a new
array; the input is never changed.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from .primitives_base import (
    BACKGROUND,
    MAX_LABELS,
    as_grid,
    bounding_box,
    cell_sizes,
    check_colour,
    check_repeat,
    label,
    primitive,
)
from .selection import colour_objects, most_cells_of, select_labelled, select_object

# -------------------------------------------------------------------------- selected objects


def _crop(grid: np.ndarray, selector: str, connectivity: int) -> np.ndarray:
    g = as_grid(grid)
    return g[bounding_box(select_object(g, selector, connectivity), "object")]


def _keep(grid: np.ndarray, selector: str, connectivity: int, keep: bool) -> np.ndarray:
    g = as_grid(grid)
    mask = select_object(g, selector, connectivity)
    g[~mask if keep else mask] = BACKGROUND
    return g


@primitive("selector")
def crop_object(grid: np.ndarray, selector: str) -> np.ndarray:
    """Crop the grid to the bounding box of the selected 4-connected object.

    Args:
        selector: which object.

    Raises:
        ValueError: if there is no object, or no unique one for ``unique_colour``.

    >>> crop_object(np.array([[1, 0, 0], [0, 2, 2], [0, 2, 1]]), "largest").tolist()
    [[2, 2], [2, 1]]
    """
    return _crop(grid, selector, 4)


@primitive("selector")
def crop_object8(grid: np.ndarray, selector: str) -> np.ndarray:
    """Crop the grid to the bounding box of the selected 8-connected object.

    Args:
        selector: which object.

    Raises:
        ValueError: if there is no object, or no unique one for ``unique_colour``.

    >>> crop_object8(np.array([[1, 0, 0], [0, 2, 0], [0, 0, 0], [3, 0, 0]]), "largest").tolist()
    [[1, 0], [0, 2]]
    """
    return _crop(grid, selector, 8)


@primitive("selector")
def crop_colour_object(grid: np.ndarray, selector: str) -> np.ndarray:
    """Crop the grid to the bounding box of the selected one-colour object.

    One-colour objects are 8-connected cells of one non-background colour, so a frame drawn over
    noise of other colours is one object.

    Args:
        selector: which object.

    Raises:
        ValueError: if there is no object, or no unique one for ``unique_colour``.

    >>> crop_colour_object(np.array([[1, 2, 2], [0, 2, 1], [0, 2, 2]]), "largest").tolist()
    [[2, 2], [2, 1], [2, 2]]
    """
    g = as_grid(grid)
    labels, n = colour_objects(g)
    index = select_labelled(g, labels, n, selector)
    return g[bounding_box(labels == index + 1, "object")]


@primitive("colour")
def crop_object_most(grid: np.ndarray, colour: int) -> np.ndarray:
    """Crop the grid to the bounding box of the 4-connected object with the most cells of ``colour``.

    Args:
        colour: the colour whose cells count.

    Raises:
        ValueError: if no object or more than one has the most cells of ``colour``.

    >>> crop_object_most(np.array([[1, 2, 0, 1, 1], [1, 1, 0, 2, 2]]), 2).tolist()
    [[1, 1], [2, 2]]
    """
    colour = check_colour(colour)
    g = as_grid(grid)
    labels, n = label(g != BACKGROUND, 4)
    return g[bounding_box(labels == most_cells_of(g, labels, n, colour) + 1, "object")]


@primitive("selector")
def keep_object(grid: np.ndarray, selector: str) -> np.ndarray:
    """Keep only the selected 4-connected object; every other cell becomes background.

    Args:
        selector: which object.

    Raises:
        ValueError: if there is no object, or no unique one for ``unique_colour``.

    >>> keep_object(np.array([[1, 0, 2, 2]]), "largest").tolist()
    [[0, 0, 2, 2]]
    """
    return _keep(grid, selector, 4, keep=True)


@primitive("selector")
def keep_object8(grid: np.ndarray, selector: str) -> np.ndarray:
    """Keep only the selected 8-connected object; every other cell becomes background.

    Args:
        selector: which object.

    Raises:
        ValueError: if there is no object, or no unique one for ``unique_colour``.

    >>> keep_object8(np.array([[1, 0, 0, 2], [0, 1, 0, 0]]), "smallest").tolist()
    [[0, 0, 0, 2], [0, 0, 0, 0]]
    """
    return _keep(grid, selector, 8, keep=True)


@primitive("selector")
def remove_object(grid: np.ndarray, selector: str) -> np.ndarray:
    """Turn the selected 4-connected object into background.

    Args:
        selector: which object.

    Raises:
        ValueError: if there is no object, or no unique one for ``unique_colour``.

    >>> remove_object(np.array([[1, 0, 2, 2]]), "largest").tolist()
    [[1, 0, 0, 0]]
    """
    return _keep(grid, selector, 4, keep=False)


@primitive("selector")
def remove_object8(grid: np.ndarray, selector: str) -> np.ndarray:
    """Turn the selected 8-connected object into background.

    Args:
        selector: which object.

    Raises:
        ValueError: if there is no object, or no unique one for ``unique_colour``.

    >>> remove_object8(np.array([[1, 0, 0, 2], [0, 1, 0, 0]]), "largest").tolist()
    [[0, 0, 0, 2], [0, 0, 0, 0]]
    """
    return _keep(grid, selector, 8, keep=False)


@primitive("selector", "colour")
def recolour_object(grid: np.ndarray, selector: str, colour: int) -> np.ndarray:
    """Paint every cell of the selected 4-connected object with ``colour``.

    Args:
        selector: which object.
        colour: its new colour.

    Raises:
        ValueError: if there is no object, or no unique one for ``unique_colour``.

    >>> recolour_object(np.array([[1, 0, 1, 1]]), "smallest", 5).tolist()
    [[5, 0, 1, 1]]
    """
    colour = check_colour(colour)
    g = as_grid(grid)
    g[select_object(g, selector, 4)] = colour
    return g


# ---------------------------------------------------------------------------- all objects


@primitive()
def remove_noise(grid: np.ndarray) -> np.ndarray:
    """Remove isolated cells: non-background cells none of whose 8 neighbours is foreground.

    >>> remove_noise(np.array([[1, 0, 0], [0, 0, 2], [0, 0, 2]])).tolist()
    [[0, 0, 0], [0, 0, 2], [0, 0, 2]]
    """
    g = as_grid(grid)
    g[cell_sizes(g != BACKGROUND, 8) == 1] = BACKGROUND
    return g


@primitive("count")
def remove_small_objects(grid: np.ndarray, count: int) -> np.ndarray:
    """Remove every 4-connected object of at most ``count`` cells.

    Args:
        count: the largest size removed.

    >>> remove_small_objects(np.array([[1, 1, 0, 2], [0, 0, 0, 2], [3, 3, 3, 0]]), 2).tolist()
    [[0, 0, 0, 0], [0, 0, 0, 0], [3, 3, 3, 0]]
    """
    count = check_repeat(count, "count")
    g = as_grid(grid)
    sizes = cell_sizes(g != BACKGROUND, 4)
    g[(sizes > 0) & (sizes <= count)] = BACKGROUND
    return g


@primitive("count", "colour")
def recolour_large_objects(grid: np.ndarray, count: int, colour: int) -> np.ndarray:
    """Paint with ``colour`` every 4-connected object of more than ``count`` cells.

    Args:
        count: the largest size left as it is.
        colour: the new colour of larger objects.

    >>> recolour_large_objects(np.array([[1, 1, 0, 2], [0, 0, 0, 2], [3, 3, 3, 0]]), 2, 7).tolist()
    [[1, 1, 0, 2], [0, 0, 0, 2], [7, 7, 7, 0]]
    """
    count = check_repeat(count, "count")
    colour = check_colour(colour)
    g = as_grid(grid)
    g[cell_sizes(g != BACKGROUND, 4) > count] = colour
    return g


@primitive("colour")
def fill_object_boxes(grid: np.ndarray, colour: int) -> np.ndarray:
    """Paint with ``colour`` the background inside the bounding box of each 8-connected object.

    Args:
        colour: the fill.

    >>> fill_object_boxes(np.array([[1, 0, 0], [0, 1, 0], [0, 0, 0]]), 4).tolist()
    [[1, 4, 0], [4, 1, 0], [0, 0, 0]]
    """
    colour = check_colour(colour)
    g = as_grid(grid)
    inside = np.zeros(g.shape, dtype=bool)
    for box in ndimage.find_objects(label(g != BACKGROUND, 8)[0]):
        inside[box] = True
    g[inside & (g == BACKGROUND)] = colour
    return g


@primitive()
def recolour_by_size_rank(grid: np.ndarray) -> np.ndarray:
    """Paint 4-connected objects by size: the largest 1, the next size 2, ... (9 at most).

    Objects of equal size get the same colour.

    >>> recolour_by_size_rank(np.array([[5, 0, 5, 5, 0, 5]])).tolist()
    [[2, 0, 1, 1, 0, 2]]
    """
    g = as_grid(grid)
    labels, n = label(g != BACKGROUND, 4)
    if n == 0:
        return g
    sizes = np.bincount(labels.ravel(), minlength=n + 1)[1:]
    distinct = np.unique(sizes)[::-1]  # largest first
    ranks = np.minimum(np.searchsorted(-distinct, -sizes) + 1, 9)
    colours = np.concatenate(([BACKGROUND], ranks))
    return colours[labels]


@primitive()
def hollow(grid: np.ndarray) -> np.ndarray:
    """Clear the inside of shapes: cells whose 4 neighbours all have their colour become background.

    Cells outside the grid count as background, so the grid's edge cells are never cleared.

    >>> hollow(np.array([[2, 2, 2, 1], [2, 2, 2, 1], [2, 2, 2, 1]])).tolist()
    [[2, 2, 2, 1], [2, 0, 2, 1], [2, 2, 2, 1]]
    """
    g = as_grid(grid)
    p = np.pad(g, 1, constant_values=-1)
    centre = p[1:-1, 1:-1]
    same = (p[:-2, 1:-1] == centre) & (p[2:, 1:-1] == centre)
    same &= (p[1:-1, :-2] == centre) & (p[1:-1, 2:] == centre)
    g[same & (g != BACKGROUND)] = BACKGROUND
    return g


@primitive("colour")
def outline(grid: np.ndarray, colour: int) -> np.ndarray:
    """Paint with ``colour`` the background cells touching an object (8 neighbours).

    Args:
        colour: the outline's colour.

    >>> outline(np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]]), 2).tolist()
    [[2, 2, 2], [2, 1, 2], [2, 2, 2]]
    """
    colour = check_colour(colour)
    g = as_grid(grid)
    fg = g != BACKGROUND
    near = ndimage.binary_dilation(fg, structure=np.ones((3, 3), dtype=bool))
    g[near & ~fg] = colour
    return g


@primitive("colour")
def fill_enclosed(grid: np.ndarray, colour: int) -> np.ndarray:
    """Paint with ``colour`` the background cells that cannot reach the edge through background.

    Background cells connect through their 4 neighbours.

    Args:
        colour: the fill colour.

    >>> fill_enclosed(np.array([[1, 1, 1], [1, 0, 1], [1, 1, 1]]), 4).tolist()
    [[1, 1, 1], [1, 4, 1], [1, 1, 1]]
    """
    colour = check_colour(colour)
    g = as_grid(grid)
    labels, _ = label(g == BACKGROUND, 4)
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    g[(labels > 0) & ~np.isin(labels, edge)] = colour
    return g


@primitive("colour_from", "colour_to")
def fill_largest_rectangle(grid: np.ndarray, colour_from: int, colour_to: int) -> np.ndarray:
    """Paint with ``colour_to`` the largest rectangle made only of cells of ``colour_from``.

    Ties go to the rectangle whose bottom row is highest, then whose right edge is leftmost, then
    the tallest.

    Args:
        colour_from: the colour the rectangle is made of.
        colour_to: its new colour.

    Raises:
        ValueError: if no cell has colour ``colour_from``.

    >>> fill_largest_rectangle(np.array([[0, 0, 1], [0, 0, 0], [1, 0, 0]]), 0, 3).tolist()
    [[3, 3, 1], [3, 3, 0], [1, 0, 0]]
    """
    colour_from, colour_to = check_colour(colour_from), check_colour(colour_to)
    g = as_grid(grid)
    key = (g.shape, g.tobytes(), colour_from)
    best = _RECTANGLES.get(key)
    if best is None:  # the rectangle does not depend on colour_to: kept for the next call
        if len(_RECTANGLES) >= MAX_LABELS:
            _RECTANGLES.clear()
        best = _RECTANGLES[key] = _largest_rectangle(g, colour_from)
    area, top, left, bottom, right = best
    if area == 0:
        raise ValueError(f"no cells of colour {colour_from} in the grid")
    g[top:bottom, left:right] = colour_to
    return g


_RECTANGLES: dict[tuple, tuple[int, int, int, int, int]] = {}


def _largest_rectangle(g: np.ndarray, colour: int) -> tuple[int, int, int, int, int]:
    """(area, top, left, bottom, right) of the largest rectangle of ``colour`` cells in ``g``
    (see :func:`fill_largest_rectangle` for ties); an area of 0 when there is none."""
    height, width = g.shape
    heights = np.zeros(width, dtype=np.int64)
    best = (0, 0, 0, 0, 0)
    for row in range(height):
        heights = np.where(g[row] == colour, heights + 1, 0)
        hs = [*heights.tolist(), 0]  # a zero at the end closes every open rectangle
        stack: list[int] = []  # columns of increasing heights
        for col in range(width + 1):
            while stack and hs[stack[-1]] >= hs[col]:
                tall = hs[stack.pop()]
                start = stack[-1] + 1 if stack else 0
                if tall * (col - start) > best[0]:
                    best = (tall * (col - start), row + 1 - tall, start, row + 1, col)
            stack.append(col)
    return best
