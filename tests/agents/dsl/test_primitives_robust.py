"""Every primitive with every argument its kinds allow, on 1x1 and 30x30 grids: no crash beyond
documented ValueErrors, a 2-D integer result of colours 0..9, the input untouched. And every
parameter checked: arguments outside a kind's domain raise ValueError naming the kind."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from soar.agents.dsl.primitives import PARAM_KINDS, PRIMITIVES

TEST_COLOURS = (0, 1, 5, 9)
"""Colours tried for the colour kinds (their domain comes from the task)."""


def _noise() -> np.ndarray:
    return np.random.default_rng(0).integers(0, 10, size=(30, 30))


def _scene() -> np.ndarray:
    """Objects on a background, split into four 14x14 parts by double separator lines of 5."""
    rng = np.random.default_rng(1)
    grid = np.zeros((30, 30), dtype=np.int64)
    for _ in range(25):
        r, c = rng.integers(0, 28, size=2)
        h, w = rng.integers(1, 4, size=2)
        grid[r : r + h, c : c + w] = rng.choice([1, 2, 3, 4, 6, 7, 8])
    grid[rng.random((30, 30)) < 0.03] = 9  # noise
    grid[14:16, :] = 5
    grid[:, 14:16] = 5
    return grid


GRIDS = {
    "1x1-background": np.zeros((1, 1), dtype=np.int64),
    "1x1-colour": np.full((1, 1), 3, dtype=np.int64),
    "30x30-noise": _noise(),
    "30x30-scene": _scene(),
    "30x30-background": np.zeros((30, 30), dtype=np.int64),
}


def _all_args(params: tuple[str, ...]):
    domains = [TEST_COLOURS if PARAM_KINDS[k] is None else PARAM_KINDS[k] for k in params]
    return itertools.product(*domains)


@pytest.mark.parametrize("grid_name", list(GRIDS))
@pytest.mark.parametrize("name", list(PRIMITIVES))
def test_primitive_on_extreme_grids(name, grid_name):
    p = PRIMITIVES[name]
    documented = "Raises:" in (p.fn.__doc__ or "") and "ValueError" in p.fn.__doc__
    grid = GRIDS[grid_name].copy()
    before = grid.copy()
    for args in _all_args(p.params):
        try:
            out = p.fn(grid, *args)
        except ValueError:
            assert documented, f"{name}{args} raised an undocumented ValueError"
            continue
        assert isinstance(out, np.ndarray), f"{name}{args} returned {type(out).__name__}"
        assert out.ndim == 2 and out.size > 0 and out.dtype.kind == "i", (name, args, out.shape)
        assert out.min() >= 0 and out.max() <= 9, (name, args)
        assert not np.shares_memory(out, grid), f"{name}{args} returned a view of its input"
        assert np.array_equal(grid, before), f"{name}{args} changed its input"


def test_most_primitives_succeed_on_the_scene():
    """The scene is a sensible input: only primitives that need something it lacks may refuse it."""
    failing = set()
    grid = GRIDS["30x30-scene"]
    for name, p in PRIMITIVES.items():
        try:
            p.fn(grid, *next(iter(_all_args(p.params))))
        except ValueError:
            failing.add(name)
    # many colours; four parts all different; copies of a 30x30 grid too large; no symmetry to
    # fill holes from
    assert failing == {
        "invert",
        "unique_part",
        "scale_by_colour_count",
        "scale_by_foreground_count",
        "tile_by_colour_count",
        "tile_by_size",
        "fractal",
        "fractal_of_colour",
        "fractal_inverted",
        "complete_pattern",
        "complete_pattern_patch",
        "colour_empty_lines",  # no empty line
        "tile_unit",  # no repetition
        "crop_block",  # square, not a row of square blocks
        "crop_object_most",  # the first colour is the background, which no object has
        "reverse_rings",  # no rings of one colour
        "attract",  # the first test colour is the background (it takes 1..9 on the scene)
        "recolour_by_nearest",  # the same
        "copy_onto",  # the same
        "move_onto",  # the same
    }


def test_lists_are_accepted_like_arrays():
    assert PRIMITIVES["flip_h"].fn([[1, 2]]).tolist() == [[2, 1]]


@pytest.mark.parametrize(
    "grid",
    [np.zeros((2, 2, 2), dtype=int), np.zeros((0, 3), dtype=int), np.array([[1.5]]), [[1, 2], [3]]],
    ids=["3-d", "empty", "floats", "ragged"],
)
def test_malformed_grids_raise_value_error(grid):
    with pytest.raises(ValueError, match="grid"):
        PRIMITIVES["flip_h"].fn(grid)


def test_colours_outside_0_to_9_raise_value_error():
    with pytest.raises(ValueError, match="colours 0..9"):
        PRIMITIVES["flip_h"].fn(np.array([[1, 10]]))


INVALID = {
    "colour": (-1, 10, 2.0, True, "1"),
    "colour_from": (10,),
    "colour_to": (10,),
    "count": (0, 31, 1.5),
    "factor": (0, 31, "2"),
    "direction": ("north", 1),
    "selector": ("biggest", None),
    "combine": ("nand",),
    "axis": ("diagonal",),
}


def _invalid_cases():
    for name, p in PRIMITIVES.items():
        valid = [TEST_COLOURS[1] if PARAM_KINDS[k] is None else PARAM_KINDS[k][0] for k in p.params]
        for i, kind in enumerate(p.params):
            for bad in INVALID[kind]:
                args = valid[:i] + [bad] + valid[i + 1 :]
                yield pytest.param(name, tuple(args), kind, id=f"{name}-{kind}={bad!r}")


@pytest.mark.parametrize(("name", "args", "kind"), list(_invalid_cases()))
def test_arguments_outside_their_kind_raise_value_error(name, args, kind):
    grid = GRIDS["30x30-scene"]
    with pytest.raises(ValueError, match=kind.split("_")[0]):
        PRIMITIVES[name].fn(grid, *args)


def test_every_kind_has_invalid_examples():
    assert set(INVALID) == set(PARAM_KINDS)
