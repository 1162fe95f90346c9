"""Run the doctests of the agents modules listed here, so plain ``pytest`` covers them."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "soar.agents.program_checks",
    "soar.agents.vote_filters",
    "soar.agents.runs.ensemble",
    "soar.agents.voting",
    "soar.agents.consistency",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no doctests"
    assert result.failed == 0, f"{result.failed} of {result.attempted} doctests failed in {name}"
