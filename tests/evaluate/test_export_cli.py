"""``soar export``, and Parquet files as sources of ``soar relabel`` and ``soar improve
--pool-from``, end to end through the command line."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from soar.agents.runs.rundir import RunDir
from soar.evaluate.cli import cli

from tests.agents.runs.released import RELEASED, released_rows, write_released

FENCE = "```"


def answer(line: str) -> str:
    return f"{FENCE}python\ndef transform(grid):\n    return {line}\n{FENCE}"


ROTATE = answer("[row[::-1] for row in grid[::-1]]")
MIRROR = answer("[row[::-1] for row in grid]")
ANSWERS = {
    "3c9b0459": [answer("[list(r) for r in zip(*grid)]"), MIRROR, ROTATE, ROTATE],
    "67a3c6ac": [answer("grid"), MIRROR, answer("[list(r[::-1]) for r in grid]"), "no code"],
}
SPEC = "arc1/train:" + ",".join(ANSWERS)


def soar(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("export-cli")
    (root / "answers.json").write_text(json.dumps(ANSWERS))
    out = root / "run"
    result = soar(
        "run",
        "--tasks",
        SPEC,
        "--policy",
        f"scripted:{root / 'answers.json'}",
        "--agent",
        "sample-refine",
        "--budget",
        "4",
        "--out",
        out,
        "--quiet",
        "--workers",
        "2",
    )
    assert result.exit_code == 0, result.output
    return out


def records(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_export_writes_parquet_or_jsonl(run_dir, tmp_path):
    result = soar("export", run_dir, tmp_path / "p.parquet")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        f"wrote 8 programs of 2 tasks to {tmp_path / 'p.parquet'} (parquet); "
        "correct_test_input known for 7"
    )
    table = pq.read_table(tmp_path / "p.parquet")
    assert table.select(RELEASED.names).schema == RELEASED
    result = soar("export", run_dir, tmp_path / "p.jsonl")
    assert result.exit_code == 0 and "(jsonl)" in result.output
    assert [json.loads(x) for x in (tmp_path / "p.jsonl").read_text().splitlines()] == (
        table.to_pylist()
    )


def test_export_of_a_non_run_is_one_error_line(tmp_path):
    result = soar("export", tmp_path, tmp_path / "p.parquet")
    assert result.exit_code == 2
    assert (
        result.output.strip()
        == f"Error: {tmp_path}: expected a run directory with config.json, found none"
    )


def test_relabel_reads_an_export_like_the_run(run_dir, tmp_path):
    soar("export", run_dir, tmp_path / "p.parquet")
    from_run, from_file = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert soar("relabel", run_dir, "--out", from_run, "--refinement").exit_code == 0
    result = soar(
        "relabel", tmp_path / "p.parquet", "--tasks", SPEC, "--out", from_file, "--refinement"
    )
    assert result.exit_code == 0, result.output
    assert "parquet     " in result.output and "8 rows of requested tasks" in result.output
    strip = lambda rows: [{**r, "run": ""} for r in rows]  # noqa: E731
    assert strip(records(from_file)) == strip(records(from_run))
    assert any(r["source"] == "refine" for r in records(from_file))


def test_relabel_runs_the_released_dataset_s_programs_again(run_dir, tmp_path):
    rows = released_rows(RunDir(run_dir), list(ANSWERS))
    rows.append({**rows[0], "task_id": "00000000"})  # a task not requested
    shards = tmp_path / "soar_arc_train_5M"
    shards.mkdir()
    write_released(shards / "train-00000-of-00001.parquet", rows)
    out = tmp_path / "d.jsonl"
    result = soar("relabel", shards, "--tasks", SPEC, "--out", out, "--workers", "1")
    assert result.exit_code == 0, result.output
    assert (
        f"parquet     {shards}: 7 rows of requested tasks; 1 rows of 1 other tasks skipped; "
        "7 programs run again (no statuses in the file), 0 of them gave other outputs"
    ) in result.output
    assert soar("relabel", run_dir, "--out", tmp_path / "r.jsonl").exit_code == 0
    same = [(r["task_id"], r["messages"]) for r in records(tmp_path / "r.jsonl")]
    assert [(r["task_id"], r["messages"]) for r in records(out)] == same


def test_parquet_without_tasks_is_one_error_line(run_dir, tmp_path):
    soar("export", run_dir, tmp_path / "p.parquet")
    result = soar("relabel", tmp_path / "p.parquet", "--out", tmp_path / "d.jsonl")
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"Error: {tmp_path / 'p.parquet'}: Parquet sources name no tasks (expected a run "
        "directory among the sources, or --tasks SPEC)"
    )


def test_improve_pools_data_from_a_parquet_source(run_dir, tmp_path, monkeypatch):
    import soar.training.dsl_train as dsl_train

    rows = released_rows(RunDir(run_dir), list(ANSWERS))
    source = write_released(tmp_path / "released.parquet", rows)
    trained: list[list[str]] = []
    real = dsl_train.train_dsl

    def recording(data, out, **options):
        trained.append(list(data))
        return real(data, out, **options)

    monkeypatch.setattr(dsl_train, "train_dsl", recording)
    out = tmp_path / "loop"
    result = soar(
        "improve",
        "--tasks",
        SPEC,
        "--base",
        "dsl",
        "--iterations",
        "1",
        "--agent",
        "sample",
        "--budget",
        "30",
        "--workers",
        "2",
        "--pool-from",
        source,
        "--out",
        out,
    )
    assert result.exit_code == 0, result.output
    pooled = records(out / "pool_from.jsonl")
    assert pooled and {r["run"] for r in pooled} == {str(source)}
    stats = json.loads((out / "pool_from.json").read_text())
    assert stats["sources"][str(source)]["run_again"] == 7
    assert trained == [[str(out / "pool_from.jsonl"), str(out / "iter0" / "data.jsonl")]]
    assert json.loads((out / "improve.json").read_text())["pool_from"] == [str(source)]


def test_improve_checks_its_pool_sources_before_writing(tmp_path):
    out = tmp_path / "loop"
    result = soar(
        "improve",
        "--tasks",
        SPEC,
        "--base",
        "dsl",
        "--pool-from",
        tmp_path / "nope.parquet",
        "--out",
        out,
    )
    assert result.exit_code == 2
    assert "nope.parquet: expected a run directory or Parquet files, found nothing" in result.output
    assert not out.exists()
