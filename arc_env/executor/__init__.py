"""Sandboxed execution of ``transform`` programs: :class:`Executor` and its result types."""

from .pool import DEFAULT_ON_DEMAND, DEFAULT_PRELOAD, Executor, ExecutorStats
from .result import InputResult, ProgramResult, Status

__all__ = [
    "DEFAULT_ON_DEMAND",
    "DEFAULT_PRELOAD",
    "Executor",
    "ExecutorStats",
    "InputResult",
    "ProgramResult",
    "Status",
]
