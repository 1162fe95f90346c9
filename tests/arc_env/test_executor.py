"""The executor on ordinary programs: statuses, outputs, correctness, the batch and future APIs."""

from __future__ import annotations

import signal
import sys
import time
from types import SimpleNamespace

import pytest
from soar.arc_env import Executor, ExecutorError, Status, Task
from soar.arc_env.executor import pool
from soar.arc_env.task import Pair

ROTATE = "def transform(grid):\n    return [row[::-1] for row in grid[::-1]]\n"


def test_right_program_is_right_on_every_pair(executor, rotate_task):
    result = executor.run([(rotate_task, ROTATE)])[0]
    assert result.task_id == "3c9b0459"
    assert result.train_correct == (True,) * len(rotate_task.train)
    assert result.train_accuracy == 1.0 and result.all_train_correct
    assert result.test_outputs == rotate_task.test_outputs
    assert all(r.status is Status.OK and r.message == "" for r in result.train + result.test)


def test_wrong_program_has_partial_accuracy(executor, arc1_train):
    # 3c9b0459 rotates; flipping rows only is right exactly where the grid is symmetric.
    task = arc1_train["3c9b0459"]
    flip = "def transform(grid):\n    return grid[::-1]\n"
    result = executor.run([(task, flip)])[0]
    expected = tuple(p.input[::-1] == p.output for p in task.train)
    assert result.train_correct == expected
    assert result.train_accuracy == sum(expected) / len(expected)
    assert all(r.ok for r in result.train)


def test_outputs_are_plain_immutable_data(executor, rotate_task):
    program = "import numpy as np\ndef transform(grid):\n    return np.rot90(np.array(grid), 2)\n"
    result = executor.run([(rotate_task, program)])[0]
    assert result.all_train_correct
    grid = result.test[0].output
    assert type(grid) is tuple and all(type(row) is tuple for row in grid)
    assert all(type(cell) is int for row in grid for cell in row)


@pytest.mark.parametrize(
    "body",
    [
        "return [row[::-1] for row in grid[::-1]]",
        "return tuple(tuple(row[::-1]) for row in grid[::-1])",
        "import numpy as np\n    return np.rot90(np.array(grid), 2).astype(np.int64)",
        "import numpy as np\n    return np.rot90(np.array(grid, dtype=float), 2)",  # whole floats
        "import numpy as np\n    return [np.array(row[::-1]) for row in grid[::-1]]",
        "return [[float(v) for v in row[::-1]] for row in grid[::-1]]",
        "import numpy as np\n    return np.rot90(np.array(grid, dtype=np.uint8), 2)",
        "import numpy as np\n    return np.rot90(np.array(grid).T, 2).T",  # a strided view
        "import numpy as np\n    return np.asfortranarray(np.rot90(np.array(grid), 2))",
    ],
)
def test_accepted_output_forms(executor, rotate_task, body):
    result = executor.run([(rotate_task, f"def transform(grid):\n    {body}\n")])[0]
    assert result.all_train_correct, [r.message for r in result.train]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("return None", "got NoneType"),
        ("return [[1, 2], [3]]", "row 2 has 1 cells, expected 2"),
        ("return [[1, 10]]", "expected colours 0..9, got 10"),
        ("return [[-1]]", "got -1"),
        ("return [[0] * 31]", "expected 1..30 columns, got 31"),
        ("return []", "expected 1..30 rows, got 0"),
        ("return [[0.5]]", "expected integer cells, got float"),
        (
            "import numpy as np\n    return np.zeros((2, 2, 2), dtype=int)",
            "2-D grid, got a 3-D array",
        ),
        ("import numpy as np\n    return np.full((2, 2), 0.5)", "fractional"),
        ("import numpy as np\n    return np.full((2, 2), np.nan)", "non-finite"),
        (
            "import numpy as np\n    return np.array([[1, 2], [3, 12]])",
            "row 2: expected colours 0..9, got 12",
        ),
        ("import numpy as np\n    return np.array([[-3]], dtype=np.int8)", "got -3"),
        (
            "import numpy as np\n    return np.zeros((31, 2), dtype=int)",
            "expected 1..30 rows, got 31",
        ),
        (
            "import numpy as np\n    return np.zeros((2, 0), dtype=int)",
            "expected 1..30 columns, got 0",
        ),
        ("import numpy as np\n    return np.array([['a']])", "got an array of dtype <U1"),
        ("return [['a']]", "got str"),
        ("return 'grid'", "got str"),
    ],
)
def test_invalid_outputs(executor, rotate_task, body, expected):
    result = executor.run([(rotate_task, f"def transform(grid):\n    {body}\n")])[0]
    for r in result.train + result.test:
        assert r.status is Status.INVALID_OUTPUT and r.output is None
        assert expected in r.message


