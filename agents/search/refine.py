"""The REX agents: ``rex`` (sample a little, then refine) and ``sample-refine`` (SOAR: a large
sampling phase, then REX over the sampled pool).

Both choose which programs to refine with :meth:`~soar.agents.search.rex.ArmPool.choose`: a step of
``k`` programs makes ``k`` sequential choices (``N`` grows after each), and the choices of one
program are sent as one refine request with ``n`` = the number of times it was chosen. Arms are
the programs right-shaped on every train input (see :func:`~soar.agents.search.rex.is_arm`;
``failing_arms`` widens them).

Islands are independent REX trees of one task (``islands`` > 1): each has its own arms and
counts, the step's programs go to the islands with the fewest nodes, and refinements carry their
island. In ``rex`` each island also samples its own first programs; in ``sample-refine`` the
sampled pool is shared by every island and only the refinements are separate.

Stop rules, one per phase (paper, appendix D.5: "applied independently during both the sampling
and refinement phases"): sampling stops once ``stop_after`` sampled programs are right on every
train pair; refining stops the task once ``refine_stop_after`` refinements are. In
``sample-refine`` each phase also has its own budget: ``sampling_budget`` samples, then
``programs - sampling_budget`` refinements, whether or not sampling stopped early (a program
budget a stopped phase did not spend is not handed to the other).
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
    refine_stop_after: int | None = 100
    """Refining stops the task once this many refinements are right on every train pair (paper:
    100, appendix D.5; SOAR's released code stops at 25); None: spend the whole budget."""
    failing_arms: bool = False
    """Let programs that raise, time out or give an invalid output on some train input be
    refined too (they still need one valid grid). The paper removes them (appendix D.3)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        _at_least(self, "C", 0)
        _at_least(self, "islands", 1)
        if self.refine_stop_after is not None:
            _at_least(self, "refine_stop_after", 1, "or None to spend the whole budget")


@dataclass(frozen=True)
class RexConfig(BanditConfig):
    """Settings of the ``rex`` agent."""

    initial_samples: int | None = None
    """Programs each island samples before it starts refining; None: one step (``width``). An
    island samples again while it has no arm. Once ``stop_after`` sampled programs are right on
    every train pair, islands that have an arm skip the rest of their samples."""

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
    """Budget per task, both phases together: ``sampling_budget`` samples, the rest refinements
    (and samples, while no program is an arm)."""
    sample_programs: int | None = None
    """The sampling phase's budget; None: half of ``programs`` (paper: 3,000)."""

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

    @property
    def refining_budget(self) -> int:
        """Programs of the refinement phase."""
        return self.programs - self.sampling_budget


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
    sample_perfect: int = 0
    """Sampled programs right on every train pair (``sample-refine``: of the sampling phase)."""
    refine_perfect: int = 0
    """Refinements right on every train pair."""
    phase_samples: int = 0
    """``sample-refine``: programs of the sampling phase so far."""
    phase_end: int | None = None
    """``sample-refine``: the number of nodes of the sampling phase, once it is over."""


class RexAgent(SearchAgent):
    """REX from scratch: each island samples ``initial_samples`` programs, then refines."""

    name = "rex"
    config_class: type[AgentConfig] = RexConfig
    shared_samples = False
    """Whether sampled programs are arms of every island (``sample-refine``) or of their own."""

    def new_state(self, task: Task) -> RexState:
        n, failing = self.config.islands, self.config.failing_arms
        pools = [ArmPool(failing=failing) for _ in range(n)]
        return RexState(task, pools=pools, samples=[0] * n, load=[0] * n)

    def record(self, state: TaskState, nodes: Sequence[Node]) -> None:
        super().record(state, nodes)
        assert isinstance(state, RexState)
        for node in nodes:
            self.count(state, node)
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

    def count(self, state: RexState, node: Node) -> None:
        """Count ``node`` towards the stop rules."""
        if node.kind == SAMPLE:
            state.sample_perfect += node.all_train_correct
        else:
            state.refine_perfect += node.all_train_correct

    def sampling_stopped(self, state: RexState) -> bool:
        """Whether ``stop_after`` sampled programs are right on every train pair."""
        stop = self.config.stop_after
        return stop is not None and state.sample_perfect >= stop

    def finished(self, state: TaskState) -> bool:
        assert isinstance(state, RexState)
        stop = self.config.refine_stop_after
        return self.remaining(state) == 0 or (stop is not None and state.refine_perfect >= stop)

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
            if todo > 0 and pool and self.sampling_stopped(state):
                todo = 0  # enough right samples: refine what there is
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
    """SOAR's search: a sampling phase (``sampling_budget`` samples, stopped early by
    ``stop_after``), then REX over the pool (``refining_budget`` refinements, stopped early by
    ``refine_stop_after``)."""

    name = "sample-refine"
    config_class = SampleRefineConfig
    shared_samples = True

    def count(self, state: RexState, node: Node) -> None:
        """Count ``node`` towards its phase: the sampling phase ends at the first refinement, or
        once its budget is spent (samples after it, drawn while no program is an arm, belong to
        the refinement phase). The same log always gives the same phases, so resuming is exact.
        """
        if state.phase_end is None:
            if node.kind == SAMPLE and state.phase_samples < self.config.sampling_budget:
                state.phase_samples += 1
                state.sample_perfect += node.all_train_correct
                return
            state.phase_end = node.node_id
        if node.kind != SAMPLE:
            state.refine_perfect += node.all_train_correct

    def phase_end(self, state: RexState) -> int | None:
        """The nodes of the sampling phase once it is over (None while it goes on).

        Called only while nothing is in flight for the task, so the phase that ``stop_after``
        ends takes every sample already asked for.
        """
        if state.phase_end is None and (
            state.phase_samples >= self.config.sampling_budget or self.sampling_stopped(state)
        ):
            state.phase_end = len(state.nodes)
        return state.phase_end

    def remaining(self, state: TaskState) -> int:
        assert isinstance(state, RexState)
        end = self.phase_end(state)
        refining = self.config.refining_budget
        if end is None:
            return self.config.sampling_budget - state.phase_samples + refining
        return max(0, refining - (len(state.nodes) - end))

    def sampling_left(self, state: RexState) -> int:
        if self.phase_end(state) is not None:
            return 0
        return self.config.sampling_budget - state.phase_samples


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
