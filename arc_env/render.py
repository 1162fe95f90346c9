"""Text renderings of ARC grids and tasks: for prompts, logs and terminals.

Every rendering is complete: each cell of the grid appears, whatever its size (``numpy``'s own
``repr`` elides arrays of more than 1,000 cells, so it is never used here). Functions take a
:data:`~soar.arc_env.grid.Grid` and also accept nested lists or 2-D integer numpy arrays; anything
that is not a valid ARC grid raises :class:`~soar.arc_env.error.GridError`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .grid import Grid, grid_shape, to_grid
from .task import Task

__all__ = [
    "ANSI_COLOURS",
    "COLOUR_NAMES",
    "RENDERERS",
    "render_ansi",
    "render_colour_names",
    "render_digits",
    "render_grid",
    "render_numpy",
    "render_task",
]

COLOUR_NAMES: tuple[str, ...] = (
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
"""The names of the ARC colours, indexed by cell value 0..9."""

ANSI_COLOURS: tuple[int, ...] = (
    16,  # 0 black      #000000
    32,  # 1 blue       #0074D9 ~ #0087D7
    203,  # 2 red       #FF4136 ~ #FF5F5F
    41,  # 3 green      #2ECC40 ~ #00D75F
    220,  # 4 yellow    #FFDC00 ~ #FFD700
    248,  # 5 grey      #AAAAAA ~ #A8A8A8
    199,  # 6 pink      #F012BE ~ #FF00AF
    208,  # 7 orange    #FF851B ~ #FF8700
    117,  # 8 "purple"  #7FDBFF ~ #87D7FF (light blue in the ARC web interface)
    88,  # 9 brown      #870C25 ~ #870000
)
"""The xterm 256-colour index nearest to each colour of the ARC web palette, by cell value."""

_ANSI_CELLS = tuple(f"\x1b[48;5;{code}m  " for code in ANSI_COLOURS)
_ANSI_RESET = "\x1b[0m"
_DIGITS = "0123456789"


def render_numpy(grid: Any) -> str:
    """The grid as numpy prints a small integer array.

    >>> print(render_numpy([[3, 3, 8], [3, 7, 0]]))
    [[3 3 8]
     [3 7 0]]
    >>> render_numpy([[1, 2, 3]])
    '[[1 2 3]]'
    """
    rows = ["[" + " ".join(_DIGITS[cell] for cell in row) + "]" for row in to_grid(grid)]
    return "[" + "\n ".join(rows) + "]"


def render_digits(grid: Any) -> str:
    """The grid as rows of digits without separators, one row per line.

    >>> print(render_digits([[3, 3, 8], [3, 7, 0]]))
    338
    370
    """
    return "\n".join("".join(_DIGITS[cell] for cell in row) for row in to_grid(grid))


def render_colour_names(grid: Any) -> str:
    """The grid as rows of colour names (see :data:`COLOUR_NAMES`) separated by spaces.

    >>> print(render_colour_names([[0, 1], [9, 5]]))
    Black Blue
    Brown Grey
    """
    return "\n".join(" ".join(COLOUR_NAMES[cell] for cell in row) for row in to_grid(grid))


def render_ansi(grid: Any) -> str:
    """The grid as blocks of colour for a terminal: two spaces per cell on an ANSI background.

    Each line ends with a reset, so the colour does not leak into what is printed next.

    >>> render_ansi([[0, 1]])
    '\\x1b[48;5;16m  \\x1b[48;5;32m  \\x1b[0m'
    """
    return "\n".join(
        "".join(_ANSI_CELLS[cell] for cell in row) + _ANSI_RESET for row in to_grid(grid)
    )


def _render_spaced(grid: Any) -> str:
    """The grid as rows of digits separated by single spaces.

    >>> print(_render_spaced([[3, 3, 8], [3, 7, 0]]))
    3 3 8
    3 7 0
    """
    return "\n".join(" ".join(_DIGITS[cell] for cell in row) for row in to_grid(grid))


RENDERERS: dict[str, Callable[[Grid], str]] = {
    "numpy": render_numpy,
    "digits": render_digits,
    "colour-names": render_colour_names,
}
"""The plain-text grid renderings by style name, as accepted by :func:`render_grid`."""


def render_grid(grid: Any, style: str = "numpy") -> str:
    """The grid rendered in one of the :data:`RENDERERS` styles.

    Args:
        grid: the grid to render.
        style: a key of :data:`RENDERERS`: ``"numpy"``, ``"digits"`` or ``"colour-names"``.

    Raises:
        ValueError: ``style`` is not a known style.

    >>> print(render_grid([[1, 0], [0, 1]], "digits"))
    10
    01
    >>> render_grid([[1]], "hex")
    Traceback (most recent call last):
    ...
    ValueError: unknown grid style 'hex': expected one of 'numpy', 'digits', 'colour-names'
    """
    try:
        renderer = RENDERERS[style]
    except KeyError:
        valid = ", ".join(repr(name) for name in RENDERERS)
        raise ValueError(f"unknown grid style {style!r}: expected one of {valid}") from None
    return renderer(grid)


# --- whole tasks ------------------------------------------------------------------------------

_GAP = "   "  # between grids shown side by side
_MAX_LINE = 100  # side by side only while the line stays this narrow


def _size(grid: Grid) -> str:
    rows, columns = grid_shape(grid)
    return f"{rows}x{columns}"


_Block = list[tuple[str, int]]
"""Lines of text, each with the width it takes on screen (escape codes take none)."""


def _block(title: str, grid: Grid | None, colour: bool) -> _Block:
    """A titled grid: the title with the size, then the grid (or a note when it is not known)."""
    if grid is None:
        return [(title, len(title)), ("(not known)", len("(not known)"))]
    columns = grid_shape(grid)[1]
    if colour:
        body, width = render_ansi(grid), 2 * columns
    else:
        body, width = _render_spaced(grid), 2 * columns - 1
    heading = f"{title} ({_size(grid)})"
    return [(heading, len(heading))] + [(line, width) for line in body.split("\n")]


def _side_by_side(blocks: list[_Block]) -> list[str]:
    """Blocks placed side by side, tops aligned, each padded to its widest line."""
    widths = [max(width for _, width in block) for block in blocks]
    height = max(len(block) for block in blocks)
    out = []
    for i in range(height):
        parts = []
        for block, block_width in zip(blocks, widths, strict=True):
            text, width = block[i] if i < len(block) else ("", 0)
            parts.append(text + " " * (block_width - width))
        out.append(_GAP.join(parts).rstrip())
    return out


def _arrange(blocks: list[_Block]) -> list[str]:
    """Blocks side by side when they fit in ``_MAX_LINE`` columns, else one under another."""
    total = sum(max(width for _, width in block) for block in blocks)
    if total + len(_GAP) * (len(blocks) - 1) <= _MAX_LINE:
        return _side_by_side(blocks)
    stacked: list[str] = []
    for block in blocks:
        if stacked:
            stacked.append("")
        stacked.extend(text for text, _ in block)
    return stacked


def render_titled_grids(grids: Sequence[tuple[str, Grid | None]], *, colour: bool) -> str:
    """Grids under titles that give their sizes, side by side when they fit in 100 columns.

    A ``None`` grid shows as "(not known)".

    >>> print(render_titled_grids([("in", ((1, 2),)), ("out", None)], colour=False))
    in (1x2)   out
    1 2        (not known)
    """
    return "\n".join(_arrange([_block(title, grid, colour) for title, grid in grids]))


def _pair_lines(
    name: str, input_grid: Grid, output: Grid | None, show_output: bool, colour: bool
) -> list[str]:
    """One pair: its input and (when shown) output, side by side when they fit."""
    blocks = [_block(f"{name} input", input_grid, colour)]
    if show_output:
        blocks.append(_block(f"{name} output", output, colour))
    return _arrange(blocks)


def render_task(task: Task, *, colour: bool, show_test_outputs: bool = True) -> str:
    """A readable text view of a whole task: every train pair, then every test pair.

    Sizes are written rows x columns. Each pair's input and output are shown side by side when
    both fit in 100 columns, one under the other otherwise.

    Args:
        task: the task to show.
        colour: render cells as ANSI colour blocks (for a terminal) rather than digits.
        show_test_outputs: show the test outputs (marked "not known" where the task lacks them).

    >>> from soar.arc_env.task import Pair
    >>> task = Task("demo", (Pair(((1, 0),), ((0, 1),)),), (Pair(((2, 2),), ((2, 0),)),))
    >>> print(render_task(task, colour=False))
    Task demo: 1 train pair, 1 test pair
    <BLANKLINE>
    Train 1 input (1x2)   Train 1 output (1x2)
    1 0                   0 1
    <BLANKLINE>
    Test 1 input (1x2)   Test 1 output (1x2)
    2 2                  2 0
    """
    train_noun = "pair" if len(task.train) == 1 else "pairs"
    test_noun = "pair" if len(task.test) == 1 else "pairs"
    header = (
        f"Task {task.id}: {len(task.train)} train {train_noun}, {len(task.test)} test {test_noun}"
    )
    if task.source and task.source != task.id:
        header += f" (from {task.source})"
    lines = [header]
    for n, pair in enumerate(task.train, start=1):
        lines.append("")
        lines.extend(_pair_lines(f"Train {n}", pair.input, pair.output, True, colour))
    for n, pair in enumerate(task.test, start=1):
        lines.append("")
        lines.extend(_pair_lines(f"Test {n}", pair.input, pair.output, show_test_outputs, colour))
    return "\n".join(lines)
