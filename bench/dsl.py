"""The CPU grammar policy (``dsl:default``): score, speed, search statistics, self-improvement.

Each measurement prints its figures and adds them to OUT/summary.json:

1. ``search``: SOAR's search (``sample-refine``) with the grammar policy on ``--tasks``
   (``arc1/eval``; also ``arc2/eval``) at ``--budget`` programs per task (6,000 in the paper):
   the official pass@2 score (with the run's weighting, ``simplest`` for this policy), the
   oracle, the tasks where a program was right on every train pair and how many of those the
   vote won, the share of distinct programs and of distinct behaviours (outputs on every train
   and test input) among the programs tried, wall time, programs per second, and the wall time
   projected to all 400 tasks when ``--every`` takes a subset. Targets on arc1/eval: >= 22 % at
   6,000 programs, >= 14 % at 500; the 400 tasks in < 30 minutes on 2 cores (< 5 at 500).
2. ``improve``: ``soar improve --base dsl`` on ``arc1/train`` for ``--iterations`` rounds with
   ``arc1/eval`` held out, at ``--improve-budget`` programs per task: per round, the held-out and
   train scores and train-perfect counts. Target: every round gains on the held-out tasks.
   ``--design`` runs the same loop at design time: it learns on the design split and holds out
   the validation split (:func:`design_split`), no evaluation task involved. ``--test-time``
   searches the held-out tasks as test-time tasks instead (their programs, relabeled on their
   own demonstrations, join the training data; their answers only score); with ``--frontier``
   their searches go on past earlier rounds too, and each round prints one vote over every
   round's programs so far.
3. ``validate``: the same search on the design-time validation split (:func:`design_split`: a
   fixed 160 tasks of arc1/train and of the arc2/train tasks outside arc1/eval and arc2/eval),
   the set the DSL's primitives, enumeration and vote were chosen on; ``--design`` searches the
   other 473 tasks (the design split) instead. Evaluation tasks are only ever measured.

Usage:
    python bench/dsl.py search   [--tasks arc1/eval] [--budget 6000] [--every 1] [--out DIR]
    python bench/dsl.py improve  [--improve-budget 300] [--iterations 2] [--pool] [--frontier]
                                 [--test-time] [--design] [--out DIR]
    python bench/dsl.py validate [--budget 1500] [--design] [--out DIR]

Runs are ordinary run directories (``soar report`` works on them); an interrupted run continues
where it stopped when the command is given again.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from soar.agents.runs.config import RunConfig  # noqa: E402
from soar.agents.runs.ensemble import score_ensemble  # noqa: E402
from soar.agents.runs.run import run  # noqa: E402
from soar.agents.runs.rundir import RunDir  # noqa: E402
from soar.arc_env import Task, load_tasks  # noqa: E402
from soar.training.loop import ImproveConfig, improve  # noqa: E402

EVAL, TRAIN = "arc1/eval", "arc1/train"
SPLIT_SEED = "soar-dsl-validation"
VALIDATION_ARC1, VALIDATION_ARC2 = 120, 40


@functools.cache
def design_split() -> tuple[list[Task], list[Task]]:
    """The design and validation tasks: arc1/train and the arc2/train tasks in neither arc1/eval
    nor arc2/eval, each shuffled with a fixed seed; the first 120 and 40 are the validation split,
    the other 473 the design split. Built once per process (the lists are only read)."""
    arc1 = load_tasks(TRAIN)
    held = {t.id for spec in (EVAL, "arc2/eval") for t in load_tasks(spec)}
    arc1_ids = {t.id for t in arc1}
    arc2 = [t for t in load_tasks("arc2/train") if t.id not in arc1_ids | held]
    rng = random.Random(SPLIT_SEED)
    rng.shuffle(arc1)
    rng.shuffle(arc2)
    validation = arc1[:VALIDATION_ARC1] + arc2[:VALIDATION_ARC2]
    return arc1[VALIDATION_ARC1:] + arc2[VALIDATION_ARC2:], validation


def subset(spec: str, every: int) -> str:
    """``spec`` restricted to every ``every``-th task (all of them for 1)."""
    if every == 1:
        return spec
    ids = [task.id for task in load_tasks(spec)][::every]
    return f"{spec}:{','.join(ids)}"


def figures(scores: Any, wall: float | None = None) -> dict[str, Any]:
    """The figures of a run's scores (a ``RunScores`` or its ``scores.json`` data)."""
    data = scores if isinstance(scores, dict) else scores.to_json()
    valid = data["valid_programs"] or 1
    out = {
        "tasks": data["tasks_requested"],
        "weighting": data["weighting"],
        "score": round(data["score"], 4),
        "oracle": round(data["oracle"], 4),
        "solved": data["tasks_solved"],
        "train_perfect": data["tasks_train_perfect"],
        "train_perfect_won": data["tasks_train_perfect_won"],
        "programs": data["programs"],
        "distinct_programs": round(data["distinct_programs"] / valid, 3),
        "distinct_behaviours": round(data["distinct_behaviours"] / valid, 3),
    }
    if wall is not None:
        out["wall_seconds"] = round(wall, 1)
        out["programs_per_second"] = round(data["programs"] / wall, 1)
    return out


