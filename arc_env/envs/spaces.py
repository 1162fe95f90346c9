"""Gymnasium spaces for ARC: one grid, a task as an observation, a program as an action.

An observation is a whole task in its public form: a dict of three tuples of grids, each grid a
2-D ``int8`` numpy array. An action is the source code of a Python program that defines
``transform(grid)``.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from gymnasium import spaces

from ..grid import MAX_SIDE, to_array
from ..task import Task

__all__ = [
    "PROGRAM_CHARSET",
    "PROGRAM_MAX_LENGTH",
    "GridSpace",
    "program_action_space",
    "task_observation",
    "task_observation_space",
]

PROGRAM_CHARSET: str = string.digits + string.ascii_letters + string.punctuation + " \t\n"
"""The characters of the action space: printable ASCII, space, tab and newline.

It bounds what :meth:`Text.sample` draws; ``step`` accepts any ``str``, other characters included.
"""

PROGRAM_MAX_LENGTH = 100_000
"""The longest program of the action space (``step`` runs longer ones too)."""


class GridSpace(spaces.Space[np.ndarray]):
    """The set of ARC grids: 2-D integer arrays with 1..30 rows and columns and values 0..9.

    The shape varies from grid to grid, so :attr:`shape` is ``None``. :meth:`contains` accepts
    any integer dtype; :meth:`sample` and the environments produce ``int8`` arrays.

    Args:
        seed: seeds the generator used by :meth:`sample`.

    >>> space = GridSpace(seed=0)
    >>> grid = space.sample()
    >>> grid.dtype, grid in space
    (dtype('int8'), True)
    >>> np.array([[1, 10]], dtype=np.int8) in space
    False
    """

    def __init__(self, seed: int | np.random.Generator | None = None) -> None:
        super().__init__(shape=None, dtype=np.int8, seed=seed)

    @property
    def is_np_flattenable(self) -> bool:
        """Grids vary in shape, so they cannot be flattened to one fixed-size vector."""
        return False

    def sample(self, mask: Any | None = None, probability: Any | None = None) -> np.ndarray:
        """A random grid: each side uniform in 1..30, each cell uniform in 0..9.

        Args:
            mask: not supported; must be ``None``.
            probability: not supported; must be ``None``.

        Raises:
            ValueError: ``mask`` or ``probability`` was given.
        """
        if mask is not None or probability is not None:
            raise ValueError(
                "GridSpace.sample: expected no mask and no probability, "
                f"got mask={mask!r}, probability={probability!r}"
            )
        rows, columns = self.np_random.integers(1, MAX_SIDE + 1, size=2)
        return self.np_random.integers(0, 10, size=(rows, columns), dtype=np.int8)

    def contains(self, x: Any) -> bool:
        """Whether ``x`` is a 2-D integer numpy array with sides 1..30 and values 0..9."""
        if not isinstance(x, np.ndarray) or x.ndim != 2 or x.dtype.kind not in "iu":
            return False
        rows, columns = x.shape
        if not (1 <= rows <= MAX_SIDE and 1 <= columns <= MAX_SIDE):
            return False
        return bool(x.min() >= 0 and x.max() <= 9)

    def to_jsonable(self, sample_n: Iterable[np.ndarray]) -> list[list[list[int]]]:
        """Grids as nested lists of ints."""
        return [np.asarray(grid).tolist() for grid in sample_n]

    def from_jsonable(self, sample_n: Sequence[Any]) -> list[np.ndarray]:
        """Nested lists of ints as ``int8`` grids."""
        return [np.asarray(grid, dtype=np.int8) for grid in sample_n]

    def __repr__(self) -> str:
        return f"GridSpace(sides 1..{MAX_SIDE}, values 0..9, dtype=int8)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GridSpace)


def task_observation_space(seed: int | None = None) -> spaces.Dict:
    """The observation space of a task: train inputs and outputs, test inputs.

    Each value is a tuple (``Sequence`` without stacking) of grids as ``int8`` arrays; test
    outputs are never part of an observation.
    """
    return spaces.Dict(
        {
            "train_inputs": spaces.Sequence(GridSpace()),
            "train_outputs": spaces.Sequence(GridSpace()),
            "test_inputs": spaces.Sequence(GridSpace()),
        },
        seed=seed,
    )


def task_observation(task: Task) -> dict[str, tuple[np.ndarray, ...]]:
    """The observation of ``task``: fresh ``int8`` arrays, so the caller may keep or modify them.

    Test outputs are left out whether or not ``task`` knows them.
    """
    return {
        "train_inputs": tuple(to_array(pair.input) for pair in task.train),
        "train_outputs": tuple(to_array(pair.output) for pair in task.train),  # type: ignore[arg-type]
        "test_inputs": tuple(to_array(pair.input) for pair in task.test),
    }


def program_action_space(seed: int | None = None) -> spaces.Text:
    """The action space: program source text of 1..100,000 printable ASCII characters.

    The space says what a random action looks like; ``step`` accepts any ``str``.
    """
    return spaces.Text(
        max_length=PROGRAM_MAX_LENGTH, min_length=1, charset=PROGRAM_CHARSET, seed=seed
    )
