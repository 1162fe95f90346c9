"""The REX agents: ``rex`` (sample a little, then refine) and ``sample-refine`` (SOAR: a large
sampling phase, then REX over the sampled pool).

Both choose which programs to refine with :meth:`~soar.agents.search.rex.ArmPool.choose`: a step of
``k`` programs makes ``k`` sequential choices (``N`` grows after each), and the choices of one
program are sent as one refine request with ``n`` = the number of times it was chosen.

Islands are independent REX trees of one task (``islands`` > 1): each has its own arms and
counts, the step's programs go to the islands with the fewest nodes, and refinements carry their
island. In ``rex`` each island also samples its own first programs; in ``sample-refine`` the
sampled pool is shared by every island and only the refinements are separate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from soar.arc_env import Task

from .agent import (
    AgentConfig,
    AgentError,
    AgentRequest,
    SearchAgent,
    TaskState,
    _at_least,
    refine_request,
    sample_request,
)
from .node import SAMPLE, Node
from .rex import DEFAULT_C, ArmPool


@dataclass(frozen=True)
class BanditConfig(AgentConfig):
    """Settings shared by the REX agents."""

    C: float = DEFAULT_C
    """How strongly train accuracy pulls the choice: θ ~ Beta(1 + C·h, 1 + C·(1 − h) + N)
    (paper: 20)."""
    islands: int = 1
    """Independent REX trees per task."""

    def __post_init__(self) -> None:
        super().__post_init__()
        _at_least(self, "C", 0)
        _at_least(self, "islands", 1)


@dataclass(frozen=True)
class RexConfig(BanditConfig):
    """Settings of the ``rex`` agent."""

    initial_samples: int | None = None
    """Programs each island samples before it starts refining; None: one step (``width``). An
    island samples again while it has no program that produced any output."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.initial_samples is not None:
            _at_least(self, "initial_samples", 1, "or None for one step's width")

    @property
    def samples_per_island(self) -> int:
        """Programs each island samples before refining."""
        return self.width if self.initial_samples is None else self.initial_samples


@dataclass(frozen=True)
class SampleRefineConfig(BanditConfig):
    """Settings of the ``sample-refine`` agent (SOAR): 3,000 samples, then 3,000 refinements."""

    programs: int = 6000
    """Budget per task, both phases together."""
    sample_programs: int | None = None
    """Programs sampled before refining starts; None: half of ``programs`` (paper: 3,000)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.sample_programs is not None and not 0 <= self.sample_programs <= self.programs:
            raise AgentError(
                f"sample_programs: expected 0..programs ({self.programs}) or None for half the "
                f"budget, got {self.sample_programs!r}"
            )

    @property
    def sampling_budget(self) -> int:
        """Programs of the sampling phase."""
        return self.programs // 2 if self.sample_programs is None else self.sample_programs


@dataclass
class RexState(TaskState):
    """A task's REX trees.

    Attributes:
        pools: the arms of each island.
        samples: sample nodes per island.
        load: nodes per island that count towards spreading the work (refinements, and the
            island's own samples where islands sample separately).
    """

    pools: list[ArmPool] = field(default_factory=list)
    samples: list[int] = field(default_factory=list)
    load: list[int] = field(default_factory=list)


class RexAgent(SearchAgent):
    """REX from scratch: each island samples ``initial_samples`` programs, then refines."""

    name = "rex"
    config_class: type[AgentConfig] = RexConfig
    shared_samples = False
    """Whether sampled programs are arms of every island (``sample-refine``) or of their own."""

    def new_state(self, task: Task) -> RexState:
        n = self.config.islands
        return RexState(task, pools=[ArmPool() for _ in range(n)], samples=[0] * n, load=[0] * n)

    def record(self, state: TaskState, nodes: Sequence[Node]) -> None:
        super().record(state, nodes)
        assert isinstance(state, RexState)
        for node in nodes:
            island = node.island
            if not 0 <= island < len(state.pools):
                continue  # logged by a run with more islands: budget only
            if node.kind == SAMPLE:
                state.samples[island] += 1
                if self.shared_samples:
                    for pool in state.pools:
                        pool.add(node)
                    continue
            state.pools[island].add(node)
            state.load[island] += 1

    def sampling_left(self, state: RexState) -> int:
        """Programs of a sampling phase shared by all islands still to draw (none here)."""
        return 0

    def requests(
        self, state: TaskState, max_programs: int, rng: np.random.Generator
    ) -> list[AgentRequest]:
        assert isinstance(state, RexState)
        k = self.step_size(state, max_programs)
        first = self.sampling_left(state)
        if first > 0:
            return [sample_request(state.task, min(k, first))]
        out: list[AgentRequest] = []
        shared_samples = 0
        for island, m in enumerate(_spread(k, state.load)):
            if m == 0:
                continue
            pool = state.pools[island]
            todo = (
                0 if self.shared_samples else self.config.samples_per_island - state.samples[island]
            )
            if todo > 0:
                out.append(sample_request(state.task, min(m, todo), island))
            elif not pool:  # nothing to refine yet: sample more
                if self.shared_samples:
                    shared_samples += m
                else:
                    out.append(sample_request(state.task, m, island))
            else:
                counts: dict[int, int] = {}
                for node_id in pool.choose(m, rng, self.config.C):
                    counts[node_id] = counts.get(node_id, 0) + 1
                for node_id, n in counts.items():
                    out.append(refine_request(state.task, state.nodes[node_id], n, island))
        if shared_samples:
            out.append(sample_request(state.task, shared_samples))
        return out


class SampleRefineAgent(RexAgent):
    """SOAR's search: ``sample_programs`` samples, then REX over the pool for the rest."""

    name = "sample-refine"
    config_class = SampleRefineConfig
    shared_samples = True

    def sampling_left(self, state: RexState) -> int:
        return self.config.sampling_budget - sum(state.samples)


def _spread(k: int, load: Sequence[int]) -> list[int]:
    """Give ``k`` programs to the islands with the least load, one at a time (ties: lowest index).

    >>> _spread(5, [3, 0, 1])
    [0, 3, 2]
    """
    total = list(load)
    alloc = [0] * len(total)
    for _ in range(k):
        island = min(range(len(total)), key=total.__getitem__)
        total[island] += 1
        alloc[island] += 1
    return alloc
