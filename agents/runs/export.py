"""Exporting a run's programs as one file in SOAR's released dataset's schema (``soar export``).

The file has the columns of ``julien31/soar_arc_train_5M`` first (``task_id``, ``code``,
``predicted_train_output``, ``predicted_test_output``, ``correct_train_input``,
``correct_test_input``, ``model``), then this project's (see :mod:`soar.agents.runs.node_table`),
one row per node, task after task. ``pandas.read_parquet`` and
``datasets.load_dataset("parquet", data_files=...)`` read it, and ``soar relabel`` and
``soar improve --pool-from`` take it as a source of programs.

Tasks are read and written one at a time, so memory stays that of the largest task. The file is
written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
from soar.arc_env.error import InputError
from soar.arc_env.task import Task

from .node_table import SCHEMA, nodes_to_table
from .rundir import RunDir

__all__ = ["FORMATS", "ExportError", "Exported", "export_run"]

FORMATS = ("parquet", "jsonl")


class ExportError(InputError):
    """An export that cannot be made as asked (an unknown format)."""


@dataclass(frozen=True)
class Exported:
    """What :func:`export_run` wrote."""

    path: Path
    rows: int
    tasks: int
    test_known: int
    """Rows whose ``correct_test_input`` is known (their task's test outputs were given)."""


def export_run(
    run: RunDir, out: str | os.PathLike, *, fmt: str = "parquet", tasks: Sequence[Task] = ()
) -> Exported:
    """Write every node of ``run`` to ``out``, in :data:`~.node_table.SCHEMA`.

    Args:
        run: the run directory (finished tasks and tasks in progress alike).
        out: the file to write (its folder is created).
        fmt: ``parquet`` (zstd) or ``jsonl`` (one JSON object per row, grids as nested lists).
        tasks: tasks with their test outputs, to fill ``correct_test_input`` (null for the others).

    Raises:
        ExportError: an unknown format.
        RunDirError: a corrupt node log.
    """
    if fmt not in FORMATS:
        raise ExportError(f"format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    solutions = {task.id: task.test_outputs for task in tasks if task.has_test_outputs}
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".tmp")
    rows = test_known = done = 0
    try:
        with open(partial, "wb") as handle:
            writer = None
            if fmt == "parquet":
                writer = pq.ParquetWriter(handle, SCHEMA, compression="zstd")
            for task_id in run.task_ids():
                nodes = run.read_nodes(task_id)
                if not nodes:
                    continue
                table = nodes_to_table(nodes, solutions)
                if writer is not None:
                    writer.write_table(table)
                else:
                    lines = "".join(json.dumps(row) + "\n" for row in table.to_pylist())
                    handle.write(lines.encode())
                rows += table.num_rows
                done += 1
                test_known += table.num_rows - table.column("correct_test_input").null_count
            if writer is not None:
                writer.close()
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Exported(out, rows, done, test_known)
