"""Executor throughput next to two baselines, measured side by side in one run.

Workloads (``--workload``):

  heavy  24 kinds of list and numpy programs, right and wrong, some raising, in the style LLMs
         write for ARC (helpers, module constants, imports);
  short  one- to three-line programs (a flip, a recolouring, a transpose), about 0.15-0.2 ms each
         when run bare: the executor's own cost per program matters most here.

Each program is made unique like independent samples and paired with a random ARC-AGI-1 training
task. Compared side by side:

  (a) bare in-process ``exec`` — no isolation, one process: compile, run every input, compare;
  (b) a fresh Python process per program (what a naive sandbox does), on a few jobs;
  (c) ``soar.arc_env.Executor`` with N workers (sandbox on, timeouts, memory cap, state checks);
  (c') with ``--against REV``: the executor package as it was at git revision REV, same jobs.

(a), (c) and (c') run ``--repeats`` times, interleaved (the machine may be shared: each best is
taken over runs made at nearly the same time). For the executors it also prints the CPU time per
program of the caller's process (its dispatcher thread and the thread that waits for results) and
of the workers.

Usage: python bench/executor.py [--workload heavy|short|both] [--jobs 3000] [--workers 2]
                                [--repeats 3] [--against REV] [--fresh-jobs 40]
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from soar.arc_env import Executor, load_tasks
from soar.arc_env.executor._worker import to_plain_grid

PROGRAMS = [
    # list programs
    "def transform(grid):\n    return [row[::-1] for row in grid]\n",
    "def transform(grid):\n    return grid[::-1]\n",
    "def transform(grid):\n    return [list(r) for r in zip(*grid)]\n",
    "def transform(grid):\n    h, w = len(grid), len(grid[0])\n    return [[grid[h - 1 - r][w - 1 - c] for c in range(w)] for r in range(h)]\n",
    "BACKGROUND = 0\n\ndef transform(grid):\n    rows = [r for r in grid if any(v != BACKGROUND for v in r)]\n    cols = [c for c in range(len(grid[0])) if any(r[c] != BACKGROUND for r in grid)]\n    if not rows or not cols:\n        return grid\n    r0 = grid.index(rows[0])\n    return [row[cols[0]:cols[-1] + 1] for row in grid[r0:r0 + len(rows)]]\n",
    "def scale(grid, k):\n    out = []\n    for row in grid:\n        wide = [v for v in row for _ in range(k)]\n        out.extend([list(wide) for _ in range(k)])\n    return out\n\ndef transform(grid):\n    return scale(grid, 2)\n",
    "from collections import Counter\n\ndef transform(grid):\n    counts = Counter(v for row in grid for v in row)\n    top = counts.most_common(1)[0][0]\n    return [[top if v != 0 else 0 for v in row] for row in grid]\n",
    "def transform(grid):\n    h, w = len(grid), len(grid[0])\n    out = [[0] * w for _ in range(h)]\n    for c in range(w):\n        col = [grid[r][c] for r in range(h) if grid[r][c] != 0]\n        for i, v in enumerate(reversed(col)):\n            out[h - 1 - i][c] = v\n    return out\n",
    "from collections import deque\n\ndef flood(grid, r, c, colour):\n    h, w = len(grid), len(grid[0])\n    seen = {(r, c)}\n    q = deque([(r, c)])\n    while q:\n        y, x = q.popleft()\n        for dy, dx in ((1, 0), (-1, 0), (0, 1), (0, -1)):\n            ny, nx = y + dy, x + dx\n            if 0 <= ny < h and 0 <= nx < w and (ny, nx) not in seen and grid[ny][nx] == colour:\n                seen.add((ny, nx))\n                q.append((ny, nx))\n    return seen\n\ndef transform(grid):\n    out = [row[:] for row in grid]\n    h, w = len(grid), len(grid[0])\n    outside = set()\n    for r in range(h):\n        for c in range(w):\n            if (r in (0, h - 1) or c in (0, w - 1)) and grid[r][c] == 0 and (r, c) not in outside:\n                outside |= flood(grid, r, c, 0)\n    for r in range(h):\n        for c in range(w):\n            if grid[r][c] == 0 and (r, c) not in outside:\n                out[r][c] = 4\n    return out\n",
    # numpy programs
    "import numpy as np\n\ndef transform(grid):\n    return np.rot90(np.array(grid)).tolist()\n",
    "import numpy as np\n\ndef transform(grid):\n    a = np.array(grid)\n    return np.fliplr(a)\n",
    "import numpy as np\n\ndef transform(grid):\n    a = np.array(grid)\n    return np.kron(a != 0, a).tolist()\n",
    "import numpy as np\n\ndef transform(grid):\n    a = np.array(grid)\n    out = np.zeros_like(a)\n    out[a == 0] = 5\n    return out.tolist()\n",
    "import numpy as np\nfrom scipy.ndimage import label\n\ndef transform(grid):\n    a = np.array(grid)\n    lab, n = label(a != 0)\n    if n == 0:\n        return grid\n    sizes = np.bincount(lab.ravel())[1:]\n    keep = np.argmax(sizes) + 1\n    ys, xs = np.where(lab == keep)\n    return a[ys.min():ys.max() + 1, xs.min():xs.max() + 1].tolist()\n",
    "import numpy as np\n\ndef transform(grid):\n    a = np.array(grid)\n    return np.tile(a, (1, 2)).tolist()\n",
    "import numpy as np\n\ndef transform(grid):\n    a = np.array(grid)\n    vals, counts = np.unique(a, return_counts=True)\n    return [[int(vals[np.argmin(counts)])]]\n",
    # wrong or failing programs
    "def transform(grid):\n    return [[grid[r][c + 1] for c in range(len(grid[0]))] for r in range(len(grid))]\n",
    "def transform(grid):\n    mapping = {1: 2, 2: 1}\n    return [[mapping[v] for v in row] for row in grid]\n",
    "import numpy as np\n\ndef transform(grid):\n    a = np.array(grid)\n    return a.reshape(-1, 3).tolist()\n",
    "def transform(grid):\n    return sum(sum(row) for row in grid)\n",
    "def transform(grid):\n    return [[v + 1 for v in row] for row in grid]\n",
    "def transform(grid):\n    x = undefined_helper(grid)\n    return x\n",
    # right programs for particular tasks (007bbfb7, 3c9b0459 rotate 180, 6150a2bd rotate 180)
    "import numpy as np\n\ndef transform(grid):\n    a = np.array(grid)\n    return np.kron(a != 0, a).tolist()\n",
    "def transform(grid):\n    return [row[::-1] for row in grid[::-1]]\n",
]


SHORT_PROGRAMS = [
    "def transform(grid):\n    return [row[::-1] for row in grid]\n",
    "def transform(grid):\n    return grid[::-1]\n",
    "def transform(grid):\n    return [list(r) for r in zip(*grid)]\n",
    "def transform(grid):\n    return [row[::-1] for row in grid[::-1]]\n",
    "def transform(grid):\n    return [[5 if v == 0 else v for v in row] for row in grid]\n",
    "def transform(grid):\n    return [row + row[::-1] for row in grid]\n",
    "def transform(grid):\n    return [[v + 1 for v in row] for row in grid]\n",
    "def transform(grid):\n    return sum(sum(row) for row in grid)\n",
    "def transform(grid):\n    return [[grid[r][c + 1] for c in range(len(grid[0]))] for r in range(len(grid))]\n",
    "import numpy as np\n\ndef transform(grid):\n    return np.fliplr(np.array(grid))\n",
    "import numpy as np\n\ndef transform(grid):\n    return np.rot90(np.array(grid)).tolist()\n",
    "import numpy as np\n\ndef transform(grid):\n    a = np.array(grid)\n    a[a == 0] = 3\n    return a\n",
]
"""Short programs: one to three lines, right for a few tasks, wrong or failing for most."""

WORKLOADS = {"heavy": PROGRAMS, "short": SHORT_PROGRAMS}


def make_jobs(n: int, programs: list[str], seed: int = 0):
    tasks = load_tasks("arc1/train")
    rng = random.Random(seed)
    jobs = []
    for i in range(n):
        program = rng.choice(programs) + f"\n# sample {i}\n"  # independent samples differ
        jobs.append((rng.choice(tasks), program))
    return jobs


def bare_exec(jobs) -> float:
    """(a) Compile and run in this process: no isolation at all (same output check as workers)."""
    start = time.perf_counter()
    for task, program in jobs:
        namespace: dict = {}
        try:
            exec(compile(program, "<program>", "exec"), namespace)
            transform = namespace["transform"]
        except Exception:
            continue
        for pair in task.train + task.test:
            try:
                out, _ = to_plain_grid(transform([list(r) for r in pair.input]))
                _ = out is not None and tuple(map(tuple, out)) == pair.output
            except Exception:
                pass
    return len(jobs) / (time.perf_counter() - start)


RUNNER = r"""
import json, sys
import numpy as np
job = json.load(sys.stdin)
ns = {}
res = []
try:
    exec(compile(job["program"], "<program>", "exec"), ns)
    for grid in job["inputs"]:
        try:
            out = ns["transform"]([list(r) for r in grid])
            res.append(np.asarray(out).tolist())
        except Exception as e:
            res.append(repr(e))
