"""The exceptions of ``arc_env``: one hierarchy, messages of the form "expected X, got Y".

:class:`InputError` is also the base of every error that a user's input causes in the layers above
(a policy spec, an agent setting, a run directory, a configuration value, training data): the
command line prints such an error as one ``Error: ...`` line and exits with status 2, and Python
callers can catch them all at once. Errors of the tool itself (:class:`ExecutorError`) are not
input errors.
"""

from __future__ import annotations


class InputError(ValueError):
    """Bad input from the user: a spec, a file, a setting or a value that is not what was expected.

    The message says what was expected and what was found, on one line.
    """


class ArcEnvError(Exception):
    """Base class of every error raised by ``arc_env``."""


class GridError(ArcEnvError, InputError):
    """A grid is not a rectangular 2-D grid of integers 0..9 with sides 1..30."""


class TaskFormatError(ArcEnvError, InputError):
    """A task file or task specification could not be read as ARC tasks."""


class UnknownTaskError(ArcEnvError, KeyError, InputError):
    """A task id was asked for that the loaded set does not contain."""

    def __str__(self) -> str:  # KeyError quotes its argument; we want the message as written
        return str(self.args[0]) if self.args else ""


class ExecutorError(ArcEnvError, RuntimeError):
    """The executor itself failed (not the program it ran): closed, or its workers cannot start."""


class ResetNeededError(ArcEnvError, RuntimeError):
    """An environment was stepped or rendered before ``reset``, or stepped after its episode ended."""
