"""Parquet files in the schema of SOAR's released dataset (``julien31/soar_arc_train_5M``), built
here with its exact column types, as stand-ins for its shards."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from soar.agents.runs.rundir import RunDir

RELEASED = pa.schema(
    [
        ("task_id", pa.string()),
        ("code", pa.string()),
        ("predicted_train_output", pa.list_(pa.list_(pa.list_(pa.int64())))),
        ("predicted_test_output", pa.list_(pa.list_(pa.list_(pa.int64())))),
        ("correct_train_input", pa.list_(pa.bool_())),
        ("correct_test_input", pa.list_(pa.bool_())),
        ("model", pa.string()),
    ]
)
"""The released dataset's columns and types, spelled out (not taken from the package)."""


def released_rows(run: RunDir, task_ids: Sequence[str]) -> list[dict]:
    """The run's valid programs as rows of the released dataset (a failed output as ``[]``)."""
    rows = []
    for task_id in task_ids:
        for node in run.read_nodes(task_id):
            if node.program is None:
                continue
            rows.append(
                {
                    "task_id": task_id,
                    "code": node.program,
                    "predicted_train_output": [
                        [list(row) for row in r.output] if r.output else [] for r in node.train
                    ],
                    "predicted_test_output": [
                        [list(row) for row in r.output] if r.output else [] for r in node.test
                    ],
                    "correct_train_input": list(node.train_correct),
                    "correct_test_input": [False for _ in node.test],
                    "model": node.policy_id,
                }
            )
    return rows


def write_released(path: Path, rows: list[dict], *, row_group_size: int = 1000) -> Path:
    pq.write_table(pa.Table.from_pylist(rows, schema=RELEASED), path, row_group_size=row_group_size)
    return path
