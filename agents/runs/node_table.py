"""Search nodes as an Arrow table: the columnar form of run logs, in SOAR's released schema.

The first seven columns are those of SOAR's released program dataset
(``julien31/soar_arc_train_5M``), with the same names and types, so that tools written for it read
our logs and exports, and ours read it::

    task_id                 string
    code                    string                       the program (null: the completion had none)
    predicted_train_output  list<list<list<int64>>>      per train input its output grid (null: none)
    predicted_test_output   list<list<list<int64>>>      per test input its output grid (null: none)
    correct_train_input     list<bool>                   per train input, whether its output is right
    correct_test_input      list<bool>                   per test input, where the outputs are known
    model                   string                       the policy id

Then this project's columns: ``node_id``, ``parent_id``, ``kind``, ``island``; per input its status
(``train_status``/``test_status``: ok, error, timeout, memory, invalid-output) and message
(``train_message``/``test_message``); ``train_accuracy``; ``invalid_reason``, ``finish_reason``;
``prompt_tokens``, ``completion_tokens``; ``generate_seconds``, ``execute_seconds``, ``created``;
``completion``, the model's whole answer, only where it differs from ``code`` (null: the same
text, or not kept); ``extra`` (JSON text, or null).

Searches never see test outputs, so run logs leave ``correct_test_input`` null; an export fills it
where the tasks' test outputs are known (:func:`nodes_to_table` with ``solutions``).

Grids are converted in bulk (numpy over the Arrow buffers), and equal grids read back are one
object, so reading a node costs a few microseconds.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
from soar.agents.search.node import Node
from soar.arc_env import InputResult, Status
from soar.arc_env.error import InputError
from soar.arc_env.grid import MAX_SIDE, Grid

__all__ = [
    "RESULT_COLUMNS",
    "SCHEMA",
    "SOAR_COLUMNS",
    "GRIDS",
    "grid_outputs",
    "has_results",
    "nodes_to_table",
    "table_to_nodes",
]

GRIDS = pa.list_(pa.list_(pa.list_(pa.int64())))
"""One grid per input: ``list<list<list<int64>>>``, as in SOAR's release."""

SOAR_COLUMNS = (
    "task_id",
    "code",
    "predicted_train_output",
    "predicted_test_output",
    "correct_train_input",
    "correct_test_input",
    "model",
)
"""The columns of SOAR's released dataset, in its order."""

_STRINGS = pa.list_(pa.string())
SCHEMA = pa.schema(
    [
        ("task_id", pa.string()),
        ("code", pa.string()),
        ("predicted_train_output", GRIDS),
        ("predicted_test_output", GRIDS),
        ("correct_train_input", pa.list_(pa.bool_())),
        ("correct_test_input", pa.list_(pa.bool_())),
        ("model", pa.string()),
        ("node_id", pa.int64()),
        ("parent_id", pa.int64()),
        ("kind", pa.string()),
        ("island", pa.int64()),
        ("train_status", _STRINGS),
        ("test_status", _STRINGS),
        ("train_message", _STRINGS),
        ("test_message", _STRINGS),
        ("train_accuracy", pa.float64()),
        ("invalid_reason", pa.string()),
        ("finish_reason", pa.string()),
        ("prompt_tokens", pa.int64()),
        ("completion_tokens", pa.int64()),
        ("generate_seconds", pa.float64()),
        ("execute_seconds", pa.float64()),
        ("created", pa.float64()),
        ("completion", pa.string()),
        ("extra", pa.string()),
    ]
)
"""The columns of a node table: SOAR's seven, then this project's."""

RESULT_COLUMNS = ("train_status", "test_status")
"""Columns without which a table's programs must be run again to know their results (SOAR's
release has outputs and correctness, but no statuses or messages)."""


def has_results(names: Sequence[str]) -> bool:
    """Whether tables with these columns hold the programs' results (see :data:`RESULT_COLUMNS`)."""
    return all(name in names for name in RESULT_COLUMNS)


def grid_outputs(column: pa.ChunkedArray) -> list[tuple[Grid | None, ...]]:
    """Per row of a ``list<list<list<int64>>>`` column, its grids (None where there is none or it
    is not an ARC grid)."""
    offsets, ids, grids = _grids(column)
    found = [grids[i] if i >= 0 else None for i in ids.tolist()]
    bounds = offsets.tolist()
    return [tuple(found[bounds[r] : bounds[r + 1]]) for r in range(len(bounds) - 1)]


