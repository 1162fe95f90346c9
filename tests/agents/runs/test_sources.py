"""Parquet files as program sources: SOAR's released schema (programs run again), exports (read as
they are), files sorted or shuffled by task, rows of other tasks skipped and counted."""

from __future__ import annotations

import dataclasses
import random

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from soar.agents import ScriptedPolicy
from soar.agents.runs.export import export_run
from soar.agents.runs.rundir import RunDir
from soar.agents.runs.sources import ParquetSource, SourceError, open_source
from soar.agents.search import make_agent, run_search
from soar.arc_env import Status, load_tasks
from soar.training.dataset import build_dataset

from tests.agents.runs.released import RELEASED, released_rows, write_released
from tests.agents.search.programs import CRASH, IDENTITY, INVALID, MIRROR, MIX, ROTATE

# 3c9b0459 (a half turn): seven wrong samples, then refinements that solve it half the time.
ANSWERS = {
    "3c9b0459": [IDENTITY, CRASH, INVALID, MIRROR, IDENTITY, CRASH, IDENTITY]
    + [ROTATE, IDENTITY, ROTATE, CRASH, ROTATE, INVALID, ROTATE],
    "*": list(MIX),
}

SPEC = "arc1/train:3c9b0459,67a3c6ac"
OTHER = "arc1/train:6150a2bd"


@pytest.fixture(scope="module")
def tasks():
    return load_tasks(SPEC)


@pytest.fixture(scope="module")
def run(tasks, executor, tmp_path_factory):
    """A real run (right, wrong, crashing and invalid programs) on the two tasks and another."""
    path = tmp_path_factory.mktemp("sources") / "run"
    run = RunDir.create(path, {"tasks": SPEC})
    agent = make_agent("sample-refine", programs=14, width=3)
    policy = ScriptedPolicy(answers=ANSWERS)
    run_search([*tasks, *load_tasks(OTHER)], agent, policy, executor, run)
    return run


def programs(source, task_ids) -> dict[str, list]:
    return {
        t: [(n.program, n.to_json()["train"], n.to_json()["test"]) for n in source.read_nodes(t)]
        for t in task_ids
    }


def samples(records: list[dict]) -> list[tuple]:
    return [(r["task_id"], str(r["messages"])) for r in records if r["source"] == "sample"]


def test_a_released_schema_file_gives_the_run_s_sample_data(run, tasks, tmp_path):
    rows = released_rows(run, [t.id for t in tasks] + ["6150a2bd"])
    path = write_released(tmp_path / "train-00000-of-00001.parquet", rows)
    assert pq.read_schema(path) == RELEASED
    with ParquetSource(path, tasks, workers=2) as source:
        from_file, stats = build_dataset([source], tasks, refinement=True)
        assert source.stats["run_again"] == sum(r["task_id"] != "6150a2bd" for r in rows)
        assert source.stats["outputs_differ"] == 0
        assert source.stats["skipped_rows"] == sum(r["task_id"] == "6150a2bd" for r in rows) > 0
        assert source.stats["skipped_tasks"] == 1
        nodes = source.read_nodes(tasks[0].id)
    from_run, _ = build_dataset([run], tasks, refinement=True)
    assert samples(from_file) == samples(from_run)  # same programs, same outputs, same choice
    assert "refine" not in stats or sum(stats["refine"]["pairs"].values()) == 0  # no parents
    assert {n.kind for n in nodes} == {"sample"} and {n.policy_id for n in nodes} == {"scripted"}
    crashed = [n for n in nodes if n.train and n.train[0].status is Status.ERROR]
    assert crashed and all("no idea" in n.train[0].message for n in crashed)  # run again: real


def test_outputs_the_file_got_wrong_are_counted(run, tasks, tmp_path):
    rows = released_rows(run, [tasks[0].id])
    rows[0]["predicted_train_output"][0] = [[0]]
    with ParquetSource(write_released(tmp_path / "f.parquet", rows), tasks) as source:
        source.read_nodes(tasks[0].id)
        assert source.stats["outputs_differ"] == 1