except Exception as e:
    res = repr(e)
print(json.dumps(res))
"""


def fresh_process(jobs) -> float:
    """(b) One new Python process per program."""
    start = time.perf_counter()
    for task, program in jobs:
        payload = json.dumps(
            {"program": program, "inputs": [p.input for p in task.train + task.test]}
        )
        subprocess.run(
            [sys.executable, "-c", RUNNER],
            input=payload,
            capture_output=True,
            text=True,
            timeout=60,
        )
    return len(jobs) / (time.perf_counter() - start)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Measured:
    """Best rate over repeated runs, and the CPU cost per program of the best run."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.rates: list[float] = []
        self.cpu = ""

    @property
    def best(self) -> float:
        return max(self.rates)

    def add(self, rate: float, cpu: str = "") -> None:
        if not self.rates or rate > self.best:
            self.cpu = cpu
        self.rates.append(rate)


def executor_run(ex, jobs) -> tuple[float, str, list]:
    """(c) One timed batch on a warm executor: rate, CPU per program, results."""
    pids = [w.pid for w in ex._workers.values()]  # private: diagnostics only
    workers_before = sum(map(_cpu_seconds, pids))
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    results = ex.run(jobs)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    workers = sum(map(_cpu_seconds, pids)) - workers_before
    parent = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    n = len(jobs)
    cpu = f"CPU per program: caller {1e6 * parent / n:.0f} us, workers {1e6 * workers / n:.0f} us"
    return n / elapsed, cpu, results


