"""Fixtures for search tests: a few real ARC-AGI-1 tasks and scripted answers for them."""

from __future__ import annotations

import pytest
from soar.arc_env import load_tasks

TASK_IDS = ("3c9b0459", "6150a2bd", "67a3c6ac", "68b16354")
"""Rotate by 180 degrees (twice), mirror left-right, flip upside down."""


@pytest.fixture(scope="session")
def search_tasks():
    return load_tasks("arc1/train:" + ",".join(TASK_IDS))