class _Index(int):
    """An int whose ``__index__`` must never run in the worker's own checks."""

    def __index__(self):
        raise AssertionError("a returned object's method was called")


@pytest.mark.parametrize(
    "value",
    [
        [[1, 2], [3, 4]],
        [[0] * 30] * 30,
        [[9]],
        [[1, True], [0, False]],  # bools count as 0/1, by the general rules
        [[1, 2], [3]],
        [[1, 10]],
        [[-1]],
        [[300]],
        [[2**70]],
        [[0] * 31],
        [[0]] * 31,
        [],
        [[]],
        [[0.0, 1.0]],
        [[0.5]],
        [[1], (2,)],
        [(1, 2), (3, 4)],
        [[_Index(1)]],
        [["1"]],
    ],
)
def test_packing_a_list_output_follows_the_general_rules(value):
    """The one-pass path for lists of int lists gives what the general check and packing give."""
    from soar.arc_env.executor._worker import pack_grid, packed_output, to_plain_grid

    grid, why = to_plain_grid(value)
    assert packed_output(value) == ((pack_grid(grid), "") if grid is not None else (None, why))


def test_module_constants_helpers_and_usual_imports(executor, rotate_task):
    program = """
import math, itertools, functools, collections, copy, re, typing
from typing import List
import numpy as np
from scipy import ndimage

TURNS = 2

def turn(a: np.ndarray, k: int) -> np.ndarray:
    return np.rot90(a, k)

def transform(grid: List[List[int]]) -> List[List[int]]:
    labels, n = ndimage.label(np.array(grid) > 0)
    assert math.isfinite(n) and collections.Counter([1]) and copy.deepcopy(grid) == grid
    return turn(np.array(grid), TURNS).tolist()
"""
    result = executor.run([(rotate_task, program)])[0]
    assert result.all_train_correct, [r.message for r in result.train]


def test_program_errors_name_the_exception_and_line(executor, rotate_task):
    program = "def transform(grid):\n    x = 1\n    return grid[100][0]\n"
    result = executor.run([(rotate_task, program)])[0]
    for r in result.train + result.test:
        assert r.status is Status.ERROR
        assert r.message == "IndexError: list index out of range (line 3)"


def test_syntax_error_and_missing_transform(executor, rotate_task):
    bad, missing = executor.run(
        [(rotate_task, "def transform(grid)\n    return grid\n"), (rotate_task, "x = 1\n")]
    )
    assert all(r.status is Status.ERROR for r in bad.train + bad.test)
    assert bad.train[0].message.startswith("SyntaxError") and "(line 1)" in bad.train[0].message
    assert missing.train[0].message == "the program defines no function `transform(grid)`"
    assert missing.train_accuracy == 0.0


def test_main_block_does_not_run(executor, rotate_task):
    program = ROTATE + "\nif __name__ == '__main__':\n    raise SystemExit('ran main')\n"
    assert executor.run([(rotate_task, program)])[0].all_train_correct


