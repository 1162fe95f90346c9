"""Tests of ``soar.arc_env.envs.spaces``: the grid space, the task observation and the program action."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
from gymnasium import spaces
from soar.arc_env.envs.spaces import (
    PROGRAM_CHARSET,
    GridSpace,
    program_action_space,
    task_observation,
    task_observation_space,
)
from soar.arc_env.task import Pair, Task


def test_grid_space_samples_are_valid_and_seeded() -> None:
    space = GridSpace(seed=7)
    grids = [space.sample() for _ in range(50)]
    assert all(grid in space for grid in grids)
    assert all(grid.dtype == np.int8 and grid.ndim == 2 for grid in grids)
    assert len({grid.shape for grid in grids}) > 1  # the shape varies
    again = GridSpace(seed=7)
    assert all(np.array_equal(grid, again.sample()) for grid in grids)


@pytest.mark.parametrize(
    "value",
    [
        np.zeros((0, 3), dtype=np.int8),
        np.zeros((31, 1), dtype=np.int8),
        np.zeros((1, 31), dtype=np.int8),
        np.zeros((2, 2, 2), dtype=np.int8),
        np.zeros(3, dtype=np.int8),
        np.array([[10]], dtype=np.int8),
        np.array([[-1]], dtype=np.int8),
        np.zeros((2, 2), dtype=np.float32),
        np.zeros((2, 2), dtype=bool),
        [[1, 2], [3, 4]],
        "12",
        None,
    ],
)
def test_grid_space_rejects(value: object) -> None:
    assert value not in GridSpace()


def test_grid_space_accepts_any_integer_dtype() -> None:
    for dtype in (np.int8, np.uint8, np.int64):
        assert np.full((30, 30), 9, dtype=dtype) in GridSpace()
    assert np.zeros((1, 1), dtype=np.int8) in GridSpace()


def test_grid_space_equality_repr_and_copies() -> None:
    space = GridSpace(seed=1)
    assert space == GridSpace()
    assert space != spaces.Box(0, 9, (3, 3), dtype=np.int8)
    assert "GridSpace" in repr(space) and "1..30" in repr(space)
    assert copy.deepcopy(space) == space
    assert pickle.loads(pickle.dumps(space)) == space
    with pytest.raises(ValueError, match="expected no mask"):
        space.sample(mask=np.ones(10, dtype=np.int8))


def test_grid_space_jsonable_round_trip() -> None:
    space = GridSpace(seed=3)
    grids = [space.sample() for _ in range(3)]
    back = space.from_jsonable(space.to_jsonable(grids))
    assert all(
        np.array_equal(a, b) and b.dtype == np.int8 for a, b in zip(grids, back, strict=True)
    )


def test_task_observation_matches_its_space() -> None:
    task = Task(
        "demo",
        (Pair(((1, 2),), ((2, 1),)), Pair(((3,),), ((3,),))),
        (Pair(((4, 5),), ((5, 4),)),),
    )
    space = task_observation_space(seed=0)
    obs = task_observation(task)
    assert obs in space
    assert set(obs) == {"train_inputs", "train_outputs", "test_inputs"}
    assert all(type(value) is tuple for value in obs.values())
    assert [grid.tolist() for grid in obs["train_outputs"]] == [[[2, 1]], [[3]]]
    assert obs["test_inputs"][0].tolist() == [[4, 5]]
    assert space.sample() in space
    # fresh arrays on every call: a caller may keep or modify them
    assert not np.shares_memory(obs["train_inputs"][0], task_observation(task)["train_inputs"][0])


def test_program_action_space() -> None:
    space = program_action_space(seed=0)
    assert isinstance(space, spaces.Text)
    assert "def transform(grid):\n\treturn grid\n" in space
    assert "\n" in PROGRAM_CHARSET and "\t" in PROGRAM_CHARSET
    sample = space.sample()
    assert sample in space and 1 <= len(sample) <= 100_000
