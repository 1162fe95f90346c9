"""The exceptions of ``arc_env``: one hierarchy, messages of the form "expected X, got Y"."""

from __future__ import annotations


class ArcEnvError(Exception):
    """Base class of every error raised by ``arc_env``."""


class GridError(ArcEnvError, ValueError):
    """A grid is not a rectangular 2-D grid of integers 0..9 with sides 1..30."""


class TaskFormatError(ArcEnvError, ValueError):
    """A task file or task specification could not be read as ARC tasks."""


class UnknownTaskError(ArcEnvError, KeyError):
    """A task id was asked for that the loaded set does not contain."""

    def __str__(self) -> str:  # KeyError quotes its argument; we want the message as written
        return str(self.args[0]) if self.args else ""


class ExecutorError(ArcEnvError, RuntimeError):
    """The executor itself failed (not the program it ran): closed, or its workers cannot start."""


class ResetNeededError(ArcEnvError, RuntimeError):
    """An environment was stepped or rendered before ``reset``, or stepped after its episode ended."""
