"""The ``soar improve`` command (registered on the ``soar`` group by ``soar.evaluate.cli``)."""

from __future__ import annotations

import click
from soar.evaluate.command import BadInput, parse_options


@click.command("improve", short_help="Search, relabel, finetune, repeat (SOAR's loop).")
@click.option("--tasks", help="Tasks to search and learn from (e.g. arc1/train).")
@click.option(
    "--base",
    help="Base model (directory or hub id), or dsl for the CPU grammar policy; every "
    "round trains from it.",
)
@click.option("--out", help="Directory of the loop.")
@click.option("--iterations", type=int, help="Search-relabel-train rounds (default 2).")
@click.option(
    "--config", "config_file", type=click.Path(dir_okay=False), help="YAML settings file."
)
@click.option("--resume", "resume_dir", help="Continue the loop in this directory.")
@click.option(
    "--serve", type=click.Choice(["hf", "vllm"]), help="Back end for search (default hf)."
)
@click.option("--first-policy", "first_policy", help="Policy SPEC for the first search only.")
@click.option("--agent", help="Search agent (default sample-refine).")
@click.option("--budget", type=int, help="Programs per task in each search.")
@click.option("--solutions", help="Kaggle solutions file for --tasks.")
@click.option("--held-out", "held_out", help="Tasks evaluated after each round (not trained on).")
@click.option("--test-time", "test_time", help="Tasks without ground truth: test-time training.")
@click.option("--strategy", help="Data selection strategy (default greedy-diverse).")
@click.option("--per-task", "per_task", type=int, help="Programs kept per task (default 50).")
@click.option("--no-refinement", is_flag=True, help="Train on sampling data only.")
@click.option("--pool", is_flag=True, default=None, help="Train on every round's data so far.")
@click.option(
    "--frontier",
    is_flag=True,
    default=None,
    help="--base dsl: each round's search of --tasks (and --test-time) skips the programs "
    "earlier rounds tried there and screens deeper, further each round (and trains on every "
    "round's data so far).",
)
@click.option(
    "--pool-from",
    "pool_from",
    multiple=True,
    metavar="SOURCE",
    help="Also train every round on the programs of SOURCE (repeatable): Parquet files in "
    "SOAR's schema (a soar export file, or the released dataset's shards, one file or a "
    "directory) or a run directory; relabeled once for --tasks into OUT/pool_from.jsonl.",
)
@click.option("--seed", type=int)
@click.option("--batch-size", "batch_size", type=int, help="Programs per generate call.")
@click.option("--workers", type=int, help="Executor workers.")
@click.option("--timeout", type=float, help="Seconds per program input.")
@click.option("--agent-option", "agent_option", multiple=True, metavar="KEY=VALUE")
@click.option("--policy-option", "policy_option", multiple=True, metavar="KEY=VALUE")
@click.option("--sampling", "sampling_option", multiple=True, metavar="KEY=VALUE")
@click.option(
    "--train-option",
    "train_option",
    multiple=True,
    metavar="KEY=VALUE",
    help="A training setting, e.g. epochs=1 or max_steps=100 (repeatable).",
)
def improve_command(**flags: object) -> None:
    """Run the self-improvement loop: each round searches with the current model, relabels the
    programs into training data, and trains a fresh adapter from the base model; a last search
    measures the last model. Every stage writes its output before the next starts; --resume OUT
    continues from the last finished stage. OUT/summary.json and OUT/improvement.png give the
    score per round."""
    import json
    from pathlib import Path

    from soar.training.loop import CONFIG_FILE, ImproveConfig, improve

    resume_dir = flags.pop("resume_dir")
    overrides = {
        key: flags[key]
        for key in (
            "tasks",
            "base",
            "out",
            "iterations",
            "serve",
            "first_policy",
            "agent",
            "budget",
            "solutions",
            "held_out",
            "test_time",
            "strategy",
            "per_task",
            "pool",
            "frontier",
            "seed",
            "batch_size",
            "workers",
            "timeout",
        )
    }
    overrides["refinement"] = False if flags["no_refinement"] else None
    overrides["pool_from"] = list(flags["pool_from"]) or None  # type: ignore[call-overload]
    for key, flag, name in (
        ("agent_options", "--agent-option", "agent_option"),
        ("policy_options", "--policy-option", "policy_option"),
        ("sampling", "--sampling", "sampling_option"),
        ("train", "--train-option", "train_option"),
    ):
        overrides[key] = parse_options(flags[name], flag) or None  # type: ignore[arg-type]
    if resume_dir:
        saved = Path(resume_dir) / CONFIG_FILE
        if not saved.is_file():
            raise BadInput(f"{resume_dir}: expected a loop directory with {CONFIG_FILE}")
        try:
            config = ImproveConfig(**json.loads(saved.read_text()))
        except (OSError, ValueError, TypeError) as err:
            raise BadInput(f"{saved}: cannot read the loop's configuration ({err})") from None
    else:
        config = ImproveConfig.load(flags["config_file"], **overrides)  # type: ignore[arg-type]
    summary = improve(config)
    columns = {"score": "score", "held_out": "held-out", "test_time": "test-time"}
    if config.frontier:  # each round's search skips what earlier rounds solved: pooled too
        columns = {"score": "score", "score_so_far": "so far", **columns}
        if config.test_time:
            columns["test_time_so_far"] = "t-t so far"
    lines = [f"{'round':>5}  {'model':<50} " + " ".join(f"{h:>9}" for h in columns.values())]
    for row in summary["iterations"]:
        cells = " ".join(f"{_fmt(row.get(k)):>9}" for k in columns)
        lines.append(f"{row['iteration']:>5}  {row['model'][-50:]:<50} {cells}")
    lines.append(
        f"wrote {Path(config.out) / 'summary.json'} and {Path(config.out) / 'improvement.png'}"
    )
    click.echo("\n".join(lines))


def _fmt(value: object) -> str:
    return "-" if value is None else f"{float(value):.4f}"  # type: ignore[arg-type]
