"""The driver: overlap of generation and execution, batching, early stop, resume after a kill."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field

import pytest
from soar.agents import ScriptedPolicy
from soar.agents.runs.rundir import RunDir
from soar.agents.search import SearchAgent, make_agent, run_search, sample_request
from soar.arc_env import Executor

from .programs import MIRROR, MIX, ROTATE, RecordingPolicy

SLOW_SOURCE = """import time
_calls = []

def transform(grid):
    if not _calls:  # once per run of the program, whatever the number of inputs
        time.sleep(0.25)
    _calls.append(1)
    return grid
"""
SLOW_PROGRAM = f"```python\n{SLOW_SOURCE}```"


class RecordingExecutor:
    """An executor that keeps the futures of every program submitted to it."""

    def __init__(self, executor):
        self.executor = executor
        self.futures = []

    def submit_many(self, jobs):
        futures = self.executor.submit_many(jobs)
        self.futures.extend(futures)
        return futures

    def __getattr__(self, name):
        return getattr(self.executor, name)


@dataclass
class WatchingPolicy(ScriptedPolicy):
    """Notes, at each call, how many programs submitted so far are still executing."""

    executor: RecordingExecutor | None = None
    executing: list = field(default_factory=list)

    def generate(self, requests):
        self.executing.append(sum(not f.done() for f in self.executor.futures))
        return super().generate(requests)


def test_generation_overlaps_execution(search_tasks, tmp_path):
    # Each program sleeps a quarter of a second: a driver that waited for a batch's results
    # before generating the next would never find a program still running when it calls the
    # policy. (How much time the overlap saves is measured by bench/search.py, not here.)
    with Executor(workers=2, timeout=5) as executor:
        recording = RecordingExecutor(executor)
        policy = WatchingPolicy(answers=[SLOW_PROGRAM], executor=recording)
        agent = make_agent("sample", programs=3, width=1)
        run = RunDir.create(tmp_path / "run", {})
        nodes = run_search(search_tasks, agent, policy, recording, run, batch_size=2)
    assert all(len(task_nodes) == 3 and task_nodes[0].any_output for task_nodes in nodes.values())
    assert len(policy.executing) == len(search_tasks) * 3 // 2  # one call per batch of 2
    assert policy.executing[0] == 0
    # Batch 2 (the other two tasks) is generated while batch 1 runs; later batches wait for their
    # tasks' results first (one program per task at a time: width 1).
    assert max(policy.executing[1:]) > 0, policy.executing


def test_batches_go_round_robin_and_carry_only_public_tasks(search_tasks, executor, tmp_path):
    assert all(task.has_test_outputs for task in search_tasks)

    @dataclass
    class PublicOnly(RecordingPolicy):
        def generate(self, requests):
            assert all(p.output is None for r in requests for p in r.task.test)
            return super().generate(requests)

    policy = PublicOnly(answers=list(MIX))
    run = RunDir.create(tmp_path / "run", {})
    agent = make_agent("rex", programs=9, width=3)
    run_search(search_tasks, agent, policy, executor, run, batch_size=7)
    first, second = ({task_id for task_id, _, _ in call} for call in policy.calls[:2])
    assert len(first) == 3 and second | first == {t.id for t in search_tasks}  # 3 + 3 + 1 = 7
    assert all(sum(n for _, _, n in call) <= 7 for call in policy.calls)


def test_sample_stops_a_task_after_m_train_perfect_programs(search_tasks, executor, tmp_path):
    rotate, mirror = search_tasks[0], search_tasks[2]  # ROTATE is right on the first only
    seen = []
    agent = make_agent("sample", programs=20, width=2, stop_after=5)
    run = RunDir.create(tmp_path / "run", {})
    nodes = run_search(
        [rotate, mirror],
        agent,
        ScriptedPolicy(answers=[ROTATE]),
        executor,
        run,
        progress=seen.append,
    )
    assert len(nodes[rotate.id]) == 6  # three steps of two: 6 >= 5 right programs
    assert all(n.all_train_correct for n in nodes[rotate.id])
    assert len(nodes[mirror.id]) == 20 and not any(n.all_train_correct for n in nodes[mirror.id])
    last = seen[-1]
    assert (last.tasks, last.tasks_finished, last.tasks_solved) == (2, 2, 1)
    assert (last.programs, last.new_programs, last.programs_budget) == (26, 26, 40)
    assert last.programs_per_second > 0 and seen[0].programs == 0


def test_resume_after_a_torn_line_repairs_the_log(search_tasks, executor, tmp_path):
    task = search_tasks[2]
    agent = make_agent("sample-refine", programs=10, width=3)
    run = RunDir.create(tmp_path / "run", {})
    before = run_search([task], agent, ScriptedPolicy(answers=[MIRROR, *MIX]), executor, run)
    assert not run.node_path(task.id).exists()  # finished: the log is columnar
    path = run.node_path(task.id)
    lines = [json.dumps(n.to_json()).encode() + b"\n" for n in before[task.id]]
    run.table_path(task.id).unlink()
    path.write_bytes(b"".join(lines[:4]) + lines[4][:50])  # killed while writing node 4
    resumed = RunDir.open(tmp_path / "run")
    after = run_search([task], agent, ScriptedPolicy(answers=list(MIX)), executor, resumed)
    assert [n.node_id for n in after[task.id]] == list(range(10))
    assert [n.to_json() for n in after[task.id][:4]] == [n.to_json() for n in before[task.id][:4]]
    assert [n.node_id for n in resumed.read_nodes(task.id)] == list(range(10))
    assert not path.exists()
    table = resumed.table_path(task.id)
    written = table.stat().st_mtime_ns
    again = run_search([task], agent, ScriptedPolicy(answers=list(MIX)), executor, resumed)
    assert [n.to_json() for n in again[task.id]] == [n.to_json() for n in after[task.id]]
    assert table.stat().st_mtime_ns == written and not path.exists()  # finished: nothing more


KILLED_RUN = """
import sys, time
from soar.agents import ScriptedPolicy
from soar.agents.search import make_agent, run_search
from soar.arc_env import Executor, load_tasks
from soar.agents.runs.rundir import RunDir

