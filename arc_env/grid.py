"""ARC grids: the type, validation at the boundary, and small conversions.

A grid is a rectangular 2-D array of integers 0..9 (the colours) with 1 to 30 rows and columns. Inside
the package grids are tuples of tuples of ``int`` — immutable, hashable (votes group programs by their
outputs) and plain data. ``numpy`` arrays are accepted wherever a grid comes in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .error import GridError

Grid = tuple[tuple[int, ...], ...]
"""An ARC grid as plain, immutable data: ``grid[row][col]`` is a colour 0..9."""

MAX_SIDE = 30
COLOURS = frozenset(range(10))


def to_grid(value: Any, *, where: str = "grid") -> Grid:
    """Validate ``value`` as an ARC grid and return it as a tuple of tuples of ints.

    Accepts nested lists/tuples of ints and 2-D integer numpy arrays. ``where`` names the grid in
    error messages (for example ``"task 007bbfb7, train pair 2 input"``).

    >>> to_grid([[1, 2], [3, 4]])
    ((1, 2), (3, 4))
    >>> to_grid([[1, 2], [3]])
    Traceback (most recent call last):
    ...
    soar.arc_env.error.GridError: grid: row 2 has 1 cells, expected 2 like row 1 (rows must have equal length)
    """
    if isinstance(value, np.ndarray):
        if value.ndim != 2:
            raise GridError(f"{where}: expected a 2-D array, got {value.ndim} dimensions")
        if value.dtype.kind not in "iub":
            raise GridError(f"{where}: expected integer cells, got dtype {value.dtype}")
        value = value.tolist()
    if not isinstance(value, Sequence) or isinstance(value, (str, bytes)):
        raise GridError(f"{where}: expected a list of rows, got {type(value).__name__}")
    height = len(value)
    if not 1 <= height <= MAX_SIDE:
        raise GridError(f"{where}: expected 1..{MAX_SIDE} rows, got {height}")
    rows = []
    width = None
    for r, row in enumerate(value, start=1):
        if not isinstance(row, Sequence) or isinstance(row, (str, bytes)):
            raise GridError(f"{where}: row {r}: expected a list of cells, got {type(row).__name__}")
        if width is None:
            width = len(row)
            if not 1 <= width <= MAX_SIDE:
                raise GridError(f"{where}: expected 1..{MAX_SIDE} columns, got {width}")
        elif len(row) != width:
            raise GridError(
                f"{where}: row {r} has {len(row)} cells, expected {width} like row 1 "
                "(rows must have equal length)"
            )
        for c, cell in enumerate(row, start=1):
            if type(cell) is bool or not isinstance(cell, (int, np.integer)) or not 0 <= cell <= 9:
                raise GridError(
                    f"{where}: row {r}, column {c}: expected a colour 0..9, got {cell!r}"
                )
        rows.append(tuple(int(cell) for cell in row))
    return tuple(rows)


def grid_shape(grid: Grid) -> tuple[int, int]:
    """``(rows, columns)`` of a grid.

    >>> grid_shape(((1, 2, 3), (4, 5, 6)))
    (2, 3)
    """
    return len(grid), len(grid[0])


def to_array(grid: Grid) -> np.ndarray:
    """The grid as a 2-D ``int8`` numpy array (a fresh copy)."""
    return np.array(grid, dtype=np.int8)


def to_lists(grid: Grid) -> list[list[int]]:
    """The grid as a fresh list of lists, the form programs receive."""
    return [list(row) for row in grid]


COLOUR_TO_DIGIT = bytes(range(48, 58)).ljust(256, b"?")
"""A ``bytes.translate`` table: colour 0..9 -> ASCII digit."""
DIGIT_TO_COLOUR = bytes(range(10)).rjust(58, b"\xff").ljust(256, b"\xff")
"""A ``bytes.translate`` table: ASCII digit -> colour 0..9, anything else -> 255."""


def to_rows(grid: Grid) -> list[str]:
    """The grid as one string of digits per row: the compact form of run logs.

    >>> to_rows(((1, 2, 3), (4, 5, 6)))
    ['123', '456']
    """
    return [bytes(row).translate(COLOUR_TO_DIGIT).decode("ascii") for row in grid]


def from_rows(rows: list[str]) -> Grid:
    """The inverse of :func:`to_rows`, checked: 1..30 rows of 1..30 digits 0..9, of equal length.

    >>> from_rows(["123", "456"])
    ((1, 2, 3), (4, 5, 6))
    """
    try:
        cells = "".join(rows).encode("ascii").translate(DIGIT_TO_COLOUR)
    except (TypeError, UnicodeEncodeError):
        raise GridError(f"expected a list of rows of digits, got {rows!r:.80}") from None
    height = len(rows)
    width = len(cells) // height if height else 0
    if not (1 <= height <= MAX_SIDE and 1 <= width <= MAX_SIDE):
        raise GridError(f"expected 1..{MAX_SIDE} rows and columns, got {rows!r:.80}")
    if max(cells) > 9 or len(cells) != height * width or any(len(r) != width for r in rows):
        raise GridError(f"expected rows of digits 0..9 of equal length, got {rows!r:.80}")
    return tuple(tuple(cells[i : i + width]) for i in range(0, len(cells), width))
