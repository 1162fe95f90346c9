"""The CPU grammar policy (``dsl:default``) on ARC-AGI-1: score, speed, and self-improvement.

Two measurements, each printed as figures (and written to OUT/summary.json):

1. ``search``: SOAR's search (``sample-refine``) with the grammar policy on ``arc1/eval`` at
   ``--budget`` programs per task (6,000 in the paper): official pass@2 score, oracle, wall time,
   programs per second, and the wall time projected to all 400 tasks when ``--every`` takes a
   subset. Targets: score >= 10 %, the full 400 tasks in < 30 minutes on 2 cores.
2. ``improve``: ``soar improve --base dsl`` on ``arc1/train`` for ``--iterations`` rounds with
   ``arc1/eval`` held out, at ``--improve-budget`` programs per task: the held-out score of the
   built-in weights and after each round of fitted weights. Target: higher after 2 rounds.

Usage:
    python bench/dsl.py search  [--budget 6000] [--every 1] [--out bench-runs/dsl]
    python bench/dsl.py improve [--improve-budget 300] [--iterations 2] [--out bench-runs/dsl]

Runs are ordinary run directories (``soar report`` works on them); an interrupted run continues
where it stopped when the command is given again.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from soar.agents.runs.config import RunConfig  # noqa: E402
from soar.agents.runs.run import run  # noqa: E402
from soar.arc_env import load_tasks  # noqa: E402
from soar.training.loop import ImproveConfig, improve  # noqa: E402

EVAL, TRAIN = "arc1/eval", "arc1/train"


def subset(spec: str, every: int) -> str:
    """``spec`` restricted to every ``every``-th task (all of them for 1)."""
    if every == 1:
        return spec
    ids = [task.id for task in load_tasks(spec)][::every]
    return f"{spec}:{','.join(ids)}"


def bench_search(args: argparse.Namespace) -> dict:
    out = Path(args.out) / f"search-b{args.budget}-every{args.every}"
    spec = subset(EVAL, args.every)
    n_tasks = len(load_tasks(spec))
    config = RunConfig(
        tasks=spec, policy="dsl:default", budget=args.budget, out=str(out), workers=args.workers
    )
    started = time.perf_counter()
    scores = run(config, resume=(out / "config.json").exists(), show_progress=not args.quiet)
    wall = time.perf_counter() - started
    programs = scores.programs
    figures = {
        "tasks": n_tasks,
        "budget": args.budget,
        "cores": os.cpu_count(),
        "score": round(scores.score, 4),
        "oracle": round(scores.oracle, 4),
        "programs": programs,
        "wall_seconds": round(wall, 1),
        "programs_per_second": round(programs / wall, 1),
        "projected_400_task_minutes": round(wall * 400 / n_tasks / 60, 1),
    }
    print(
        f"search: {n_tasks} tasks x {args.budget} programs: score {scores.score:.1%} "
        f"(oracle {scores.oracle:.1%}), {programs} programs in {wall:.0f} s = "
        f"{programs / wall:.0f} programs/s; all 400 tasks: "
        f"{figures['projected_400_task_minutes']} min (targets: >= 10 %, < 30 min)"
    )
    return figures


def bench_improve(args: argparse.Namespace) -> dict:
    out = Path(args.out) / f"improve-b{args.improve_budget}"
    config = ImproveConfig(
        tasks=TRAIN,
        base="dsl",
        out=str(out),
        iterations=args.iterations,
        budget=args.improve_budget,
        held_out=EVAL,
        workers=args.workers,
    )
    started = time.perf_counter()
    rows = improve(config)["iterations"]
    wall = time.perf_counter() - started
    held_out = [row["held_out"] for row in rows]
    print(
        f"improve: {args.iterations} rounds on {TRAIN}, {args.improve_budget} programs per task: "
        f"{EVAL} score "
        + " -> ".join(f"{s:.2%}" for s in held_out)
        + f" ({TRAIN}: "
        + " -> ".join(f"{row['score']:.2%}" for row in rows)
        + f"); {wall / 60:.1f} min"
    )
    return {
        "budget": args.improve_budget,
        "iterations": args.iterations,
        "held_out": held_out,
        "train": [row["score"] for row in rows],
        "wall_seconds": round(wall, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["search", "improve", "all"])
    parser.add_argument("--budget", type=int, default=6000, help="programs per task (search)")
    parser.add_argument("--every", type=int, default=1, help="search every N-th eval task")
    parser.add_argument("--improve-budget", type=int, default=300)
    parser.add_argument("--iterations", type=int, default=2)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--out", default="bench-runs/dsl")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    if args.every < 1 or args.budget < 1 or args.improve_budget < 1:
        parser.error("--every, --budget and --improve-budget: expected at least 1")
    summary_path = Path(args.out) / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    if args.what in ("search", "all"):
        summary[f"search-b{args.budget}-every{args.every}"] = bench_search(args)
    if args.what in ("improve", "all"):
        summary[f"improve-b{args.improve_budget}"] = bench_improve(args)
    summary_path.parent.mkdir(parents=True, exist_ok=True)
    summary_path.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