def test_shuffled_rows_are_copied_once_by_task_and_read_in_file_order(run, tasks, tmp_path):
    rows = released_rows(run, [t.id for t in tasks] + ["6150a2bd"])
    sorted_path = write_released(tmp_path / "sorted.parquet", rows, row_group_size=4)
    random.Random(0).shuffle(rows)
    shuffled = write_released(tmp_path / "shuffled.parquet", rows, row_group_size=4)
    ids = [t.id for t in tasks]
    with ParquetSource(sorted_path, tasks, batch_rows=3) as direct:
        expected = programs(direct, ids)
        assert direct._spilled is None
    with ParquetSource(shuffled, tasks, batch_rows=3, copy=True) as copied:
        got = programs(copied, ids)
        spilled = copied._spilled
        assert spilled is not None and spilled.exists()
        order = [(r["task_id"], r["code"]) for r in rows if r["task_id"] in ids]
        for task_id in ids:
            assert [p for p, _, _ in got[task_id]] == [c for t, c in order if t == task_id]
    assert not spilled.exists()  # removed on close
    for task_id in ids:
        assert sorted(map(str, got[task_id])) == sorted(map(str, expected[task_id]))


def test_a_copy_is_made_when_tasks_are_spread_over_row_groups(run, tasks, tmp_path):
    rows = released_rows(run, [tasks[0].id])
    many = [dataclasses.replace(tasks[0], id=f"task{k:02d}") for k in range(30)]
    spread = [{**row, "task_id": task.id} for row in rows for task in many]  # interleaved
    with ParquetSource(
        write_released(tmp_path / "a.parquet", spread, row_group_size=30), many
    ) as a:
        assert not a._clustered()
    spread.sort(key=lambda row: row["task_id"])
    with ParquetSource(
        write_released(tmp_path / "b.parquet", spread, row_group_size=30), many
    ) as b:
        assert b._clustered()


def test_an_export_is_read_as_it_is_with_its_refinements(run, tasks, tmp_path):
    path = export_run(run, tmp_path / "run.parquet", tasks=tasks).path
    with open_source(path, tasks) as source:
        assert programs(source, [t.id for t in tasks]) == programs(run, [t.id for t in tasks])
        assert source.stats["run_again"] == 0 and source.stats["skipped_rows"] == 14
        from_file, _ = build_dataset([source], tasks, refinement=True)
    from_run, _ = build_dataset([run], tasks, refinement=True)
    assert [{**r, "run": ""} for r in from_file] == [{**r, "run": ""} for r in from_run]
    assert any(r["source"] == "refine" for r in from_run)


def test_a_directory_of_shards_is_one_source(run, tasks, tmp_path):
    rows = released_rows(run, [t.id for t in tasks])
    shards = tmp_path / "soar_arc_train_5M" / "data"
    shards.mkdir(parents=True)
    half = len(rows) // 2
    write_released(shards / "train-00000-of-00002.parquet", rows[:half])
    write_released(shards / "train-00001-of-00002.parquet", rows[half:])
    with ParquetSource(shards.parent, tasks) as source:
        assert len(source.files) == 2
        assert sum(len(source.read_nodes(t.id)) for t in tasks) == len(rows)
        assert source.task_ids() == [t.id for t in tasks]


def test_bad_sources_are_clear_errors(tasks, tmp_path):
    with pytest.raises(
        SourceError, match="expected a run directory or Parquet files, found nothing"
    ):
        ParquetSource(tmp_path / "nope", tasks)
    with pytest.raises(SourceError, match=r"\(with config.json\) or a directory of \*.parquet"):
        ParquetSource(tmp_path, tasks)
    (tmp_path / "x.parquet").write_text("hello")
    with pytest.raises(SourceError, match="x.parquet: expected a Parquet file"):
        ParquetSource(tmp_path / "x.parquet", tasks)
    pq.write_table(pa.table({"task_id": ["a"], "program": ["p"]}), tmp_path / "y.parquet")
    with pytest.raises(SourceError, match="found no code"):
        ParquetSource(tmp_path / "y.parquet", tasks)