# ------------------------------------------------------------------------------------- writing


def nodes_to_table(
    nodes: Sequence[Node], solutions: dict[str, Sequence[Grid]] | None = None
) -> pa.Table:
    """The nodes as a table of :data:`SCHEMA`, one row per node in the order given.

    Args:
        nodes: the nodes (of any tasks).
        solutions: test outputs by task id, for ``correct_test_input`` (null for other tasks).
    """
    solutions = solutions or {}

    def test_correct(node: Node) -> list[bool] | None:
        want = solutions.get(node.task_id)
        if want is None or len(node.test) != len(want):
            return None
        return [r.output == w for r, w in zip(node.test, want, strict=True)]

    columns: dict[str, Any] = {
        "task_id": [n.task_id for n in nodes],
        "code": [n.program for n in nodes],
        "predicted_train_output": _grid_column([n.train for n in nodes]),
        "predicted_test_output": _grid_column([n.test for n in nodes]),
        "correct_train_input": [list(n.train_correct) for n in nodes],
        "correct_test_input": [test_correct(n) for n in nodes],
        "model": [n.policy_id for n in nodes],
        "node_id": [n.node_id for n in nodes],
        "parent_id": [n.parent_id for n in nodes],
        "kind": [n.kind for n in nodes],
        "island": [n.island for n in nodes],
        "train_status": [[r.status.value for r in n.train] for n in nodes],
        "test_status": [[r.status.value for r in n.test] for n in nodes],
        "train_message": [[r.message for r in n.train] for n in nodes],
        "test_message": [[r.message for r in n.test] for n in nodes],
        "train_accuracy": [n.train_accuracy for n in nodes],
        "invalid_reason": [n.invalid_reason for n in nodes],
        "finish_reason": [n.finish_reason for n in nodes],
        "prompt_tokens": [n.prompt_tokens for n in nodes],
        "completion_tokens": [n.completion_tokens for n in nodes],
        "generate_seconds": [n.generate_seconds for n in nodes],
        "execute_seconds": [n.execute_seconds for n in nodes],
        "created": [n.created for n in nodes],
        "completion": [None if n.completion == n.program else n.completion for n in nodes],
        "extra": [json.dumps(n.extra) if n.extra else None for n in nodes],
    }
    arrays = [
        value if isinstance(value, pa.Array) else pa.array(value, type=field.type)
        for field, value in zip(SCHEMA, (columns[name] for name in SCHEMA.names), strict=True)
    ]
    return pa.Table.from_arrays(arrays, schema=SCHEMA)


def _grid_column(per_node: Sequence[Sequence[InputResult]]) -> pa.Array:
    """``list<list<list<int64>>>`` of the outputs, built from numpy buffers (a grid met again, as
    searches meet them often, is converted once)."""
    seen: dict[int, tuple[int, int, bytes]] = {}  # id(grid) -> height, width, cells
    node_offsets = np.zeros(len(per_node) + 1, dtype=np.int32)
    heights: list[int] = []
    widths: list[int] = []
    valid: list[bool] = []
    cells: list[bytes] = []
    for i, results in enumerate(per_node):
        node_offsets[i + 1] = node_offsets[i] + len(results)
        for result in results:
            grid = result.output
            if grid is None:
                heights.append(0)
                widths.append(0)
                valid.append(False)
                continue
            known = seen.get(id(grid))
            if known is None:
                known = seen[id(grid)] = (len(grid), len(grid[0]), b"".join(map(bytes, grid)))
            heights.append(known[0])
            widths.append(known[1])
            cells.append(known[2])
            valid.append(True)
    h = np.array(heights, dtype=np.int32)
    values = pa.array(np.frombuffer(b"".join(cells), dtype=np.uint8).astype(np.int64))
    row_offsets = np.zeros(int(h.sum()) + 1, dtype=np.int32)
    np.cumsum(np.repeat(np.array(widths, dtype=np.int32), h), out=row_offsets[1:])
    rows = pa.ListArray.from_arrays(pa.array(row_offsets), values)
    grid_offsets = np.zeros(len(h) + 1, dtype=np.int32)
    np.cumsum(h, out=grid_offsets[1:])
    mask = np.array(valid, dtype=bool)
    validity = None if mask.all() else pa.py_buffer(np.packbits(mask, bitorder="little"))
    grids = pa.ListArray.from_buffers(
        pa.list_(pa.list_(pa.int64())),
        len(h),
        [validity, pa.py_buffer(grid_offsets)],
        null_count=int(len(mask) - mask.sum()),
        children=[rows],
    )
    return pa.ListArray.from_arrays(pa.array(node_offsets), grids)


