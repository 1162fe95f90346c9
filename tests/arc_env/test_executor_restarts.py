"""Workers that end — retiring themselves, dying, or judged late — charge only the program that ended
them; jobs they held but never ran are run again elsewhere, whatever order the parent sees things in.
"""

from __future__ import annotations

import subprocess
import threading
import time

import pytest
from soar.arc_env import Executor, Status
from soar.arc_env.executor import pool

ROTATE = "def transform(grid):\n    return [row[::-1] for row in grid[::-1]]\n"
RESTARTS = "import wave\n" + ROTATE  # right, but imports a module the workers did not preload


def _right(n: int) -> list[str]:
    return [ROTATE + f"# sample {i}\n" for i in range(n)]  # distinct jobs, all right


@pytest.fixture(autouse=True)
def send_ahead(monkeypatch):
    """A ready worker gets up to 8 queued jobs at once, whatever the time per job measured so far
    (the executor sends 2 to 32): which jobs a worker holds is then known in advance."""
    monkeypatch.setattr(pool, "MIN_IN_FLIGHT", 8)


@pytest.fixture
def held_at_exit(monkeypatch):
    """The jobs each worker still held when its exit was handled (the scenario under test)."""
    held: list[list[str]] = []
    retire = pool.Executor._retire

    def recording(self, worker):
        held.append([job.program for job in worker.inflight])
        retire(self, worker)

    monkeypatch.setattr(pool.Executor, "_retire", recording)
    return held


def _assert_all_right(task, results) -> None:
    for result in results:
        assert all(r.ok for r in result.train + result.test), [
            r.message for r in result.train + result.test
        ]
        assert result.all_train_correct and result.test_outputs == task.test_outputs


def test_jobs_queued_behind_a_restarting_program_are_not_charged(rotate_task, held_at_exit):
    """One ready worker gets the restarting program and, in the same pass, the jobs behind it; it
    reports the program's results, exits, and the parent must rerun the others, not judge them."""
    with Executor(workers=1, timeout=1.0) as ex:
        ex.run([(rotate_task, ROTATE)])  # the worker is ready: the next batch is sent ahead
        results = ex.run([(rotate_task, p) for p in [RESTARTS, *_right(3)]])
        assert ex.stats.worker_exits == {"imported wave": 1}
    _assert_all_right(rotate_task, results)
    assert held_at_exit and held_at_exit[0], "no job was queued behind the restarting program"


def test_a_worker_that_exited_before_the_parent_read_its_last_results(
    rotate_task, monkeypatch, held_at_exit
):
    """The parent reads nothing from a worker holding the restarting program until that worker
    has exited: its last results and the end of its pipe are then seen together."""
    receive = pool.Executor._receive

    def late(self, worker):
        if any(job.program == RESTARTS for job in worker.inflight):
            try:
                worker.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        return receive(self, worker)

    monkeypatch.setattr(pool.Executor, "_receive", late)
    with Executor(workers=1, timeout=1.0) as ex:
        ex.run([(rotate_task, ROTATE)])
        results = ex.run([(rotate_task, p) for p in [*_right(2), RESTARTS, *_right(3)]])
    _assert_all_right(rotate_task, results)
    assert held_at_exit and held_at_exit[0], held_at_exit


def test_many_restarting_programs_mixed_with_right_ones(rotate_task):
    """The issue's workload in small: two workers, every third program restarts its worker (it
    changes a module attribute, which the workers never learn to accept, unlike an import)."""
    restarts = "import json\njson.seen = True\n" + ROTATE
    programs = [restarts + f"# {i}\n" if i % 3 == 0 else ROTATE + f"# {i}\n" for i in range(30)]
    with Executor(workers=2, timeout=1.0) as ex:
        ex.run([(rotate_task, ROTATE)] * 2)
        results = ex.run([(rotate_task, p) for p in programs])
        assert ex.stats.worker_exits == {"changed json.seen": 10}
    _assert_all_right(rotate_task, results)


def test_a_program_that_ends_its_worker_is_charged_and_the_jobs_behind_it_are_not(
    rotate_task, held_at_exit
):
    ends = "import os\ndef transform(grid):\n    os._exit(0)\n"
    with Executor(workers=1, timeout=1.0) as ex:
        ex.run([(rotate_task, ROTATE)])
        first, killed, *rest = ex.run([(rotate_task, p) for p in [ROTATE, ends, *_right(3)]])
        inputs = len(rotate_task.train) + len(rotate_task.test)
        assert ex.stats.worker_exits == {"died": inputs}
    _assert_all_right(rotate_task, [first, *rest])
    assert killed.train[0].status is Status.ERROR
    assert "exit code 0" in killed.train[0].message
    # the job resumes on a fresh worker from the next input, which ends that worker too, and so on
    assert {r.status for r in killed.train + killed.test} == {Status.ERROR}
    assert ends in held_at_exit[0]


def test_results_the_parent_had_not_read_are_handled_before_a_deadline_kill(rotate_task):
    """The dispatcher is kept from reading past the hard deadline (a starved thread on a busy
    machine): the worker answered in time, so its results count and nothing is killed."""
    with Executor(workers=1, timeout=0.2) as ex:
        ex.run([(rotate_task, ROTATE)])
        real = ex._selector.select
        starve = threading.Event()

        def select(timeout=None):
            if starve.is_set() and any(w.inflight for w in ex._workers.values()):
                starve.clear()
                time.sleep(ex.kill_after + 0.5)
                return []  # as if the results had arrived just after this wait
            return real(timeout)

        ex._selector.select = select
        (worker,) = ex._workers.values()
        starve.set()
        result = ex.run([(rotate_task, ROTATE + "# late\n")])[0]
        assert not starve.is_set(), "the dispatcher never waited with a job in flight"
        assert not worker.timed_out, "a worker that answered in time was judged late"
        with pytest.raises(subprocess.TimeoutExpired):  # and it lives on
            worker.proc.wait(timeout=0.5)
        assert list(ex._workers.values()) == [worker] and ex.stats.timeouts == 0
    _assert_all_right(rotate_task, [result])
