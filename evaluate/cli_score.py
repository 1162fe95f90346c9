"""The ``soar score`` and ``soar report`` commands (registered on the ``soar`` group by
``soar.evaluate.cli``): vote and score a run, or several runs pooled into an ensemble, and draw
the report. A thin shell over :mod:`soar.agents.runs.scoring`, :mod:`soar.agents.runs.ensemble` and
:mod:`soar.evaluate.report`; like ``soar.evaluate.cli``, this imports only click at import time.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click
from soar.evaluate.command import BadInput, open_run, run_solutions_option

if TYPE_CHECKING:
    from soar.agents.runs.rundir import RunDir
    from soar.agents.runs.scoring import RunScores
    from soar.arc_env.task import Task

_run_argument = click.argument("run_dir", metavar="RUN", type=click.Path())
_run_tasks_option = click.option(
    "--tasks",
    "spec",
    metavar="SPEC",
    default=None,
    help='The tasks to score (default: the "tasks" of RUN/config.json).',
)
WEIGHTINGS = ("soar", "count", "simplest", "simplest-tiebreak")
"""soar.agents.voting.WEIGHTINGS, spelt out so that importing the CLI stays light."""
_weighting_option = click.option(
    "--weighting",
    type=click.Choice(WEIGHTINGS),
    default=None,
    help="A group's weight in the vote: soar = the sum over its programs of "
    "1 + 1000 x train accuracy; count = its number of programs; simplest = programs deduplicated "
    "by their outputs, the simplest (shortest description) fitting the train pairs weighing most, "
    "answers breaking the train outputs' shape and colour relations weighing less; "
    "simplest-tiebreak = those relations only break ties (default: the run's setting, else "
    "simplest for dsl:, soar otherwise).",
)


_vote_filters_option = click.option(
    "--vote-filters/--no-vote-filters",
    "vote_filters",
    default=None,
    help="Vote only over the programs that pass SOAR's pre-vote filters (errors on any input, "
    "blank, near-constant or identity outputs, absurd lines, hard-coded outputs), counted in "
    "scores.json (default: the run's setting, else on for language models, off for dsl:).",
)


@click.command("score", short_help="Vote on a run's (or several runs') programs and score.")
@click.argument("run_dirs", metavar="RUN [RUN ...]", nargs=-1, required=True, type=click.Path())
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=None,
    help="Ensemble directory: vote over the pooled programs of every RUN and write the "
    "attempts and scores there (needed with several RUNs).",
)
@_run_tasks_option
@run_solutions_option
@_weighting_option
@_vote_filters_option
@click.option("--per-task", is_flag=True, help="Also print one line per task.")
def score_command(
    run_dirs: tuple[str, ...],
    out: str | None,
    spec: str | None,
    solutions: str | None,
    weighting: str | None,
    vote_filters: bool | None,
    per_task: bool,
) -> None:
    """Vote on the programs of run RUN and score the two attempts per test input.

    The attempts are recomputed from the node logs (RUN/nodes/) and written to
    RUN/attempts.json in the Kaggle submission format (a task where no program voted gets the
    placeholder grid [[0]], scored as no attempt). RUN/scores.json gets the official score (a test
    output counts when either attempt equals it; the mean over every requested task with known
    test outputs, a task without attempts scoring 0), the oracle (any program of the vote pool
    produced the output), the score against programs spent, the programs each vote filter
    dropped, and one row per task.

    With several RUNs (other models or seeds) and --out DIR, their programs are pooled per task
    and voted together (an ensemble, as in the SOAR paper's best result); DIR gets
    ensemble.json, attempts.json and scores.json, whose "sources" say which run each voted
    program came from. `soar score DIR` re-scores an ensemble, `soar report DIR` draws it.
    """
    from soar.agents.runs import submission

    if len(run_dirs) > 1 or out is not None or _is_ensemble(run_dirs[0]):
        target, _, scores = _score_ensemble(
            run_dirs, out, spec, solutions, weighting, vote_filters, write=True
        )
    else:
        target, _, scores = _score(run_dirs[0], spec, solutions, weighting, vote_filters)
        try:
            submission.write(target, scores.attempts)
            target.write_scores(scores.to_json())
        except OSError as err:
            raise click.ClickException(f"{target.path}: cannot write the results ({err})") from None
    lines = _score_lines(scores)
    if per_task:
        lines.extend(["", *_task_lines(scores)])
    lines.append(f"wrote {target.path / 'attempts.json'} and {target.path / 'scores.json'}")
    click.echo("\n".join(lines))


@click.command("report", short_help="Write a run's (or an ensemble's) HTML report and plots.")
@_run_argument
@_run_tasks_option
@run_solutions_option
@_weighting_option
@_vote_filters_option
def report_command(
    run_dir: str,
    spec: str | None,
    solutions: str | None,
    weighting: str | None,
    vote_filters: bool | None,
) -> None:
    """Write RUN/report/index.html and its PNG plots, and print the page's path.

    The scores are recomputed from the node logs as by `soar score` (which alone writes
    attempts.json and scores.json). The page works offline: per task, the train pairs, each test
    input with both attempts marked right or wrong, and the programs behind the attempts; plots of
    the score against programs spent, of train accuracy, and of programs per second. RUN may be an
    ensemble directory (`soar score RUN1 RUN2 --out DIR`): the page then says which member run
    each voted program came from.
    """
    from soar.evaluate.report import write_report

    if _is_ensemble(run_dir):
        run, loaded, scores = _score_ensemble(
            (run_dir,), None, spec, solutions, weighting, vote_filters, write=False
        )
    else:
        run, loaded, scores = _score(run_dir, spec, solutions, weighting, vote_filters)
    try:
        index = write_report(run, loaded, scores)
    except OSError as err:
        raise click.ClickException(f"{run.path}: cannot write the report ({err})") from None
    click.echo(str(index))


def _is_ensemble(path: str) -> bool:
    return (Path(path) / "ensemble.json").is_file() and not (Path(path) / "config.json").exists()


def _score(
    run_dir: str,
    spec: str | None,
    solutions: str | None,
    weighting: str | None,
    vote_filters: bool | None,
) -> tuple[RunDir, list[Task], RunScores]:
    """The run, its requested tasks and their scores."""
    run, spec, solutions = open_run(run_dir, spec, solutions)

    from soar.agents.runs.scoring import score_run
    from soar.arc_env.loading import load_tasks

    loaded = load_tasks(spec, solutions=solutions)
    return run, loaded, score_run(run, loaded, weighting=weighting, vote_filters=vote_filters)


def _score_ensemble(
    run_dirs: Sequence[str],
    out: str | None,
    spec: str | None,
    solutions: str | None,
    weighting: str | None,
    vote_filters: bool | None,
    *,
    write: bool,
) -> tuple[RunDir, list[Task], RunScores]:
    """The ensemble's directory, tasks and scores: of the member runs ``run_dirs`` written to
    ``out``, or, for one ensemble directory, of its members again (written back with ``write``)."""
    from soar.agents.runs import ensemble
    from soar.agents.runs.rundir import RunDir

    if out is None and len(run_dirs) == 1 and _is_ensemble(run_dirs[0]):
        out = run_dirs[0]
        settings = ensemble.open_ensemble(out)
        run_dirs = settings["runs"]
        spec = spec if spec is not None else settings.get("tasks")
        solutions = solutions if solutions is not None else settings.get("solutions")
        if vote_filters is None:
            vote_filters = settings.get("vote_filters")
    elif out is None:
        raise BadInput("several runs are scored together into an ensemble: give --out DIR")
    for run_dir in run_dirs:
        if _is_ensemble(run_dir):
            raise BadInput(f"{run_dir}: an ensemble cannot be a member; name its runs instead")
    runs = [RunDir.open(run_dir) for run_dir in run_dirs]
    loaded = ensemble.ensemble_tasks(runs, spec, solutions)
    scores = ensemble.score_ensemble(runs, loaded, weighting=weighting, vote_filters=vote_filters)
    if not write:
        return RunDir(out), loaded, scores
    try:
        target = ensemble.write_ensemble(
            out, scores, spec=spec, solutions=solutions, vote_filters=vote_filters
        )
    except OSError as err:
        raise click.ClickException(f"{out}: cannot write the ensemble ({err})") from None
    return target, loaded, scores


def _score_lines(scores: RunScores) -> list[str]:
    """The summary table of ``soar score``."""
    scored, total = len(scores.scored), len(scores.tasks)
    if scores.score is None:
        score_line = "unknown (no requested task has known test outputs)"
        oracle_line = "unknown"
    else:
        score_line = f"{scores.score:.4f}  ({scores.solved} of {scored} tasks solved)"
        oracle_line = f"{scores.oracle:.4f}"
    without = sum(not t.attempted for t in scores.tasks)
    tasks_line = f"{total} requested, {scored} scored, {without} without attempts"
    per_task = scores.programs / total if total else 0.0
    lines = [
        f"score      {score_line}",
        f"oracle     {oracle_line}",
        f"tasks      {tasks_line}",
        f"programs   {scores.programs} ({scores.valid_programs} valid), {per_task:.1f} per task",
    ]
    runs = getattr(scores, "names", None)
    if runs:
        lines.append(f"ensemble   {len(runs)} runs pooled: {', '.join(runs)}")
    filtered = scores.vote_filters
    if filtered["on"]:
        dropped = filtered["dropped"]
        counts = ", ".join(f"{name} {dropped.get(name, 0)}" for name in filtered["on"])
        lines.append(f"filtered   {sum(dropped.values())} kept out of the vote: {counts}")
    else:
        lines.append("filtered   none (vote filters off)")
    if scored < total:
        lines.append(f"unscored   {total - scored} tasks without known test outputs")
    if scores.not_requested:
        lines.append(f"ignored    {len(scores.not_requested)} node logs of tasks not requested")
    return lines


def _task_lines(scores: RunScores) -> list[str]:
    """One line per task: id, programs, valid, best train accuracy, score, oracle."""
    width = max((len(t.task_id) for t in scores.tasks), default=4)
    lines = [f"{'task':<{width}}  programs  valid  best train  score  oracle"]
    for t in scores.tasks:
        score = "-" if t.score is None else f"{t.score:.2f}"
        oracle = "-" if t.oracle is None else f"{t.oracle:.2f}"
        lines.append(
            f"{t.task_id:<{width}}  {t.programs:>8}  {t.valid:>5}  {t.best_train_accuracy:>10.2f}"
            f"  {score:>5}  {oracle:>6}"
        )
    return lines