# ------------------------------------------------------------------------------------- reading


class TableError(InputError):
    """A table whose content is not what :data:`SCHEMA` promises (the message says where)."""


def table_to_nodes(table: pa.Table, *, where: str = "table") -> list[Node]:
    """The nodes of a table with :data:`SCHEMA`'s columns, in row order.

    Only ``task_id``, ``code``, the two output columns and the two status columns are required; a
    missing ``node_id`` numbers the rows of each task in order, other missing columns take
    :class:`~soar.agents.search.node.Node`'s defaults.

    Raises:
        TableError: a required column is missing, or an output is not an ARC grid although its
            status says ok.
    """
    names = set(table.column_names)
    required = ("task_id", "code", "predicted_train_output", "predicted_test_output")
    missing = [n for n in (*required, *RESULT_COLUMNS) if n not in names]
    if missing:
        raise TableError(f"{where}: expected the columns {', '.join(missing)}, found none")
    n = table.num_rows

    def column(name: str, default: Any = None) -> list[Any]:
        if name not in names:
            return [default] * n
        return table.column(name).to_pylist()

    task_ids = column("task_id")
    codes = column("code")
    train = _results(table, "train", where)
    test = _results(table, "test", where)
    train_correct = (
        _flags(table.column("correct_train_input")) if "correct_train_input" in names else [()] * n
    )
    if "node_id" in names:
        node_ids = column("node_id")
    else:
        counts: dict[str, int] = {}
        node_ids = []
        for task_id in task_ids:
            node_ids.append(counts.get(task_id, 0))
            counts[task_id] = node_ids[-1] + 1
    completions = column("completion")
    extras = column("extra")
    parents, kinds, islands = column("parent_id"), column("kind", "sample"), column("island", 0)
    models = column("model", "")
    invalid, finish = column("invalid_reason"), column("finish_reason", "stop")
    prompt_tokens, completion_tokens = column("prompt_tokens", 0), column("completion_tokens", 0)
    generate, execute = column("generate_seconds", 0.0), column("execute_seconds", 0.0)
    created = column("created", 0.0)
    nodes = []
    for i in range(n):
        code = codes[i]
        completion = completions[i]
        extra = extras[i]
        nodes.append(
            Node(
                task_id=task_ids[i],
                node_id=node_ids[i],
                parent_id=parents[i],
                kind=kinds[i] or "sample",
                policy_id=models[i] or "",
                program=code,
                invalid_reason=invalid[i],
                completion=code if completion is None else completion,
                island=islands[i] or 0,
                prompt_tokens=prompt_tokens[i] or 0,
                completion_tokens=completion_tokens[i] or 0,
                finish_reason=finish[i] or "stop",
                train=train[i] if code is not None else (),
                test=test[i] if code is not None else (),
                train_correct=train_correct[i],
                generate_seconds=generate[i] or 0.0,
                execute_seconds=execute[i] or 0.0,
                created=created[i] or 0.0,
                extra=json.loads(extra) if extra else {},
            )
        )
    return nodes


_STATUS = {s.value: s for s in Status}


