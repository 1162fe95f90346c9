"""Pattern primitives: filling the holes of a grid (cells of one colour) from its symmetries and
repetitions.

The ``symmetry_*`` primitives fill holes from one fixed symmetry about the grid's centre.
:func:`complete_pattern` finds the symmetries itself: every mirror, half turn, diagonal mirror
and translation of the grid (about any centre, by any offset) under which its known cells agree,
and fills each hole with the colour most of its images have. Many ARC tasks hide part of a
symmetric or periodic picture under a colour and ask for the picture, or for the hidden part.

Each primitive takes a grid (a 2-D integer array of colours 0..9) and the parameters its registry
entry names, and returns a new array; the input is never changed.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from scipy import fft

from .primitives_base import as_grid, bounding_box, check_colour, primitive

# ------------------------------------------------------------ symmetry about the grid's centre


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


# ---------------------------------------------------------------- symmetries found in the grid

MIN_MIRROR = 0.5
"""The least share of the grid that a mirror or turn must map inside the grid to be tried."""
MIN_SHIFT = 0.25
"""The least share of the grid that a translation must map inside the grid to be tried."""
MAX_RELATIONS = 16
"""The most relations a grid is filled from (a plain grid has hundreds: the best ones do)."""
FILL_ROUNDS = 4
"""Rounds of filling: holes whose images are all holes may be filled from cells filled before."""

# A relation maps cell (r, c) of a grid x (holes are -1) to another; _image gives the cells it
# maps inside the grid, as slices of x, and their images, an array of the same shape.
Relation = tuple[str, int, int]


def _image(x: np.ndarray, relation: Relation) -> tuple[tuple[slice, slice], np.ndarray]:
    height, width = x.shape
    kind, a, b = relation
    if kind == "shift":  # (r, c) -> (r + a, c + b)
        rows, cols = (
            slice(max(0, -a), min(height, height - a)),
            slice(max(0, -b), min(width, width - b)),
        )
        return (rows, cols), x[rows.start + a : rows.stop + a, cols.start + b : cols.stop + b]
    if kind == "mirror":  # (r, c) -> (a - r, b - c); a or b -1: that axis is kept
        r0, r1 = (0, height) if a < 0 else (max(0, a - height + 1), min(height, a + 1))
        c0, c1 = (0, width) if b < 0 else (max(0, b - width + 1), min(width, b + 1))
        image = x[r0:r1] if a < 0 else x[a - r1 + 1 : a - r0 + 1][::-1]
        image = image[:, c0:c1] if b < 0 else image[:, b - c1 + 1 : b - c0 + 1][:, ::-1]
        return (slice(r0, r1), slice(c0, c1)), image
    if kind == "diagonal":  # (r, c) -> (c + a, r - a)
        r0, r1, c0, c1 = max(0, a), min(height, width + a), max(0, -a), min(width, height - a)
        return (slice(r0, r1), slice(c0, c1)), x[c0 + a : c1 + a, r0 - a : r1 - a].T
    # "antidiagonal": (r, c) -> (a - c, a - r)
    r0, r1 = max(0, a - width + 1), min(height, a + 1)
    c0, c1 = max(0, a - height + 1), min(width, a + 1)
    image = x[a - c1 + 1 : a - c0 + 1, a - r1 + 1 : a - r0 + 1]
    return (slice(r0, r1), slice(c0, c1)), image[::-1, ::-1].T


def _lengths(height: int, width: int) -> tuple[int, int, int]:
    """The FFT lengths for an h x w grid: rows, columns, and the sides of its square (for the
    diagonals), each long enough that no sum wraps around (2 x side - 1), and fast."""
    side = max(height, width)
    return tuple(fft.next_fast_len(2 * k - 1, real=True) for k in (height, width, side))


def _counts(x: np.ndarray) -> dict[str, np.ndarray]:
    """For every relation of each kind at once, by FFT: how many cells it maps inside the grid,
    how many known cells it maps to known cells, and the sum over those of the squared
    difference of their colours (0 exactly when each keeps its colour).

    Returns arrays of shape (3, ...) (those three numbers) indexed by the relation's numbers:
    ``shift`` by (dr, dc mod the columns' length), ``mirror`` of both axes by (a, b), ``rows``
    (mirror of rows only) by a, ``columns`` by b, ``diagonal`` by (-d, d) mod the square's length
    and ``antidiagonal`` by (a, a); lengths from :func:`_lengths`.
    """
    known = (x >= 0).astype(np.float64)
    colours = known * x
    # per cell: known, colour, colour squared (0 for holes); sum_p k(p) k(q) (c(p) - c(q))^2
    # = sum c(p)^2 k(q) + k(p) c(q)^2 - 2 c(p) c(q), with q the image of p
    layers = np.stack([known, colours, colours * colours])

    def combined(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.stack([a[0] * b[0], a[2] * b[0] + a[0] * b[2] - 2 * a[1] * b[1]])

    inside = _inside(*x.shape)
    counts = _correlations(layers, combined)
    return {kind: np.concatenate([inside[kind], c]) for kind, c in counts.items()}


@functools.lru_cache(maxsize=1024)
def _inside(height: int, width: int) -> dict[str, np.ndarray]:
    """How many cells of an h x w grid each relation maps inside it (as :func:`_counts`, shape
    (1, ...)); kept per size, read-only."""
    counts = _correlations(np.ones((1, height, width)), lambda a, b: a * b)
    for array in counts.values():
        array.flags.writeable = False
    return counts


def _correlations(layers: np.ndarray, combined: Any) -> dict[str, np.ndarray]:
    """The sums over cells p of products of the layers (k, h, w) at p and at its image q, for
    every relation of each kind (indexed as in :func:`_counts`): ``combined(a, b)`` forms them
    from the transforms of the layers at p (a) and at q (b)."""
    _, height, width = layers.shape
    rows, columns, n = _lengths(height, width)
    f = fft.rfft2(layers, s=(rows, columns))
    side = max(height, width)
    square = np.zeros((len(layers), side, side))
    square[:, :height, :width] = layers
    fs = f if height == width else fft.rfft2(square, s=(n, n))  # a square grid is its own square
    ft = fft.rfft2(square.transpose(0, 2, 1), s=(n, n))
    fc = fft.rfft(layers, n=columns, axis=2)
    fr = fft.rfft(layers, n=rows, axis=1)
    counts = {
        "shift": fft.irfft2(combined(np.conj(f), f), s=(rows, columns)),
        "mirror": fft.irfft2(combined(f, f), s=(rows, columns)),
        "columns": fft.irfft(combined(fc, fc), n=columns, axis=2).sum(axis=1),
        "rows": fft.irfft(combined(fr, fr), n=rows, axis=1).sum(axis=2),
        "diagonal": fft.irfft2(combined(np.conj(fs), ft), s=(n, n)),
        "antidiagonal": fft.irfft2(combined(fs, ft), s=(n, n)),
    }
    return {kind: np.rint(c).astype(np.int64) for kind, c in counts.items()}


@functools.lru_cache(maxsize=1024)
def _candidates(height: int, width: int) -> tuple[tuple[str, np.ndarray, tuple, float], ...]:
    """Every relation worth trying on an h x w grid, by groups: a kind of :func:`_image`, the
    relations' two numbers (an array of rows (a, b)), where :func:`_counts` has their counts
    (index arrays), and the share of the grid they must map inside it. Kept per size; the
    arrays are read-only."""
    _, length, square = _lengths(height, width)
    # a mirror about the first or last line (or on a grid of one line) maps no cell elsewhere
    columns = np.arange(1, 2 * width - 2)
    rows = np.arange(1, 2 * height - 2)
    near_rows = rows[abs(rows - (height - 1)) <= height // 4 + 1]
    near_cols = columns[abs(columns - (width - 1)) <= width // 4 + 1]
    turns = [(s, t) for s in near_rows for t in near_cols]
    diagonals = np.arange(-(height - 1), width)
    anti = np.arange(height + width - 1)
    shifts = [
        (dr, dc) for dr in range(height) for dc in range(-(width - 1), width) if (dr, dc) > (0, 0)
    ]
    turns, shifts = (np.array(t, dtype=np.int64).reshape(-1, 2) for t in (turns, shifts))

    def pairs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.stack([a, b], axis=1)

    groups = (
        ("mirror", pairs(np.full_like(columns, -1), columns), ("columns", columns), MIN_MIRROR),
        ("mirror", pairs(rows, np.full_like(rows, -1)), ("rows", rows), MIN_MIRROR),
        ("mirror", turns, ("mirror", turns[:, 0], turns[:, 1]), MIN_MIRROR),
        (
            "diagonal",
            pairs(diagonals, np.zeros_like(diagonals)),
            ("diagonal", -diagonals % square, diagonals % square),
            MIN_MIRROR,
        ),
        (
            "antidiagonal",
            pairs(anti, np.zeros_like(anti)),
            ("antidiagonal", anti, anti),
            MIN_MIRROR,
        ),
        ("shift", shifts, ("shift", shifts[:, 0], shifts[:, 1] % length), MIN_SHIFT),
    )
    for _, numbers, (_, *index), _ in groups:
        for array in (numbers, *index):
            array.flags.writeable = False
    return groups


def _relations(x: np.ndarray) -> list[Relation]:
    """The relations under which every known cell of ``x`` (holes are -1) that maps to a known
    cell maps to one of its own colour, with enough such cells to tell (at most
    :data:`MAX_RELATIONS`, those with the most such cells)."""
    known_share = np.count_nonzero(x >= 0) / x.size
    counts = _counts(x)
    found: list[tuple[int, int, Relation]] = []
    for kind, numbers, (table, *index), share in _candidates(*x.shape):
        inside, pairs, differences = counts[table][(slice(None), *index)]
        fits = (inside >= share * x.size) & (pairs >= 0.5 * inside * known_share)
        fits &= differences == 0
        for i in np.flatnonzero(fits):
            a, b = numbers[i]
            found.append((-int(pairs[i]), len(found), (kind, int(a), int(b))))
    found.sort()
    out = []
    for _, _, relation in found[:MAX_RELATIONS]:
        out.append(relation)
        if relation[0] == "shift":  # a translation holds both ways
            out.append(("shift", -relation[1], -relation[2]))
    return out


_COMPLETED: dict[tuple, np.ndarray | str] = {}
MAX_COMPLETED = 4096
"""Grids whose completion :func:`_completed` keeps (or the reason it failed): a task's programs
complete the same few inputs over and over (the kept results are read-only and handed out as
copies, so no caller can change what the next one gets)."""


def _completed(grid: np.ndarray, colour: int) -> np.ndarray:
    """``grid`` with its cells of ``colour`` filled where the grid's symmetries tell (the others
    keep ``colour``): a new array."""
    key = (grid.shape, grid.tobytes(), colour)
    found = _COMPLETED.get(key)
    if found is None:
        try:
            found = _complete_pattern(grid, colour)
            found.flags.writeable = False
        except ValueError as exc:
            found = str(exc)
        if len(_COMPLETED) >= MAX_COMPLETED:
            _COMPLETED.clear()
        _COMPLETED[key] = found
    if isinstance(found, str):
        raise ValueError(found)
    return found.copy()


def _complete_pattern(grid: np.ndarray, colour: int) -> np.ndarray:
    x = np.where(grid == colour, -1, grid)
    if not (x < 0).any():
        raise ValueError(f"no cells of colour {colour} to fill")
    relations = _relations(x)
    if not relations:
        raise ValueError("the grid has no symmetry or repetition to fill holes from")
    for _ in range(FILL_ROUNDS):
        votes = np.zeros((*x.shape, 10), dtype=np.int32)
        for relation in relations:
            target, image = _image(x, relation)
            holes = (x[target] < 0) & (image >= 0)
            rows, cols = np.nonzero(holes)
            votes[target][rows, cols, image[holes]] += 1
        fill = (x < 0) & votes.any(axis=2)
        if not fill.any():
            break
        x[fill] = votes[fill].argmax(axis=1)
        if not (x < 0).any():
            break
    return np.where(x < 0, colour, x)


@primitive("colour")
def complete_pattern(grid: np.ndarray, colour: int) -> np.ndarray:
    """Fill the cells of ``colour`` from the grid's own symmetries and repetitions.

    Tries every mirror (about any row or column line), half turn (about a centre near the
    grid's), diagonal mirror and translation; keeps those under which the other cells agree
    wherever both a cell and its image are known, and fills each hole with the colour most of its
    known images have (in up to :data:`FILL_ROUNDS` rounds). Holes no relation reaches keep
    ``colour``.

    Args:
        colour: the colour of the holes (the mask hiding part of the pattern).

    Raises:
        ValueError: if the grid has no cell of ``colour``, or no symmetry or repetition.

    >>> complete_pattern(np.array([[1, 2, 3, 1, 2, 3, 1, 0]]), 0).tolist()
    [[1, 2, 3, 1, 2, 3, 1, 2]]
    >>> complete_pattern(np.array([[5, 1, 2], [3, 4, 3], [2, 1, 5]]), 5).tolist()
    [[2, 1, 2], [3, 4, 3], [2, 1, 2]]
    """
    colour = check_colour(colour)
    return _completed(as_grid(grid), colour)


@primitive("colour")
def complete_pattern_patch(grid: np.ndarray, colour: int) -> np.ndarray:
    """What the cells of ``colour`` hide: :func:`complete_pattern`, cropped to their bounding box.

    Args:
        colour: the colour of the holes.

    Raises:
        ValueError: as :func:`complete_pattern`, or if some hole in the box cannot be filled.

    >>> complete_pattern_patch(np.array([[1, 2, 1, 2], [3, 4, 0, 0]]), 0).tolist()
    [[3, 4]]
    """
    colour = check_colour(colour)
    g = as_grid(grid)
    box = bounding_box(g == colour, f"cell of colour {colour}")
    patch = _completed(g, colour)[box]
    if (patch == colour).any():  # filled cells never take the holes' colour: these are unfilled
        raise ValueError(f"some cells of colour {colour} cannot be filled from the pattern")
    return patch
