"""Object rules: each object's new colour looked up from one of its properties.

An *object rule* is a table from an object's features (one of :data:`OBJECT_FEATURES`: its
colour, size, shape, holes, ...) to the colour the whole object becomes, or :data:`KEEP`.
:func:`object_rule` applies one to a grid; :mod:`soar.agents.dsl.object_rules` learns the tables
from a task's train pairs. It is the object-level twin of a cell rule
(:mod:`~soar.agents.dsl.primitives_rules`): "objects with a hole become blue", "the smallest
object becomes red", "objects are recoloured by their size rank".

The objects of a grid are the connected parts of the cells that are not its background (its most
common colour), read as one of :data:`OBJECTS`: ``colour4`` / ``colour8`` (cells of one colour,
4- or 8-connected), ``multi4`` / ``multi8`` (cells of any colours but the background).

Imports only numpy, scipy and the standard library, like every primitive module: programs import
it inside sandboxed executor workers.
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from .primitives_base import as_grid, clipped, label

KEEP = -1
"""A table's colour for "the object keeps its colours"."""

Table = tuple[tuple[int, ...], ...]
"""An object rule: one row per feature key, the key's values followed by a colour or KEEP."""

OBJECTS = {"colour4": (4, False), "colour8": (8, False), "multi4": (4, True), "multi8": (8, True)}
"""How objects are read, by name: (connectivity, whether an object may have several colours)."""


@dataclass(frozen=True)
class _Object:
    mask: np.ndarray  # the object's cells, in the grid's shape (read-only)
    box: np.ndarray  # the object's cells within its bounding box (read-only)
    colour: int  # its colour; -1 when it has several
    colours: int  # how many colours it has
    size: int
    border: bool  # whether it touches the grid's edge
    top: int  # the row and column of its bounding box's first cell
    left: int

    @functools.cached_property
    def shape_code(self) -> int:
        return _shape_code(self.box)

    @functools.cached_property
    def turned_shape_code(self) -> int:
        return _turned_shape_code(self.box)

    @functools.cached_property
    def holes(self) -> int:
        return _holes(self)


def background_colour(grid: np.ndarray) -> int:
    """The grid's most common colour (the lowest of those tied).

    >>> background_colour(np.array([[9, 9, 1], [9, 0, 0]]))
    9
    """
    return int(np.argmax(np.bincount(grid.ravel(), minlength=10)))


_FOUND: dict[tuple, tuple[_Object, ...]] = {}
MAX_FOUND = 256
"""Grids whose objects :func:`find_objects` keeps: learning a task's rules reads the same few
grids under every feature set."""


def find_objects(grid: np.ndarray, objects: str) -> tuple[_Object, ...]:
    """The objects of ``grid`` read as ``objects`` (a name of :data:`OBJECTS`), in reading order
    of their first cell (per colour first, for the one-colour readings); kept for the next call
    with an equal grid."""
    if not isinstance(objects, str) or objects not in OBJECTS:
        raise ValueError(f"objects: expected one of {', '.join(OBJECTS)}, got {objects!r}")
    key = (grid.shape, grid.dtype.str, grid.tobytes(), objects)
    found = _FOUND.get(key)
    if found is None:
        if len(_FOUND) >= MAX_FOUND:
            _FOUND.clear()
        found = _FOUND[key] = tuple(_find_objects(grid, *OBJECTS[objects]))
    return found


def _find_objects(grid: np.ndarray, connectivity: int, multicolour: bool) -> list[_Object]:
    bg = background_colour(grid)
    masks = (
        [grid != bg]
        if multicolour
        else [grid == colour for colour in np.unique(grid).tolist() if colour != bg]
    )
    h, w = grid.shape
    found = []
    for mask in masks:
        labels, n = label(mask, connectivity)
        for i in range(1, n + 1):
            cells = labels == i
            ys, xs = np.nonzero(cells)
            y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
            colours = np.unique(grid[cells])
            cells.flags.writeable = False
            found.append(
                _Object(
                    mask=cells,
                    box=cells[y0:y1, x0:x1],
                    colour=int(colours[0]) if len(colours) == 1 else -1,
                    colours=len(colours),
                    size=len(ys),
                    border=bool(y0 == 0 or x0 == 0 or y1 == h or x1 == w),
                    top=int(y0),
                    left=int(x0),
                )
            )
    return found


def _shape_code(box: np.ndarray) -> int:
    """A number naming the shape of a boxed mask (equal shapes, equal numbers)."""
    return zlib.crc32(np.packbits(box).tobytes() + bytes(box.shape))


def _turned_shape_code(box: np.ndarray) -> int:
    """A number naming the shape up to rotation and reflection."""
    return min(
        _shape_code(np.ascontiguousarray(turned))
        for k in range(4)
        for turned in (np.rot90(box, k), np.rot90(box, k).T)
    )


