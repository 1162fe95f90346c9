"""Run logs before and after columnar (Parquet) logs, side by side on one machine.

Four figures, each measured with the code before and after, alternating so that a shared
machine's load falls on both alike (ratios are what to read; absolute times move with the load):

1. bytes per program on disk after ``soar run --tasks arc1/eval --budget 500`` (the CPU DSL
   policy), and that run's programs per second;
2. the search's programs per second on the first ``--speed-tasks`` tasks, ``--rounds`` times
   (each code going first in half of them): over the search itself (first to last node created)
   and over the whole command (start-up and final scoring included);
3. reading every node of the budget-500 run back (``RunDir.read_nodes`` on every task), and the
   lighter read without train outputs (after: ``train_outputs=False``; scoring used it until
   the simplest weighting, whose behaviours need the train outputs, and now reads them all);
4. ``soar score`` + ``soar report`` of a 400 x 6,000 run. Such a run is *synthesized* from the
   budget-500 run (each task's 500 nodes repeated 12 times, node and parent ids renumbered;
   before: its JSONL lines rewritten; after: Parquet tables), not searched for 25 minutes;
   repeated nodes repeat output grids, which both readers share in memory.

"Before" is the package at a commit before columnar logs (JSONL only, the program text stored
twice), installed into its own folder and imported through ``PYTHONPATH``::

    git archive 91f4ad6 | tar -x -C /tmp/soar-before-src
    .venv/bin/pip install --no-deps --no-build-isolation --target /tmp/soar-before /tmp/soar-before-src
    .venv/bin/python bench/runlog.py --before /tmp/soar-before --work /tmp/runlog-bench

Prints each figure as it is measured and writes them to ``WORK/runlog-STEPS.json``
(``--steps size,speed,read,scale``; the full runs of ``size`` are made once and reused).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

READ = """
import sys, time
from soar.agents.runs.rundir import RunDir
run = RunDir(sys.argv[1])
ids = run.task_ids()
run.read_nodes(ids[0])  # imports and first-use costs, outside the timing
kwargs = {"train_outputs": False} if sys.argv[2] == "votes" else {}
start = time.perf_counter()
n = sum(len(run.read_nodes(task_id, **kwargs)) for task_id in ids)
print(n, time.perf_counter() - start)
"""

GROW_BEFORE = """
import json, sys
from pathlib import Path
source, target, times = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
(target / "nodes").mkdir(parents=True)
(target / "config.json").write_text((source / "config.json").read_text())
for log in sorted((source / "nodes").glob("*.jsonl")):
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    n = len(lines)
    with open(target / "nodes" / log.name, "w") as out:
        for k in range(times):
            for data in lines:
                data = dict(data, node_id=data["node_id"] + k * n)
                if data["parent_id"] is not None:
                    data["parent_id"] += k * n
                out.write(json.dumps(data, separators=(",", ":")) + "\\n")
