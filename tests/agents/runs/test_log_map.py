"""``map_logs``: a function over every task's log, in worker processes or here, same results; and
the lighter read without train outputs (``train_outputs=False``), for readers that need only
correctness and test outputs."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from soar.agents.runs.log_map import map_logs
from soar.agents.runs.rundir import RunDir
from soar.agents.runs.scoring import vote_and_score
from soar.agents.search import make_agent, run_search
from soar.arc_env import Executor, load_tasks

from tests.agents.search.programs import MIX, RecordingPolicy

SPEC = "arc1/train:3c9b0459,67a3c6ac,6150a2bd,68b16354"


@pytest.fixture(scope="module")
def tasks():
    return load_tasks(SPEC)


@pytest.fixture(scope="module")
def run(tasks, tmp_path_factory):
    run = RunDir.create(tmp_path_factory.mktemp("map") / "run", {"tasks": SPEC})
    agent = make_agent("sample-refine", programs=10, width=3)
    with Executor(workers=1) as executor:  # closed after: no thread left, workers can fork
        run_search(tasks, agent, RecordingPolicy(answers=list(MIX)), executor, run)
    nodes = run.read_nodes(tasks[3].id)  # one task in progress: its JSONL log only
    run.table_path(tasks[3].id).unlink()
    run.append_nodes(tasks[3].id, nodes)
    return run


def summary(task, nodes):
    return task.id, [(n.node_id, n.program, n.to_json()["train"]) for n in nodes]


def test_worker_processes_give_the_same_results_in_task_order(run, tasks):
    here = list(map_logs(run, tasks, summary, processes=1))
    forked = list(map_logs(run, tasks, summary, processes=2))
    assert forked == here
    assert [task_id for task_id, _ in here] == [t.id for t in tasks]
    assert all(len(found) == 10 for _, found in here)


def test_votes_are_the_same_in_worker_processes(run, tasks):
    vote = functools.partial(vote_and_score, weighting="soar", budgets=None)
    here = [r.row for r in map_logs(run, tasks, vote, processes=1)]
    assert [r.row for r in map_logs(run, tasks, vote, processes=2)] == here
    full = [r.row for r in map_logs(run, tasks, vote, processes=1)]
    assert full == here  # voting needs no train outputs


def test_errors_in_workers_reach_the_caller(run, tasks, tmp_path):
    broken = RunDir.create(tmp_path / "run", {})
    for task in tasks:
        broken.node_path(task.id).write_text("not json\n{}\n")
    with pytest.raises(ValueError, match="line 1 is not a node record"):
        list(map_logs(broken, tasks, summary, processes=2))


@pytest.mark.parametrize("form", ["parquet", "jsonl"])
def test_reading_without_train_outputs_keeps_what_voting_needs(run, tasks, form):
    task = tasks[0] if form == "parquet" else tasks[3]
    full = run.read_nodes(task.id)
    light = run.read_nodes(task.id, train_outputs=False)
    assert all(n.train == () for n in light)
    assert [n.train_correct for n in light] == [n.train_correct for n in full]
    assert [n.train_accuracy for n in light] == [n.train_accuracy for n in full]
    assert [n.test for n in light] == [n.test for n in full]
    assert [n.program for n in light] == [n.program for n in full]


FORKED = """
import os, sys
from soar.agents.runs.log_map import map_logs
from soar.agents.runs.rundir import RunDir
from soar.arc_env import load_tasks
from tests.agents.runs.test_log_map import _pid

pids = set(map_logs(RunDir(sys.argv[1]), load_tasks(sys.argv[2]), _pid, processes=2))
print(os.getpid() in pids, len(pids))
"""


def test_the_workers_are_other_processes(run):
    # A fresh process (this one may hold other tests' threads, with which nothing is forked).
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run(
        [sys.executable, "-c", FORKED, str(run.path), SPEC],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split()[0] == "False"  # every task ran in a worker


def test_with_another_thread_running_everything_runs_here(run, tasks):
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert set(map_logs(run, tasks, _pid, processes=2)) == {os.getpid()}
    finally:
        stop.set()
        thread.join()


def _pid(task, nodes):
    return os.getpid()
