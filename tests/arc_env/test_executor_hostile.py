"""Hostile programs: each must end with the right status, leave the caller unharmed, leave no file,
process or thread behind, and not change what later programs compute."""

from __future__ import annotations

import glob
import os
import socket
import sys
import tempfile
import threading
import time
import uuid

import pytest
from soar.arc_env import Executor, Status

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the executor's kernel sandbox is Linux-only"
)

ROTATE = "def transform(grid):\n    return [row[::-1] for row in grid[::-1]]\n"


def worker_pids() -> set[int]:
    """Live executor workers started by this test process (other sessions' workers do not count)."""
    return {pid for pid in children_of({os.getpid()}) if _cmdline_has(pid, b"_worker.py")}


def _cmdline_has(pid: int, text: bytes) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return text in f.read()
    except OSError:
        return False


def children_of(pids: set[int]) -> set[int]:
    """Live processes whose parent is one of ``pids``."""
    found = set()
    for path in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(path) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[1]) in pids:
            found.add(int(path.split("/")[2]))
    return found


@pytest.fixture(autouse=True)
def nothing_left_behind():
    """After every test here: no process started by a program, no new thread in the caller, and
    none of the files the hostile programs try to create (all named ``arc-<kind>-<uuid>``) exists
    in the temporary directory or in any worker's private directory."""
    tmp = tempfile.gettempdir()
    threads_before = threading.active_count()
    yield
    time.sleep(0.1)
    assert not children_of(worker_pids()), "a program left a process behind"
    assert threading.active_count() == threads_before, "a thread was left running in the caller"
    planted = [
        p
        for pattern in ("arc-hostile-*", "arc-thread-*", "arc-evil-*", "arc-exec-*/arc-*")
        for p in glob.glob(os.path.join(tmp, pattern))
    ]
    assert not planted, f"files left behind: {planted}"


def run_one(executor, task, body: str):
    return executor.run([(task, body)])[0]


def assert_healthy(executor, task):
    """A normal program still gets the right answer afterwards."""
    assert run_one(executor, task, ROTATE).all_train_correct


def statuses(result) -> set[Status]:
    return {r.status for r in result.train + result.test}


def test_infinite_loop_times_out(executor, rotate_task):
    result = run_one(executor, rotate_task, "def transform(grid):\n    while True:\n        pass\n")
    assert statuses(result) == {Status.TIMEOUT}
    assert_healthy(executor, rotate_task)


def test_loop_that_catches_every_exception_is_killed(executor, rotate_task):
    program = (
        "def transform(grid):\n"
        "    while True:\n"
        "        try:\n"
        "            total = 0\n"
        "            for i in range(10**9):\n"
        "                total += i\n"
        "        except BaseException:\n"
        "            pass\n"
    )
    started = time.monotonic()
    result = run_one(executor, rotate_task, program)
    assert statuses(result) == {Status.TIMEOUT}
    assert "killed" in result.train[0].message
    assert time.monotonic() - started < 30
    assert_healthy(executor, rotate_task)


def test_ignored_sigalrm_is_killed(executor, rotate_task):
    program = (
        "import signal\n"
        "signal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
        "def transform(grid):\n"
        "    signal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
        "    while True:\n"
        "        pass\n"
    )
    assert statuses(run_one(executor, rotate_task, program)) == {Status.TIMEOUT}
    assert_healthy(executor, rotate_task)


@pytest.mark.parametrize(
    "allocation",
    [
        "bytearray(10 * 2**30)",
        "__import__('numpy').ones(10 * 2**30 // 8)",
        "[0] * (10 * 2**30 // 8)",
    ],
)
def test_10_gb_allocation_hits_the_memory_cap(executor, rotate_task, allocation):
    result = run_one(
        executor, rotate_task, f"def transform(grid):\n    x = {allocation}\n    return grid\n"
    )
    assert statuses(result) == {Status.MEMORY}
    assert "MemoryError" in result.train[0].message
    assert_healthy(executor, rotate_task)


@pytest.mark.parametrize(
    "spawn",
    [
        "os.fork()",
        "__import__('subprocess').Popen(['sleep', '60'])",
        "__import__('multiprocessing').Process(target=time.sleep, args=(60,)).start()",
        "__import__('concurrent.futures').futures.ProcessPoolExecutor(2).submit(time.sleep, 60).result()",
    ],
)
def test_no_process_can_be_started(executor, rotate_task, spawn):
    program = f"import os, time\ndef transform(grid):\n    {spawn}\n    return grid\n"
    result = run_one(executor, rotate_task, program)
    assert Status.OK not in statuses(result)
    time.sleep(0.2)
    workers = worker_pids()
    assert len(workers) == executor.num_workers
    assert not children_of(workers)
    assert_healthy(executor, rotate_task)


