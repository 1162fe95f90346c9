"""Object primitives: selecting, cropping, keeping, removing and recolouring connected objects,
removing noise, hollowing and outlining, filling enclosed areas and rectangles.

An object is a connected component of non-background cells (of any colours), 4-connected (edge
neighbours) unless the name ends in ``8`` (edge and corner neighbours); see
:func:`select_object` for the selectors. Each primitive takes a grid (a
2-D integer array of colours 0..9) and the parameters its registry entry names, and returns a new
array; the input is never changed.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from scipy import ndimage

from .primitives_base import (
    BACKGROUND,
    as_grid,
    bounding_box,
    check_choice,
    check_colour,
    check_repeat,
    label,
    primitive,
)

# -------------------------------------------------------------------------- selected objects


def object_colours(grid: np.ndarray, labels: np.ndarray, n: int) -> np.ndarray:
    """The colour of each object 1..n: its most common colour (the smallest on ties).

    >>> grid = np.array([[1, 1, 2, 0, 3]])
    >>> object_colours(grid, *label(grid != 0, 4)).tolist()
    [1, 3]
    """
    counts = np.bincount(labels.ravel() * 10 + grid.ravel(), minlength=(n + 1) * 10)
    return counts.reshape(n + 1, 10)[1:].argmax(axis=1)


def select_object(grid: np.ndarray, selector: str, connectivity: int) -> np.ndarray:
    """The mask of one object (a connected component of non-background cells, any colours).

    Objects are numbered in reading order of their first cell; ties go to the first. An object's
    colour is its most common colour. Selectors:

    - ``largest``, ``smallest``: by number of cells.
    - ``most_common_colour``, ``least_common_colour``: the largest object among those whose colour
      covers the most (fewest) cells of the grid, counting only colours that some object has.
    - ``unique_colour``: the one object whose colour no other object has.
    - ``top_left``: the smallest (top, left) corner of the bounding box; ``bottom_right``: the
      largest (bottom, right) corner.
    - ``unique_shape``: the one object that no other object repeats (same cells, same colours).
    - ``symmetric``, ``asymmetric``: the one object that is (is not) its own mirror image, left
      to right, top to bottom or (square ones) in a diagonal (colours included).
    - ``most_colours``: the one object with the most colours.
    - ``most_rare_cells``: the one object with the most cells of the grid's least common
      non-background colour.

    Raises:
        ValueError: for an unknown selector, a grid without objects, or (``unique_colour`` and
            the selectors from ``unique_shape`` on) unless exactly one object fits.

    >>> grid = np.array([[1, 0, 2], [1, 0, 0]])
    >>> select_object(grid, "smallest", 4).astype(int).tolist()
    [[0, 0, 1], [0, 0, 0]]
    """
    labels, n = label(grid != BACKGROUND, connectivity)
    return labels == select_labelled(grid, labels, n, selector) + 1


def select_labelled(grid: np.ndarray, labels: np.ndarray, n: int, selector: str) -> int:
    """The index (0 for label 1) of the object ``selector`` picks among those ``labels`` numbers.

    Like :func:`select_object`, for objects the caller labels: ``labels`` numbers each object's
    cells 1..n (every label present), 0 elsewhere; an object's cells are what it is judged by.

    >>> select_labelled(np.array([[1, 2, 2]]), np.array([[1, 2, 2]]), 2, "largest")
    1
    """
    selector = check_choice(selector, "selector")
    if n == 0:
        raise ValueError("no objects in the grid")
    sizes = np.bincount(labels.ravel(), minlength=n + 1)[1:]
    if selector == "largest":
        index = int(sizes.argmax())
    elif selector == "smallest":
        index = int(sizes.argmin())
    elif selector in ("top_left", "bottom_right"):
        boxes = ndimage.find_objects(labels)
        if selector == "top_left":
            corners = [(b[0].start, b[1].start) for b in boxes]
            index = min(range(n), key=corners.__getitem__)
        else:
            corners = [(b[0].stop, b[1].stop) for b in boxes]
            index = max(range(n), key=lambda i: (corners[i], -i))
    elif selector in _ONE_OF:
        index = _the_one(grid, labels, n, selector)
    elif selector == "most_rare_cells":
        index = _most_rare_cells(grid, labels, n)
    else:
        colours = object_colours(grid, labels, n)
        if selector == "unique_colour":
            per_colour = np.bincount(colours, minlength=10)
            unique = np.flatnonzero(per_colour[colours] == 1)
            if unique.size != 1:
                raise ValueError(
                    f"unique_colour: expected one object with a colour of its own, got {unique.size}"
                )
            index = int(unique[0])
        else:
            cells = np.bincount(grid.ravel(), minlength=10).astype(float)
            present = np.zeros(10, dtype=bool)
            present[colours] = True
            if selector == "most_common_colour":
                target = int(np.where(present, cells, -1).argmax())
            else:
                target = int(np.where(present, cells, np.inf).argmin())
            index = int(np.where(colours == target, sizes, 0).argmax())
    return index


_ONE_OF = ("unique_shape", "symmetric", "asymmetric", "most_colours")


def _the_one(grid: np.ndarray, labels: np.ndarray, n: int, selector: str) -> int:
    """The index of the one object that ``selector`` (one of :data:`_ONE_OF`) picks."""
    pictures = []  # each object in its bounding box: its colours, -1 outside it
    for i, box in enumerate(ndimage.find_objects(labels)):
        pictures.append(np.where(labels[box] == i + 1, grid[box], -1))
    if selector == "unique_shape":
        keys = [(p.shape, p.tobytes()) for p in pictures]
        repeats = Counter(keys)
        fits = [repeats[k] == 1 for k in keys]
    elif selector == "most_colours":
        counts = [np.unique(p[p >= 0]).size for p in pictures]
        most = max(counts)
        fits = [c == most for c in counts]
    else:
        mirrored = [_mirrored(p) for p in pictures]
        fits = [m == (selector == "symmetric") for m in mirrored]
    if fits.count(True) != 1:
        raise ValueError(f"{selector}: expected one object to fit, got {fits.count(True)}")
    return fits.index(True)


def _mirrored(picture: np.ndarray) -> bool:
    """Whether ``picture`` is its own mirror image in a vertical, horizontal or diagonal line.

    >>> _mirrored(np.array([[1, 2], [2, 3]])), _mirrored(np.array([[1, 2], [3, 4]]))
    (True, False)
    """
    if (picture == picture[:, ::-1]).all() or (picture == picture[::-1]).all():
        return True
    square = picture.shape[0] == picture.shape[1]
    return square and bool((picture == picture.T).all() or (picture == picture[::-1, ::-1].T).all())


def _most_rare_cells(grid: np.ndarray, labels: np.ndarray, n: int) -> int:
    """The index of the one object with the most cells of the least common foreground colour."""
    cells = np.bincount(grid[labels > 0], minlength=10)
    rare = int(np.where(cells > 0, cells, cells.max() + 1).argmin())
    counts = np.bincount(labels[grid == rare], minlength=n + 1)[1:]
    best = np.flatnonzero(counts == counts.max())
    if best.size != 1:
        raise ValueError(f"most_rare_cells: expected one object to fit, got {best.size}")
    return int(best[0])


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


def _cell_sizes(grid: np.ndarray, connectivity: int) -> np.ndarray:
    """For each cell, the number of cells of its object (0 for background).

    >>> _cell_sizes(np.array([[1, 1, 0, 2]]), 4).tolist()
    [[2, 2, 0, 1]]
    """
    labels, n = label(grid != BACKGROUND, connectivity)
    sizes = np.bincount(labels.ravel(), minlength=n + 1)
    sizes[0] = 0
    return sizes[labels]


@primitive()
def remove_noise(grid: np.ndarray) -> np.ndarray:
    """Remove isolated cells: non-background cells none of whose 8 neighbours is foreground.

    >>> remove_noise(np.array([[1, 0, 0], [0, 0, 2], [0, 0, 2]])).tolist()
    [[0, 0, 0], [0, 0, 2], [0, 0, 2]]
    """
    g = as_grid(grid)
    g[_cell_sizes(g, 8) == 1] = BACKGROUND
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
    sizes = _cell_sizes(g, 4)
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
    g[_cell_sizes(g, 4) > count] = colour
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
    height, width = g.shape
    heights = np.zeros(width, dtype=np.int64)
    best = (0, 0, 0, 0, 0)  # area, top, left, bottom (exclusive), right (exclusive)
    for row in range(height):
        heights = np.where(g[row] == colour_from, heights + 1, 0)
        hs = [*heights.tolist(), 0]  # a zero at the end closes every open rectangle
        stack: list[int] = []  # columns of increasing heights
        for col in range(width + 1):
            while stack and hs[stack[-1]] >= hs[col]:
                tall = hs[stack.pop()]
                start = stack[-1] + 1 if stack else 0
                if tall * (col - start) > best[0]:
                    best = (tall * (col - start), row + 1 - tall, start, row + 1, col)
            stack.append(col)
    if best[0] == 0:
        raise ValueError(f"no cells of colour {colour_from} in the grid")
    _, top, left, bottom, right = best
    g[top:bottom, left:right] = colour_to
    return g
