"""Search agents (``sample``, ``rex``, ``sample-refine``), the driver that runs them over many
tasks at once, and the nodes they log.

>>> {"sample", "rex", "sample-refine"} <= set(available_agents())
True
"""

from __future__ import annotations

from .agent import (
    AgentConfig,
    AgentRequest,
    SearchAgent,
    TaskState,
    refine_request,
    sample_request,
)
from .driver import FinishCallback, ProgressCallback, SearchProgress, run_search, task_rng
from .node import REFINE, SAMPLE, Node
from .refine import BanditConfig, RexAgent, RexConfig, SampleRefineAgent, SampleRefineConfig
from .registry import ENTRY_POINT_GROUP, AgentError, available_agents, make_agent, register_agent
from .rex import Arm, ArmPool, arms_from_nodes, is_arm, rex_choose, rex_choose_many
from .sample import SampleAgent, SampleConfig

__all__ = [
    "ENTRY_POINT_GROUP",
    "REFINE",
    "SAMPLE",
    "AgentConfig",
    "AgentError",
    "AgentRequest",
    "Arm",
    "ArmPool",
    "BanditConfig",
    "FinishCallback",
    "Node",
    "ProgressCallback",
    "RexAgent",
    "RexConfig",
    "SampleAgent",
    "SampleConfig",
    "SampleRefineAgent",
    "SampleRefineConfig",
    "SearchAgent",
    "SearchProgress",
    "TaskState",
    "arms_from_nodes",
    "available_agents",
    "is_arm",
    "make_agent",
    "refine_request",
    "register_agent",
    "rex_choose",
    "rex_choose_many",
    "run_search",
    "sample_request",
    "task_rng",
]