def test_each_input_gets_a_fresh_copy(executor, rotate_task):
    program = (
        "SEEN = []\n"
        "def transform(grid):\n"
        "    SEEN.append(grid)\n"
        "    out = [row[::-1] for row in grid[::-1]]\n"
        "    grid[0][0] = 9\n"  # mutating the input must not leak into the comparison
        "    return out\n"
    )
    assert executor.run([(rotate_task, program)])[0].all_train_correct


def test_timeout_is_per_input_and_the_rest_still_runs(executor, arc1_train):
    task = arc1_train["3c9b0459"]
    slow_on = task.train[1].input
    program = (
        f"SLOW = {[list(r) for r in slow_on]!r}\n"
        "def transform(grid):\n"
        "    if grid == SLOW:\n"
        "        while True:\n"
        "            pass\n"
        "    return [row[::-1] for row in grid[::-1]]\n"
    )
    result = executor.run([(task, program)])[0]
    statuses = [r.status for r in result.train]
    assert statuses[1] is Status.TIMEOUT
    assert all(s is Status.OK for i, s in enumerate(statuses) if i != 1)
    assert result.train_correct[0] and not result.train_correct[1]
    assert result.test[0].ok
    assert 0.4 < result.train[1].seconds < 2.0


def test_a_timer_left_running_after_a_program_is_harmless(rotate_task):
    """Workers stop a program's time without stopping the timer; when it fires later (the worker
    idle or between programs) nothing happens, and the next program gets its full time."""
    slow_second = (
        "import time\nSEEN = []\n"
        "def transform(grid):\n"
        "    SEEN.append(1)\n"
        "    if len(SEEN) == 2:\n"
        "        time.sleep(0.2)\n"
        "    return [row[::-1] for row in grid[::-1]]\n"
    )
    with Executor(workers=1, timeout=0.3) as ex:
        first = ex.run([(rotate_task, ROTATE)])[0]
        time.sleep(0.5)  # the timer of its last input fires while the worker waits
        later = ex.run([(rotate_task, slow_second), (rotate_task, ROTATE + "# again\n")])
        assert ex.stats.worker_starts == 1 and not ex.stats.worker_exits
    assert first.all_train_correct and all(r.all_train_correct for r in later)
    assert all(r.ok for r in later[0].train + later[0].test)


def test_every_input_gets_the_whole_timeout(rotate_task):
    """The timer is set once per program; inputs after the first still get their full time (here
    each takes 60 % of it, all of them together three times the timeout)."""
    program = (
        "import time\n"
        "def transform(grid):\n"
        "    time.sleep(0.24)\n"
        "    return [row[::-1] for row in grid[::-1]]\n"
    )
    with Executor(workers=1, timeout=0.4) as ex:
        result = ex.run([(rotate_task, program)])[0]
    assert len(rotate_task.train) + len(rotate_task.test) >= 5
    assert all(r.ok for r in result.train + result.test), [r.message for r in result.train]


def test_programs_that_could_change_state_but_did_not_keep_their_worker(rotate_task):
    """Programs naming ``sys`` or ``setattr`` get the full state comparison after they run; the
    worker's own bookkeeping between inputs (its clock, caches) must not count as a change."""
    programs = [
        "import sys\ndef transform(grid):\n    return [row[::-1] for row in grid[::-1]]\n",
        "def transform(grid):\n    assert callable(setattr)\n    return [r[::-1] for r in grid[::-1]]\n",
        "import sys\ndef transform(grid):\n    sys.exit(3)\n",
    ]
    with Executor(workers=1, timeout=1.0) as ex:
        results = ex.run([(rotate_task, p) for p in programs * 3])
        assert not ex.stats.worker_exits and ex.stats.worker_starts == 1
    assert all(r.all_train_correct for r in results[:2] + results[3:5] + results[6:8])


def test_randomness_is_reproducible_across_runs(executor, rotate_task):
    program = (
        "import random\nimport numpy as np\n"
        "def transform(grid):\n"
        "    return [[random.randrange(10), int(np.random.randint(10))]]\n"
    )
    first = executor.run([(rotate_task, program)] * 4)
    assert len({r.train_outputs for r in first}) == 1