"""

GROW_AFTER = """
import dataclasses, sys
from pathlib import Path
import pyarrow.parquet as pq
from soar.agents.runs.node_table import nodes_to_table
from soar.agents.runs.rundir import RunDir
source, target, times = RunDir(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
(target / "nodes").mkdir(parents=True)
(target / "config.json").write_text((source.path / "config.json").read_text())
for task_id in source.task_ids():
    nodes = source.read_nodes(task_id)
    n = len(nodes)
    grown = [
        dataclasses.replace(
            node,
            node_id=node.node_id + k * n,
            parent_id=None if node.parent_id is None else node.parent_id + k * n,
        )
        for k in range(times)
        for node in nodes
    ]
    pq.write_table(nodes_to_table(grown), target / "nodes" / f"{task_id}.parquet", compression="zstd")
"""


def env_for(code: str, before: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if code == "before":
        env["PYTHONPATH"] = str(before)
    return env


def python(code: str, before: Path, *args: str) -> subprocess.CompletedProcess:
    """Run Python with the code ``before`` or ``after``, from a folder holding no ``soar``
    package (``python -m`` puts the working folder first on the path)."""
    return subprocess.run(
        [sys.executable, *args],
        env=env_for(code, before),
        cwd=before.parent,
        check=True,
        capture_output=True,
        text=True,
    )


def soar(code: str, before: Path, *args: str) -> float:
    """Run ``soar ARGS`` with the code ``before`` or ``after``; its wall time in seconds."""
    start = time.perf_counter()
    python(code, before, "-m", "soar.evaluate.cli", *args)
    return time.perf_counter() - start


def node_bytes(run: Path) -> int:
    return sum(p.stat().st_size for p in (run / "nodes").iterdir())


def programs(run: Path) -> int:
    return json.loads((run / "scores.json").read_text())["programs"]


def search(code: str, args: argparse.Namespace, tasks: str, out: Path) -> dict:
    """One ``soar run``: its wall time, programs, programs per second over the wall time and
    over the search itself (first to last node created: no start-up, no final scoring), bytes."""
    command = ["run", "--tasks", tasks, "--budget", str(args.budget), "--out", str(out)]
    seconds = soar(code, args.before, *command, "--quiet", "--workers", str(args.workers))
    from soar.agents.runs.rundir import RunDir  # this checkout reads both forms

    run = RunDir(out)
    created = [n.created for t in run.task_ids() for n in run.read_nodes(t, train_outputs=False)]
    n = programs(out)
    return {
        "seconds": seconds,
        "programs": n,
        "per_second": n / seconds,
        "search_per_second": (len(created) - 1) / (max(created) - min(created)),
        "bytes": node_bytes(out),
    }


CODES = ("before", "after")
med = statistics.median


def step_size(args: argparse.Namespace) -> dict:
    """1. The full run of each code: bytes per program (and its programs per second)."""
    full = {}
    for code in CODES:
        out = args.work / f"{code}-full"
        if not (out / "scores.json").exists():
            full[code] = search(code, args, args.tasks, out)
        else:  # made by an earlier call: only its size is measured again
            full[code] = {"programs": programs(out), "bytes": node_bytes(out)}
        full[code]["bytes_per_program"] = full[code]["bytes"] / full[code]["programs"]
        print(code, "full run", full[code], flush=True)
    before, after = (full[c]["bytes_per_program"] for c in CODES)
    print(f"bytes per program  before {before:.0f}  after {after:.0f}  ratio {after / before:.3f}")
    return full


def step_speed(args: argparse.Namespace) -> dict:
    """2. Programs per second on the first tasks, each code going first in half the rounds."""
    from soar.arc_env import load_tasks

    ids = [t.id for t in load_tasks(args.tasks)[: args.speed_tasks]]
    spec = args.tasks.split(":")[0] + ":" + ",".join(ids)
    speed: dict[str, list[float]] = {code: [] for code in CODES}
    wall: dict[str, list[float]] = {code: [] for code in CODES}
    for k in range(args.rounds):
        for code in CODES if k % 2 == 0 else CODES[::-1]:
            out = args.work / f"{code}-speed{k}"
            subprocess.run(["rm", "-rf", str(out)], check=True)
            found = search(code, args, spec, out)
            speed[code].append(found["search_per_second"])
            wall[code].append(found["per_second"])
            print(code, "speed", k, round(speed[code][-1]), round(wall[code][-1]), flush=True)
    ratios = [a / b for a, b in zip(speed["after"], speed["before"], strict=True)]
    wall_ratios = [a / b for a, b in zip(wall["after"], wall["before"], strict=True)]
    print(
        f"programs/s         before {med(speed['before']):.0f}  after {med(speed['after']):.0f}"
        f"  after/before per round {[round(r, 3) for r in ratios]} (search; median "
        f"{med(ratios):.3f}), {[round(r, 3) for r in wall_ratios]} (whole command)"
    )
    return {
        "tasks": len(ids),
        "search_per_second": speed,
        "wall_per_second": wall,
        "ratios": ratios,
        "wall_ratios": wall_ratios,
    }


def step_read(args: argparse.Namespace) -> dict:
    """3. Reading every node of the full run (and, after, the read without train outputs)."""
    reads: dict[str, list[float]] = {"before": [], "after": [], "after_votes": []}
    for _ in range(args.rounds):
        for code, mode in (("before", "all"), ("after", "all"), ("after", "votes")):
            run = str(args.work / f"{code}-full")
            n, seconds = python(code, args.before, "-c", READ, run, mode).stdout.split()
            key = code if mode == "all" else "after_votes"
            reads[key].append(float(seconds) / int(n) * 1e6)
            print(key, "read us/node", round(reads[key][-1], 1), flush=True)
    before, after, votes = (med(reads[k]) for k in ("before", "after", "after_votes"))
    print(
        f"read us/node       before {before:.1f}  after {after:.1f} ({before / after:.1f}x)  "
        f"after, without train outputs {votes:.1f} ({before / votes:.1f}x)"
    )
    return reads


def step_scale(args: argparse.Namespace) -> dict:
    """4. ``soar score`` + ``soar report`` of the grown run, after / before / after."""
    for code in CODES:
        big = args.work / f"{code}-big"
        if not big.exists():
            grow = GROW_BEFORE if code == "before" else GROW_AFTER
            full = str(args.work / f"{code}-full")
            python(code, args.before, "-c", grow, full, str(big), str(args.grow))
    timings: dict[str, list[float]] = {code: [] for code in CODES}
    for code in ("after", "before", "after"):
        big = args.work / f"{code}-big"
        seconds = soar(code, args.before, "score", str(big))
        seconds += soar(code, args.before, "report", str(big))
        timings[code].append(seconds)
        print(code, "score+report", round(seconds, 1), flush=True)
    n = programs(args.work / "after-big")
    print(
        f"score+report s     before {med(timings['before']):.0f}  after "
        f"{med(timings['after']):.0f}  ({n} programs)"
    )
    return {"programs": n, "seconds": timings}


STEPS = {"size": step_size, "speed": step_speed, "read": step_read, "scale": step_scale}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="the old package's folder")
    parser.add_argument("--work", type=Path, default=Path("/tmp/runlog-bench"))
    parser.add_argument("--tasks", default="arc1/eval")
    parser.add_argument("--budget", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--speed-tasks", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--grow", type=int, default=12, help="copies of each task's nodes")
    parser.add_argument(
        "--steps", default=",".join(STEPS), help=f"which figures, of {', '.join(STEPS)}"
    )
    args = parser.parse_args()
    args.work = args.work.resolve()
    args.before = args.before.resolve()
    args.work.mkdir(parents=True, exist_ok=True)
    where = "import soar.agents.runs.rundir as r; print(r.__file__)"
    if not python("before", args.before, "-c", where).stdout.startswith(str(args.before)):
        sys.exit(f"--before {args.before}: the old package is not what Python imports there")
    figures: dict = {"command": " ".join(sys.argv), "tasks": args.tasks, "budget": args.budget}
    steps = args.steps.split(",")
    if {"read", "scale"} & set(steps) and "size" not in steps:
        steps.insert(0, "size")  # makes the full runs they read
    for name in steps:
        figures[name] = STEPS[name](args)
    path = args.work / f"runlog-{'-'.join(steps)}.json"
    path.write_text(json.dumps(figures, indent=2))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
