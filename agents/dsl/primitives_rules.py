"""Cell rules: each cell's new colour looked up from what its neighbourhood looks like.

A *cell rule* is a table from a cell's features (its colour and what surrounds it, as one of the
:data:`FEATURES` reads them) to the colour it becomes. :func:`cell_rule` applies one to a grid;
:mod:`soar.agents.dsl.rules` learns the tables from a task's train pairs. The features, simplest
first (colours 0..9, -1 for "none" or "outside the grid"):

- ``count8``, ``count4``: the colour, and how many of the 8 (4) neighbours are foreground.
- ``object_size``: the colour, and the size of the cell's object (4-connected foreground cells;
  0 for a background cell).
- ``colour_object_size``: the colour, and the size of the 4-connected cells of that colour.
- ``neighbour_colours``: the colour, and the set of colours of the 3x3 window (a bit mask).
- ``between``: the colour, and the colour met both above and below it (else -1), and both to its
  left and to its right (else -1), looking past the background.
- ``cross``: the colour and its 4 neighbours' (up, down, left, right).
- ``line_colours``: the colour, and the sets of foreground colours of its row and of its column.
- ``rays``: the colour, and the first foreground colour met looking up, down, left and right.
- ``window``: the 3x3 window around the cell, row by row.

A *relative* cell rule (:func:`relative_cell_rule`) reads keys and colours by their roles rather
than by name: within each key, the foreground colours (1..9) become 10, 11, ... in the order they
first appear, and the colour a cell becomes is written the same way when the key has it. "A cell
between two cells of one colour takes that colour" is then one row for every colour, including
colours no train pair showed.

Imports only numpy, scipy and the standard library, like every primitive module: programs import
it inside sandboxed executor workers.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .primitives_base import BACKGROUND, as_grid, cell_sizes

NONE = -1
"""The feature value for "none": no colour met, or a neighbour outside the grid."""

Table = tuple[tuple[int, ...], ...]
"""A cell rule: one row per feature key, the key's values followed by the colour it becomes."""


def _padded(g: np.ndarray) -> np.ndarray:
    """``g`` in a frame of :data:`NONE` one cell wide: what ``np.pad`` gives, without its
    overhead, which dominated on ARC's small grids (rule learning ~1.5x faster)."""
    out = np.full((g.shape[0] + 2, g.shape[1] + 2), NONE, dtype=g.dtype)
    out[1:-1, 1:-1] = g
    return out