def describe(name: str, f: dict[str, Any]) -> str:
    text = (
        f"{name}: {f['tasks']} tasks: score {f['score']:.2%} (oracle {f['oracle']:.2%}, "
        f"{f['weighting']} vote); train-perfect {f['train_perfect']} tasks, "
        f"{f['train_perfect_won']} won; distinct programs {f['distinct_programs']:.1%}, "
        f"distinct behaviours {f['distinct_behaviours']:.1%}"
    )
    if "wall_seconds" in f:
        text += f"; {f['programs']} programs in {f['wall_seconds']:.0f} s"
        text += f" = {f['programs_per_second']:.0f}/s"
    return text


def search(spec: str, budget: int, out: Path, args: argparse.Namespace) -> dict[str, Any]:
    config = RunConfig(
        tasks=spec, policy="dsl:default", budget=budget, out=str(out), workers=args.workers
    )
    started = time.perf_counter()
    scores = run(config, resume=(out / "config.json").exists(), show_progress=not args.quiet)
    return figures(scores, time.perf_counter() - started)


def bench_search(args: argparse.Namespace) -> dict[str, Any]:
    name = args.tasks.replace("/", "-")
    out = Path(args.out) / f"search-{name}-b{args.budget}-every{args.every}"
    spec = subset(args.tasks, args.every)
    result = search(spec, args.budget, out, args)
    n_all = len(load_tasks(args.tasks))
    result["budget"] = args.budget
    result["cores"] = os.cpu_count()
    result[f"projected_{n_all}_task_minutes"] = round(
        result["wall_seconds"] * n_all / result["tasks"] / 60, 1
    )
    print(
        describe(f"search {args.tasks} x {args.budget}", result)
        + f"; all {n_all} tasks: {result[f'projected_{n_all}_task_minutes']} min"
    )
    return result


def split_folder(which: str, out: str) -> str:
    """The ``design`` or ``validation`` tasks of :func:`design_split`, written as task files
    into ``OUT/{which}-tasks`` (a task spec any command takes)."""
    design, validation = design_split()
    tasks_dir = Path(out) / f"{which}-tasks"
    tasks_dir.mkdir(parents=True, exist_ok=True)
    for task in design if which == "design" else validation:
        (tasks_dir / f"{task.id}.json").write_text(json.dumps(task.to_json()))
    return str(tasks_dir)


def bench_validate(args: argparse.Namespace) -> dict[str, Any]:
    which = "design" if args.design else "validation"
    tasks_dir = split_folder(which, args.out)
    out = Path(args.out) / f"{which}-b{args.budget}"
    result = search(tasks_dir, args.budget, out, args)
    result["budget"] = args.budget
    print(describe(f"{which} split x {args.budget}", result))
    return result


def improve_name(args: argparse.Namespace) -> str:
    """The name of an ``improve`` measurement: its folder under OUT and its summary key."""
    design, pool = "-design" if args.design else "", "-pool" if args.pool else ""
    frontier = "-frontier" if args.frontier else ""
    test_time = "-tt" if args.test_time else ""
    return f"improve{design}-b{args.improve_budget}{pool}{frontier}{test_time}"


def pooled_figures(stages: list[Path], spec: str) -> dict[str, Any]:
    """The figures of one vote over every program of ``stages`` (searches of ``spec``)."""
    runs = [RunDir.open(stage) for stage in stages]
    return figures(score_ensemble(runs, load_tasks(spec)).to_json())


