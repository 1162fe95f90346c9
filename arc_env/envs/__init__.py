"""Gymnasium environments over ARC tasks whose actions are Python programs.

``register_envs()`` (called by ``import arc_env``) registers ``arc_env/ArcProgram-v0`` with its
single-env and vector entry points, so that both ``gymnasium.make`` and ``gymnasium.make_vec``
(``vectorization_mode="vector_entry_point"``) build it.
"""

from __future__ import annotations

import gymnasium

from .program_env import ArcProgramEnv, result_info
from .spaces import GridSpace, program_action_space, task_observation, task_observation_space
from .vector_env import ArcProgramVectorEnv

__all__ = [
    "ENV_ID",
    "ArcProgramEnv",
    "ArcProgramVectorEnv",
    "GridSpace",
    "program_action_space",
    "register_envs",
    "result_info",
    "task_observation",
    "task_observation_space",
]

ENV_ID = "arc_env/ArcProgram-v0"
"""The Gymnasium id of :class:`ArcProgramEnv` (and of its vector form)."""


def register_envs() -> None:
    """Register :data:`ENV_ID` with Gymnasium; does nothing if it is already registered."""
    if ENV_ID in gymnasium.registry:
        return
    gymnasium.register(
        id=ENV_ID,
        entry_point="soar.arc_env.envs.program_env:ArcProgramEnv",
        vector_entry_point="soar.arc_env.envs.vector_env:ArcProgramVectorEnv",
    )
