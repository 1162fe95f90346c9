"""The ``soar`` command line.

Importing this module must stay fast: it imports ``click`` and the standard library only. Each
command imports what it needs (``arc_env`` and with it numpy; later torch or vLLM) when it runs,
so ``soar --help`` never pays for them.

Exit statuses: 0 when the command did its work (``soar exec`` exits 0 whether or not the program
is right: it ran); 1 when the tool itself failed (for example, the executor's workers could not
start, or a run's files could not be written); 2 for bad input, which is reported as one
``Error: ...`` line on stderr: a malformed command line, an unknown dataset or task id, an
unreadable or malformed task or solutions file, a program file that is missing, not UTF-8, not
valid Python, or without a top-level ``transform``, a path that is not a run directory, a run
whose ``config.json`` is unreadable or names no tasks (without ``--tasks``), a corrupt node log.
"""

from __future__ import annotations

import ast
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click
from soar.evaluate.cli_export import export_command
from soar.evaluate.cli_improve import improve_command
from soar.evaluate.cli_relabel import relabel_command
from soar.evaluate.cli_run import run_command
from soar.evaluate.cli_score import report_command, score_command
from soar.evaluate.cli_train import train_command
from soar.evaluate.command import BadInput, SoarGroup

if TYPE_CHECKING:
    from soar.arc_env.executor.result import InputResult
    from soar.arc_env.grid import Grid
    from soar.arc_env.task import Task

__all__ = ["cli", "main"]

_CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


# --- the group ----------------------------------------------------------------------------------


@click.group(cls=SoarGroup, context_settings=_CONTEXT)
@click.version_option(package_name="soar-arc", prog_name="soar")
def cli() -> None:
    """ARC-AGI program synthesis with self-improving language models (after SOAR).

    A task SPEC is a bundled dataset (arc1/train, arc1/eval, arc2/train, arc2/eval), a directory of
    <task_id>.json files, a Kaggle challenges file, or one task file; any of them may end in
    :ID1,ID2 to select tasks, e.g. arc1/eval:00576224,009d5c81.

    Exit status: 0 when the command did its work, 1 when the tool failed, 2 for bad input (one
    "Error: ..." line on stderr).
    """


main = cli
"""The console-script entry point (``soar``)."""


# --- soar tasks ---------------------------------------------------------------------------------

_solutions_option = click.option(
    "--solutions",
    type=click.Path(),
    default=None,
    help="Kaggle solutions file giving the test outputs of a challenges file "
    "(default: the *_solutions.json next to a *_challenges.json, if any).",
)

_colour_option = click.option(
    "--colour/--no-colour",
    "--color/--no-color",
    "colour",
    default=None,
    help="Draw cells as colour blocks (default: when stdout is a terminal and NO_COLOR is unset).",
)


@cli.group(context_settings=_CONTEXT)
def tasks() -> None:
    """List and show ARC tasks."""


@tasks.command("list")
@click.argument("spec")
@_solutions_option
def tasks_list(spec: str, solutions: str | None) -> None:
    """List the tasks of SPEC: id, train pairs, test inputs and grid sizes.

    The sizes are those of the train pairs, rows x columns, input->output; a range such as
    3x3..10x10 gives the smallest and largest number of rows and of columns, and "same" says that
    every output has the size of its input.
    """
    from soar.arc_env.loading import load_tasks

    loaded = load_tasks(spec, solutions=solutions)
    width = max((len(task.id) for task in loaded), default=0)
    lines = [
        f"{task.id:<{width}}  {len(task.train):>2} train  {len(task.test):>2} test  "
        f"{_size_summary(task)}"
        for task in loaded
    ]
    lines.append(f"{len(loaded)} task{'' if len(loaded) == 1 else 's'}")
    click.echo("\n".join(lines))


@tasks.command("show")
@click.argument("spec")
@click.argument("task_id")
@_solutions_option
@_colour_option
@click.option("--hide-test-outputs", is_flag=True, help="Do not show the test outputs.")
def tasks_show(
    spec: str, task_id: str, solutions: str | None, colour: bool | None, hide_test_outputs: bool
) -> None:
    """Show task TASK_ID of SPEC: every train pair, then every test pair."""
    from soar.arc_env.render import render_task

    task = _load_task(spec, task_id, solutions)
    use_colour = _use_colour(colour)
    text = render_task(task, colour=use_colour, show_test_outputs=not hide_test_outputs)
    click.echo(text, color=use_colour)


