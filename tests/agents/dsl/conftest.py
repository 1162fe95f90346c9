"""Fixtures shared by the DSL tests: the built-in grammar and arc1/train's tasks without test
outputs (what a policy sees)."""

from __future__ import annotations

import pytest
from soar.agents.dsl.grammar import Grammar
from soar.arc_env import load_tasks


@pytest.fixture(scope="module")
def grammar():
    return Grammar()


@pytest.fixture(scope="module")
def public_tasks():
    return {task.id: task.public() for task in load_tasks("arc1/train")}
