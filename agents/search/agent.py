"""The search-agent contract: what every agent (``sample``, ``rex``, ``sample-refine``, a user's
own) implements so that :func:`~soar.agents.search.driver.run_search` can drive all tasks together.

An agent never calls the policy or the executor itself. For each task it keeps a state built from
the task and the nodes already logged (so a resumed run continues where the log ends), says what
it wants next (:meth:`SearchAgent.requests`), and is told what came of it
(:meth:`SearchAgent.record`). The driver batches the requests of many tasks into one generate
call, executes the programs, logs the nodes and hands them back.

A minimal agent::

    class SampleOnly(SearchAgent):
        def requests(self, state, max_programs, rng):
            return [sample_request(state.task, self.step_size(state, max_programs))]

Register it with :func:`~soar.agents.search.registry.register_agent` or the ``soar.agents`` entry-point
group (see ``examples/custom_agent``).
"""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from soar.arc_env import Task
from soar.arc_env.error import InputError

from ..policy import RefineRequest, Request, SampleRequest
from ..settings import check_types
from .node import REFINE, SAMPLE, Node


class AgentError(InputError):
    """An agent name or setting that cannot be turned into an agent: an unknown name or setting,
    a value of the wrong type or out of range."""


@dataclass(frozen=True)
class AgentConfig:
    """Settings every agent has. Agents extend it with their own fields."""

    programs: int = 3000
    """Budget per task: programs generated, invalid completions included (paper: 3,000)."""
    width: int = 32
    """Programs a task asks for per step (the driver may ask for fewer to fill a batch)."""
    stop_after: int | None = 100
    """Sampling stops once this many sampled programs are right on every train pair (paper: 100,
    appendix D.5). An agent without a refinement phase (``sample``, and plug-ins that do not say
    otherwise) then stops the task; the REX agents go on refining, with a stop of their own
    (``refine_stop_after``). None: no early stop."""

    def __post_init__(self) -> None:
        check_types(self, AgentError)
        _at_least(self, "programs", 1)
        _at_least(self, "width", 1)
        if self.stop_after is not None:
            _at_least(self, "stop_after", 1, "or None to spend the whole budget")


def _at_least(config: object, name: str, low: float, extra: str = "") -> None:
    value = getattr(config, name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= low:
        more = f" {extra}" if extra else ""
        raise AgentError(f"{name}: expected a number >= {low}{more}, got {value!r}")


@dataclass(frozen=True)
class AgentRequest:
    """A policy request together with its place in the search tree.

    Attributes:
        request: what the policy is asked (its ``n`` completions become ``n`` nodes).
        parent_id: the node being refined (refine requests only).
        island: the independent search (REX island) the new nodes belong to.
    """

    request: Request
    parent_id: int | None = None
    island: int = 0

    def __post_init__(self) -> None:
        if isinstance(self.request, RefineRequest) != (self.parent_id is not None):
            raise ValueError(
                "parent_id: expected the refined node's id for a RefineRequest and None for a "
                f"SampleRequest, got {self.parent_id!r} with a {type(self.request).__name__}"
            )

    @property
    def n(self) -> int:
        return self.request.n

    @property
    def kind(self) -> str:
        return REFINE if isinstance(self.request, RefineRequest) else SAMPLE


def sample_request(task: Task, n: int, island: int = 0) -> AgentRequest:
    """Ask for ``n`` new programs for ``task``."""
    return AgentRequest(SampleRequest(task, n), None, island)


def refine_request(task: Task, node: Node, n: int, island: int = 0) -> AgentRequest:
    """Ask for ``n`` refinements of ``node``'s program, shown with its execution result."""
    if node.program is None:
        raise ValueError(f"node {node.node_id} of task {task.id} has no program to refine")
    return AgentRequest(RefineRequest(task, node.program, node.result(), n), node.node_id, island)


@dataclass
class TaskState:
    """What an agent knows about one task. Agents may subclass it to keep more.

    Attributes:
        task: the public task (no test outputs).
        nodes: every node of the task so far, in node-id order (``nodes[i].node_id == i``).
        perfect: how many of them are right on every train pair.
    """

    task: Task
    nodes: list[Node] = field(default_factory=list)
    perfect: int = 0


class SearchAgent(abc.ABC):
    """A search strategy, applied to each task independently.

    Subclasses set :attr:`config_class` and implement :meth:`requests`; they override
    :meth:`new_state` and :meth:`record` to keep more per-task state, and :meth:`finished` for
    other stopping rules. Build one with a config or its fields:
    ``RexAgent(programs=100, C=10)`` or ``RexAgent(RexConfig(...))``.

    The contract the driver relies on (checked for every registered agent by the contract
    tests): :meth:`requests` asks for at least one program while the task is not finished, never
    more than ``max_programs`` nor than the remaining budget; a refine request names an existing
    node; choices depend only on the state and ``rng``.
    """

    name: ClassVar[str] = ""
    config_class: ClassVar[type[AgentConfig]] = AgentConfig

    def __init__(self, config: AgentConfig | None = None, **fields: Any) -> None:
        if config is not None and not isinstance(config, self.config_class):
            raise AgentError(
                f"config: expected a {self.config_class.__name__}, got {type(config).__name__}"
            )
        known = {f.name for f in dataclasses.fields(self.config_class)}
        unknown = sorted(set(fields) - known)
        if unknown:
            raise AgentError(
                f"{type(self).__name__}: unknown setting(s) {', '.join(unknown)}; expected "
                f"some of {', '.join(sorted(known))}"
            )
        base = config if config is not None else self.config_class()
        self.config = dataclasses.replace(base, **fields) if fields else base

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.config})"

    # ------------------------------------------------------------------------ per-task state

    def start(self, task: Task, nodes: Sequence[Node] = ()) -> TaskState:
        """The state of ``task`` after the nodes already logged for it (none for a new run)."""
        state = self.new_state(task)
        self.record(state, nodes)
        return state

    def new_state(self, task: Task) -> TaskState:
        """An empty state for ``task``; override to return a subclass of :class:`TaskState`."""
        return TaskState(task)

    def record(self, state: TaskState, nodes: Sequence[Node]) -> None:
        """Account for new nodes of the task (in node-id order). Overrides call ``super()``."""
        state.nodes.extend(nodes)
        state.perfect += sum(node.all_train_correct for node in nodes)

    def remaining(self, state: TaskState) -> int:
        """Programs left in the task's budget."""
        return max(0, self.config.programs - len(state.nodes))

    def finished(self, state: TaskState) -> bool:
        """Whether the task needs nothing more: its budget is spent or ``stop_after`` programs are
        right on every train pair (agents with phases override this)."""
        stop = self.config.stop_after
        return self.remaining(state) == 0 or (stop is not None and state.perfect >= stop)

    @abc.abstractmethod
    def requests(
        self, state: TaskState, max_programs: int, rng: np.random.Generator
    ) -> list[AgentRequest]:
        """What the task wants next: requests totalling 1..``max_programs`` programs, within the
        remaining budget (called only while the task is not finished and has nothing in
        flight, so every choice sees every earlier result).

        Args:
            state: the task's state.
            max_programs: the most programs the requests may ask for (>= 1).
            rng: the randomness for this step, seeded from the run's seed, the task id and the
                number of nodes so far (the same log always leads to the same choices).
        """

    def step_size(self, state: TaskState, max_programs: int) -> int:
        """Programs to ask for this step: the width, capped by ``max_programs`` and the budget."""
        return min(self.config.width, max_programs, self.remaining(state))
