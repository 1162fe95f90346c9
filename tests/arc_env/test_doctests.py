"""Run the doctests of the ``arc_env`` modules that have them, so plain ``pytest`` covers them."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "soar.arc_env.grid",
    "soar.arc_env.loading",
    "soar.arc_env.render",
    "soar.arc_env.envs.spaces",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no doctests"
    assert result.failed == 0, f"{result.failed} of {result.attempted} doctests failed in {name}"