def _holes(o: _Object) -> int:
    """How many separate pockets of cells the object encloses."""
    inside = ndimage.binary_fill_holes(o.box) & ~o.box
    return int(ndimage.label(inside)[1])


def _ranks(values: list[int], descending: bool) -> list[int]:
    """Each value's place among the distinct values (0 for the largest, or the smallest)."""
    order = sorted(set(values), reverse=descending)
    return [order.index(v) for v in values]


def _per_object(fn: Callable[[_Object], int]) -> Callable[[Sequence[_Object]], list[int]]:
    return lambda objs: [fn(o) for o in objs]


def _sizes(objs: Sequence[_Object]) -> list[int]:
    return [o.size for o in objs]


def _how_many(values: list[int]) -> list[int]:
    return [values.count(v) for v in values]


_SINGLE: dict[str, Callable[[Sequence[_Object]], list[int]]] = {
    "colour": _per_object(lambda o: o.colour),
    "size": _sizes,
    "size_rank": lambda objs: _ranks(_sizes(objs), descending=True),
    "size_rank_up": lambda objs: _ranks(_sizes(objs), descending=False),
    "largest": lambda objs: [int(s == max(_sizes(objs))) for s in _sizes(objs)],
    "smallest": lambda objs: [int(s == min(_sizes(objs))) for s in _sizes(objs)],
    "height": _per_object(lambda o: o.box.shape[0]),
    "width": _per_object(lambda o: o.box.shape[1]),
    "shape": _per_object(lambda o: o.shape_code),
    "turned_shape": _per_object(lambda o: o.turned_shape_code),
    "holes": _per_object(lambda o: o.holes),
    "has_holes": _per_object(lambda o: int(o.holes > 0)),
    "border": _per_object(lambda o: int(o.border)),
    "colours": _per_object(lambda o: o.colours),
    "rectangle": _per_object(lambda o: int(o.size == o.box.size)),
    "same_size": lambda objs: _how_many(_sizes(objs)),
    "same_shape": lambda objs: _how_many([o.shape_code for o in objs]),
}


def _with_colour(name: str) -> Callable[[Sequence[_Object]], list[tuple[int, int]]]:
    return lambda objs: list(zip(_SINGLE["colour"](objs), _SINGLE[name](objs), strict=True))


OBJECT_FEATURES: dict[str, Callable[[Sequence[_Object]], list]] = {
    **{name: _SINGLE[name] for name in _SINGLE},
    **{f"colour_{name}": _with_colour(name) for name in _SINGLE if name != "colour"},
}
"""Each feature set by name, simplest first: a function from a grid's objects to each object's
key (an int, or a pair (colour, value) for the ``colour_*`` sets). ``size_rank`` counts from the
largest size (0) and ``size_rank_up`` from the smallest; ``same_size`` / ``same_shape`` are how
many objects share the object's size / shape (itself included); ``shape`` and ``turned_shape``
(up to rotation and reflection) are 32-bit codes of the object's cells in its bounding box."""


def key_length(features: str) -> int:
    """How many values a key under ``features`` has: 2 for the ``colour_*`` pairs, else 1."""
    return 2 if features.startswith("colour_") else 1


def object_keys(grid: np.ndarray, objects: str, features: str) -> list[tuple[_Object, tuple]]:
    """Each object of ``grid`` (read as ``objects``) with its key under ``features``."""
    try:
        compute = OBJECT_FEATURES[features]
    except (KeyError, TypeError):
        raise ValueError(
            f"features: expected one of {', '.join(OBJECT_FEATURES)}, got {features!r}"
        ) from None
    objs = find_objects(grid, objects)
    keys = compute(objs)
    return [(o, k if isinstance(k, tuple) else (k,)) for o, k in zip(objs, keys, strict=True)]


def object_rule(grid, objects: str, features: str, table: Table) -> np.ndarray:
    """``grid`` with each object recoloured as ``table`` says for its key under ``features``;
    an object whose key is not in the table, or maps to :data:`KEEP`, keeps its colours.

    Args:
        grid: a 2-D grid of colours 0..9.
        objects: how objects are read (a name of :data:`OBJECTS`).
        features: how an object's key is read (a name of :data:`OBJECT_FEATURES`).
        table: rows of a key's values followed by the colour the object becomes (or KEEP).

    Raises:
        ValueError: ``grid`` is not a non-empty 2-D grid of colours 0..9, ``objects`` or
            ``features`` is unknown, or a row of ``table`` has the wrong length or maps to a
            colour outside 0..9 (and is not KEEP).

    >>> object_rule([[1, 0, 0], [0, 0, 2], [0, 0, 2]], "colour4", "size", ((1, 3), (2, KEEP))).tolist()
    [[3, 0, 0], [0, 0, 2], [0, 0, 2]]
    """
    g = as_grid(grid)
    found = object_keys(g, objects, features)
    width = 1 + key_length(features)
    lookup = {}
    for row in table:
        if len(row) != width or not (row[-1] == KEEP or 0 <= row[-1] <= 9):
            raise ValueError(
                f"table: expected rows of {width} ints for {features!r} (the key, then a colour "
                f"0..9 or {KEEP} to keep), got {row!r}"
            )
        lookup[tuple(row[:-1])] = row[-1]
    out = g.copy()
    for o, key in found:
        colour = lookup.get(key, KEEP)
        if colour != KEEP:
            out[o.mask] = colour
    return out