def test_futures_stream_and_run_preserves_order(executor, arc1_train):
    tasks = list(arc1_train.values())[:12]
    jobs = [
        (t, ROTATE if i % 2 else "def transform(g):\n    return g\n") for i, t in enumerate(tasks)
    ]
    futures = executor.submit_many(jobs)
    results = [f.result(timeout=60) for f in futures]
    assert [r.task_id for r in results] == [t.id for t in tasks]
    assert [r.program for r in results] == [p for _, p in jobs]
    single = executor.submit(tasks[0], ROTATE).result(timeout=60)
    assert single.task_id == tasks[0].id


def test_executor_never_sees_test_outputs(executor, rotate_task):
    result = executor.run([(rotate_task.public(), ROTATE)])[0]
    assert result.test_outputs == rotate_task.test_outputs  # the program's own outputs


def test_synthetic_task_and_closed_executor():
    task = Task("tiny", (Pair(((1, 2),), ((2, 1),)),), (Pair(((3, 4),)),))
    ex = Executor(workers=1, timeout=0.5)
    result = ex.run([(task, "def transform(g):\n    return [r[::-1] for r in g]\n")])[0]
    assert result.all_train_correct and result.test_outputs == (((4, 3),),)
    ex.close()
    ex.close()  # idempotent
    with pytest.raises(ExecutorError, match="closed"):
        ex.submit(task, "def transform(g):\n    return g\n")


def test_workers_that_cannot_start_fail_every_waiting_call(rotate_task, tmp_path, monkeypatch):
    """A worker reporting it cannot start (a preloaded module exits) fails run() and futures alike
    with the reason, instead of leaving them waiting."""
    exits_later = (
        "import time\ntime.sleep(0.5)  # the calls below wait by then\nraise SystemExit(3)\n"
    )
    (tmp_path / "arc_test_exits_on_import.py").write_text(exits_later)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))  # workers inherit the environment
    with Executor(workers=1, preload=("arc_test_exits_on_import",)) as ex:
        future = ex.submit(rotate_task, ROTATE)
        with pytest.raises(ExecutorError, match="failed to start: SystemExit: 3"):
            ex.run([(rotate_task, ROTATE)] * 3)
        with pytest.raises(ExecutorError, match="failed to start"):
            future.result(timeout=60)


def test_settings_are_validated():
    with pytest.raises(ValueError, match="workers: expected at least 1, got 0"):
        Executor(workers=0)
    with pytest.raises(ValueError, match="timeout"):
        Executor(timeout=0)
    with pytest.raises(ValueError, match="memory_mb"):
        Executor(memory_mb=1)


def test_non_string_program_is_rejected(executor, rotate_task):
    with pytest.raises(TypeError, match="expected source code as str, got bytes"):
        executor.submit(rotate_task, b"def transform(g): return g")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel sandbox is Linux-only")
def test_isolation_reports_the_active_layers(executor):
    layers = executor.isolation
    assert {"rlimits", "memory", "seccomp", "landlock-fs"} <= set(layers["active"])


def test_worker_input_cache_starts_afresh_when_full(arc1_train, monkeypatch):
    from soar.arc_env.executor import pool

    monkeypatch.setattr(pool, "_WORKER_INPUT_CACHE", 2)
    tasks = list(arc1_train.values())[:5]
    identity = "def transform(grid):\n    return grid\n"
    with Executor(workers=1, timeout=1.0) as ex:
        for _ in range(2):  # the second round needs tasks the worker was told to forget
            for result, task in zip(ex.run([(t, identity) for t in tasks]), tasks, strict=True):
                assert result.train_outputs == task.train_inputs