def bench_improve(args: argparse.Namespace) -> dict[str, Any]:
    out = Path(args.out) / improve_name(args)
    train_spec, held_spec = TRAIN, EVAL
    if args.design:  # the design-time check: learn on the design split, hold out validation
        train_spec, held_spec = (
            split_folder("design", args.out),
            split_folder("validation", args.out),
        )
    config = ImproveConfig(
        tasks=train_spec,
        base="dsl",
        out=str(out),
        iterations=args.iterations,
        budget=args.improve_budget,
        held_out=None if args.test_time else held_spec,
        test_time=held_spec if args.test_time else None,
        workers=args.workers,
        pool=args.pool,
        frontier=args.frontier,
    )
    train_name, held_name = ("design split", "validation split") if args.design else (TRAIN, EVAL)
    held_folder = "test_time" if args.test_time else "held_out"
    started = time.perf_counter()
    rows = improve(config, show_progress=not args.quiet)["iterations"]
    wall = time.perf_counter() - started
    rounds = []
    for row in rows:
        i = row["iteration"]
        stage = out / f"iter{i}"
        held = figures(json.loads((stage / held_folder / "scores.json").read_text()))
        train = figures(json.loads((stage / "search" / "scores.json").read_text()))
        rounds.append({"iteration": i, "held_out": held, "train": train})
        label = f"{'test-time' if args.test_time else 'held out'} {held_name}"
        print(f"round {i}: " + describe(label, held))
        print(f"round {i}: " + describe(f"train {train_name}", train))
        # --frontier: one vote over every round's programs so far, where the rounds go on
        # (held-out searches start afresh each round: nothing to pool there)
        pooled_searches = [("train", "search", train_spec, f"train {train_name}")]
        if args.test_time:
            pooled_searches.append(("held_out", "test_time", held_spec, label))
        for key, folder, spec, name in pooled_searches if args.frontier and i > 0 else []:
            stages = [out / f"iter{j}" / folder for j in range(i + 1)]
            rounds[-1][f"{key}_so_far"] = pooled = pooled_figures(stages, spec)
            print(f"round {i}: " + describe(f"{name}, all rounds so far", pooled))

    def series(key: str) -> str:
        return " -> ".join(f"{r.get(key + '_so_far', r[key])['score']:.2%}" for r in rounds)

    print(
        f"improve: {args.iterations} rounds on {train_name}, {args.improve_budget} programs per "
        f"task: {held_name}{' (test-time)' if args.test_time else ''} "
        + " -> ".join(f"{r['held_out']['score']:.2%}" for r in rounds)
        + (f"; so far: {series('held_out')}" if args.frontier and args.test_time else "")
        + f" ({train_name}: "
        + " -> ".join(f"{r['train']['score']:.2%}" for r in rounds)
        + (f"; so far: {series('train')}" if args.frontier else "")
        + f"); {wall / 60:.1f} min"
    )
    return {
        "budget": args.improve_budget,
        "design": args.design,
        "iterations": args.iterations,
        "pool": args.pool,
        "frontier": args.frontier,
        "test_time": args.test_time,
        "held_out": [r["held_out"]["score"] for r in rounds],
        "train": [r["train"]["score"] for r in rounds],
        "rounds": rounds,
        "wall_seconds": round(wall, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["search", "improve", "validate", "all"])
    parser.add_argument("--tasks", default=EVAL, help="the tasks of search (e.g. arc2/eval)")
    parser.add_argument("--budget", type=int, default=6000, help="programs per task (search)")
    parser.add_argument("--every", type=int, default=1, help="search every N-th task")
    parser.add_argument("--improve-budget", type=int, default=300)
    parser.add_argument("--iterations", type=int, default=2)
    parser.add_argument("--pool", action="store_true", help="improve: fit on every round's data")
    parser.add_argument(
        "--frontier",
        action="store_true",
        help="improve: each round's train search skips what earlier rounds tried there",
    )
    parser.add_argument(
        "--test-time",
        action="store_true",
        help="improve: search the held-out tasks as test-time tasks (their programs, relabeled on "
        "their demonstrations alone, join the training data; with --frontier the rounds go on)",
    )
    parser.add_argument(
        "--design",
        action="store_true",
        help="validate: the design split; improve: learn on it, the validation split held out",
    )
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--out", default="bench-runs/dsl")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    if args.every < 1 or args.budget < 1 or args.improve_budget < 1:
        parser.error("--every, --budget and --improve-budget: expected at least 1")
    summary_path = Path(args.out) / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    if args.what in ("search", "all"):
        key = f"search-{args.tasks.replace('/', '-')}-b{args.budget}-every{args.every}"
        summary[key] = bench_search(args)
    if args.what == "validate":
        summary[f"{'design' if args.design else 'validation'}-b{args.budget}"] = bench_validate(
            args
        )
    if args.what in ("improve", "all"):
        summary[improve_name(args)] = bench_improve(args)
    summary_path.parent.mkdir(parents=True, exist_ok=True)
    summary_path.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