STAMP_FEATURES = ("colour", "size", "shape", "turned_shape", "colour_size", "colour_shape")
"""The feature sets a stamp rule reads objects by (see :func:`stamp_rule`)."""


Stamp = tuple[tuple[int, int], tuple[slice, slice], tuple[slice, slice]]
"""Where an object's patch goes: the patch's full height and width (the object's bounding box
grown by the margin), the part of the grid it covers, and the part of the patch that falls inside
the grid (all of it unless the object lies within ``margin`` cells of an edge)."""


def stamp_boxes(grid: np.ndarray, objects: str, margin: int) -> list[Stamp]:
    """Each object's bounding box grown by ``margin`` cells on every side, clipped to the grid,
    in the order of :func:`find_objects` (see :data:`Stamp`)."""
    boxes: list[Stamp] = []
    for o in find_objects(grid, objects):
        size = (o.box.shape[0] + 2 * margin, o.box.shape[1] + 2 * margin)
        boxes.append((size, *clipped(o.top - margin, o.left - margin, size, grid.shape)))
    return boxes


def stamp_row(key: tuple, patch: np.ndarray, width: int) -> tuple[int, ...]:
    """A stamp table's row: the key, the patch's height and width, its cells row by row (-1
    for a cell the patch leaves as it is), then -1s up to ``width`` values."""
    row = (*key, *patch.shape, *patch.ravel().tolist())
    return row + (-1,) * (width - len(row))


def stamp_rule(grid, objects: str, features: str, margin: int, table: Table) -> np.ndarray:
    """``grid`` with each object's box (its bounding box grown by ``margin`` cells on every side)
    replaced by the patch ``table`` gives for its key under ``features``, object after object.
    A patch's cells of -1 leave the grid's cells as they are; where a box leaves the grid, the
    part of the patch inside it is stamped. An object whose key has no row, or whose box has
    another size than its patch, is left as it is.

    Args:
        grid: a 2-D grid of colours 0..9.
        objects: how objects are read (a name of :data:`OBJECTS`).
        features: how an object's key is read (a name of :data:`STAMP_FEATURES`).
        margin: how many cells around the object's bounding box its patch covers (0 or 1).
        table: rows made by :func:`stamp_row`: the key, the patch's height and width, its
            cells (colours, or -1 to keep a cell), -1s to the table's width.

    Raises:
        ValueError: ``grid`` is not a non-empty 2-D grid of colours 0..9, ``objects``,
            ``features`` or ``margin`` is unknown, or a row's patch does not fit in it or has
            values outside -1..9.

    A lone cell becomes a cross of 8 around it:

    >>> stamp_rule([[0, 0, 0], [0, 3, 0], [0, 0, 0]], "colour4", "size", 1,
    ...            ((1, 3, 3, 0, 8, 0, 8, 3, 8, 0, 8, 0),)).tolist()
    [[0, 8, 0], [8, 3, 8], [0, 8, 0]]
    """
    g = as_grid(grid)
    if features not in STAMP_FEATURES:
        raise ValueError(f"features: expected one of {', '.join(STAMP_FEATURES)}, got {features!r}")
    if margin not in (0, 1):
        raise ValueError(f"margin: expected 0 or 1, got {margin!r}")
    size = key_length(features)
    patches = {}
    for row in table:
        if len(row) < size + 2 or not 1 <= row[size] <= 32 or not 1 <= row[size + 1] <= 32:
            raise ValueError(
                f"table: expected rows of a key of {size}, a height and a width, got {row!r}"
            )
        h, w = row[size], row[size + 1]
        cells = row[size + 2 : size + 2 + h * w]
        if len(cells) != h * w or not all(-1 <= c <= 9 for c in cells):
            raise ValueError(
                f"table: expected {h * w} colours 0..9 (or -1 to keep a cell) after the height "
                f"and width in {row!r}"
            )
        patches[tuple(row[:size])] = np.array(cells, dtype=np.int64).reshape(h, w)
    out = g.copy()
    found = object_keys(g, objects, features)
    for (_, key), (shape, box, part) in zip(found, stamp_boxes(g, objects, margin), strict=True):
        patch = patches.get(key)
        if patch is not None and patch.shape == shape:
            cells = patch[part]
            out[box] = np.where(cells >= 0, cells, out[box])
    return out