def _results(table: pa.Table, side: str, where: str) -> list[tuple[InputResult, ...]]:
    """Per row, the results on the ``side`` ("train" or "test") inputs: statuses, messages and
    outputs put together.

    Work is done per distinct value, not per input: an output grid met again is the same object
    (as in a live search), and so is its ok result; the other results are one object per distinct
    (status, message).
    """
    offsets, status_codes, status_names = _codes(table.column(f"{side}_status"))
    grid_offsets, grid_ids, grids = _grids(table.column(f"predicted_{side}_output"))
    if not np.array_equal(grid_offsets, offsets):
        raise TableError(
            f"{where}: expected one {side} output per {side} status in every row, found other "
            "counts"
        )
    message_codes, message_names = np.zeros(len(status_codes), dtype=np.int64), [""]
    if f"{side}_message" in table.column_names:
        message_offsets, codes, names = _codes(table.column(f"{side}_message"))
        if np.array_equal(message_offsets, offsets):  # else not one message per input: ignored
            message_codes, message_names = codes, names
    unknown = [name for name in status_names if name not in _STATUS]
    if unknown:
        raise TableError(
            f"{where}: expected statuses among {', '.join(_STATUS)}, got {unknown[0]!r}"
        )
    is_ok = status_codes == (status_names.index("ok") if "ok" in status_names else -1)
    if (is_ok & (grid_ids < 0)).any():
        raise TableError(f"{where}: a {side} output with status ok is not an ARC grid")
    no_message = np.array([not m for m in message_names], dtype=bool)[message_codes]
    plain = is_ok & no_message
    made: list[InputResult] = [InputResult(Status.OK, grid) for grid in grids]
    index = grid_ids.copy()
    other = np.nonzero(~plain)[0]
    if len(other):  # each distinct (status, message, grid) of the other inputs made once
        distinct: dict[tuple[int, int, int], int] = {}
        keys = zip(
            status_codes[other].tolist(),
            message_codes[other].tolist(),
            grid_ids[other].tolist(),
            strict=True,
        )
        for k, key in zip(other.tolist(), keys, strict=True):
            found = distinct.get(key)
            if found is None:
                status, message, grid = key
                found = distinct[key] = len(made)
                output = grids[grid] if status_names[status] == "ok" else None
                made.append(
                    InputResult(_STATUS[status_names[status]], output, message_names[message])
                )
            index[k] = found
    flat = list(map(made.__getitem__, index.tolist()))
    bounds = offsets.tolist()
    return [tuple(flat[bounds[i] : bounds[i + 1]]) for i in range(len(bounds) - 1)]


def _flags(column: pa.ChunkedArray) -> list[tuple[bool, ...]]:
    """A ``list<bool>`` column as one tuple per row (a null list reads as empty)."""
    array = column.combine_chunks()
    offsets = array.offsets.to_numpy()
    first = int(offsets[0])
    flags = array.values.slice(first, int(offsets[-1]) - first).fill_null(False)
    flat = flags.to_numpy(zero_copy_only=False).tolist()
    bounds = (offsets - first).tolist()
    return [tuple(flat[bounds[i] : bounds[i + 1]]) for i in range(len(bounds) - 1)]


def _codes(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """A ``list<string>`` column as per-row offsets (from 0) into its flat values, each value's
    code, and the distinct values (a null reads as "")."""
    array = column.combine_chunks()
    offsets = array.offsets.to_numpy()
    first, last = int(offsets[0]), int(offsets[-1])
    encoded = array.values.slice(first, last - first).fill_null("").dictionary_encode()
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return offsets - first, codes, encoded.dictionary.to_pylist()


def _grids(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray, list[Grid]]:
    """A ``list<list<list<int64>>>`` column as per-row offsets (from 0) into its flat list of
    outputs; per output the index of its grid among the distinct grids, or -1 where there is no
    output or it is not an ARC grid (1..30 equal rows of 1..30 cells 0..9); and the distinct
    grids, each made once (searches repeat outputs: equal grids share one object)."""
    array = column.combine_chunks()
    node_offsets = array.offsets.to_numpy()
    first, last = int(node_offsets[0]), int(node_offsets[-1])
    inner = array.values.slice(first, last - first)
    count = len(inner)
    ids = np.full(count, -1, dtype=np.int64)
    grids: list[Grid] = []
    if count == 0:
        return node_offsets - first, ids, grids
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
    seen: dict[bytes, int] = {}
    good = np.nonzero(ok)[0]
    for index, start, size, width in zip(
        good.tolist(),
        (starts[good] - cell_lo).tolist(),
        sizes[good].tolist(),
        widths[good].tolist(),
        strict=True,
    ):
        key = colours[start : start + size] + _WIDTH[width]
        found = seen.get(key)
        if found is None:
            found = seen[key] = len(grids)
            grids.append(
                tuple([tuple(colours[c : c + width]) for c in range(start, start + size, width)])
            )
        ids[index] = found
    return node_offsets - first, ids, grids


_WIDTH = [bytes([width + 16]) for width in range(MAX_SIDE + 1)]
"""A byte told apart from every colour, ending a grid's key: grids of equal cells and other
widths differ."""
