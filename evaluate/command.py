"""What every ``soar`` command shares: the group that turns bad input into one ``Error:`` line,
``KEY=VALUE`` options, and opening a run directory.

Bad input is any :class:`~soar.arc_env.error.InputError` raised by the Python API (a task spec, a
policy spec, an agent or sampling setting, a run directory, a configuration file, training data)
or a :class:`BadInput` raised here; either is printed as one ``Error: ...`` line, exit status 2,
no traceback. An :class:`~soar.arc_env.error.ExecutorError` (the tool failed, not the input) is
one line too, exit status 1. Anything else is a bug and keeps its traceback.

Importing this module imports click and the standard library only: ``soar --help`` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from soar.agents.runs.rundir import RunDir

__all__ = ["BadInput", "SoarGroup", "open_run", "parse_options"]

_ERRORS = "soar.arc_env.error"


class BadInput(click.ClickException):
    """Bad input (a spec, a task id, a file, a setting): one ``Error: ...`` line, exit status 2."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))  # always one line


class SoarGroup(click.Group):
    """A click group whose commands report the API's input errors as :class:`BadInput`."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException:
            raise
        except Exception as err:
            translated = translate(err)
            if translated is None:
                raise
            raise translated from None


def translate(err: BaseException) -> click.ClickException | None:
    """The one-line click error for an API error, or None for anything else (a bug).

    No error of ``soar.arc_env.error`` can have been raised if that module was never imported, so
    it is looked up in ``sys.modules`` instead of imported (which would import numpy).
    """
    errors = sys.modules.get(_ERRORS)
    if errors is None:
        return None
    if isinstance(err, errors.ExecutorError):
        return click.ClickException(f"the executor failed: {' '.join(str(err).split())}")
    if isinstance(err, errors.InputError):
        return BadInput(str(err))
    return None


def parse_options(pairs: tuple[str, ...], flag: str) -> dict[str, object]:
    """``KEY=VALUE`` pairs as a dict, values read as YAML scalars (numbers, booleans, null).

    >>> parse_options(("C=20", "stop_after=null", "name=x"), "--agent-option")
    {'C': 20, 'stop_after': None, 'name': 'x'}
    """
    import yaml

    options: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"expected KEY=VALUE, got {pair!r}", param_hint=flag)
        if key in options:  # the later one would silently replace the earlier
            raise click.BadParameter(
                f"{key} given twice; for several values give one list, {key}=[A,B]",
                param_hint=flag,
            )
        try:
            options[key] = yaml.safe_load(value) if value else ""
        except yaml.YAMLError:
            options[key] = value  # not a YAML scalar: the text itself
    return options


def open_run(
    run_dir: str, spec: str | None, solutions: str | None
) -> tuple[RunDir, str, str | None]:
    """The run, and the task spec and solutions file to read its tasks with: ``spec`` and
    ``solutions`` when a spec is given, else those of the run's config; or :class:`BadInput`."""
    from soar.agents.runs.rundir import CONFIG, RunDir

    run = RunDir.open(run_dir)
    try:
        config = run.config
    except (OSError, ValueError) as err:
        raise BadInput(f"{Path(run_dir) / CONFIG}: cannot read it ({err})") from None
    if spec is None:
        spec = config.get("tasks") if isinstance(config, dict) else None
        if not isinstance(spec, str) or not spec:
            raise BadInput(
                f'{Path(run_dir) / CONFIG}: names no tasks (expected a "tasks" spec); '
                "give them with --tasks SPEC"
            )
        if solutions is None and isinstance(config.get("solutions"), str):
            solutions = config["solutions"]
    return run, spec, solutions


run_solutions_option = click.option(
    "--solutions",
    type=click.Path(),
    default=None,
    help="Kaggle solutions file giving the test outputs of a challenges file (default: the "
    '"solutions" of RUN/config.json when the tasks come from it, else as for `soar tasks`).',
)
"""``--solutions`` of the commands that read a run's programs (``score``, ``report``, ``export``,
``relabel``: each reads its tasks through :func:`open_run` and ``load_tasks``)."""
