"""Reading ARC task JSON: parsing and validating tasks, pairs and grids with precise messages.

Used by :mod:`soar.arc_env.loading` at the boundary; every problem becomes one
:class:`~soar.arc_env.error.TaskFormatError` naming the file, the task, the pair and what was expected
versus found.
"""

from __future__ import annotations

import json
from itertools import chain
from pathlib import Path
from typing import Any

from .error import GridError, TaskFormatError
from .grid import COLOURS, MAX_SIDE, Grid, to_grid
from .task import Pair, Task

_MAX_LISTED = 5  # how many keys an error message names before "and N more"
_INT_ONLY = frozenset({int})


def read_json(path: Path) -> Any:
    """The parsed content of a JSON file, or a :class:`TaskFormatError` saying what is wrong."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise TaskFormatError(f"{path}: cannot read the file ({err.strerror or err})") from None
    try:
        return json.loads(raw)
    except json.JSONDecodeError as err:
        raise TaskFormatError(
            f"{path}: expected JSON, found an error at line {err.lineno}, column {err.colno} "
            f"(character {err.pos}): {err.msg}"
        ) from None
    except UnicodeDecodeError as err:
        raise TaskFormatError(
            f"{path}: expected JSON text in UTF-8, found an undecodable byte at offset {err.start}"
        ) from None
    except RecursionError:
        raise TaskFormatError(f"{path}: expected JSON, found nesting too deep to read") from None


def parse_task(task_id: str, data: Any, label: str, source: str) -> Task:
    """Validate one task object and build the :class:`Task`; ``label`` names the file."""
    if type(data) is not dict:
        raise TaskFormatError(
            f"{label}: task {task_id}: expected an object with 'train' and 'test' lists, "
            f"got {describe_kind(data)}"
        )
    train = _parse_pairs(data, "train", task_id, label, output_required=True)
    test = _parse_pairs(data, "test", task_id, label, output_required=False)
    return Task(task_id, train, test, source)


def _parse_pairs(
    data: dict, key: str, task_id: str, label: str, *, output_required: bool
) -> tuple[Pair, ...]:
    if key not in data:
        raise TaskFormatError(
            f"{label}: task {task_id}: expected a '{key}' list of pairs, found keys {_keys(data)}"
        )
    pairs = data[key]
    if type(pairs) is not list:
        raise TaskFormatError(
            f"{label}: task {task_id}: expected '{key}' to be a list of pairs, got {describe_kind(pairs)}"
        )
    if not pairs:
        raise TaskFormatError(
            f"{label}: task {task_id}: expected at least one {key} pair, got an empty list"
        )
    expected = "'input' and 'output'" if output_required else "'input' (and optionally 'output')"
    result = []
    for n, pair in enumerate(pairs, start=1):
        if type(pair) is not dict:
            raise TaskFormatError(
                f"{label}: task {task_id}, {key} pair {n}: expected an object with {expected}, "
                f"got {describe_kind(pair)}"
            )
        if "input" not in pair or (output_required and "output" not in pair):
            raise TaskFormatError(
                f"{label}: task {task_id}, {key} pair {n}: expected keys {expected}, "
                f"found {_keys(pair)}"
            )
        grid_in = parse_grid(pair["input"], label, task_id, key, n, "input")
        grid_out = None
        if output_required or pair.get("output") is not None:
            grid_out = parse_grid(pair["output"], label, task_id, key, n, "output")
        result.append(Pair(grid_in, grid_out))
    return tuple(result)


def parse_grid(value: Any, label: str, task_id: str, key: str, n: int, part: str) -> Grid:
    """Validate one grid read from JSON; the message names the file, task, pair and part."""
    grid = _fast_grid(value)
    if grid is not None:
        return grid
    try:
        return to_grid(value, where=f"task {task_id}, {key} pair {n} {part}")
    except GridError as err:
        raise TaskFormatError(f"{label}: {err}") from None


def _fast_grid(value: Any) -> Grid | None:
    """``value`` as a grid if it is a well-formed grid of plain JSON lists and ints, else ``None``.

    A quick check made of C-level loops for the common case; anything it does not accept goes
    through :func:`~soar.arc_env.grid.to_grid`, which accepts or rejects it with a precise message.

    >>> _fast_grid([[1, 2], [3, 4]])
    ((1, 2), (3, 4))
    >>> _fast_grid([[1, True]]) is None
    True
    """
    if type(value) is not list or not 0 < len(value) <= MAX_SIDE or type(value[0]) is not list:
        return None
    width = len(value[0])
    if not 0 < width <= MAX_SIDE:
        return None
    for row in value:
        if type(row) is not list or len(row) != width:
            return None
    # Types first: bools and floats compare equal to ints, and lists are not hashable.
    if not _INT_ONLY.issuperset(map(type, chain.from_iterable(value))):
        return None
    if not COLOURS.issuperset(chain.from_iterable(value)):
        return None
    return tuple(map(tuple, value))


def describe_kind(value: Any) -> str:
    """The JSON type of ``value``, with an article, for messages.

    >>> describe_kind([]), describe_kind({}), describe_kind("x"), describe_kind(True), describe_kind(1.5), describe_kind(None)
    ('a list', 'an object', 'a string', 'a boolean', 'a number', 'null')
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def _keys(data: dict) -> str:
    """The keys of an object, quoted, for messages."""
    if not data:
        return "no keys"
    keys = list(data)
    listed = ", ".join(repr(str(key)) for key in keys[:_MAX_LISTED])
    return listed + (f" and {len(keys) - _MAX_LISTED} more" if len(keys) > _MAX_LISTED else "")


def describe_top(data: Any) -> str:
    if type(data) is dict:
        return f"an object with keys {_keys(data)}" if data else "an empty object"
    return describe_kind(data)
