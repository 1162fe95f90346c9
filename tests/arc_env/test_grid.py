"""Tests of ``soar.arc_env.grid``: what ``to_grid`` accepts, and how it says what it rejects."""

from __future__ import annotations

import numpy as np
import pytest
from soar.arc_env.error import ArcEnvError, GridError
from soar.arc_env.grid import MAX_SIDE, grid_shape, to_array, to_grid, to_lists


@pytest.mark.parametrize(
    "value",
    [
        [[1, 2, 3], [4, 5, 6]],
        ((1, 2, 3), (4, 5, 6)),
        [(1, 2, 3), (4, 5, 6)],
        np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int64),
        np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int8),
        np.array([[1, 2, 3], [4, 5, 6]], dtype=np.uint8),
        [[np.int64(1), np.int32(2), 3], [4, 5, 6]],
    ],
    ids=["lists", "tuples", "list-of-tuples", "int64", "int8", "uint8", "numpy-scalars"],
)
def test_accepts_lists_tuples_and_integer_arrays(value: object) -> None:
    grid = to_grid(value)
    assert grid == ((1, 2, 3), (4, 5, 6))
    assert all(type(cell) is int for row in grid for cell in row)
    assert all(type(row) is tuple for row in grid)


def test_accepts_the_extreme_sizes() -> None:
    assert to_grid([[0]]) == ((0,),)
    big = [[9] * MAX_SIDE for _ in range(MAX_SIDE)]
    assert grid_shape(to_grid(big)) == (MAX_SIDE, MAX_SIDE)


def test_grid_is_hashable_and_converts_back() -> None:
    grid = to_grid([[1, 2], [3, 4]])
    assert hash(grid) == hash(((1, 2), (3, 4)))
    assert to_lists(grid) == [[1, 2], [3, 4]]
    array = to_array(grid)
    assert array.dtype == np.int8
    assert array.tolist() == [[1, 2], [3, 4]]


@pytest.mark.parametrize(
    ("value", "expected", "found"),
    [
        ([[1, 2], [3]], "expected 2 like row 1", "row 2 has 1 cells"),
        ([[1, 10]], "expected a colour 0..9", "got 10"),
        ([[-1, 0]], "expected a colour 0..9", "got -1"),
        ([[1.5, 0]], "expected a colour 0..9", "got 1.5"),
        ([[1.0, 0]], "expected a colour 0..9", "got 1.0"),
        ([[True, 0]], "expected a colour 0..9", "got True"),
        ([[0], [None]], "expected a colour 0..9", "got None"),
        ([], "expected 1..30 rows", "got 0"),
        ([[]], "expected 1..30 columns", "got 0"),
        ([[0] * 31], "expected 1..30 columns", "got 31"),
        ([[0]] * 31, "expected 1..30 rows", "got 31"),
        (np.zeros((2, 2, 2), dtype=np.int64), "expected a 2-D array", "got 3 dimensions"),
        (np.zeros((2, 2)), "expected integer cells", "got dtype float64"),
        ("0123", "expected a list of rows", "got str"),
        (["01", "23"], "expected a list of cells", "got str"),
        (7, "expected a list of rows", "got int"),
        ({"a": 1}, "expected a list of rows", "got dict"),
    ],
    ids=[
        "ragged",
        "value-10",
        "value-minus-1",
        "float",
        "integral-float",
        "bool",
        "none",
        "0-rows",
        "0-columns",
        "31-columns",
        "31-rows",
        "3-d-array",
        "float-array",
        "string",
        "string-rows",
        "int",
        "dict",
    ],
)
def test_rejects_with_expected_and_found(value: object, expected: str, found: str) -> None:
    with pytest.raises(GridError) as excinfo:
        to_grid(value, where="task abc, train pair 2 output")
    message = str(excinfo.value)
    assert message.startswith("task abc, train pair 2 output: ")
    assert expected in message
    assert found in message


def test_grid_error_is_a_value_error_of_the_package() -> None:
    with pytest.raises(ValueError):
        to_grid([[10]])
    with pytest.raises(ArcEnvError):
        to_grid([[10]])


def test_error_names_the_row_and_column() -> None:
    with pytest.raises(GridError, match=r"grid: row 2, column 3: expected a colour 0\.\.9, got 12"):
        to_grid([[0, 0, 0], [0, 0, 12]])
