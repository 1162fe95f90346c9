"""An example third-party search agent: always refine the best program found so far.

It plugs into soar-arc through the ``soar.agents`` entry point declared in ``pyproject.toml``;
nothing in soar-arc is edited.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from soar.agents.search import (
    AgentConfig,
    AgentRequest,
    SearchAgent,
    TaskState,
    is_arm,
    refine_request,
    sample_request,
)


@dataclass(frozen=True)
class GreedyRefineConfig(AgentConfig):
    """``programs`` (budget per task), ``width`` (programs per step) and ``stop_after`` (stop
    once this many programs are right on every train pair), as for every agent."""


class GreedyRefineAgent(SearchAgent):
    """Samples until some program produces an output, then refines the program with the best
    train accuracy (the earliest one on ties), ``width`` refinements per step."""

    name = "greedy-refine"
    config_class = GreedyRefineConfig

    def requests(
        self, state: TaskState, max_programs: int, rng: np.random.Generator
    ) -> list[AgentRequest]:
        n = self.step_size(state, max_programs)
        candidates = [node for node in state.nodes if is_arm(node)]
        if not candidates:
            return [sample_request(state.task, n)]
        best = max(candidates, key=lambda node: node.train_accuracy)
        return [refine_request(state.task, best, n)]