def _shifted(g: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """The colour of each cell's neighbour at (dy, dx); :data:`NONE` outside the grid."""
    h, w = g.shape
    return _padded(g)[1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w]


_AROUND = tuple((dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1))
_CROSS4 = ((-1, 0), (1, 0), (0, -1), (0, 1))


def _count(g: np.ndarray, offsets: tuple[tuple[int, int], ...]) -> np.ndarray:
    fg = sum((_shifted(g, dy, dx) > BACKGROUND).astype(np.int64) for dy, dx in offsets)
    return np.stack([g, fg], axis=-1)


def _count8(g: np.ndarray) -> np.ndarray:
    return _count(g, tuple(o for o in _AROUND if o != (0, 0)))


def _count4(g: np.ndarray) -> np.ndarray:
    return _count(g, _CROSS4)


def _object_size(g: np.ndarray) -> np.ndarray:
    return np.stack([g, cell_sizes(g != BACKGROUND, 4)], axis=-1)


def _colour_object_size(g: np.ndarray) -> np.ndarray:
    sizes = np.zeros_like(g)
    for colour in np.unique(g):
        if colour != BACKGROUND:
            mask = g == colour
            sizes[mask] = cell_sizes(mask, 4)[mask]
    return np.stack([g, sizes], axis=-1)


def _neighbour_colours(g: np.ndarray) -> np.ndarray:
    mask = np.zeros_like(g)
    for dy, dx in _AROUND:
        n = _shifted(g, dy, dx)
        mask |= np.where(n >= 0, 1 << np.maximum(n, 0), 0)
    return np.stack([g, mask], axis=-1)


def _ray(g: np.ndarray, axis: int, reverse: bool) -> np.ndarray:
    """The first foreground colour met from each cell looking along ``axis`` (toward lower
    indices, or higher with ``reverse``); :data:`NONE` when there is none."""
    a = np.moveaxis(g, axis, 0)
    out = np.full_like(a, NONE)
    seen = np.full(a.shape[1:], NONE, dtype=a.dtype)
    order = range(a.shape[0] - 1, -1, -1) if reverse else range(a.shape[0])
    for i in order:
        out[i] = seen
        seen = np.where(a[i] != BACKGROUND, a[i], seen)
    return np.moveaxis(out, 0, axis)


def _four_rays(g: np.ndarray) -> tuple[np.ndarray, ...]:
    """The first foreground colour met looking up, down, left and right."""
    return _ray(g, 0, False), _ray(g, 0, True), _ray(g, 1, False), _ray(g, 1, True)


def _rays(g: np.ndarray) -> np.ndarray:
    return np.stack([g, *_four_rays(g)], axis=-1)


def _between(g: np.ndarray) -> np.ndarray:
    up, down, left, right = _four_rays(g)
    vertical = np.where(up == down, up, NONE)
    horizontal = np.where(left == right, left, NONE)
    return np.stack([g, vertical, horizontal], axis=-1)


def _cross(g: np.ndarray) -> np.ndarray:
    return np.stack([g, *(_shifted(g, dy, dx) for dy, dx in _CROSS4)], axis=-1)


def _line_colours(g: np.ndarray) -> np.ndarray:
    bits = np.where(g != BACKGROUND, 1 << g, 0)
    rows = np.bitwise_or.reduce(bits, axis=1, keepdims=True)
    cols = np.bitwise_or.reduce(bits, axis=0, keepdims=True)
    return np.stack([g, np.broadcast_to(rows, g.shape), np.broadcast_to(cols, g.shape)], axis=-1)


def _window(g: np.ndarray) -> np.ndarray:
    return np.stack([_shifted(g, dy, dx) for dy, dx in _AROUND], axis=-1)


FEATURES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "count8": _count8,
    "count4": _count4,
    "object_size": _object_size,
    "colour_object_size": _colour_object_size,
    "neighbour_colours": _neighbour_colours,
    "between": _between,
    "cross": _cross,
    "line_colours": _line_colours,
    "rays": _rays,
    "window": _window,
}
"""Each feature set by name, simplest first: a function from a grid (2-D int64 array) to the
array of each cell's key (one more axis, the key's values; the cell's own colour first, except
for ``window``: see :data:`OWN_COLOUR`)."""

OWN_COLOUR = {"window": 4}
"""Where in a key the cell's own colour is, for the feature sets where it is not first."""


def cell_features(grid: np.ndarray, features: str) -> np.ndarray:
    """Each cell's key under ``features`` (a name of :data:`FEATURES`), shape ``(h, w, k)``.

    >>> cell_features(np.array([[0, 1], [1, 1]]), "count4")[..., 1].tolist()
    [[2, 1], [1, 2]]
    """
    try:
        compute = FEATURES[features]
    except (KeyError, TypeError):
        raise ValueError(
            f"features: expected one of {', '.join(FEATURES)}, got {features!r}"
        ) from None
    return compute(np.asarray(grid, dtype=np.int64))


