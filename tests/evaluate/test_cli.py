"""Tests of the ``soar`` command line: ``tasks list``, ``tasks show``, ``exec`` and bad input."""

from __future__ import annotations

import doctest
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import soar.evaluate.cli as cli_module
from click.testing import CliRunner, Result
from soar.evaluate.cli import cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "programs"
EXAMPLE_PROGRAMS = sorted(EXAMPLES.glob("*.py"))
SOAR = Path(sys.executable).with_name("soar")

IDENTITY = "def transform(grid):\n    return grid\n"
RAISING = "def transform(grid):\n    x = 1\n    return x / 0\n"
HEAVY_MODULES = (
    "torch",
    "vllm",
    "transformers",
    "numpy",
    "arc_env",
    "gymnasium",
    "scipy",
    "matplotlib",
)

# A tiny task, as one would write it by hand; its test output is not given.
TASK_FILE = {
    "train": [
        {"input": [[1, 0], [0, 0]], "output": [[0, 1], [0, 0]]},
        {"input": [[2, 2, 0]], "output": [[0, 2, 2]]},
    ],
    "test": [{"input": [[3, 0, 0]]}],
}


def soar(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def write(directory: Path, name: str, content: str | bytes) -> str:
    """Write a file (a program, a task) and return its path."""
    path = directory / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return str(path)


def assert_ran(result: Result) -> None:
    assert result.exit_code == 0, result.output
    assert result.exception is None


# --- the console script ------------------------------------------------------------------------


def test_the_installed_console_script_shows_help():
    done = subprocess.run([str(SOAR), "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Usage: soar" in done.stdout
    for command in ("tasks", "exec"):
        assert command in done.stdout


def test_importing_the_cli_imports_nothing_heavy():
    code = f"import sys, soar.evaluate.cli\nprint([m for m in {HEAVY_MODULES!r} if m in sys.modules])\n"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"


def test_version():
    result = soar("--version")
    assert_ran(result)
    assert re.fullmatch(r"soar, version \d+\.\d+\.\S+\n", result.output)


def test_doctests():
    outcome = doctest.testmod(cli_module)
    assert outcome.attempted > 0
    assert outcome.failed == 0


# --- soar tasks list ---------------------------------------------------------------------------


def test_tasks_list_counts_the_400_evaluation_tasks():
    result = soar("tasks", "list", "arc1/eval")
    assert_ran(result)
    lines = result.output.splitlines()
    assert lines[-1] == "400 tasks"
    assert len(lines) == 401
    assert lines[0].startswith("00576224 ")


def test_tasks_list_with_ids_in_the_spec():
    result = soar("tasks", "list", "arc1/train:0520fde7,007bbfb7")
    assert_ran(result)
    assert result.output.splitlines() == [
        "007bbfb7   5 train   1 test  3x3->9x9",
        "0520fde7   3 train   1 test  3x7->3x3",
        "2 tasks",
    ]


def test_tasks_list_summarises_varying_sizes():
    result = soar("tasks", "list", "arc1/train:00d62c1b")
    assert_ran(result)
    assert result.output.splitlines()[0] == "00d62c1b   5 train   1 test  6x6..20x20->same"


def test_tasks_list_reads_a_task_file_and_a_directory(tmp_path):
    (tmp_path / "mine.json").write_text(json.dumps(TASK_FILE))
    for spec in (tmp_path / "mine.json", tmp_path):
        result = soar("tasks", "list", str(spec))
        assert_ran(result)
        assert result.output.splitlines() == ["mine   2 train   1 test  1x2..2x3->same", "1 task"]


def test_tasks_list_reads_a_kaggle_file_with_solutions(tmp_path):
    challenges = tmp_path / "challenges.json"
    challenges.write_text(json.dumps({"aaa": TASK_FILE, "bbb": TASK_FILE}))
    solutions = tmp_path / "solutions.json"
    solutions.write_text(json.dumps({"aaa": [[[0, 0, 3]]]}))
    result = soar("tasks", "list", str(challenges), "--solutions", str(solutions))
    assert_ran(result)
    assert result.output.splitlines()[-1] == "2 tasks"


# --- soar tasks show ---------------------------------------------------------------------------


def test_tasks_show_plain_when_not_a_terminal():
    result = soar("tasks", "show", "arc1/train", "6150a2bd")
    assert_ran(result)
    assert "\x1b" not in result.output
    assert result.output.startswith("Task 6150a2bd: 2 train pairs, 1 test pair")
    # train pair 1: input 3 3 8 / 3 7 0 / 5 0 0, output its rotation by 180 degrees
    assert "3 3 8                 0 0 5" in result.output
    assert "Test 1 output (3x3)" in result.output


def test_tasks_show_colour_when_asked():
    result = soar("tasks", "show", "arc1/train", "6150a2bd", "--colour")
    assert_ran(result)
    assert "\x1b[48;5;" in result.output
    assert "3 3 8" not in result.output


def test_tasks_show_can_hide_the_test_outputs():
    result = soar("tasks", "show", "arc1/train", "6150a2bd", "--hide-test-outputs")
    assert_ran(result)
    assert "Test 1 input" in result.output
    assert "Test 1 output" not in result.output


# --- soar exec ---------------------------------------------------------------------------------


def test_there_are_example_programs():
    assert len(EXAMPLE_PROGRAMS) >= 5


@pytest.mark.parametrize("program", EXAMPLE_PROGRAMS, ids=lambda path: path.stem)
def test_example_programs_are_right(program):
    task = json.loads(soar("exec", "arc1/train", program.stem, str(program), "--json").output)
    assert task["train_correct"] and all(task["train_correct"]), task
    assert task["test_correct"] and all(task["test_correct"]), task


def test_exec_reports_each_input_and_the_score():
    program = EXAMPLES / "3c9b0459.py"
    result = soar("exec", "arc1/train", "3c9b0459", str(program))
    assert_ran(result)
    lines = result.output.splitlines()
    assert lines[0] == "train 1: right"
    assert "test 1: right" in lines
    assert lines[-2:] == ["train accuracy 4/4", "test 1/1 right"]


def test_exec_reports_a_wrong_program(tmp_path):
    result = soar("exec", "arc1/train", "3c9b0459", write(tmp_path, "p.py", IDENTITY))
    assert_ran(result)  # it ran: a wrong program is not an error of the command
    assert "train 1: wrong" in result.output
    assert "output (3x3)   expected (3x3)" in result.output
    assert result.output.splitlines()[-2:] == ["train accuracy 0/4", "test 0/1 right"]


def test_exec_reports_the_error_with_its_line(tmp_path):
    result = soar("exec", "arc1/train", "3c9b0459", write(tmp_path, "p.py", RAISING))
    assert_ran(result)
    assert "train 1: error: ZeroDivisionError: division by zero (line 3)" in result.output
    assert result.output.splitlines()[-2:] == ["train accuracy 0/4", "test 0/1 right"]


def test_exec_applies_the_timeout(tmp_path):
    looping = "def transform(grid):\n    while True:\n        pass\n"
    program = write(tmp_path, "p.py", looping)
    result = soar("exec", "arc1/train", "3c9b0459", program, "--timeout", "0.2")
    assert_ran(result)
    assert "train 1: timeout: " in result.output


def test_exec_json(tmp_path):
    result = soar("exec", "arc1/train", "3c9b0459", write(tmp_path, "p.py", IDENTITY), "--json")
    assert_ran(result)
    data = json.loads(result.output)
    assert data["task_id"] == "3c9b0459"
    assert data["train_correct"] == [False] * 4
    assert data["train_accuracy"] == 0.0
    assert data["test_correct"] == [False]
    assert data["train"][0]["output"] == [[2, 2, 1], [2, 1, 2], [2, 8, 1]]


def test_exec_without_known_test_outputs(tmp_path):
    task = tmp_path / "shift.json"
    task.write_text(json.dumps(TASK_FILE))
    shift = "def transform(grid):\n    return [row[-1:] + row[:-1] for row in grid]\n"
    program = write(tmp_path, "p.py", shift)
    result = soar("exec", str(task), "shift", program)
    assert_ran(result)
    assert "test 1: ok (no known output to compare)" in result.output
    assert result.output.splitlines()[-2:] == ["train accuracy 2/2", "test outputs not known"]
    data = json.loads(soar("exec", str(task), "shift", program, "--json").output)
    assert data["test_correct"] == [None]
    assert data["test"][0]["output"] == [[0, 3, 0]]


# --- bad input: one line, exit status 2, no traceback -------------------------------------------


def exec_args(program: str | bytes) -> Callable[[Path], list[str]]:
    """The arguments of ``soar exec`` on task 3c9b0459 with a program file of this source."""
    return lambda tmp: ["exec", "arc1/train", "3c9b0459", write(tmp, "bad.py", program)]


def tasks_list_file(content: str) -> Callable[[Path], list[str]]:
    """The arguments of ``soar tasks list`` on a task file with this content."""
    return lambda tmp: ["tasks", "list", write(tmp, "task.json", content)]


BAD_INPUTS: dict[str, Callable[[Path], list[str]]] = {
    "unknown dataset": lambda tmp: ["tasks", "list", "arc3/train"],
    "no such path": lambda tmp: ["tasks", "list", str(tmp / "nowhere")],
    "unknown id in spec": lambda tmp: ["tasks", "list", "arc1/eval:zzzzzzzz"],
    "malformed task file": tasks_list_file(
        '{"train": [{"input": [[1, 2], [3]], "output": [[1]]}], "test": []}'
    ),
    "not JSON": tasks_list_file("{not json"),
    "solutions for a bundled set": lambda tmp: [
        "tasks",
        "list",
        "arc1/train",
        "--solutions",
        write(tmp, "s.json", "{}"),
    ],
    "show unknown id": lambda tmp: ["tasks", "show", "arc1/train", "zzzzzzzz"],
    "show id of the other split": lambda tmp: ["tasks", "show", "arc1/train", "00576224"],
    "exec unknown id": lambda tmp: ["exec", "arc1/train", "zzzzzzzz", write(tmp, "p.py", IDENTITY)],
    "exec unknown dataset": lambda tmp: [
        "exec",
        "arc9/train",
        "3c9b0459",
        write(tmp, "p.py", IDENTITY),
    ],
    "missing program": lambda tmp: ["exec", "arc1/train", "3c9b0459", str(tmp / "missing.py")],
    "program is a directory": lambda tmp: ["exec", "arc1/train", "3c9b0459", str(tmp)],
    "program not UTF-8": exec_args(b"# caf\xe9\n" + IDENTITY.encode()),
    "syntax error": exec_args("def transform(grid)\n    return grid\n"),
    "no transform": exec_args("def solve(grid):\n    return grid\n"),
    "empty program": exec_args(""),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_is_one_error_line(tmp_path, case):
    result = soar(*BAD_INPUTS[case](tmp_path))
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")
    assert result.stderr.count("\n") == 1, result.stderr


def test_bad_input_messages_say_what_is_wrong(tmp_path):
    expected = {
        "unknown id in spec": "unknown task id 'zzzzzzzz'",
        "show id of the other split": "'00576224' in arc1/eval",
        "missing program": "no such file",
        "program not UTF-8": "expected UTF-8 text",
        "syntax error": "bad.py line 1: SyntaxError: expected ':'",
        "no transform": "expected a top-level function `transform(grid)`",
    }
    for case, text in expected.items():
        assert text in soar(*BAD_INPUTS[case](tmp_path)).stderr, case


def test_transform_bound_by_assignment_or_import_is_accepted(tmp_path):
    source = "import numpy as np\n\nif True:\n    transform = np.fliplr\n"
    result = soar("exec", "arc1/train", "67a3c6ac", write(tmp_path, "p.py", source), "--json")
    assert_ran(result)
    assert all(json.loads(result.output)["train_correct"])


def test_a_bad_option_value_is_a_usage_error(tmp_path):
    program = write(tmp_path, "p.py", IDENTITY)
    for option in (["--memory-mb", "8"], ["--timeout", "0"]):
        result = soar("exec", "arc1/train", "3c9b0459", program, *option)
        assert result.exit_code == 2
        assert "Traceback" not in result.output


def test_exec_colour_when_asked():
    program = EXAMPLES / "3c9b0459.py"
    result = soar("exec", "arc1/train", "3c9b0459", str(program), "--colour")
    assert_ran(result)
    assert "\x1b[48;5;" in result.output
    assert result.output.splitlines()[-2:] == ["train accuracy 4/4", "test 1/1 right"]


def test_an_executor_failure_is_one_line_and_status_1(tmp_path, monkeypatch):
    import soar.arc_env.executor as executor_module
    from soar.arc_env.error import ExecutorError

    def broken(*args, **kwargs):
        raise ExecutorError("no executor worker became ready within 120 s")

    monkeypatch.setattr(executor_module, "Executor", broken)
    result = soar("exec", "arc1/train", "3c9b0459", write(tmp_path, "p.py", IDENTITY))
    assert result.exit_code == 1
    assert (
        result.stderr
        == "Error: the executor failed: no executor worker became ready within 120 s\n"
    )