def test_os_system_cannot_run_a_command(executor, rotate_task):
    marker = os.path.join(tempfile.gettempdir(), f"arc-hostile-{uuid.uuid4().hex}")
    program = (
        "import os\n"
        "def transform(grid):\n"
        f"    status = os.system('touch {marker}')\n"
        "    return [[0 if status != 0 else 1]]\n"
    )
    result = run_one(executor, rotate_task, program)
    assert result.train[0].output == ((0,),) or result.train[0].status is Status.ERROR
    assert not os.path.exists(marker)


@pytest.mark.parametrize("where", ["tmp", "parent", "home"])
def test_files_cannot_be_written_outside_the_private_directory(
    executor, rotate_task, tmp_path, where
):
    name = f"arc-hostile-{uuid.uuid4().hex}"
    target = {
        "tmp": os.path.join(tempfile.gettempdir(), name),
        "parent": f"../{name}",
        "home": str(tmp_path / name),
    }[where]
    program = f"def transform(grid):\n    open({target!r}, 'w').write('x')\n    return grid\n"
    result = run_one(executor, rotate_task, program)
    assert statuses(result) == {Status.ERROR}
    assert "PermissionError" in result.train[0].message
    assert not os.path.exists(os.path.join(tempfile.gettempdir(), name))
    assert not (tmp_path / name).exists()
    assert not glob.glob(os.path.join(tempfile.gettempdir(), "*", name))
    assert_healthy(executor, rotate_task)


def test_files_written_in_the_private_directory_do_not_survive(executor, rotate_task):
    program = (
        "def transform(grid):\n"
        "    with open('scratch.txt', 'w') as f:\n"
        "        f.write('secret')\n"
        "    return grid\n"
    )
    assert statuses(run_one(executor, rotate_task, program)) == {Status.OK}
    reader = (
        "import os\n"
        "def transform(grid):\n"
        "    return [[1 if os.path.exists('scratch.txt') else 0]]\n"
    )
    for _ in range(4):  # whichever worker runs it, the file is gone
        assert run_one(executor, rotate_task, reader).train[0].output == ((0,),)
    time.sleep(0.2)
    assert not glob.glob(os.path.join(tempfile.gettempdir(), "arc-exec-*", "scratch.txt"))


def test_network_connections_are_refused(executor, rotate_task):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    program = (
        "import socket\n"
        "def transform(grid):\n"
        f"    socket.create_connection(('127.0.0.1', {port}), timeout=0.3)\n"
        "    return grid\n"
    )
    try:
        result = run_one(executor, rotate_task, program)
        assert statuses(result) == {Status.ERROR}
        assert "PermissionError" in result.train[0].message
        with pytest.raises(socket.timeout):
            listener.accept()
    finally:
        listener.close()


@pytest.mark.parametrize(
    "attack",
    [
        "os.kill(os.getppid(), signal.SIGKILL)",
        "os.killpg(os.getpgid(os.getppid()), signal.SIGKILL)",
        "os.kill(0, signal.SIGTERM)",
        "os.kill(-1, signal.SIGKILL)",
    ],
)
def test_the_caller_cannot_be_signalled(executor, rotate_task, attack):
    program = f"import os, signal\ndef transform(grid):\n    {attack}\n    return grid\n"
    result = run_one(executor, rotate_task, program)
    assert statuses(result) == {Status.ERROR}
    assert "PermissionError" in result.train[0].message
    assert_healthy(executor, rotate_task)  # we are still here, and so are the workers


@pytest.mark.parametrize(
    ("program", "message"),
    [
        ("import sys\ndef transform(grid):\n    sys.exit(3)\n", "SystemExit: 3"),
        ("raise SystemExit\n", "SystemExit"),
        ("import os\ndef transform(grid):\n    os._exit(0)\n", "exit code 0"),
    ],
)
def test_exits_are_errors_and_the_worker_is_replaced(executor, rotate_task, program, message):
    result = run_one(executor, rotate_task, program)
    assert statuses(result) == {Status.ERROR}
    assert message in result.train[0].message
    assert_healthy(executor, rotate_task)
    assert len(worker_pids()) == executor.num_workers


def test_thread_left_running_is_stopped_with_its_worker(executor, rotate_task):
    name = f"arc-thread-{uuid.uuid4().hex}"
    program = (
        "import threading, time\n"
        "def late():\n"
        "    time.sleep(0.5)\n"
        f"    open({name!r}, 'w').write('late')\n"
        "def transform(grid):\n"
        "    threading.Thread(target=late).start()\n"
        "    return [row[::-1] for row in grid[::-1]]\n"
    )
    before = executor.stats.worker_exits["left a thread running"]
    assert run_one(executor, rotate_task, program).all_train_correct
    assert executor.stats.worker_exits["left a thread running"] == before + 1
    time.sleep(1.0)
    assert not glob.glob(os.path.join(tempfile.gettempdir(), "arc-exec-*", name))
    assert len(worker_pids()) == executor.num_workers


