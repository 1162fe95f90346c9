"""The ``soar export`` command (registered on the ``soar`` group by ``soar.evaluate.cli``)."""

from __future__ import annotations

import click
from soar.evaluate.command import open_run, run_solutions_option


@click.command("export", short_help="Write a run's programs as one Parquet (or JSONL) file.")
@click.argument("run_dir", metavar="RUN", type=click.Path())
@click.argument("out", metavar="OUT", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["parquet", "jsonl"]),
    default=None,
    help="The file's format (default: jsonl when OUT ends in .jsonl, else parquet).",
)
@click.option(
    "--tasks",
    "spec",
    metavar="SPEC",
    default=None,
    help='The tasks whose test outputs fill correct_test_input (default: the "tasks" of '
    "RUN/config.json).",
)
@run_solutions_option
def export_command(
    run_dir: str, out: str, fmt: str | None, spec: str | None, solutions: str | None
) -> None:
    """Write every program of run RUN to OUT, one row per program, in the schema of SOAR's
    released dataset (task_id, code, predicted_train_output, predicted_test_output,
    correct_train_input, correct_test_input, model), then this project's columns (node ids,
    parent, kind, island, statuses and messages per input, train accuracy, tokens, timings, the
    completion where it differs from the code).

    correct_test_input is filled where the tasks' test outputs are known, else null. Read OUT
    with pandas.read_parquet or datasets.load_dataset("parquet", data_files=OUT); soar relabel
    and soar improve --pool-from take it as a source of programs.
    """
    from soar.agents.runs.export import export_run
    from soar.arc_env.loading import load_tasks

    run, spec, solutions = open_run(run_dir, spec, solutions)
    tasks = load_tasks(spec, solutions=solutions)
    if fmt is None:
        fmt = "jsonl" if out.endswith(".jsonl") else "parquet"
    try:
        done = export_run(run, out, fmt=fmt, tasks=tasks)
    except OSError as err:
        raise click.ClickException(f"{out}: cannot write the export ({err})") from None
    click.echo(
        f"wrote {done.rows} programs of {done.tasks} tasks to {done.path} ({fmt}); "
        f"correct_test_input known for {done.test_known}"
    )
