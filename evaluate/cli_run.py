"""The ``soar run`` command (registered on the ``soar`` group by ``soar.evaluate.cli``).

A thin shell over :func:`soar.agents.runs.run.run`: flags become a
:class:`~soar.agents.runs.config.RunConfig`. Like ``soar.evaluate.cli``, this imports only click at
import time.
"""

from __future__ import annotations

import click
from soar.evaluate.cli_score import WEIGHTINGS
from soar.evaluate.command import parse_options


@click.command("run", short_help="Search tasks with an agent and a policy; vote and score.")
@click.option("--tasks", "tasks", help="Task SPEC (arc1/eval, a directory, a Kaggle file...).")
@click.option(
    "--policy",
    help="Policy SPEC: dsl:default (the default: a grammar over grid primitives, CPU only), "
    "dsl:WEIGHTS.json, hf:PATH[+ADAPTER], vllm:MODEL, openai:URL#MODEL.",
)
@click.option("--agent", help="Search agent: sample, rex, sample-refine (default) or a plug-in.")
@click.option("--budget", type=int, help="Programs per task (sample-refine: half sampled).")
@click.option("--out", help="Run directory to create (default: runs/<tasks>-<time>).")
@click.option(
    "--config", "config_file", type=click.Path(dir_okay=False), help="YAML settings file."
)
@click.option("--resume", "resume_dir", help="Continue the run in this directory.")
@click.option("--solutions", help="Kaggle solutions file for scoring.")
@click.option("--seed", type=int, help="Seed of the search's random choices (default 0).")
@click.option("--batch-size", type=int, help="Programs per generate call (default 256).")
@click.option("--workers", type=int, help="Executor worker processes (default: cores).")
@click.option("--max-tasks", type=int, help="Tasks searched at a time; bounds memory (default 32).")
@click.option("--timeout", type=float, help="Seconds per program input (default 1).")
@click.option(
    "--agent-option",
    "agent_option",
    multiple=True,
    metavar="KEY=VALUE",
    help="An agent setting, e.g. stop_after=100 or C=20 (repeatable).",
)
@click.option(
    "--policy-option",
    "policy_option",
    multiple=True,
    metavar="KEY=VALUE",
    help="A back-end setting, e.g. tensor_parallel_size=2 (repeatable).",
)
@click.option(
    "--sampling",
    "sampling_option",
    multiple=True,
    metavar="KEY=VALUE",
    help="A sampling setting: temperature, top_p, min_p, max_new_tokens_sample...",
)
@click.option("--no-completions", is_flag=True, help="Log programs only, not full completions.")
@click.option(
    "--vote-filters/--no-vote-filters",
    "vote_filters",
    default=None,
    help="Vote only over programs passing SOAR's pre-vote filters (default: on for language "
    "models, off for dsl:).",
)
@click.option(
    "--weighting",
    type=click.Choice(WEIGHTINGS),
    default=None,
    help="How the vote weighs programs (see soar score --help; default: simplest for dsl:, soar "
    "otherwise).",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
def run_command(**flags: object) -> None:
    """Run a search: every task of SPEC gets programs from the policy, chosen by the agent.

    Each program tried is logged as it is produced (RUN/nodes/<task>.jsonl); at the end the
    programs vote (attempts.json, Kaggle format) and the run is scored (scores.json) when the
    test outputs are known. Settings come from --config (YAML) with flags overriding;
    --resume RUN continues a stopped run (even one killed with SIGKILL) with its saved settings.
    """
    from soar.agents.runs.config import RunConfig
    from soar.agents.runs.run import default_out, resolved_config, run
    from soar.agents.runs.rundir import RunDir

    resume_dir = flags.pop("resume_dir")
    quiet = bool(flags.pop("quiet"))
    overrides = {
        "tasks": flags["tasks"],
        "policy": flags["policy"],
        "agent": flags["agent"],
        "budget": flags["budget"],
        "out": resume_dir or flags["out"],
        "solutions": flags["solutions"],
        "seed": flags["seed"],
        "batch_size": flags["batch_size"],
        "workers": flags["workers"],
        "max_tasks": flags["max_tasks"],
        "timeout": flags["timeout"],
        "keep_completions": False if flags["no_completions"] else None,
        "vote_filters": flags["vote_filters"],
        "weighting": flags["weighting"],
    }
    for key, flag, name in (
        ("agent_options", "--agent-option", "agent_option"),
        ("policy_options", "--policy-option", "policy_option"),
        ("sampling", "--sampling", "sampling_option"),
    ):
        parsed = parse_options(flags[name], flag)  # type: ignore[arg-type]
        overrides[key] = parsed or None
    if resume_dir:
        config = resolved_config(RunDir.open(resume_dir))
    else:
        if not overrides["out"] and overrides["tasks"]:
            overrides["out"] = str(default_out(str(overrides["tasks"])))
        config = RunConfig.load(flags["config_file"], **overrides)  # type: ignore[arg-type]
    scores = run(config, resume=bool(resume_dir), show_progress=not quiet)
    lines = [f"run: {config.out}"]
    if scores.score is not None:
        lines.append(
            f"score {scores.score:.4f} (oracle {scores.oracle:.4f}) over {len(scores.tasks)} tasks"
        )
    else:
        lines.append("no test outputs known: attempts written, not scored")
    lines.append(f"programs: {scores.programs}, valid: {scores.valid_programs}")
    lines.append(
        f"next: soar report {config.out}   (HTML report and plots; soar score {config.out} "
        "re-votes, e.g. with --weighting count)"
    )
    click.echo("\n".join(lines))
