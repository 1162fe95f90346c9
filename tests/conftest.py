"""Shared fixtures: real ARC tasks and real executors (worker processes start in about 0.5 s)."""

from __future__ import annotations

import pytest

from arc_env import Executor, load_tasks


@pytest.fixture(scope="session")
def arc1_train():
    return {task.id: task for task in load_tasks("arc1/train")}


@pytest.fixture(scope="session")
def rotate_task(arc1_train):
    """3c9b0459: the output is the input rotated by 180 degrees."""
    return arc1_train["3c9b0459"]


@pytest.fixture(scope="module")
def executor():
    with Executor(workers=2, timeout=0.5, memory_mb=512) as ex:
        yield ex
