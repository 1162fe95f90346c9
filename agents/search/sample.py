"""The ``sample`` agent: independent samples from the policy, no refinement."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .agent import AgentConfig, AgentRequest, SearchAgent, TaskState, sample_request


@dataclass(frozen=True)
class SampleConfig(AgentConfig):
    """Settings of the ``sample`` agent: ``programs`` samples per task (paper: 3,000), stopping
    early once ``stop_after`` of them are right on every train pair (paper: 100)."""


class SampleAgent(SearchAgent):
    """Draws ``width`` programs per step for each task until the budget or the stop count."""

    name = "sample"
    config_class = SampleConfig

    def requests(
        self, state: TaskState, max_programs: int, rng: np.random.Generator
    ) -> list[AgentRequest]:
        return [sample_request(state.task, self.step_size(state, max_programs))]
