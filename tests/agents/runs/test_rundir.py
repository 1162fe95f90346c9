"""Run logs in both forms: JSONL while a task runs, Parquet once it is finished, and the switch
between them, killed (SIGKILL, a real subprocess) at every step."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from soar.agents.runs.node_table import GRIDS, SCHEMA, SOAR_COLUMNS, nodes_to_table, table_to_nodes
from soar.agents.runs.rundir import RunDir, RunDirError
from soar.agents.search import make_agent, run_search
from soar.agents.search.node import Node
from soar.arc_env import InputResult, Status, load_tasks

from tests.agents.search.programs import MIX, RecordingPolicy

TASKS = "arc1/train:3c9b0459,67a3c6ac"


@pytest.fixture(scope="module")
def tasks():
    return load_tasks(TASKS)


@pytest.fixture(scope="module")
def searched(tasks, executor, tmp_path_factory):
    """A finished run of real programs (right, wrong, crashing, invalid; samples and
    refinements) and the nodes the search returned."""
    run = RunDir.create(tmp_path_factory.mktemp("run") / "run", {"tasks": TASKS})
    agent = make_agent("sample-refine", programs=12, width=3)
    nodes = run_search(tasks, agent, RecordingPolicy(answers=list(MIX)), executor, run)
    return run, nodes


def as_json(nodes: list[Node]) -> list[dict]:
    return [node.to_json() for node in nodes]


def shape(nodes: list[Node]) -> list[tuple]:
    """What a node is, without timings (which differ between two runs of the same search)."""
    return [
        (n.node_id, n.kind, n.parent_id, n.program, n.train_correct, n.to_json()["train"])
        for n in nodes
    ]


def write_jsonl(run: RunDir, task_id: str, nodes: list[Node]) -> None:
    run.node_path(task_id).write_text(
        "".join(json.dumps(n.to_json(), separators=(",", ":")) + "\n" for n in nodes)
    )


def test_a_finished_task_is_one_parquet_table_that_reads_back_the_same_nodes(searched):
    run, nodes = searched
    for task_id, found in nodes.items():
        assert not run.node_path(task_id).exists()
        table = pq.read_table(run.table_path(task_id))
        assert table.schema.names == SCHEMA.names
        assert table.column_names[:7] == list(SOAR_COLUMNS)
        assert table.schema.field("predicted_train_output").type == GRIDS
        assert table.num_rows == len(found)
        assert as_json(run.read_nodes(task_id)) == as_json(found)
    kinds = {
        (n.kind, n.valid, n.train[0].status if n.train else None) for v in nodes.values() for n in v
    }
    assert ("refine", True, Status.OK) in kinds and ("sample", False, None) in kinds
    assert any(
        r.status is Status.ERROR and r.message for v in nodes.values() for n in v for r in n.train
    )
    assert run.task_ids() == sorted(nodes)


def test_columns_hold_what_the_released_dataset_holds(searched, tasks):
    run, nodes = searched
    task = tasks[0]
    rows = pq.read_table(run.table_path(task.id)).to_pylist()
    for row, node in zip(rows, nodes[task.id], strict=True):
        assert row["task_id"] == task.id and row["code"] == node.program
        assert row["model"] == node.policy_id == "scripted"
        want = [None if r.output is None else [list(x) for x in r.output] for r in node.train]
        assert row["predicted_train_output"] == want
        assert row["correct_train_input"] == list(node.train_correct)
        assert row["correct_test_input"] is None  # a search never sees test outputs
        assert row["train_status"] == [r.status.value for r in node.train]
        assert row["completion"] != row["code"]  # stored only where it differs, here always


def test_jsonl_stores_the_program_once_and_reads_logs_that_stored_it_twice(tmp_path, searched):
    _, nodes = searched
    node = next(n for v in nodes.values() for n in v if n.valid)
    same = Node(
        **{**{f: getattr(node, f) for f in Node.__dataclass_fields__}, "completion": node.program}
    )
    assert "completion" not in same.to_json() and "completion" in node.to_json()
    run = RunDir.create(tmp_path / "run", {})
    run.append_nodes(node.task_id, [same])
    assert run.read_nodes(node.task_id)[0].completion == node.program
    old = same.to_json() | {"completion": node.program}  # as logs before this change
    run.node_path(node.task_id).write_text(json.dumps(old) + "\n")
    assert run.read_nodes(node.task_id)[0].to_json() == same.to_json()
    not_kept = Node(
        **{**{f: getattr(node, f) for f in Node.__dataclass_fields__}, "completion": None}
    )
    run.node_path(node.task_id).write_text(json.dumps(not_kept.to_json()) + "\n")
    assert run.read_nodes(node.task_id)[0].completion is None


def test_a_task_killed_after_the_rename_is_read_once_and_resumes_cleanly(searched, tmp_path):
    run, nodes = searched
    task_id = sorted(nodes)[0]
    copy = RunDir.create(tmp_path / "run", {})
    copy.table_path(task_id).write_bytes(run.table_path(task_id).read_bytes())
    write_jsonl(copy, task_id, nodes[task_id])  # both present: killed before the JSONL went
    copy.path.joinpath("nodes", f"{task_id}.parquet.tmp").write_bytes(b"PAR1 torn")
    assert as_json(copy.read_nodes(task_id)) == as_json(nodes[task_id])
    assert copy.task_ids() == [task_id]
    assert as_json(copy.read_nodes(task_id, repair=True)) == as_json(nodes[task_id])
    assert sorted(p.name for p in (copy.path / "nodes").iterdir()) == [f"{task_id}.parquet"]


def test_a_continued_task_keeps_its_table_and_appends_after_it(searched, tmp_path):
    run, nodes = searched
    task_id = sorted(nodes)[1]
    first, later = nodes[task_id][:7], nodes[task_id][7:]
    copy = RunDir.create(tmp_path / "run", {})
    copy.append_nodes(task_id, first)
    assert copy.finish_task(task_id, first) and not copy.finish_task(task_id, first)
    copy.append_nodes(task_id, later)  # a larger budget: the task goes on
    assert as_json(copy.read_nodes(task_id)) == as_json(nodes[task_id])
    assert copy.finish_task(task_id, nodes[task_id])
    assert not copy.node_path(task_id).exists()
    assert as_json(copy.read_nodes(task_id)) == as_json(nodes[task_id])


def test_nodes_that_do_not_match_the_log_are_not_trusted(searched, tmp_path):
    run, nodes = searched
    task_id = sorted(nodes)[0]
    copy = RunDir.create(tmp_path / "run", {})
    copy.append_nodes(task_id, nodes[task_id])
    copy.finish_task(task_id, nodes[task_id][:3])  # fewer than logged: read from the log
    assert as_json(copy.read_nodes(task_id)) == as_json(nodes[task_id])


def test_a_corrupt_table_is_a_clear_error(tmp_path):
    run = RunDir.create(tmp_path / "run", {})
    run.table_path("abc").write_bytes(b"not parquet")
    with pytest.raises(RunDirError, match=r"abc\.parquet: expected a Parquet node table"):
        run.read_nodes("abc")
    pq.write_table(pa.table({"task_id": ["abc"]}), run.table_path("abc"))
    with pytest.raises(RunDirError, match="expected the columns code, predicted_train_output"):
        run.read_nodes("abc")


def test_tables_reject_outputs_that_are_not_grids():
    bad = nodes_to_table(
        [
            Node(
                "t",
                0,
                None,
                "sample",
                "p",
                "x",
                train=(InputResult(Status.OK, ((1, 2),)),),
                train_correct=(False,),
            )
        ]
    )
    for value in ([[1, 2], [3]], [[1, 12]], [], [[1] * 31]):
        column = pa.array([[value]], type=GRIDS)
        table = bad.set_column(2, "predicted_train_output", column)
        with pytest.raises(ValueError, match="status ok is not an ARC grid"):
            table_to_nodes(table)
    assert table_to_nodes(bad)[0].train[0].output == ((1, 2),)


def test_equal_outputs_read_back_as_one_object(searched):
    run, nodes = searched
    read = [n for task_id in nodes for n in run.read_nodes(task_id)]
    outputs = [r.output for n in read for r in n.train + n.test if r.output is not None]
    assert len({id(o) for o in outputs}) == len(set(outputs))


KILLED = """
import os, pathlib, sys, time
import soar.agents.runs.rundir as rundir
from soar.agents.search import make_agent, run_search
from soar.arc_env import Executor, load_tasks
from tests.agents.search.programs import MIX, RecordingPolicy