def executor_at(revision: str, into: str):
    """The ``Executor`` class of the executor package at a git revision of this repository."""
    root = Path(__file__).resolve().parent.parent
    archive = subprocess.run(
        ["git", "-C", str(root), "archive", revision, "arc_env/executor"],
        capture_output=True,
        check=True,
    ).stdout
    safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}  # Python >= 3.11.4
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, **safe)
    package = os.path.join(into, "arc_env", "executor")
    name = "soar.arc_env._executor_" + "".join(c if c.isalnum() else "_" for c in revision)
    spec = importlib.util.spec_from_file_location(
        name, os.path.join(package, "__init__.py"), submodule_search_locations=[package]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its relative imports (..error, ..grid) reach soar.arc_env
    spec.loader.exec_module(module)
    return module.Executor


def _summary(results) -> str:
    statuses: dict[str, int] = {}
    for r in results:
        for ir in r.train + r.test:
            statuses[ir.status.value] = statuses.get(ir.status.value, 0) + 1
    return f"statuses {statuses}; train-perfect {sum(r.all_train_correct for r in results)}"


def bench(workload: str, args, against) -> None:
    jobs = make_jobs(args.jobs, WORKLOADS[workload])
    print(
        f"\n== {workload}: {len(jobs)} jobs over {len({t.id for t, _ in jobs})} ARC-AGI-1 tasks, "
        f"{len(WORKLOADS[workload])} program kinds; {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    executors = {"(c) executor": Executor(workers=args.workers)}
    if against is not None:
        executors[f"(c') executor at {args.against}"] = against(workers=args.workers)
    measured = {name: Measured(name) for name in [*executors, "(a) bare exec"]}
    for ex in executors.values():
        ex.run(jobs[: args.workers * 50])  # workers started and warm before any clock starts
    contenders = [*executors, "(a) bare exec"]
    for repeat in range(args.repeats):
        line = []
        shift = repeat % len(contenders)  # each takes each place in turn (the machine may drift)
        for name in contenders[shift:] + contenders[:shift]:
            if name in executors:
                rate, cpu, results = executor_run(executors[name], jobs)
                if repeat < len(contenders) and not measured[name].rates:
                    restarts = dict(executors[name].stats.worker_exits)
                    print(f"    {name}: {_summary(results)}; restarts {restarts}")
            else:
                rate, cpu = bare_exec(jobs), ""
            measured[name].add(rate, cpu)
            line.append(f"{name.split()[0]} {rate:7.1f}")
        print(f"  run {repeat + 1}: " + "   ".join(line) + "  programs/s")
    sandbox = ", ".join(executors["(c) executor"].isolation["active"])
    for ex in executors.values():
        ex.close()
    bare = measured["(a) bare exec"].best
    print(f"best of {args.repeats} (sandbox: {sandbox}):")
    for m in measured.values():
        ratio = f"  ratio to (a) {m.best / bare:.2f}" if m.name.startswith("(c") else ""
        print(f"  {m.name:28s} {m.best:8.1f} programs/s{ratio}  {m.cpu}")
    if args.fresh_jobs:
        fresh = fresh_process(jobs[: args.fresh_jobs])
        best = measured["(c) executor"].best
        print(
            f"  (b) fresh process each      {fresh:8.1f} programs/s; (c)/(b) = {best / fresh:.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workload", choices=["heavy", "short", "both"], default="both")
    parser.add_argument("--jobs", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--fresh-jobs", type=int, default=40, help="0 to skip (b)")
    parser.add_argument(
        "--against", metavar="REV", help="also time the executor at this git revision"
    )
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="bench-executor-")
    try:
        against = executor_at(args.against, workdir) if args.against else None
        for workload in ["heavy", "short"] if args.workload == "both" else [args.workload]:
            bench(workload, args, against)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