class Slow(ScriptedPolicy):
    def generate(self, requests):
        time.sleep(0.05)
        return super().generate(requests)

answers = ["```python\\ndef transform(grid):\\n    return grid[::-1]\\n```", "no code"]
with Executor(workers=1) as executor:
    run_search(load_tasks("arc1/train:3c9b0459,67a3c6ac"), make_agent("rex", programs=30, width=2),
               Slow(answers=answers), executor, RunDir.create(sys.argv[1], {}), batch_size=2)
"""


def test_resume_after_sigkill_loses_and_duplicates_nothing(search_tasks, executor, tmp_path):
    path = tmp_path / "run"
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(KILLED_RUN), str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    logs = [path / "nodes" / f"{task_id}.jsonl" for task_id in ("3c9b0459", "67a3c6ac")]
    deadline = time.monotonic() + 60
    while sum(p.read_bytes().count(b"\n") for p in logs if p.exists()) < 8:
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline, "the run logged nothing within 60 s"
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    logged = sum(p.read_bytes().count(b"\n") for p in logs)
    assert 8 <= logged < 60, "expected a run killed midway"
    run = RunDir.open(path)
    tasks = [t for t in search_tasks if t.id in ("3c9b0459", "67a3c6ac")]
    nodes = run_search(
        tasks,
        make_agent("rex", programs=30, width=2),
        ScriptedPolicy(answers=list(MIX)),
        executor,
        run,
    )
    for task in tasks:
        assert [n.node_id for n in nodes[task.id]] == list(range(30))
        assert [n.node_id for n in RunDir.open(path).read_nodes(task.id)] == list(range(30))


class Greedy(SearchAgent):
    """Breaks the contract: asks for more than it may."""

    def requests(self, state, max_programs, rng):
        return [sample_request(state.task, self.remaining(state) + 1)]


class Mute(SearchAgent):
    """Breaks the contract: asks for nothing although unfinished."""

    def requests(self, state, max_programs, rng):
        return []


@pytest.mark.parametrize(
    ("agent", "message"),
    [
        (Greedy(programs=5), "asked for 6 programs, expected at most 5"),
        (Mute(), "asked for no program"),
    ],
)
def test_agents_breaking_the_contract_are_stopped(agent, message, search_tasks, executor, tmp_path):
    run = RunDir.create(tmp_path / "run", {})
    with pytest.raises(RuntimeError, match=message):
        run_search(search_tasks[:1], agent, ScriptedPolicy(answers=[ROTATE]), executor, run)


def test_bad_arguments_are_rejected(search_tasks, executor, tmp_path):
    run = RunDir.create(tmp_path / "run", {})
    agent, policy = make_agent("sample", programs=2), ScriptedPolicy(answers=[ROTATE])
    with pytest.raises(ValueError, match="batch_size: expected a number of programs >= 1, got 0"):
        run_search(search_tasks, agent, policy, executor, run, batch_size=0)
    with pytest.raises(ValueError, match="expected distinct task ids"):
        run_search(search_tasks[:1] * 2, agent, policy, executor, run)


def test_max_tasks_searches_a_few_tasks_at_a_time_and_lets_finished_ones_go(
    search_tasks, executor, tmp_path
):
    agent = make_agent("sample-refine", programs=12, width=3)
    policy = RecordingPolicy(answers=list(MIX))
    run = RunDir.create(tmp_path / "run", {})
    nodes = run_search(
        search_tasks, agent, policy, executor, run, batch_size=4, max_tasks=2, keep_nodes=False
    )
    assert all(found == [] for found in nodes.values())  # let go: the logs have them
    for task in search_tasks:
        assert [n.node_id for n in run.read_nodes(task.id)] == list(range(12))
    # Tasks start in order, and never more than two are unfinished and searched at once.
    order = [task.id for task in search_tasks]
    started: list[str] = []
    for call in policy.calls:
        started += [tid for tid, _, _ in call if tid not in started]
    assert started == order
    first = {
        tid: min(k for k, c in enumerate(policy.calls) if tid in {r[0] for r in c}) for tid in order
    }
    last = {
        tid: max(k for k, c in enumerate(policy.calls) if tid in {r[0] for r in c}) for tid in order
    }
    for k in range(len(policy.calls)):
        assert sum(first[t] <= k <= last[t] for t in order) <= 2, k
    assert first[order[2]] > min(last[order[0]], last[order[1]])
    # The policy hears of the tasks to come, in order, unfinished ones first, with the budget.
    assert policy.prepared[0] == (order, 12)
    for (ids, budget), later in zip(policy.prepared, policy.prepared[1:], strict=False):
        assert budget == 12 and later[0] == [t for t in ids if t in later[0]]  # order kept
    asked_after = {
        t: max(k for k, (ids, _) in enumerate(policy.prepared) if t in ids) for t in order
    }
    assert asked_after[order[0]] < asked_after[order[3]]  # finished tasks drop out
    assert policy.prepared[-1][0] == []

    # The same run resumed from a partial log ends with the same nodes.
    logged = {task.id: [n.to_json() for n in run.read_nodes(task.id)] for task in search_tasks}
    again = RunDir.create(tmp_path / "again", {})
    with pytest.raises(ValueError, match="max_tasks"):
        run_search(search_tasks, agent, policy, executor, again, max_tasks=0)
    for some in (search_tasks[:2], search_tasks):  # stopped after two tasks, then resumed
        policy = RecordingPolicy(answers=list(MIX))
        run_search(some, agent, policy, executor, again, batch_size=4, max_tasks=2)
    for task in search_tasks:
        got = [n.to_json() for n in again.read_nodes(task.id)]
        assert [(g["program"], g["kind"], g["parent_id"]) for g in got] == [
            (f["program"], f["kind"], f["parent_id"]) for f in logged[task.id]
        ]
