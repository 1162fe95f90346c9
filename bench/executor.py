"""Executor throughput on a realistic program mix, next to two baselines, in one run.

Programs: list and numpy programs, right and wrong, some raising, in the style LLMs write for ARC
(helpers, module constants, imports), each made unique like independent samples. Jobs pair them
with real ARC-AGI-1 training tasks. Compared side by side:

  (a) bare in-process ``exec`` — no isolation, one process: compile, run every input, compare;
  (b) a fresh Python process per program (what a naive sandbox does);
  (c) ``arc_env.Executor`` with N workers (sandbox on, timeouts, memory cap, state checks).

Usage: python bench/executor.py [--jobs 4000] [--workers 2] [--fresh-jobs 40]
Prints programs per second for each and the ratios (c)/(a) and (c)/(b).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time

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


def make_jobs(n: int, seed: int = 0):
    tasks = load_tasks("arc1/train")
    rng = random.Random(seed)
    jobs = []
    for i in range(n):
        program = rng.choice(PROGRAMS) + f"\n# sample {i}\n"  # independent samples differ
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


def executor(jobs, workers: int) -> tuple[float, Executor]:
    """(c) The executor (workers started and warmed before the clock starts)."""
    ex = Executor(workers=workers)
    ex.run(jobs[: workers * 4])
    start = time.perf_counter()
    results = ex.run(jobs)
    rate = len(jobs) / (time.perf_counter() - start)
    ex.close()
    statuses: dict[str, int] = {}
    for r in results:
        for ir in r.train + r.test:
            statuses[ir.status.value] = statuses.get(ir.status.value, 0) + 1
    print(f"    statuses: {statuses}; train-perfect: {sum(r.all_train_correct for r in results)}")
    print(f"    worker restarts: {dict(ex.stats.worker_exits)}")
    return rate, ex


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=4000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--fresh-jobs", type=int, default=40)
    args = parser.parse_args()
    jobs = make_jobs(args.jobs)
    print(
        f"{len(jobs)} jobs over {len({t.id for t, _ in jobs})} ARC-AGI-1 tasks, "
        f"{len(PROGRAMS)} program kinds; {os.cpu_count()} cores"
    )
    ex_rate, ex = executor(jobs, args.workers)
    print(
        f"(c) executor, {args.workers} workers: {ex_rate:8.1f} programs/s  (sandbox: {', '.join(ex.isolation['active'])})"
    )
    bare = bare_exec(jobs)
    print(f"(a) bare in-process exec:  {bare:8.1f} programs/s")
    fresh = fresh_process(jobs[: args.fresh_jobs])
    print(f"(b) fresh process each:    {fresh:8.1f} programs/s")
    print(f"ratio (c)/(a) = {ex_rate / bare:.2f}   (target >= 1)")
    print(f"ratio (c)/(b) = {ex_rate / fresh:.1f}   (target >= 20)")


if __name__ == "__main__":
    main()