path, stage, marker = sys.argv[1:4]

def pause():
    pathlib.Path(marker).touch()
    time.sleep(600)

class Os:  # os, pausing before the table is renamed into place
    def __getattr__(self, name):
        return getattr(os, name)

    def replace(self, src, dst):
        if stage == "written" and str(dst).endswith(".parquet"):
            pause()
        return os.replace(src, dst)

unlink = pathlib.Path.unlink

def pausing_unlink(self, missing_ok=False):  # pausing before the JSONL log is removed
    if stage == "renamed" and self.suffix == ".jsonl":
        pause()
    return unlink(self, missing_ok=missing_ok)

rundir.os = Os()
pathlib.Path.unlink = pausing_unlink
with Executor(workers=1) as executor:
    run_search(load_tasks(sys.argv[4]), make_agent("sample-refine", programs=12, width=3),
               RecordingPolicy(answers=list(MIX)), executor, rundir.RunDir.create(path, {}))
"""


@pytest.mark.parametrize("stage", ["written", "renamed"])
def test_sigkill_during_the_switch_loses_and_duplicates_nothing(
    stage, searched, tasks, executor, tmp_path
):
    path, marker = tmp_path / "run", tmp_path / "paused"
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(KILLED), str(path), stage, str(marker), TASKS],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__)))),
    )
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline, "no task finished within 120 s"
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    names = {p.name for p in (path / "nodes").iterdir()}
    paused = next(
        t.id
        for t in tasks
        if f"{t.id}.jsonl" in names
        and (f"{t.id}.parquet.tmp" in names if stage == "written" else f"{t.id}.parquet" in names)
    )
    run = RunDir.open(path)
    _, expected = searched
    assert shape(run.read_nodes(paused)) == shape(expected[paused])  # every node, once
    before = {task.id: shape(run.read_nodes(task.id)) for task in tasks}
    resumed = run_search(
        tasks,
        make_agent("sample-refine", programs=12, width=3),
        RecordingPolicy(answers=list(MIX)),
        executor,
        run,
    )
    for task in tasks:
        logged = shape(RunDir.open(path).read_nodes(task.id))
        assert [row[0] for row in logged] == list(range(12))
        assert logged[: len(before[task.id])] == before[task.id]
        assert shape(resumed[task.id]) == logged
    assert sorted(p.name for p in (path / "nodes").iterdir()) == sorted(
        f"{t.id}.parquet" for t in tasks
    )
