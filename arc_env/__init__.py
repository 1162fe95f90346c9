"""ARC-AGI as an environment: tasks and grids, a sandboxed program executor, Gymnasium envs.

``import arc_env`` registers ``arc_env/ArcProgram-v0`` with Gymnasium.
"""

from __future__ import annotations

from .error import ArcEnvError, ExecutorError, GridError, TaskFormatError, UnknownTaskError
from .executor import Executor, InputResult, ProgramResult, Status
from .grid import Grid, to_grid
from .loading import load_tasks
from .task import Pair, Task

__all__ = [
    "ArcEnvError",
    "Executor",
    "ExecutorError",
    "Grid",
    "GridError",
    "InputResult",
    "Pair",
    "ProgramResult",
    "Status",
    "Task",
    "TaskFormatError",
    "UnknownTaskError",
    "load_tasks",
    "to_grid",
]