def test_grid_cache_shares_repeated_outputs_and_rejects_malformed_ones():
    from soar.arc_env.executor.pool import _GridCache

    cache = _GridCache(max_entries=3)
    first = cache.parse([2, 3, "012012"])
    assert first == ((0, 1, 2), (0, 1, 2))
    assert first[0] is first[1]  # equal rows are one tuple
    assert cache.parse([2, 3, "012012"]) is first  # a repeated output is the same grid
    for bad in (
        [2, 3, "01201"],
        [1, 2, "0a"],
        [1, 1, "\u0661"],
        [0, 0, ""],
        [1, 31, "0" * 31],
        ["1", 1, "0"],
        [1, [1], "0"],
        [1, 1],
        "0",
    ):
        assert cache.parse(bad) is None, bad
    for n in range(5):  # the tables start afresh when full and keep working
        assert cache.parse([1, 1, str(n)]) == ((n,),)
    assert len(cache.grids) <= 3 and len(cache.rows) <= 3


def test_identical_outputs_of_different_programs_share_one_grid(executor, rotate_task):
    a, b = executor.run(
        [
            (rotate_task, "def transform(grid):\n    return [[1, 2], [3, 4]]\n"),
            (
                rotate_task,
                "import numpy as np\ndef transform(grid):\n    return np.array([[1, 2], [3, 4]])\n",
            ),
        ]
    )
    assert a.train[0].output == ((1, 2), (3, 4))
    assert a.train[0].output is b.train[0].output is b.test[0].output


def test_directories_of_dead_executors_are_removed(tmp_path):
    import os
    import subprocess

    from soar.arc_env.executor.pool import TMP_PREFIX, remove_stale_dirs

    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f"{TMP_PREFIX}{dead.pid}-abc"
    (stale / "sub").mkdir(parents=True)
    (stale / "sub" / "left.txt").write_text("x")
    mine = tmp_path / f"{TMP_PREFIX}{os.getpid()}-def"
    mine.mkdir()
    other = tmp_path / f"{TMP_PREFIX}xyz"  # not ours: no pid in the name
    other.mkdir()
    assert remove_stale_dirs(str(tmp_path)) == 1
    assert not stale.exists() and mine.exists() and other.exists()


def test_a_preloaded_modules_program_loader_is_asked_first(monkeypatch):
    """``__arc_program_loader__`` callables (collected at preload) answer the sources they know;
    one returning None or raising leaves the program to the compiler."""
    from soar.arc_env.executor import _worker

    def broken(source):
        raise RuntimeError("a loader bug must not fail the program")

    def doubler(source):
        return (lambda grid: [[2 * v for v in row] for row in grid]) if source == "known" else None

    monkeypatch.setattr(_worker, "_LOADERS", [broken, doubler])
    previous = signal.signal(signal.SIGALRM, _worker._on_alarm)  # _load arms the timer
    monkeypatch.setattr(_worker, "_disarm", lambda: _disarm(previous))
    guard = _worker.StateGuard.__new__(_worker.StateGuard)  # only full_check is touched
    transform, failed = _worker._load("known", 1.0, guard)
    _worker._disarm()
    assert failed is None and transform([[1, 2]]) == [[2, 4]]
    transform, failed = _worker._load("def transform(g):\n    return g\n", 1.0, guard)
    _worker._disarm()
    assert failed is None and transform([[1]]) == [[1]]
    transform, failed = _worker._load("known = 1\n", 1.0, guard)
    _worker._disarm()
    assert transform is None and failed[0] == "error" and "transform" in failed[1]


def _disarm(handler) -> None:
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, handler)


@pytest.mark.parametrize(
    ("job_seconds", "expected"),
    [(0.0, pool.MAX_IN_FLIGHT), (0.0001, 128), (0.001, 26), (0.01, 3), (0.5, pool.MIN_IN_FLIGHT)],
)
def test_workers_hold_about_a_fixed_time_of_queued_work(job_seconds, expected):
    """Short programs are queued deep (the parent may be slow to answer), long ones shallow (the
    last jobs of a batch stay spread over the workers)."""
    assert pool.QUEUED_SECONDS == 0.025
    assert Executor._in_flight(SimpleNamespace(_job_seconds=job_seconds)) == expected
