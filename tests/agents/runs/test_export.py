"""``export_run``: a run's programs as one file in SOAR's released schema, read by pandas and
``datasets``."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
from soar.agents.runs.export import ExportError, export_run
from soar.agents.runs.node_table import SCHEMA
from soar.agents.runs.rundir import RunDir
from soar.agents.search import make_agent, run_search
from soar.arc_env import load_tasks

from tests.agents.runs.released import RELEASED
from tests.agents.search.programs import MIX, RecordingPolicy

SPEC = "arc1/train:3c9b0459,67a3c6ac,6150a2bd"


@pytest.fixture(scope="module")
def tasks():
    return load_tasks(SPEC)


@pytest.fixture(scope="module")
def run(tasks, executor, tmp_path_factory):
    """Two finished tasks (Parquet logs) and one in progress (its JSONL log only)."""
    run = RunDir.create(tmp_path_factory.mktemp("export") / "run", {"tasks": SPEC})
    agent = make_agent("sample-refine", programs=10, width=3)
    run_search(tasks[:2], agent, RecordingPolicy(answers=list(MIX)), executor, run)
    short = make_agent("sample-refine", programs=4, width=2)
    found = run_search(tasks[2:], short, RecordingPolicy(answers=list(MIX)), executor, run)
    run.table_path(tasks[2].id).unlink()  # as if still running
    run.append_nodes(tasks[2].id, found[tasks[2].id])
    return run


def test_the_export_has_the_released_columns_first_and_every_node(run, tasks, tmp_path):
    done = export_run(run, tmp_path / "out" / "programs.parquet", tasks=tasks)
    assert (done.rows, done.tasks) == (24, 3)
    table = pq.read_table(done.path)
    assert table.schema == SCHEMA
    assert table.schema.names[:7] == RELEASED.names
    assert table.select(RELEASED.names).schema == RELEASED  # the exact types
    assert table.column("task_id").to_pylist() == sorted(
        t.id for t in tasks for _ in range(10 if t is not tasks[2] else 4)
    )
    valid = [row for row in table.to_pylist() if row["code"] is not None]
    assert done.test_known == len(valid) > 0  # every task's test outputs are known
    task = {t.id: t for t in tasks}
    for row in valid:
        want = [list(map(list, grid)) for grid in task[row["task_id"]].test_outputs]
        assert row["correct_test_input"] == [
            g == w for g, w in zip(row["predicted_test_output"], want, strict=True)
        ]
    assert any(all(row["correct_test_input"]) for row in valid)


def test_pandas_and_datasets_read_it(run, tasks, tmp_path):
    pandas = pytest.importorskip("pandas")
    datasets = pytest.importorskip("datasets")
    path = export_run(run, tmp_path / "programs.parquet", tasks=tasks).path
    frame = pandas.read_parquet(path)
    assert len(frame) == 24 and list(frame.columns) == SCHEMA.names
    assert frame["model"].unique().tolist() == ["scripted"]
    loaded = datasets.load_dataset("parquet", data_files=str(path), split="train")
    assert loaded.num_rows == 24 and loaded.column_names == SCHEMA.names
    first = loaded[0]
    assert first["task_id"] == tasks[0].id and isinstance(first["predicted_train_output"], list)


def test_jsonl_has_the_same_rows(run, tasks, tmp_path):
    parquet = export_run(run, tmp_path / "a.parquet", tasks=tasks).path
    jsonl = export_run(run, tmp_path / "a.jsonl", fmt="jsonl", tasks=tasks).path
    rows = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert rows == pq.read_table(parquet).to_pylist()


def test_without_tasks_test_correctness_stays_unknown(run, tmp_path):
    done = export_run(run, tmp_path / "a.parquet")
    assert done.test_known == 0
    assert pq.read_table(done.path).column("correct_test_input").null_count == 24


def test_a_bad_format_is_refused_and_nothing_is_left(run, tmp_path):
    with pytest.raises(ExportError, match="format: expected one of parquet, jsonl, got 'csv'"):
        export_run(run, tmp_path / "a.csv", fmt="csv")
    assert list(tmp_path.iterdir()) == []
