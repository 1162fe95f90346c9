"""Run the doctests of the search modules that have them."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["soar.agents.search", "soar.agents.search.rex", "soar.agents.search.refine"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no doctests"
    assert result.failed == 0, f"{result.failed} of {result.attempted} doctests failed in {name}"
