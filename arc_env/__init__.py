"""ARC-AGI as an environment: tasks and grids, a sandboxed program executor, Gymnasium envs.

``import arc_env`` registers ``arc_env/ArcProgram-v0`` with Gymnasium.
"""

from __future__ import annotations

from .envs import ArcProgramEnv, ArcProgramVectorEnv, register_envs
from .error import (
    ArcEnvError,
    ExecutorError,
    GridError,
    InputError,
    ResetNeededError,
    TaskFormatError,
    UnknownTaskError,
)
from .executor import Executor, InputResult, ProgramResult, Status
from .grid import Grid, to_grid
from .loading import load_tasks
from .task import Pair, Task

register_envs()

__all__ = [
    "ArcEnvError",
    "ArcProgramEnv",
    "ArcProgramVectorEnv",
    "Executor",
    "ExecutorError",
    "Grid",
    "GridError",
    "InputError",
    "InputResult",
    "Pair",
    "ProgramResult",
    "ResetNeededError",
    "Status",
    "Task",
    "TaskFormatError",
    "UnknownTaskError",
    "load_tasks",
    "to_grid",
]