# --- soar exec ----------------------------------------------------------------------------------


@cli.command("exec", short_help="Run a program on a task and show its outputs.")
@click.argument("spec")
@click.argument("task_id")
@click.argument("program", type=click.Path())
@_solutions_option
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=1.0,
    show_default=True,
    help="Seconds allowed per input (loading the program shares the first input's time).",
)
@click.option(
    "--memory-mb",
    type=click.IntRange(min=0),
    default=1024,
    show_default=True,
    help="Memory the program may allocate, in MiB; 0 for no cap.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@_colour_option
def exec_command(
    spec: str,
    task_id: str,
    program: str,
    solutions: str | None,
    timeout: float,
    memory_mb: int,
    as_json: bool,
    colour: bool | None,
) -> None:
    """Run PROGRAM (a Python file defining transform(grid)) on task TASK_ID of SPEC.

    The program runs in the sandboxed executor, as in a search, on every train and test input.
    Each train output is reported right or wrong; each test output too when the task's test
    outputs are known (the program itself never sees them). Exits 0 whether or not the program is
    right.
    """
    if 0 < memory_mb < 16:
        raise click.BadParameter("expected 0 (no cap) or at least 16", param_hint="'--memory-mb'")
    source = _read_program(program)
    task = _load_task(spec, task_id, solutions)

    from soar.arc_env.executor import Executor
    from soar.arc_env.executor.result import NO_TRANSFORM

    with Executor(workers=1, timeout=timeout, memory_mb=memory_mb or None) as ex:
        result = ex.run([(task.public(), source)])[0]
    if all(res.message == NO_TRANSFORM for res in (*result.train, *result.test)):
        raise BadInput(
            f"{program}: expected a function `transform(grid)`, but the module binds no callable "
            "`transform`"
        )

    test_correct = [
        None if pair.output is None else res.output == pair.output
        for pair, res in zip(task.test, result.test, strict=True)
    ]
    if as_json:
        data = result.to_json()
        data["test_correct"] = test_correct
        click.echo(json.dumps(data))
        return

    use_colour = _use_colour(colour)
    lines: list[str] = []
    for n, (pair, res, right) in enumerate(
        zip(task.train, result.train, result.train_correct, strict=True), start=1
    ):
        lines.extend(_input_lines(f"train {n}", res, right, pair.output, use_colour))
    for n, (pair, res, right) in enumerate(
        zip(task.test, result.test, test_correct, strict=True), start=1
    ):
        lines.extend(_input_lines(f"test {n}", res, right, pair.output, use_colour))
    lines.append("")
    lines.append(f"train accuracy {sum(result.train_correct)}/{len(result.train_correct)}")
    known = [right for right in test_correct if right is not None]
    if known:
        lines.append(f"test {sum(known)}/{len(known)} right")
    else:
        lines.append("test outputs not known")
    click.echo("\n".join(lines).lstrip("\n"), color=use_colour)


def _input_lines(
    name: str, result: InputResult, right: bool | None, expected: Grid | None, colour: bool
) -> list[str]:
    """The report on one input: a heading line, then the output (and what was expected)."""
    if not result.ok:
        return ["", f"{name}: {result.status}: {result.message}"]
    assert result.output is not None
    from soar.arc_env.render import render_titled_grids

    verdict = "ok (no known output to compare)" if right is None else "right" if right else "wrong"
    grids = [("output", result.output)]
    if right is False and expected is not None:
        grids.append(("expected", expected))
    lines = render_titled_grids(grids, colour=colour).split("\n")
    return ["", f"{name}: {verdict}"] + ["  " + line for line in lines]


# --- helpers ------------------------------------------------------------------------------------


def _load_task(spec: str, task_id: str, solutions: str | None) -> Task:
    """The one task ``task_id`` of ``spec``, or a :class:`BadInput` saying why not."""
    from soar.arc_env.loading import load_tasks

    loaded = load_tasks(spec, [task_id], solutions=solutions)
    return next(task for task in loaded if task.id == task_id)  # load_tasks raised if absent


def _use_colour(flag: bool | None) -> bool:
    """Whether to draw colour: as forced by the flag, else when stdout is a terminal."""
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty and isatty())


