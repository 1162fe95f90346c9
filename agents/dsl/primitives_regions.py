"""Region primitives: moving whole objects to an edge or towards a colour, copying a template
object onto the objects of a colour, recolouring objects by their nearest other colour,
recolouring the objects that enclose background, filling the box each colour spans, painting
empty rows and columns, and reversing the colours of concentric rings.

Unless a primitive says otherwise, an object is a connected component of non-background cells of
any colours, edge and corner neighbours connecting (as ``crop_object8``). Each primitive takes a grid (a 2-D integer array of
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
    clipped,
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


MAX_MOVERS = 30
"""The most objects :func:`attract` moves: past that, a grid is noise or texture."""


def _approach(cells: np.ndarray, anchor: np.ndarray) -> tuple[int, int] | None:
    """The unit step that takes the object at ``cells`` (rows of (y, x)) towards the anchor
    cells ``anchor``: along the rows they share, else the columns they share, else the diagonal
    to the nearest anchor cell; None when that is no diagonal."""
    rows, cols = set(cells[:, 0].tolist()), set(cells[:, 1].tolist())
    for axis, shared in ((0, rows), (1, cols)):
        facing = anchor[np.isin(anchor[:, axis], list(shared))]
        if len(facing):
            gaps = facing[:, None, 1 - axis] - cells[None, :, 1 - axis]
            nearest = gaps.ravel()[np.abs(gaps).argmin()]
            step = [0, 0]
            step[1 - axis] = int(np.sign(nearest))
            return (step[0], step[1]) if nearest else None
    d = anchor[:, None, :] - cells[None, :, :]
    dy, dx = d[..., 0].ravel(), d[..., 1].ravel()
    i = np.maximum(np.abs(dy), np.abs(dx)).argmin()
    if abs(dy[i]) != abs(dx[i]):
        return None
    return int(np.sign(dy[i])), int(np.sign(dx[i]))


@primitive("colour")
def attract(grid: np.ndarray, colour: int) -> np.ndarray:
    """Move every other object straight towards the cells of ``colour`` until it touches them.

    An object (8-connected non-background cells without ``colour``) moves along a row or column
    it shares with ``colour``'s cells, else along the diagonal that meets the nearest of them,
    one cell at a time, and stops before it would cover another cell; the nearest move first.
    An object on no such line, or whose way ends at the grid's edge, stays where it is.

    Raises:
        ValueError: if ``colour`` is background or not in the grid, the grid has more than
            :data:`MAX_MOVERS` other objects (noise, not shapes to move), or none moves.

    >>> attract(np.array([[0, 0, 0, 0, 0], [2, 0, 0, 5, 0], [0, 0, 0, 0, 0], [0, 0, 0, 6, 0]]),
    ...         5).tolist()
    [[0, 0, 0, 0, 0], [0, 0, 2, 5, 0], [0, 0, 0, 6, 0], [0, 0, 0, 0, 0]]
    """
    colour = check_colour(colour)
    g = as_grid(grid)
    if colour == BACKGROUND or not (g == colour).any():
        raise ValueError(f"colour {colour}: expected a foreground colour of the grid")
    anchor = np.argwhere(g == colour)
    labels, n = label((g != BACKGROUND) & (g != colour), 8)
    if n > MAX_MOVERS:
        raise ValueError(f"{n} objects: expected at most {MAX_MOVERS} to move")
    objects = [np.argwhere(labels == i + 1) for i in range(n)]
    distance = [np.abs(anchor[:, None, :] - o[None, :, :]).max(axis=2).min() for o in objects]
    out, moved = g.copy(), False
    h, w = g.shape
    for i in sorted(range(n), key=lambda i: distance[i]):
        cells, step = objects[i], _approach(objects[i], anchor)
        if step is None:
            continue
        free = out == BACKGROUND
        free[cells[:, 0], cells[:, 1]] = True
        at, delta = cells, np.array(step)
        while True:
            ahead = at + delta
            inside = (ahead >= 0).all() and (ahead[:, 0] < h).all() and (ahead[:, 1] < w).all()
            if not inside or not free[ahead[:, 0], ahead[:, 1]].all():
                break
            at = ahead
        if not inside or at is cells:
            continue
        colours = out[cells[:, 0], cells[:, 1]]
        out[cells[:, 0], cells[:, 1]] = BACKGROUND
        out[at[:, 0], at[:, 1]] = colours
        moved = True
    if not moved:
        raise ValueError(f"no object moves towards colour {colour}")
    return out


def _copy_template(grid: np.ndarray, colour: int, keep: bool) -> np.ndarray:
    """:func:`copy_onto` (``keep``) or :func:`move_onto`."""
    colour = check_colour(colour)
    g = as_grid(grid)
    if colour == BACKGROUND or not (g == colour).any():
        raise ValueError(f"colour {colour}: expected a foreground colour of the grid")
    others, n = label((g != BACKGROUND) & (g != colour), 8)
    if n != 1:
        raise ValueError(f"{n} objects without colour {colour}: expected one, the template")
    (box,) = ndimage.find_objects(others)
    shape = others[box] == 1
    template = g[box]
    th, tw = shape.shape
    out = g.copy()
    if not keep:
        out[others == 1] = BACKGROUND
    labels, _ = label(g == colour, 8)
    copies = 0
    for i, (rows, cols) in enumerate(ndimage.find_objects(labels)):
        size = (rows.stop - rows.start, cols.stop - cols.start)
        if size == (th, tw):  # a silhouette: the template takes its place
            top, left = rows.start, cols.start
            out[rows, cols][labels[rows, cols] == i + 1] = BACKGROUND
        elif size == (1, 1) and th % 2 and tw % 2:  # a marker: the template centred on it
            top, left = rows.start - th // 2, cols.start - tw // 2
        else:
            continue
        box, part = clipped(top, left, (th, tw), g.shape)
        region = out[box]
        region[shape[part]] = template[part][shape[part]]
        copies += 1
    if not copies:
        raise ValueError(f"no object of colour {colour} has the template's size or is one cell")
    return out


@primitive("colour")
def copy_onto(grid: np.ndarray, colour: int) -> np.ndarray:
    """Copy the one object without ``colour`` onto each object or single cell of ``colour``.

    The template is the one 8-connected object of cells neither background nor ``colour`` (any
    colours); an object of ``colour`` whose bounding box has the template's size becomes the
    template (its other cells background), and a single cell of ``colour`` becomes the
    template's centre when its height and width are odd (clipped at the grid's edge). Other
    objects of ``colour`` stay.

    Raises:
        ValueError: if ``colour`` is background or not in the grid, there is not exactly one
            object without it, or no object of ``colour`` takes a copy.

    >>> copy_onto(np.array([[1, 2, 0, 0], [0, 0, 5, 5]]), 5).tolist()
    [[1, 2, 0, 0], [0, 0, 1, 2]]
    """
    return _copy_template(grid, colour, keep=True)


@primitive("colour")
def move_onto(grid: np.ndarray, colour: int) -> np.ndarray:
    """Move the one object without ``colour`` onto each object or single cell of ``colour``.

    As :func:`copy_onto`, and the template leaves its own place.

    Raises:
        ValueError: as :func:`copy_onto`.

    >>> move_onto(np.array([[1, 2, 0, 0], [0, 0, 5, 5]]), 5).tolist()
    [[0, 0, 0, 0], [0, 0, 1, 2]]
    """
    return _copy_template(grid, colour, keep=False)


@primitive("colour")
def recolour_by_nearest(grid: np.ndarray, colour: int) -> np.ndarray:
    """Recolour each object of ``colour`` with the colour of the nearest cell of another colour.

    Objects are 4-connected cells of ``colour``; distance is counted in steps along rows and
    columns, from the object's cell nearest to a cell that is neither background nor ``colour``.

    Raises:
        ValueError: if ``colour`` is not in the grid, or no cell has another foreground colour.

    >>> recolour_by_nearest(np.array([[2, 0, 5, 5, 0, 0, 3], [0, 0, 0, 0, 0, 5, 0]]), 5).tolist()
    [[2, 0, 2, 2, 0, 0, 3], [0, 0, 0, 0, 0, 3, 0]]
    """
    colour = check_colour(colour)
    g = as_grid(grid)
    other = (g != BACKGROUND) & (g != colour)
    if colour == BACKGROUND or not (g == colour).any() or not other.any():
        raise ValueError(f"colour {colour}: expected it and another foreground colour in the grid")
    distance, (near_y, near_x) = ndimage.distance_transform_cdt(
        ~other, metric="taxicab", return_indices=True
    )
    labels, n = label(g == colour, 4)
    for box, i in zip(ndimage.find_objects(labels), range(1, n + 1), strict=True):
        mask = labels[box] == i
        y, x = np.unravel_index(
            np.where(mask, distance[box], np.iinfo(distance.dtype).max).argmin(), mask.shape
        )
        y, x = y + box[0].start, x + box[1].start
        g[box][mask] = g[near_y[y, x], near_x[y, x]]
    return g


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
