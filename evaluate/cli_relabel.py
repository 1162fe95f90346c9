"""The ``soar relabel`` command (registered on the ``soar`` group by ``soar.evaluate.cli``).

Like ``soar.evaluate.cli``, this imports only click at import time; the strategy and filter names are
spelled here for the help text and checked against ``training`` by the tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from soar.evaluate.command import BadInput, open_run, run_solutions_option

if TYPE_CHECKING:
    from soar.agents.runs.sources import NodeSource, ParquetSource
    from soar.arc_env.task import Task

STRATEGY_NAMES = ("greedy-diverse", "greedy", "uniform", "correct-only", "vote-weighted")
FILTER_NAMES = (
    "error",
    "invalid-grid",
    "constant-output",
    "identity-output",
    "hard-coded",
    "absurd-source",
    "duplicate-code",
)
DEDUP_NAMES = ("ast", "exact", "embedding")


@click.command("relabel", short_help="Turn runs' programs into finetuning data (chat JSONL).")
@click.argument(
    "sources", metavar="SOURCE [SOURCE ...]", nargs=-1, required=True, type=click.Path()
)
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False), help="The JSONL file to write."
)
@click.option(
    "--strategy",
    type=click.Choice(STRATEGY_NAMES),
    default="greedy-diverse",
    show_default=True,
    help="How programs are chosen per task (described above).",
)
@click.option(
    "--per-task",
    type=click.IntRange(min=0),
    default=50,
    show_default=True,
    help="The most sample records per task (and refine records, with --refinement).",
)
@click.option("--refinement", is_flag=True, help="Add refine records from (parent, child) pairs.")
@click.option(
    "--tasks",
    "spec",
    metavar="SPEC",
    default=None,
    help='The tasks (default: the "tasks" of each RUN/config.json; required when every SOURCE '
    "is Parquet).",
)
@run_solutions_option
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the random draws.")
@click.option(
    "--no-filter",
    "no_filter",
    multiple=True,
    type=click.Choice(FILTER_NAMES),
    metavar="NAME",
    help=f"Switch a filter off (repeatable): {', '.join(FILTER_NAMES)}.",
)
@click.option(
    "--no-shuffle",
    is_flag=True,
    help="Show every record's pairs in the task's order (default: an order per record, drawn "
    "from --seed, as the paper's appendix D.4).",
)
@click.option(
    "--dedup",
    type=click.Choice(DEDUP_NAMES),
    default=None,
    help="How duplicate-code compares programs: ast (the default: the same syntax tree), exact "
    "(the same text), embedding (needs --dedup-model).",
)
@click.option(
    "--dedup-model",
    metavar="PATH",
    default=None,
    help="A sentence-transformers model (path or name): drop programs whose code embedding is "
    "at least --dedup-threshold similar to an earlier one's (the paper: CodeRankEmbed, 0.9).",
)
@click.option(
    "--dedup-threshold",
    type=click.FloatRange(0, 1, min_open=True),
    default=0.9,
    show_default=True,
    help="Cosine similarity from which two programs' embeddings are duplicates.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Executor workers for Parquet files without statuses, whose programs are run again "
    "(default: the number of cores).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=1.0,
    show_default=True,
    help="Seconds per input when programs are run again.",
)
def relabel_command(
    sources: tuple[str, ...],
    out: str,
    strategy: str,
    per_task: int,
    refinement: bool,
    spec: str | None,
    solutions: str | None,
    seed: int,
    no_filter: tuple[str, ...],
    no_shuffle: bool,
    dedup: str | None,
    dedup_model: str | None,
    dedup_threshold: float,
    workers: int | None,
    timeout: float,
) -> None:
    """Write finetuning data from the programs of each SOURCE (hindsight relabeling): a run
    directory RUN, or Parquet files in the schema of SOAR's released dataset (a file of
    `soar export`, or the downloaded shards of julien31/soar_arc_train_5M: one file or a
    directory of them, read task by task in batches; rows of tasks not requested are skipped
    and counted; programs of files without statuses are run again).

    Per task, the programs of every RUN are pooled and filtered (programs that error, give an
    invalid grid, give the same grid for every input or every input back, hard-code an output,
    have absurd source lines, or repeat an earlier program's code), then chosen by --strategy:
    greedy-diverse (half the best by accuracy, half drawn from the failing rest deduplicated by
    outputs), greedy, uniform, correct-only, or vote-weighted (for test-time training: the cap
    shared among output groups by vote weight). Each chosen program becomes a record whose
    prompt is the sampling prompt of its relabeled task (the program's own outputs as the
    outputs) and whose answer is the program. --refinement adds records asking to refine a
    program that failed, answered by its refinement that solved the task, balanced over the
    parent's train accuracy. Each record shows its task's pairs in an order of its own, drawn
    from --seed (--no-shuffle: the task's order).

    OUT holds one chat record per line ({"messages": [system, user, assistant], "task_id",
    "source", "strategy", "bucket", "node_id", "run"}), readable with
    datasets.load_dataset("json", data_files=OUT). The counts per filter, strategy and bucket
    are printed.
    """
    from soar.training.dataset import build_dataset, write_jsonl
    from soar.training.filters import FilterConfig

    mode = dedup or ("embedding" if dedup_model else "ast")
    filters = FilterConfig(
        dedup=mode, embedding_model=dedup_model, embedding_threshold=dedup_threshold
    ).without(no_filter)
    found, tasks = _sources_and_tasks(sources, spec, solutions, workers, timeout)
    try:
        records, stats = build_dataset(
            found,
            tasks,
            strategy=strategy,
            per_task=per_task,
            refinement=refinement,
            seed=seed,
            filters=filters,
            shuffle_pairs=not no_shuffle,
        )
    finally:
        for source in found:
            getattr(source, "close", lambda: None)()
    try:
        path = write_jsonl(records, out)
    except OSError as err:
        raise click.ClickException(f"{out}: cannot write the data ({err})") from None
    lines = stats_lines(stats)
    lines += [source_line(s) for s in found if hasattr(s, "stats")]  # Parquet sources
    click.echo("\n".join([*lines, f"wrote {len(records)} records to {path}"]))


def _sources_and_tasks(
    paths: tuple[str, ...],
    spec: str | None,
    solutions: str | None,
    workers: int | None,
    timeout: float,
) -> tuple[list[NodeSource], list[Task]]:
    """The sources, and the tasks: those of ``spec``, else the union of the runs' tasks (the first
    of the same id wins), in order. A path holding ``config.json`` is a run; any other is Parquet.
    """
    from soar.agents.runs.rundir import CONFIG
    from soar.agents.runs.sources import ParquetSource, parquet_files
    from soar.arc_env.loading import load_tasks

    loaded: dict[tuple[str, str | None], list[Task]] = {}
    tasks: dict[str, Task] = {}
    found: list[Any] = []
    for path in paths:
        if not (Path(path) / CONFIG).is_file():
            parquet_files(path)  # a clear error now if there is none
            found.append(path)  # Parquet: opened once the tasks are known
            continue
        run, run_spec, run_solutions = open_run(path, spec, solutions)
        found.append(run)
        key = (run_spec, run_solutions)
        if key not in loaded:
            loaded[key] = load_tasks(run_spec, solutions=run_solutions)
        for task in loaded[key]:
            tasks.setdefault(task.id, task)
    if spec is not None and not tasks:
        tasks = {task.id: task for task in load_tasks(spec, solutions=solutions)}
    if not tasks:
        raise BadInput(
            f"{paths[0]}: Parquet sources name no tasks (expected a run directory among the "
            "sources, or --tasks SPEC)"
        )
    opened: list[NodeSource] = []
    try:
        for item in found:
            if isinstance(item, str):
                item = ParquetSource(item, list(tasks.values()), workers=workers, timeout=timeout)
            opened.append(item)
    except BaseException:
        for source in opened:
            getattr(source, "close", lambda: None)()
        raise
    return opened, list(tasks.values())


def source_line(source: ParquetSource) -> str:
    """What ``soar relabel`` prints about one Parquet source."""
    stats = source.stats
    line = (
        f"parquet     {source.path}: {stats['rows']} rows of requested tasks; "
        f"{stats['skipped_rows']} rows of {stats['skipped_tasks']} other tasks skipped"
    )
    if stats["run_again"]:
        line += (
            f"; {stats['run_again']} programs run again (no statuses in the file), "
            f"{stats['outputs_differ']} of them gave other outputs than the file's"
        )
    return line


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in counts.items())


def stats_lines(stats: dict[str, Any]) -> list[str]:
    """The summary ``soar relabel`` prints: inputs, filters, selection, refinement."""
    dropped = sum(stats["dropped"].values())
    lines = [
        f"runs        {stats['runs']}, {stats['tasks']} tasks requested, "
        f"{stats['tasks_with_nodes']} with programs, {stats['nodes']} programs",
        f"filters     {dropped} dropped: {_counts(stats['dropped'])}",
    ]
    if stats.get("dedup") not in (None, "ast"):  # the default is not worth a line
        lines.append(f"            duplicates compared by {stats['dedup']}")
    if stats["disabled_filters"]:
        lines.append(f"            switched off: {', '.join(stats['disabled_filters'])}")
    lines.append(
        f"strategy    {stats['strategy']} (at most {stats['per_task']} per task, seed "
        f"{stats['seed']}): {stats['samples']} chosen of {stats['kept']} kept, from "
        f"{stats['tasks_with_samples']} tasks; {stats['samples_solving']} solve their task"
    )
    refine = stats.get("refine")
    if refine is not None:
        chosen, found = refine["chosen"], refine["pairs"]
        per_bucket = ", ".join(f"{name} {chosen[name]}/{found[name]}" for name in found)
        lines.append(
            f"refinement  {sum(chosen.values())} of {sum(found.values())} pairs "
            f"(chosen/found per parent bucket: {per_bucket}); "
            f"{refine['children_dropped']} pairs dropped by the filters"
        )
    return lines
