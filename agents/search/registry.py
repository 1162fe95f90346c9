"""Finding search agents by name.

Built in: ``sample``, ``rex``, ``sample-refine``. Third-party packages add agents through the
``soar.agents`` entry-point group, e.g. in their ``pyproject.toml``::

    [project.entry-points."soar.agents"]
    greedy-refine = "my_package.agent:GreedyRefineAgent"

The entry point names a :class:`~soar.agents.search.agent.SearchAgent` subclass (or any callable that
takes the config fields as keyword arguments and returns an agent).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..plugins import PluginRegistry
from .agent import AgentError, SearchAgent

AgentFactory = Callable[..., SearchAgent]
"""``factory(**config_fields) -> SearchAgent``; a :class:`SearchAgent` subclass is one."""

ENTRY_POINT_GROUP = "soar.agents"

_BUILT_IN = {
    "sample": "soar.agents.search.sample:SampleAgent",
    "rex": "soar.agents.search.refine:RexAgent",
    "sample-refine": "soar.agents.search.refine:SampleRefineAgent",
}
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\Z")


_REGISTRY = PluginRegistry(ENTRY_POINT_GROUP, _BUILT_IN, AgentError, "search agent")


def register_agent(name: str, factory: AgentFactory | str) -> None:
    """Make ``make_agent(name, ...)`` build agents with ``factory`` (a callable, usually a
    :class:`SearchAgent` subclass, or ``"module:attribute"``); overrides built-in and
    entry-point agents of the same name."""
    if not _NAME.match(name):
        raise AgentError(
            f"name: expected letters, digits, '_', '-' or '.', like 'my-agent', got {name!r}"
        )
    _REGISTRY.register(name, factory)


def available_agents() -> dict[str, str]:
    """Every known agent name and where its factory lives."""
    return _REGISTRY.available()


def make_agent(name: str, **config: object) -> SearchAgent:
    """Build the agent ``name`` with config fields, e.g. ``make_agent("rex", programs=200, C=10)``.

    Raises:
        AgentError: the name is unknown, a config field is unknown, of the wrong type or out of
            range, or the factory did not return a :class:`SearchAgent`.
    """
    factory = _REGISTRY.resolve(name)
    try:
        agent = factory(**config)
    except AgentError:
        raise
    except (TypeError, ValueError) as err:  # a plug-in agent's own validation
        raise AgentError(f"agent {name!r}: {err}") from err
    if not isinstance(agent, SearchAgent):
        raise AgentError(
            f"agent {name!r}: expected its factory to return a SearchAgent, got {type(agent).__name__}"
        )
    return agent
