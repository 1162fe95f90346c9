"""Region primitives: moving whole objects to an edge, recolouring the objects that enclose
background, filling the box each colour spans, painting empty rows and columns, and reversing the
colours of concentric rings.

An object is a connected component of non-background cells of any colours, edge and corner
neighbours connecting (as ``crop_object8``). Each primitive takes a grid (a 2-D integer array of
colours 0..9) and the parameters its registry entry names, and returns a new array; the input is
never changed.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from .primitives_base import (
    BACKGROUND,
    as_grid,
    check_colour,
    colour_counts,
    in_direction,
    label,
    primitive,
)


def _fall(g: np.ndarray) -> np.ndarray:
    """Move every object down as far as it goes, lowest first, each stopping on the bottom edge
    or on an object already at rest."""
    labels, n = label(g != BACKGROUND, 8)
    out = np.full_like(g, BACKGROUND)
    taken = np.zeros(g.shape, dtype=bool)
    boxes = ndimage.find_objects(labels)
    height = g.shape[0]
    for i in sorted(range(n), key=lambda i: -boxes[i][0].stop):
        rows, cols = np.nonzero(labels[boxes[i]] == i + 1)
        rows, cols = rows + boxes[i][0].start, cols + boxes[i][1].start
        step = 0
        while rows.max() + step + 1 < height and not taken[rows + step + 1, cols].any():
            step += 1
        out[rows + step, cols] = g[rows, cols]
        taken[rows + step, cols] = True
    return out


@primitive("direction")
def move_objects(grid: np.ndarray, direction: str) -> np.ndarray:
    """Move every object in ``direction`` as far as it goes, keeping its shape.

    An object stops at the edge or against an object that stopped before it (the ones nearest
    the edge move first).

    >>> move_objects(np.array([[1, 1, 0], [0, 0, 0], [0, 2, 0], [0, 0, 0]]), "down").tolist()
    [[0, 0, 0], [0, 0, 0], [1, 1, 0], [0, 2, 0]]
    """
    return in_direction(as_grid(grid), direction, _fall)


@primitive("colour")
def recolour_enclosing(grid: np.ndarray, colour: int) -> np.ndarray:
    """Recolour with ``colour`` every object that encloses background cells.

    A closed loop or a hollow shape encloses background; the other objects stay as they are.

    >>> recolour_enclosing(np.array([[1, 1, 1, 0, 1], [1, 0, 1, 0, 1], [1, 1, 1, 0, 0]]), 3).tolist()
    [[3, 3, 3, 0, 1], [3, 0, 3, 0, 1], [3, 3, 3, 0, 0]]
    """
    colour = check_colour(colour)
    g = as_grid(grid)
    labels, n = label(g != BACKGROUND, 8)
    for i, box in enumerate(ndimage.find_objects(labels)):
        mask = labels[box] == i + 1
        if (ndimage.binary_fill_holes(mask) & ~mask).any():
            g[box][mask] = colour
    return g


@primitive()
def fill_colour_boxes(grid: np.ndarray) -> np.ndarray:
    """Fill the bounding box of each colour's cells with that colour.

    Larger boxes are filled first, so smaller ones stay visible: two corners of a colour become
    a rectangle.

    Raises:
        ValueError: if the grid has no non-background cell.

    >>> fill_colour_boxes(np.array([[1, 0, 0], [0, 0, 1], [2, 0, 2]])).tolist()
    [[1, 1, 1], [1, 1, 1], [2, 2, 2]]
    """
    g = as_grid(grid)
    boxes = []
    for colour in np.flatnonzero(colour_counts(g)):
        if colour == BACKGROUND:
            continue
        rows, cols = np.nonzero(g == colour)
        area = (rows.max() - rows.min() + 1) * (cols.max() - cols.min() + 1)
        boxes.append((-area, int(colour), rows.min(), rows.max() + 1, cols.min(), cols.max() + 1))
    if not boxes:
        raise ValueError("no objects in the grid")
    out = g.copy()
    for _, colour, top, bottom, left, right in sorted(boxes):
        out[top:bottom, left:right] = colour
    return out


@primitive("colour")
def colour_empty_lines(grid: np.ndarray, colour: int) -> np.ndarray:
    """Paint with ``colour`` every row and every column made only of background.

    Raises:
        ValueError: if no row or column is empty.

    >>> colour_empty_lines(np.array([[1, 0, 1], [0, 0, 0], [1, 0, 1]]), 2).tolist()
    [[1, 2, 1], [2, 2, 2], [1, 2, 1]]
    """
    colour = check_colour(colour)
    g = as_grid(grid)
    empty = g == BACKGROUND
    rows, cols = empty.all(axis=1), empty.all(axis=0)
    if not (rows.any() or cols.any()):
        raise ValueError("no empty row or column")
    g[rows] = colour
    g[:, cols] = colour
    return g


@primitive()
def reverse_rings(grid: np.ndarray) -> np.ndarray:
    """Reverse the colours of concentric rings: the outermost layer takes the innermost colour.

    A ring is the cells at one distance from the grid's edge; a layer is a run of rings of one
    colour.

    Raises:
        ValueError: a ring of several colours, or a colour in two layers.

    >>> reverse_rings(np.array([[3, 3, 3, 3], [3, 2, 2, 3], [3, 2, 2, 3], [3, 3, 3, 3]])).tolist()
    [[2, 2, 2, 2], [2, 3, 3, 2], [2, 3, 3, 2], [2, 2, 2, 2]]
    """
    g = as_grid(grid)
    h, w = g.shape
    depth = np.minimum.outer(
        np.minimum(np.arange(h), np.arange(h)[::-1]), np.minimum(np.arange(w), np.arange(w)[::-1])
    )
    layers: list[int] = []
    for ring in range(int(depth.max()) + 1):
        colours = np.unique(g[depth == ring])
        if len(colours) != 1:
            raise ValueError(f"ring {ring} has {len(colours)} colours; expected one per ring")
        if not layers or layers[-1] != colours[0]:
            layers.append(int(colours[0]))
    if len(set(layers)) != len(layers):
        raise ValueError(f"layers {layers}: expected each colour in one layer")
    mapping = np.arange(10)
    mapping[layers] = layers[::-1]
    return mapping[g]