def cell_rule(grid, features: str, table: Table) -> np.ndarray:
    """``grid`` with each cell recoloured as ``table`` says for its key under ``features``;
    a cell whose key is not in the table keeps its colour.

    Args:
        grid: a 2-D grid of colours 0..9.
        features: how a cell's key is read (a name of :data:`FEATURES`).
        table: rows of a key's values followed by the colour it becomes.

    Raises:
        ValueError: ``grid`` is not a non-empty 2-D grid of colours 0..9, ``features`` is
            unknown, or a row of ``table`` has the wrong length or maps to a colour outside 0..9.

    >>> cell_rule([[0, 1], [0, 0]], "count8", ((0, 1, 2),)).tolist()  # background next to 1 cell
    [[2, 1], [2, 2]]
    """
    g = as_grid(grid)  # a fresh copy: the cells are recoloured in place below
    keys = cell_features(g, features)
    width = keys.shape[-1] + 1
    lookup = {}
    for row in table:
        if len(row) != width or not 0 <= row[-1] <= 9:
            raise ValueError(
                f"table: expected rows of {width} ints for {features!r} (the key, then a colour "
                f"0..9), got {row!r}"
            )
        lookup[tuple(row[:-1])] = row[-1]
    cells = g.reshape(-1)
    for i, key in enumerate(keys.reshape(-1, width - 1).tolist()):
        colour = lookup.get(tuple(key))
        if colour is not None:
            cells[i] = colour
    return g


RELATIVE_FEATURES = ("between", "cross", "rays", "window")
"""The feature sets whose keys hold only colours (and :data:`NONE`), the ones a relative rule
can read: the others hold counts, sizes or sets of colours."""

FIRST_ROLE = 10
"""The code of a relative key's first foreground colour; the next ones are 11, 12, ..."""


def relative_key(key: tuple[int, ...]) -> tuple[tuple[int, ...], dict[int, int]]:
    """``key`` with its foreground colours named by their order of first appearance
    (:data:`FIRST_ROLE` onward), and the map from each colour to its code.

    >>> relative_key((3, 0, 7, 3, -1))
    ((10, 0, 11, 10, -1), {3: 10, 7: 11})
    """
    codes: dict[int, int] = {}
    for v in key:
        if v > BACKGROUND and v not in codes:
            codes[v] = FIRST_ROLE + len(codes)
    return tuple(codes.get(v, v) for v in key), codes


def relative_cell_rule(grid, features: str, table: Table) -> np.ndarray:
    """``grid`` with each cell recoloured as the relative ``table`` says for its key under
    ``features`` (keys and colours coded by :func:`relative_key`); a cell whose coded key is not
    in the table keeps its colour.

    Args:
        grid: a 2-D grid of colours 0..9.
        features: how a cell's key is read (a name of :data:`FEATURES`).
        table: rows of a coded key's values followed by the colour it becomes: 0..9, or a code
            of a colour of the key.

    Raises:
        ValueError: as :func:`cell_rule`, ``features`` is not one of :data:`RELATIVE_FEATURES`,
            or a row maps to a code its key does not have.

    A background cell between two cells of one colour, left and right, takes that colour:

    >>> relative_cell_rule([[4, 0, 4], [2, 0, 0]], "between", ((0, -1, 10, 10),)).tolist()
    [[4, 4, 4], [2, 0, 0]]
    """
    g = as_grid(grid)
    if features not in RELATIVE_FEATURES:
        raise ValueError(
            f"features: expected one of {', '.join(RELATIVE_FEATURES)} for a relative rule, "
            f"got {features!r}"
        )
    keys = cell_features(g, features)
    width = keys.shape[-1] + 1
    lookup = {}
    for row in table:
        key, colour = tuple(row[:-1]), row[-1]
        if len(row) != width or not (0 <= colour <= 9 or colour in key and colour >= FIRST_ROLE):
            raise ValueError(
                f"table: expected rows of {width} ints for {features!r} (the coded key, then a "
                f"colour 0..9 or a code its key has), got {row!r}"
            )
        lookup[key] = colour
    cells = g.reshape(-1)
    for i, key in enumerate(keys.reshape(-1, width - 1).tolist()):
        coded, codes = relative_key(tuple(key))
        colour = lookup.get(coded)
        if colour is not None:
            cells[i] = colour if colour < FIRST_ROLE else _decode(codes, colour)
    return g


def _decode(codes: dict[int, int], code: int) -> int:
    return next(colour for colour, c in codes.items() if c == code)
