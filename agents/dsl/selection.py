"""Which object a selector picks: the selection the object and part primitives share.

An object is a set of non-background cells a labelling numbers: a connected component of
non-background cells of any colours (:func:`select_object`), one of one colour
(:func:`colour_objects`), or a caller's own (:func:`select_labelled`). Imports only numpy, scipy
and the standard library, like the primitive modules that use it.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from scipy import ndimage

from .primitives_base import BACKGROUND, check_choice, label


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
      to right or top to bottom (colours included).
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


def select_labelled(
    grid: np.ndarray, labels: np.ndarray, n: int, selector: str, diagonal: bool = False
) -> int:
    """The index (0 for label 1) of the object ``selector`` picks among those ``labels`` numbers.

    Like :func:`select_object`, for objects the caller labels: ``labels`` numbers each object's
    cells 1..n (every label present), 0 elsewhere; an object's cells are what it is judged by.
    With ``diagonal``, ``symmetric`` and ``asymmetric`` count the mirror images in the two
    diagonals of square objects too.

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
        index = _the_one(grid, labels, n, selector, diagonal)
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


def _the_one(grid: np.ndarray, labels: np.ndarray, n: int, selector: str, diagonal: bool) -> int:
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
        mirrored = [_mirrored(p, diagonal) for p in pictures]
        fits = [m == (selector == "symmetric") for m in mirrored]
    if fits.count(True) != 1:
        raise ValueError(f"{selector}: expected one object to fit, got {fits.count(True)}")
    return fits.index(True)


def _mirrored(picture: np.ndarray, diagonal: bool) -> bool:
    """Whether ``picture`` is its own mirror image in a vertical or horizontal line (or, with
    ``diagonal``, in a diagonal one).

    >>> _mirrored(np.array([[1, 2], [2, 3]]), False), _mirrored(np.array([[1, 2], [2, 3]]), True)
    (False, True)
    """
    if (picture == picture[:, ::-1]).all() or (picture == picture[::-1]).all():
        return True
    square = diagonal and picture.shape[0] == picture.shape[1]
    return square and bool((picture == picture.T).all() or (picture == picture[::-1, ::-1].T).all())


def _most_rare_cells(grid: np.ndarray, labels: np.ndarray, n: int) -> int:
    """The index of the one object with the most cells of the least common foreground colour."""
    cells = np.bincount(grid[labels > 0], minlength=10)
    rare = int(np.where(cells > 0, cells, cells.max() + 1).argmin())
    return most_cells_of(grid, labels, n, rare)


def most_cells_of(grid: np.ndarray, labels: np.ndarray, n: int, colour: int) -> int:
    """The index (0 for label 1) of the one object with the most cells of ``colour``.

    Raises:
        ValueError: unless exactly one object has the most such cells, and has some.

    >>> grid = np.array([[1, 2, 0, 2, 2]])
    >>> most_cells_of(grid, *label(grid != 0, 4), 2)
    1
    """
    counts = np.bincount(labels[grid == colour], minlength=n + 1)[1:]
    best = np.flatnonzero(counts == counts.max()) if n else counts
    if best.size != 1 or counts[best[0]] == 0:
        raise ValueError(f"expected one object with the most cells of colour {colour}")
    return int(best[0])


def colour_objects(grid: np.ndarray) -> tuple[np.ndarray, int]:
    """One-colour objects: 8-connected cells of one non-background colour (labels 1..n; n).

    Objects are numbered in reading order of their first cell, as :func:`label` numbers them.

    >>> labels, n = colour_objects(np.array([[3, 5, 0], [0, 3, 3], [5, 0, 0]]))
    >>> labels.tolist(), n
    ([[1, 2, 0], [0, 1, 1], [3, 0, 0]], 3)
    """
    labels = np.zeros(grid.shape, dtype=np.int64)
    n = 0
    for colour in np.unique(grid):
        if colour == BACKGROUND:
            continue
        own, count = label(grid == colour, 8)
        labels[own > 0] = own[own > 0] + n
        n += count
    # renumber in reading order of each object's first cell
    numbers, first = np.unique(labels.ravel(), return_index=True)
    order = np.zeros(n + 1, dtype=np.int64)
    found = numbers > 0
    order[numbers[found][np.argsort(first[found])]] = np.arange(1, found.sum() + 1)
    return order[labels], n