@pytest.mark.parametrize(
    "patch",
    [
        "import numpy\nnumpy.array = lambda *a, **k: [[7]]\nnumpy.rot90 = lambda *a, **k: [[7]]",
        "import builtins\nbuiltins.len = lambda x: 0\nbuiltins.list = tuple",
        "import collections\ncollections.Counter.most_common = lambda self, n=None: [(7, 1)]",
        "import numpy\nnumpy.rot90.__code__ = (lambda m, k=1, axes=(0, 1): [[7]]).__code__",
        "import sys\nsys.modules['numpy'] = None",
        "import random\nrandom.seed = lambda *a: None",
    ],
)
def test_patching_shared_modules_does_not_reach_later_programs(rotate_task, patch):
    normal = (
        "import numpy as np\nfrom collections import Counter\n"
        "def transform(grid):\n"
        "    assert len(grid) == len(list(grid)) and Counter([1, 1]).most_common(1) == [(1, 2)]\n"
        "    return np.rot90(np.array(grid), 2).tolist()\n"
    )
    with Executor(workers=1, timeout=1.0) as ex:  # one worker: the next program runs where it ran
        ex.run([(rotate_task, patch + "\ndef transform(grid):\n    return grid\n")])
        for _ in range(3):
            result = ex.run([(rotate_task, normal)])[0]
            assert result.all_train_correct, [r.message for r in result.train]


def test_return_value_with_side_effects_is_never_touched(executor, rotate_task):
    marker = f"arc-evil-{uuid.uuid4().hex}"
    program = (
        "class Evil(list):\n"
        "    def _boom(self, *a):\n"
        f"        open({marker!r}, 'w').write('x')\n"
        "        raise RuntimeError('side effect ran')\n"
        "    __eq__ = __iter__ = __len__ = __getitem__ = __hash__ = _boom\n"
        "class Cell(int):\n"
        "    def __eq__(self, other):\n"
        "        raise RuntimeError('side effect ran')\n"
        "def transform(grid):\n"
        "    if len(grid) % 2:\n"
        "        return Evil([[1]])\n"
        "    return [[Cell(1)]]\n"
    )
    result = run_one(executor, rotate_task, program)
    assert statuses(result) == {Status.INVALID_OUTPUT}
    assert all("side effect" not in r.message for r in result.train + result.test)
    assert not glob.glob(os.path.join(tempfile.gettempdir(), "arc-exec-*", marker))


def test_printing_100_mb_is_discarded(executor, rotate_task, capfd):
    program = "import sys\ndef transform(grid):\n    print('x' * 100_000_000)\n    sys.stderr.write('y' * 1000)\n    return [row[::-1] for row in grid[::-1]]\n"
    result = executor.run([(rotate_task, program)])[0]
    assert result.all_train_correct
    captured = capfd.readouterr()
    assert "xxxx" not in captured.out and "yyyy" not in captured.err


def test_reading_stdin_gets_end_of_file(executor, rotate_task):
    result = run_one(executor, rotate_task, "def transform(grid):\n    input()\n    return grid\n")
    assert statuses(result) == {Status.ERROR}
    assert "EOFError" in result.train[0].message
    program = "import sys\ndef transform(grid):\n    assert sys.stdin.read() == ''\n    return [row[::-1] for row in grid[::-1]]\n"
    assert run_one(executor, rotate_task, program).all_train_correct


def test_unbounded_recursion_is_an_error(executor, rotate_task):
    result = run_one(
        executor,
        rotate_task,
        "def f(n):\n    return f(n + 1)\ndef transform(grid):\n    return f(0)\n",
    )
    assert statuses(result) == {Status.ERROR}
    assert "RecursionError" in result.train[0].message
    assert_healthy(executor, rotate_task)


def test_raised_recursion_limit_crash_is_contained(executor, rotate_task):
    program = (
        "import sys\nsys.setrecursionlimit(10**8)\n"
        "def f(n):\n    return f(n + 1) + 1\n"
        "def transform(grid):\n    return f(0)\n"
    )
    result = run_one(executor, rotate_task, program)
    assert Status.OK not in statuses(result)
    assert_healthy(executor, rotate_task)


def test_segfault_via_ctypes_is_contained(executor, rotate_task):
    result = run_one(
        executor,
        rotate_task,
        "import ctypes\ndef transform(grid):\n    return ctypes.string_at(0)\n",
    )
    assert statuses(result) == {Status.ERROR}
    assert "SIGSEGV" in result.train[0].message
    assert_healthy(executor, rotate_task)
    assert len(worker_pids()) == executor.num_workers


def test_no_worker_outlives_its_executor(rotate_task):
    before = worker_pids()
    ex = Executor(workers=2, timeout=0.5)
    ex.run([(rotate_task, ROTATE)])
    mine = worker_pids() - before
    tmpdirs = [w.tmpdir for w in ex._workers.values()]
    assert len(mine) == 2 and all(os.path.isdir(d) for d in tmpdirs)
    ex.close()
    assert not (worker_pids() & mine)
    assert not any(os.path.exists(d) for d in tmpdirs)
