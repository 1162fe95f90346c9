"""Tests of ``soar.arc_env.render``: exact renderings, completeness on large grids, and task views."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest
from soar.arc_env.error import GridError
from soar.arc_env.grid import Grid, grid_shape, to_grid
from soar.arc_env.loading import load_tasks
from soar.arc_env.render import (
    ANSI_COLOURS,
    COLOUR_NAMES,
    RENDERERS,
    render_ansi,
    render_colour_names,
    render_digits,
    render_grid,
    render_numpy,
    render_task,
)
from soar.arc_env.task import Pair, Task

SMALL: Grid = ((3, 3, 8), (3, 7, 0))
ANSI_CELL = re.compile(r"\x1b\[48;5;(\d+)m  ")


def random_grid(rows: int, columns: int, seed: int) -> Grid:
    rng = random.Random(seed)
    return tuple(tuple(rng.randrange(10) for _ in range(columns)) for _ in range(rows))


FULL = random_grid(30, 30, seed=1)


# --- exact renderings ----------------------------------------------------------------------------


def test_numpy_style() -> None:
    assert render_numpy(SMALL) == "[[3 3 8]\n [3 7 0]]"
    assert render_numpy([[1, 2, 3]]) == "[[1 2 3]]"
    assert render_numpy([[5]]) == "[[5]]"
    assert render_numpy([[1], [2]]) == "[[1]\n [2]]"


@pytest.mark.parametrize(("rows", "columns"), [(1, 1), (1, 30), (30, 1), (7, 13), (30, 30)])
def test_numpy_style_is_what_numpy_prints(rows: int, columns: int) -> None:
    grid = random_grid(rows, columns, seed=rows * 100 + columns)
    array = np.array(grid)
    expected = np.array2string(array, threshold=10**6, max_line_width=10**6)
    assert render_numpy(grid) == expected
    if array.size <= 1000:  # below numpy's summarising threshold its str is complete too
        assert render_numpy(grid) == str(array)


def test_digits_style() -> None:
    assert render_digits(SMALL) == "338\n370"
    assert render_digits([[0]]) == "0"


def test_colour_names_style() -> None:
    assert render_colour_names(SMALL) == "Green Green Purple\nGreen Orange Black"
    every = [list(range(10))]
    assert render_colour_names(every) == " ".join(COLOUR_NAMES)
    assert COLOUR_NAMES == (
        "Black",
        "Blue",
        "Red",
        "Green",
        "Yellow",
        "Grey",
        "Pink",
        "Orange",
        "Purple",
        "Brown",
    )


def test_ansi_style() -> None:
    text = render_ansi(SMALL)
    lines = text.split("\n")
    assert len(lines) == 2
    assert lines[0] == "\x1b[48;5;41m  \x1b[48;5;41m  \x1b[48;5;117m  \x1b[0m"
    assert lines[1] == "\x1b[48;5;41m  \x1b[48;5;208m  \x1b[48;5;16m  \x1b[0m"
    assert len(ANSI_COLOURS) == 10
    assert len(set(ANSI_COLOURS)) == 10
    assert all(16 <= code <= 255 for code in ANSI_COLOURS)


def test_render_grid_dispatches_to_the_styles() -> None:
    assert set(RENDERERS) == {"numpy", "digits", "colour-names"}
    for style, renderer in RENDERERS.items():
        assert render_grid(SMALL, style) == renderer(SMALL)
    assert render_grid(SMALL) == render_numpy(SMALL)


def test_unknown_style_lists_the_styles() -> None:
    with pytest.raises(ValueError) as excinfo:
        render_grid(SMALL, "hex")
    message = str(excinfo.value)
    assert "'hex'" in message
    for style in ("'numpy'", "'digits'", "'colour-names'"):
        assert style in message


@pytest.mark.parametrize(
    "value",
    [
        [[3, 3, 8], [3, 7, 0]],
        np.array(SMALL),
        np.array(SMALL, dtype=np.int8),
        [(3, 3, 8), (3, 7, 0)],
    ],
    ids=["lists", "int64-array", "int8-array", "list-of-tuples"],
)
def test_accepts_lists_and_arrays(value: object) -> None:
    for renderer in (*RENDERERS.values(), render_ansi):
        assert renderer(value) == renderer(SMALL)


@pytest.mark.parametrize("renderer", [*RENDERERS.values(), render_ansi])
def test_invalid_grids_are_rejected(renderer: object) -> None:
    with pytest.raises(GridError):
        renderer([[1, 2], [3]])  # type: ignore[operator]
    with pytest.raises(GridError):
        renderer([[10]])  # type: ignore[operator]


# --- completeness --------------------------------------------------------------------------------


def test_30x30_renders_every_cell_in_every_style() -> None:
    cells = [cell for row in FULL for cell in row]
    assert len(cells) == 900

    numpy_text = render_numpy(FULL)
    assert "..." not in numpy_text
    assert re.findall(r"\d", numpy_text) == [str(cell) for cell in cells]
    assert numpy_text.count("\n") == 29

    digits_text = render_digits(FULL)
    assert digits_text.replace("\n", "") == "".join(map(str, cells))
    assert [len(line) for line in digits_text.split("\n")] == [30] * 30

    names = render_colour_names(FULL).split()
    assert names == [COLOUR_NAMES[cell] for cell in cells]

    codes = [int(code) for code in ANSI_CELL.findall(render_ansi(FULL))]
    assert codes == [ANSI_COLOURS[cell] for cell in cells]
    assert all(line.endswith("\x1b[0m") for line in render_ansi(FULL).split("\n"))


def test_numpy_would_summarise_but_we_do_not() -> None:
    # A grid larger than 1,000 cells is not an ARC grid; the point is that the renderer never
    # goes through numpy's summarising printer, whatever its print options.
    with np.printoptions(threshold=10):
        assert "..." in str(np.array(FULL))
        assert "..." not in render_numpy(FULL)
        assert len(re.findall(r"\d", render_numpy(FULL))) == 900


# --- whole tasks ---------------------------------------------------------------------------------


def _spaced(grid: Grid) -> list[str]:
    return [" ".join(map(str, row)) for row in grid]


def _assert_grid_shown(lines: list[str], title: str, grid: Grid) -> None:
    """``grid`` appears, complete, under the line that holds ``title``, at the same column."""
    heading = f"{title} ({grid_shape(grid)[0]}x{grid_shape(grid)[1]})"
    matches = [i for i, line in enumerate(lines) if heading in line]
    assert len(matches) == 1, f"{heading!r} appears {len(matches)} times"
    top = matches[0]
    column = lines[top].index(heading)
    for offset, row in enumerate(_spaced(grid), start=1):
        assert lines[top + offset][column : column + len(row)] == row, (heading, offset)


def _every_grid(task: Task, with_test_outputs: bool = True) -> list[tuple[str, Grid]]:
    shown: list[tuple[str, Grid]] = []
    for n, pair in enumerate(task.train, start=1):
        shown += [(f"Train {n} input", pair.input), (f"Train {n} output", pair.output)]
    for n, pair in enumerate(task.test, start=1):
        shown.append((f"Test {n} input", pair.input))
        if with_test_outputs and pair.output is not None:
            shown.append((f"Test {n} output", pair.output))
    return shown


@pytest.mark.parametrize(
    "spec",
    [
        "arc1/train:007bbfb7",  # small pairs, shown side by side
        "arc2/eval:0934a4d8",  # 30x30 inputs: too wide for side by side
        "arc1/eval:00576224",
    ],
)
def test_render_task_contains_every_grid(spec: str) -> None:
    (task,) = load_tasks(spec)
    text = render_task(task, colour=False)
    lines = text.split("\n")
    assert lines[0].startswith(f"Task {task.id}: {len(task.train)} train pair")
    for title, grid in _every_grid(task):
        _assert_grid_shown(lines, title, grid)
    assert "\x1b" not in text


def test_render_task_without_test_outputs() -> None:
    (task,) = load_tasks("arc1/train:007bbfb7")
    text = render_task(task, colour=False, show_test_outputs=False)
    assert "Test 1 input" in text
    assert "Test 1 output" not in text
    public = render_task(task.public(), colour=False)
    assert "Test 1 output" in public
    assert "(not known)" in public


def test_render_task_in_colour_shows_every_cell() -> None:
    (task,) = load_tasks("arc2/eval:0934a4d8")
    text = render_task(task, colour=True)
    expected = sum(len(row) for _, grid in _every_grid(task) for row in grid)
    assert len(ANSI_CELL.findall(text)) == expected
    for line in text.split("\n"):
        if "\x1b[48" in line:
            assert line.endswith("\x1b[0m")
    for title, grid in _every_grid(task):
        rows, columns = grid_shape(grid)
        assert f"{title} ({rows}x{columns})" in text


def test_render_task_side_by_side_layout_is_exact() -> None:
    task = Task(
        "tiny",
        (Pair(to_grid([[1, 2], [3, 4]]), to_grid([[5]])),),
        (Pair(to_grid([[0, 0, 0]])),),
    )
    assert render_task(task, colour=False) == (
        "Task tiny: 1 train pair, 1 test pair\n"
        "\n"
        "Train 1 input (2x2)   Train 1 output (1x1)\n"
        "1 2                   5\n"
        "3 4\n"
        "\n"
        "Test 1 input (1x3)   Test 1 output\n"
        "0 0 0                (not known)"
    )


def test_render_task_pads_colour_blocks_by_their_visible_width() -> None:
    task = Task("wide", (Pair(to_grid([[1]]), to_grid([[2]])),), (Pair(to_grid([[3]])),))
    lines = render_task(task, colour=True, show_test_outputs=False).split("\n")
    title = "Train 1 input (1x1)"
    assert lines[2].startswith(title)
    first_grid_line = lines[3]
    # One cell (2 columns on screen) padded to the title's width, then the gap, then the output.
    visible = ANSI_CELL.sub("XX", first_grid_line).replace("\x1b[0m", "")
    assert visible == "XX" + " " * (len(title) - 2) + "   " + "XX"
