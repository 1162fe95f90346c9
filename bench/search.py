"""The search loop's own cost, and its overlap of generation with execution.

1. Bookkeeping per program (agent choices, node records, JSONL logging, the final vote and
   scoring; execution excluded): an instant policy draws programs from a fixed pool, and the
   executor answers from results computed beforehand. Target: <= 0.5 ms per program.
2. Overlap: a policy that takes T seconds per generate call and programs that keep the executor
   busy E seconds per batch. Serial code would take T + E per batch; the driver should take close
   to max(T, E).

Usage: python bench/search.py [--tasks 40] [--programs 200] [--T 0.4] [--E 0.4] [--batches 8]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from concurrent.futures import Future
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from soar.agents.policy import Completion, Policy  # noqa: E402
from soar.agents.runs.rundir import RunDir  # noqa: E402
from soar.agents.runs.scoring import score_run  # noqa: E402
from soar.agents.search import make_agent, run_search  # noqa: E402
from soar.arc_env import Executor, load_tasks  # noqa: E402

POOL = [
    "def transform(grid):\n    return grid\n",
    "def transform(grid):\n    return [row[::-1] for row in grid]\n",
    "def transform(grid):\n    return grid[::-1]\n",
    "def transform(grid):\n    return [row[::-1] for row in grid[::-1]]\n",
    "def transform(grid):\n    return [list(r) for r in zip(*grid)]\n",
    "def transform(grid):\n    return [[v for v in row for _ in (0, 1)] for row in grid]\n",
    "import numpy as np\ndef transform(grid):\n    return np.rot90(np.array(grid)).tolist()\n",
    "def transform(grid):\n    return grid[0][0]\n",
]


class PoolPolicy(Policy):
    """Answers instantly with programs drawn from a pool (no prompt is built); may sleep."""

    def __init__(self, programs: list[str], seconds: float = 0.0) -> None:
        super().__init__()
        self.programs = programs
        self.seconds = seconds
        self.rng = random.Random(0)

    @property
    def policy_id(self) -> str:
        return "pool"

    def complete(self, conversations):  # not used: generate is overridden
        raise NotImplementedError

    def generate(self, requests):
        if self.seconds:
            time.sleep(self.seconds)
        return [
            [
                Completion(p, p, None, 0, 0, "stop", "pool")
                for p in (self.rng.choice(self.programs) for _ in range(request.n))
            ]
            for request in requests
        ]


class PrecomputedExecutor:
    """Serves results computed beforehand by the real executor: execution costs nothing."""

    def __init__(self, results: dict) -> None:
        self.results = results

    def submit_many(self, jobs):
        futures = []
        for task, program in jobs:
            future: Future = Future()
            future.set_result(self.results[task.id, program])
            futures.append(future)
        return futures


def bookkeeping(n_tasks: int, programs: int) -> None:
    tasks = load_tasks("arc1/train")[:n_tasks]
    with Executor() as ex:
        keys = [(t, p) for t in tasks for p in POOL]
        results = {(t.id, p): r for (t, p), r in zip(keys, ex.run(keys), strict=True)}
    agent = make_agent(
        "sample-refine", programs=programs, width=32, stop_after=None, refine_stop_after=None
    )
    with tempfile.TemporaryDirectory() as tmp:
        run = RunDir.create(Path(tmp) / "run", {"bench": "search"})
        start = time.perf_counter()
        run_search(
            tasks, agent, PoolPolicy(POOL), PrecomputedExecutor(results), run, batch_size=512
        )
        searched = time.perf_counter() - start
        scores = score_run(run, tasks)
        total = time.perf_counter() - start
    n = n_tasks * programs
    print(
        f"bookkeeping: {n} programs over {n_tasks} tasks (sample-refine, instant policy, "
        f"precomputed execution)"
    )
    print(f"  search loop + logging: {searched / n * 1e3:.3f} ms/program")
    print(
        f"  + vote and scoring:    {total / n * 1e3:.3f} ms/program   (target <= 0.5)"
        f"   [score {scores.score:.3f}]"
    )


def overlap(T: float, E: float, batches: int) -> None:
    per_batch = 16
    tasks = load_tasks("arc1/train")[: per_batch // 2 * 2]
    # Each job sleeps once (first input); two workers run per_batch jobs in E seconds.
    nap = 2 * E / per_batch
    program = f"import time\nNAPPED = []\ndef transform(grid):\n    if not NAPPED:\n        NAPPED.append(1)\n        time.sleep({nap})\n    return grid\n"
    agent = make_agent(
        "sample", programs=batches * per_batch // len(tasks), width=2, stop_after=None
    )
    with Executor(workers=2, timeout=max(5.0, 4 * nap)) as ex, tempfile.TemporaryDirectory() as tmp:
        ex.run([(tasks[0], program)])
        run = RunDir.create(Path(tmp) / "run", {"bench": "overlap"})
        start = time.perf_counter()
        run_search(tasks, agent, PoolPolicy([program], seconds=T), ex, run, batch_size=per_batch)
        wall = time.perf_counter() - start
    print(
        f"overlap: {batches} batches of {per_batch} programs, T = {T} s generate, E = {E} s execute"
    )
    print(
        f"  wall {wall:.2f} s = {wall / batches:.3f} s/batch;  max(T, E) = {max(T, E):.3f},"
        f"  T + E = {T + E:.3f}  ->  {wall / batches / max(T, E):.2f} x max(T, E)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=40)
    parser.add_argument("--programs", type=int, default=200)
    parser.add_argument("--T", type=float, default=0.4)
    parser.add_argument("--E", type=float, default=0.4)
    parser.add_argument("--batches", type=int, default=8)
    args = parser.parse_args()
    bookkeeping(args.tasks, args.programs)
    overlap(args.T, args.E, args.batches)


if __name__ == "__main__":
    main()
