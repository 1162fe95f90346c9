"""Columns of output grids, ``list<list<list<int64>>>`` (one grid per input, null where there is
none), converted to and from ARC grids in bulk.

This is the type SOAR's released dataset gives ``predicted_train_output`` and
``predicted_test_output``. Searches repeat outputs, so both directions work per *distinct* grid:
writing converts each grid object once and builds the Arrow buffers with numpy; reading tells
grids apart by their cells and makes each distinct grid (and each distinct row) one object, as a
live search shares them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
from soar.arc_env import InputResult
from soar.arc_env.grid import MAX_SIDE, Grid

__all__ = ["GRIDS", "decode_grids", "encode_grids", "grid_outputs"]

GRIDS = pa.list_(pa.list_(pa.list_(pa.int64())))
"""One grid per input: ``list<list<list<int64>>>``, as in SOAR's release."""


def encode_grids(per_row: Sequence[Sequence[InputResult]]) -> pa.Array:
    """The outputs of each row's results as a :data:`GRIDS` array (null where there is none)."""
    seen: dict[int, int] = {}  # id(grid) -> index in distinct; the grids live through the call
    distinct: list[Grid] = []
    index: list[int] = []
    counts: list[int] = []
    for results in per_row:
        counts.append(len(results))
        for result in results:
            grid = result.output
            if grid is None:
                index.append(-1)
                continue
            k = seen.get(id(grid))
            if k is None:
                k = seen[id(grid)] = len(distinct)
                distinct.append(grid)
            index.append(k)
    cells = [b"".join(map(bytes, grid)) for grid in distinct]
    shapes = np.array([(len(g), len(g[0])) for g in distinct] + [(0, 0)], dtype=np.int32)
    which = np.array(index, dtype=np.int64)  # -1 picks the (0, 0) shape appended last
    heights, widths = shapes[which, 0], shapes[which, 1]
    values = np.frombuffer(b"".join([cells[k] for k in index if k >= 0]), dtype=np.uint8)
    row_offsets = np.zeros(int(heights.sum()) + 1, dtype=np.int32)
    np.cumsum(np.repeat(widths, heights), out=row_offsets[1:])
    rows = pa.ListArray.from_arrays(pa.array(row_offsets), pa.array(values.astype(np.int64)))
    grid_offsets = np.zeros(len(which) + 1, dtype=np.int32)
    np.cumsum(heights, out=grid_offsets[1:])
    valid = which >= 0
    grids = pa.ListArray.from_buffers(
        pa.list_(pa.list_(pa.int64())),
        len(which),
        [
            None if valid.all() else pa.py_buffer(np.packbits(valid, bitorder="little")),
            pa.py_buffer(grid_offsets),
        ],
        null_count=int(len(valid) - valid.sum()),
        children=[rows],
    )
    row_counts = np.zeros(len(counts) + 1, dtype=np.int32)
    np.cumsum(counts, out=row_counts[1:])
    return pa.ListArray.from_arrays(pa.array(row_counts), grids)


def grid_outputs(column: pa.ChunkedArray) -> list[tuple[Grid | None, ...]]:
    """Per row of a :data:`GRIDS` column, its grids (None where there is none or it is not an
    ARC grid)."""
    offsets, ids, grids = decode_grids(column)
    found = [grids[i] if i >= 0 else None for i in ids.tolist()]
    bounds = offsets.tolist()
    return [tuple(found[bounds[r] : bounds[r + 1]]) for r in range(len(bounds) - 1)]


def decode_grids(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray, list[Grid]]:
    """A :data:`GRIDS` column as per-row offsets (from 0) into its flat list of outputs; per
    output the index of its grid among the distinct grids, or -1 where there is no output or it
    is not an ARC grid (1..30 equal rows of 1..30 cells 0..9); and the distinct grids."""
    array = column.combine_chunks()
    node_offsets = array.offsets.to_numpy()
    first_row, last = int(node_offsets[0]), int(node_offsets[-1])
    inner = array.values.slice(first_row, last - first_row)
    count = len(inner)
    ids = np.full(count, -1, dtype=np.int64)
    if count == 0:
        return node_offsets - first_row, ids, []
    grid_offsets = inner.offsets.to_numpy()
    rows = inner.values
    row_offsets = rows.offsets.to_numpy()
    cell_array = rows.values
    if cell_array.null_count:
        cell_array = cell_array.fill_null(-1)
    cells = cell_array.to_numpy()
    heights = np.diff(grid_offsets)
    starts = row_offsets[grid_offsets[:-1]]
    sizes = row_offsets[grid_offsets[1:]] - starts
    widths = sizes // np.maximum(heights, 1)
    ok = inner.is_valid().to_numpy(zero_copy_only=False)
    ok &= (heights >= 1) & (heights <= MAX_SIDE) & (widths >= 1) & (widths <= MAX_SIDE)
    row_start, row_end = int(grid_offsets[0]), int(grid_offsets[-1])
    owner = np.repeat(np.arange(count), heights)
    bad = np.diff(row_offsets[row_start : row_end + 1]) != widths[owner]  # ragged
    cell_lo = int(row_offsets[row_start])
    used = cells[cell_lo : int(row_offsets[row_end])]
    if len(used) and (used.min() < 0 or used.max() > 9):  # a row with a cell that is no colour
        bad_cells = (used < 0) | (used > 9)
        bad |= np.add.reduceat(bad_cells, row_offsets[row_start:row_end] - cell_lo) > 0
    if bad.any():
        ok &= np.bincount(owner[bad], minlength=count) == 0
    colours = used.astype(np.uint8).tobytes()
    good = np.nonzero(ok)[0]
    good_starts = starts[good] - cell_lo
    distinct, first = _distinct(colours, good_starts, sizes[good], widths[good])
    ids[good] = distinct
    grids = _make(colours, good_starts[first], heights[good][first], widths[good][first])
    return node_offsets - first_row, ids, grids


def _distinct(
    colours: bytes, starts: np.ndarray, sizes: np.ndarray, widths: np.ndarray
) -> tuple[np.ndarray, list[int]]:
    """Each grid's index among the distinct grids (by width and cells), and for each distinct
    grid the position of its first occurrence."""
    seen: list[dict[bytes, int]] = [{} for _ in range(MAX_SIDE + 1)]  # by width
    first: list[int] = []
    found: list[int] = []
    for k, (start, size, width) in enumerate(
        zip(starts.tolist(), sizes.tolist(), widths.tolist(), strict=True)
    ):
        key = colours[start : start + size]
        same_width = seen[width]
        index = same_width.get(key)
        if index is None:
            index = same_width[key] = len(first)
            first.append(k)
        found.append(index)
    return np.array(found, dtype=np.int64), first


def _make(colours: bytes, starts: np.ndarray, heights: np.ndarray, widths: np.ndarray) -> list[Any]:
    """The grids whose cells start at ``starts`` in ``colours``. Outputs share most of their
    rows, so each distinct row is made once and shared."""
    made: dict[bytes, tuple[int, ...]] = {}
    get = made.get
    grids: list[Grid] = []
    for start, height, width in zip(
        starts.tolist(), heights.tolist(), widths.tolist(), strict=True
    ):
        rows = []
        for at in range(start, start + height * width, width):
            cells = colours[at : at + width]
            row = get(cells)
            if row is None:
                row = made[cells] = tuple(cells)
            rows.append(row)
        grids.append(tuple(rows))
    return grids