def _read_program(path: str) -> str:
    """The source of a program file, checked: UTF-8, valid Python, binds ``transform``.

    Raises:
        BadInput: the file cannot be read, is not UTF-8 text, is not valid Python, or defines
            no top-level ``transform``.
    """
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise BadInput(f"program file {path!r}: no such file") from None
    except IsADirectoryError:
        raise BadInput(f"program file {path!r}: expected a Python file, got a directory") from None
    except OSError as err:
        raise BadInput(f"program file {path!r}: cannot read it ({err.strerror or err})") from None
    try:
        source = raw.decode("utf-8-sig")  # a byte-order mark is allowed, as in any Python file
    except UnicodeDecodeError as err:
        raise BadInput(
            f"{path}: expected UTF-8 text, found an undecodable byte at offset {err.start}"
        ) from None
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as err:
        where = f" line {err.lineno}" if err.lineno else ""
        raise BadInput(f"{path}{where}: {type(err).__name__}: {err.msg}") from None
    except ValueError as err:  # null bytes, before Python 3.12
        raise BadInput(f"{path}: {err}") from None
    if not _binds_transform(tree):
        raise BadInput(f"{path}: expected a top-level function `transform(grid)`, found none")
    return source


def _binds_transform(tree: ast.Module) -> bool:
    """Whether a module may bind the name ``transform`` at its top level.

    Counts ``def``/``class``, assignments, imports (a star import too) and ``global`` statements,
    also inside top-level ``if``/``try``/``with``/loops; not names bound inside functions.

    >>> _binds_transform(ast.parse("def transform(grid):\\n    return grid"))
    True
    >>> _binds_transform(ast.parse("import numpy as np\\ntransform = np.rot90"))
    True
    >>> _binds_transform(ast.parse("def solve(grid):\\n    transform = 1"))
    False
    """
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name == "transform":
                return True
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*" or (alias.asname or alias.name.split(".")[0]) == "transform":
                    return True
            continue
        if isinstance(node, ast.Name) and node.id == "transform" and type(node.ctx) is ast.Store:
            return True
        if not isinstance(node, ast.Lambda):
            stack.extend(ast.iter_child_nodes(node))
    return any(
        isinstance(node, ast.Global) and "transform" in node.names for node in ast.walk(tree)
    )


def _size_summary(task: Task) -> str:
    """The sizes of a task's train grids, rows x columns, input->output.

    >>> from types import SimpleNamespace as P
    >>> one, two = ((0, 0),), ((0,), (0,))
    >>> _size_summary(P(train=[P(input=one, output=two), P(input=one, output=two)]))
    '1x2->2x1'
    >>> _size_summary(P(train=[P(input=one, output=one), P(input=two, output=two)]))
    '1x1..2x2->same'
    >>> _size_summary(P(train=[P(input=one, output=one), P(input=two, output=one)]))
    '1x1..2x2->1x2'
    """
    inputs = [_shape(pair.input) for pair in task.train]
    outputs = [_shape(pair.output) for pair in task.train]
    if len(set(inputs)) > 1 and inputs == outputs:
        return f"{_shape_range(inputs)}->same"
    return f"{_shape_range(inputs)}->{_shape_range(outputs)}"


def _shape(grid: Grid) -> tuple[int, int]:
    return len(grid), len(grid[0])


def _shape_range(shapes: Sequence[tuple[int, int]]) -> str:
    """One size, or the smallest..largest number of rows and of columns."""
    rows = [r for r, _ in shapes]
    columns = [c for _, c in shapes]
    low, high = f"{min(rows)}x{min(columns)}", f"{max(rows)}x{max(columns)}"
    return low if low == high else f"{low}..{high}"


# The commands with modules of their own (each imports only click and ``command`` at import time).
for _command in (
    run_command,
    score_command,
    report_command,
    relabel_command,
    train_command,
    improve_command,
    export_command,
):
    cli.add_command(_command)

if __name__ == "__main__":
    main()
