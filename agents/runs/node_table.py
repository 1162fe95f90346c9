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
from soar.arc_env.grid import Grid

from .grid_column import GRIDS, decode_grids, encode_grids

__all__ = [
    "RESULT_COLUMNS",
    "SCHEMA",
    "SOAR_COLUMNS",
    "GRIDS",
    "has_results",
    "nodes_to_table",
    "table_to_nodes",
]

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
_RESULT_PARTS = (("predicted_", "_output"), ("", "_status"))
"""Columns without which a table's programs must be run again to know their results (SOAR's
release has outputs and correctness, but no statuses or messages)."""


def columns_for(*, train_outputs: bool) -> list[str]:
    """The columns :func:`table_to_nodes` reads (all of :data:`SCHEMA`, without the train
    outputs, statuses and messages when ``train_outputs`` is False)."""
    skipped = () if train_outputs else ("predicted_train_output", "train_status", "train_message")
    return [name for name in SCHEMA.names if name not in skipped]


def has_results(names: Sequence[str]) -> bool:
    """Whether tables with these columns hold the programs' results (see :data:`RESULT_COLUMNS`)."""
    return all(name in names for name in RESULT_COLUMNS)


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
        "predicted_train_output": encode_grids([n.train for n in nodes]),
        "predicted_test_output": encode_grids([n.test for n in nodes]),
        "correct_train_input": [list(n.train_correct) for n in nodes],
        "correct_test_input": [test_correct(n) for n in nodes],
        "model": [n.policy_id for n in nodes],
        "node_id": [n.node_id for n in nodes],
        "parent_id": [n.parent_id for n in nodes],
        "kind": [n.kind for n in nodes],
        "island": [n.island for n in nodes],
        "train_status": [[r.status for r in n.train] for n in nodes],  # str enums: their values
        "test_status": [[r.status for r in n.test] for n in nodes],
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


# ------------------------------------------------------------------------------------- reading


class TableError(InputError):
    """A table whose content is not what :data:`SCHEMA` promises (the message says where)."""


def table_to_nodes(
    table: pa.Table, *, where: str = "table", train_outputs: bool = True
) -> list[Node]:
    """The nodes of a table with :data:`SCHEMA`'s columns, in row order.

    Only ``task_id``, ``code``, the output and status columns are required; a missing
    ``node_id`` numbers the rows of each task in order, other missing columns take
    :class:`~soar.agents.search.node.Node`'s defaults.

    Args:
        table: the table.
        where: names the table in error messages.
        train_outputs: with False, the nodes' train results are left out (``train == ()``;
            ``train_correct``, hence the accuracy, stays) and their columns need not be there:
            what voting and scoring need, read in about half the time (train outputs are most of
            a log's cells).

    Raises:
        TableError: a required column is missing, or an output is not an ARC grid although its
            status says ok.
    """
    names = set(table.column_names)
    sides = ("train", "test") if train_outputs else ("test",)
    required = ["task_id", "code"]
    required += [f"{kind}{side}{end}" for side in sides for kind, end in _RESULT_PARTS]
    missing = [n for n in required if n not in names]
    if missing:
        raise TableError(f"{where}: expected the columns {', '.join(missing)}, found none")
    n = table.num_rows

    def column(name: str, default: Any = None) -> list[Any]:
        """The column as Python values, nulls (and a missing column) read as ``default``."""
        if name not in names:
            return [default] * n
        values = table.column(name)
        if default is not None and values.null_count:
            values = values.fill_null(default)
        return values.to_pylist()

    task_ids = column("task_id")
    codes = column("code")
    train = _results(table, "train", where) if train_outputs else [()] * n
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
    rows = zip(
        task_ids,
        node_ids,
        column("parent_id"),
        column("kind", "sample"),
        column("model", ""),
        codes,
        column("invalid_reason"),
        column("completion"),
        column("island", 0),
        column("prompt_tokens", 0),
        column("completion_tokens", 0),
        column("finish_reason", "stop"),
        train,
        test,
        train_correct,
        column("generate_seconds", 0.0),
        column("execute_seconds", 0.0),
        column("created", 0.0),
        column("extra"),
        strict=True,
    )
    return [
        Node(
            task_id=task_id,
            node_id=node_id,
            parent_id=parent_id,
            kind=kind,
            policy_id=model,
            program=code,
            invalid_reason=invalid_reason,
            completion=code if completion is None else completion,
            island=island,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            finish_reason=finish_reason,
            train=train_results if code is not None else (),
            test=test_results if code is not None else (),
            train_correct=flags,
            generate_seconds=generate_seconds,
            execute_seconds=execute_seconds,
            created=created,
            extra=json.loads(extra) if extra else {},
        )
        for (
            task_id,
            node_id,
            parent_id,
            kind,
            model,
            code,
            invalid_reason,
            completion,
            island,
            prompt_tokens,
            completion_tokens,
            finish_reason,
            train_results,
            test_results,
            flags,
            generate_seconds,
            execute_seconds,
            created,
            extra,
        ) in rows
    ]


_STATUS = {s.value: s for s in Status}


def _results(table: pa.Table, side: str, where: str) -> list[tuple[InputResult, ...]]:
    """Per row, the results on the ``side`` ("train" or "test") inputs: statuses, messages and
    outputs put together.

    Work is done per distinct value, not per input: an output grid met again is the same object
    (as in a live search), and so is its ok result; the other results are one object per distinct
    (status, message).
    """
    offsets, status_codes, status_names = _codes(table.column(f"{side}_status"))
    grid_offsets, grid_ids, grids = decode_grids(table.column(f"predicted_{side}_output"))
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
