"""The executor workers' prefix cache for DSL programs, replayed on a run's own programs.

Reads the programs of a run directory (``soar run`` with the DSL policy), in each task's order,
and runs each on its task's train and test inputs through
:func:`soar.agents.dsl.fast_load.load_program` twice, in one process, rounds alternating: every
step run (what workers did before), and with one :class:`~soar.agents.dsl.fast_load.PrefixCache`
per simulated worker (``--workers``; programs dealt to them in turn, as the executor's dispatcher
roughly does). Prints the programs, how often a program started after kept leading steps, the
seconds of each way per round and their ratio (read the ratio: a shared machine moves both).
Every output and error message is compared too: the cache must not change one.

Usage: python bench/prefix_cache.py RUN_DIR --tasks SPEC [--max-tasks 20] [--rounds 2]
           [--workers 2]

``--tasks`` is the task set the run searched (``arc1/eval``, a folder, ...): it gives the inputs.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from soar.agents.dsl.fast_load import PrefixCache, load_program  # noqa: E402
from soar.agents.runs.rundir import RunDir  # noqa: E402
from soar.arc_env import load_tasks  # noqa: E402
from soar.arc_env.executor._worker import describe  # noqa: E402


def replay(programs: list[tuple[str, list]], caches: list[PrefixCache] | None):
    """Run every program on its inputs; the seconds taken and every outcome, in order."""
    outcomes = []
    start = time.perf_counter()
    for j, (source, grids) in enumerate(programs):
        transform = load_program(source, caches[j % len(caches)] if caches else None)
        if transform is None:  # not a DSL program: not the cache's business
            continue
        for grid in grids:
            try:
                out = transform([list(row) for row in grid])
            except Exception as exc:
                outcomes.append(describe(exc))
                continue
            if isinstance(out, np.ndarray):  # a digest: both ways keep as little as the other
                outcomes.append((out.shape, out.dtype.str, hash(out.tobytes())))
            else:
                outcomes.append(repr(out))
    return time.perf_counter() - start, outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("run", help="a run directory of the DSL policy")
    parser.add_argument("--tasks", required=True, help="the run's task set (gives the inputs)")
    parser.add_argument("--max-tasks", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    run = RunDir(args.run)
    tasks = {task.id: task for task in load_tasks(args.tasks)}
    programs: list[tuple[str, list]] = []
    for task_id in run.task_ids()[: args.max_tasks]:
        task = tasks[task_id]
        grids = [pair.input for pair in task.train + task.test]
        programs += [(n.program, grids) for n in run.read_nodes(task_id) if n.program]
    print(f"{len(programs)} programs of {min(args.max_tasks, len(run.task_ids()))} tasks")
    replay(programs[:200], None)  # imports and first-use costs, outside the timing
    for r in range(args.rounds):
        caches = [PrefixCache() for _ in range(args.workers)]
        ways = [("every step", None), ("prefix cache", caches)]
        if r % 2:
            ways.reverse()
        seconds = {}
        outcomes = []
        for name, way in ways:
            seconds[name], got = replay(programs, way)
            outcomes.append(got)
        if outcomes[0] != outcomes[1]:
            raise SystemExit("the prefix cache changed an output or an error: a bug")
        hits = sum(c.hits for c in caches)
        runs = hits + sum(c.misses for c in caches)
        print(
            f"round {r + 1}: every step {seconds['every step']:.1f} s, prefix cache "
            f"{seconds['prefix cache']:.1f} s ({seconds['prefix cache'] / seconds['every step']:.2f}"
            f"x), {hits / max(runs, 1):.0%} of {runs} multi-step runs started after kept steps"
        )


if __name__ == "__main__":
    main()
