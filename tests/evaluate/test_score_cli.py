"""``soar score`` and ``soar report`` through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from soar.arc_env import load_tasks
from soar.evaluate.cli import cli

from tests.agents.runs.runs import WRONG, make_run

ONE, TWO = "3c9b0459", "25ff71a9"


def soar(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def assert_ran(result: Result) -> None:
    assert result.exit_code == 0, result.output
    assert result.exception is None


def assert_one_error_line(result: Result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    for word in words:
        assert word in lines[0], lines[0]


@pytest.fixture(scope="module")
def tasks(arc1_train):
    return arc1_train[ONE], arc1_train[TWO]


@pytest.fixture
def run_path(tmp_path, tasks):
    """A run on arc1/train:ONE,TWO: ONE solved, TWO half solved."""
    one, two = tasks
    logs = {one: [(WRONG,), one.test_outputs, None], two: [(two.test_outputs[0], WRONG)]}
    make_run(tmp_path / "run", logs, {"tasks": f"arc1/train:{ONE},{TWO}"})
    return tmp_path / "run"


def test_score_prints_a_table_and_writes_attempts_and_scores(run_path):
    result = soar("score", run_path)
    assert_ran(result)
    lines = result.output.splitlines()
    assert lines[0] == "score      0.7500  (1 of 2 tasks solved)"
    assert lines[1] == "oracle     0.7500"
    assert lines[2] == "tasks      2 requested, 2 scored, 0 without attempts"
    assert lines[3] == "programs   4 (3 valid), 2.0 per task"
    assert lines[-1].startswith("wrote ")
    attempts = json.loads((run_path / "attempts.json").read_text())
    assert sorted(attempts) == [TWO, ONE]
    assert len(attempts[TWO]) == 2 and set(attempts[TWO][0]) == {"attempt_1", "attempt_2"}
    scores = json.loads((run_path / "scores.json").read_text())
    assert scores["score"] == 0.75 and scores["tasks_solved"] == 1
    assert [p["budget"] for p in scores["curve"]] == [1, 2, 3]


def test_score_per_task_and_count_weighting(run_path):
    result = soar("score", run_path, "--per-task", "--weighting", "count")
    assert_ran(result)
    assert "task      programs  valid  best train  score  oracle" in result.output
    assert f"{ONE}         3      2        0.00   1.00    1.00" in result.output
    assert json.loads((run_path / "scores.json").read_text())["weighting"] == "count"


def test_tasks_option_overrides_the_config(run_path):
    result = soar("score", run_path, "--tasks", f"arc1/train:{ONE}")
    assert_ran(result)
    assert "score      1.0000  (1 of 1 tasks solved)" in result.output
    assert "ignored    1 node logs of tasks not requested" in result.output


def test_solutions_from_a_separate_file(tmp_path, tasks):
    one, two = tasks
    challenges = tmp_path / "challenges.json"
    challenges.write_text(json.dumps({t.id: t.public().to_json() for t in tasks}))
    solutions = tmp_path / "solutions.json"
    solutions.write_text(
        json.dumps({t.id: [list(map(list, g)) for g in t.test_outputs] for t in tasks})
    )
    logs = {one: [one.test_outputs], two: [(WRONG, two.test_outputs[1])]}
    config = {"tasks": str(challenges), "solutions": str(solutions)}
    make_run(tmp_path / "run", logs, config)

    result = soar("score", tmp_path / "run")  # the solutions come from the config
    assert_ran(result)
    assert result.output.startswith("score      0.7500")

    other = tmp_path / "other_solutions.json"
    other.write_text(json.dumps({one.id: [[[0]]]}))  # only one task known, and wrong
    result = soar("score", tmp_path / "run", "--solutions", other)
    assert_ran(result)
    assert result.output.startswith("score      0.0000  (0 of 1 tasks solved)")
    assert "unscored   1 tasks without known test outputs" in result.output

    result = soar("score", tmp_path / "run", "--tasks", challenges)  # no solutions at all
    assert_ran(result)
    assert result.output.startswith("score      unknown")
    assert load_tasks(challenges)[0].has_test_outputs is False


def test_report_prints_the_page_path(run_path):
    result = soar("report", run_path)
    assert_ran(result)
    index = Path(result.output.strip())
    assert index == run_path / "report" / "index.html"
    page = index.read_text()
    assert ONE in page and TWO in page
    assert not (run_path / "scores.json").exists()  # only `soar score` writes the scores


def test_a_missing_run_is_one_error_line(tmp_path):
    assert_one_error_line(soar("score", tmp_path / "nowhere"), "config.json")
    assert_one_error_line(soar("report", tmp_path), "expected a run directory")


def test_a_config_without_tasks_asks_for_them(tmp_path, tasks):
    make_run(tmp_path / "run", {tasks[0]: [(WRONG,)]}, {"seed": 0})
    assert_one_error_line(soar("score", tmp_path / "run"), "names no tasks", "--tasks")
    assert_ran(soar("score", tmp_path / "run", "--tasks", f"arc1/train:{ONE}"))


@pytest.mark.parametrize(
    "case",
    ["bad-config", "missing-solutions", "solutions-for-bundled", "corrupt-log", "unknown-task"],
)
def test_bad_input_is_one_error_line(run_path, tasks, case):
    args: list[str | Path] = ["score", run_path]
    if case == "bad-config":
        (run_path / "config.json").write_text("{not json")
        words = ["config.json", "cannot read it"]
    elif case == "missing-solutions":
        challenges = run_path / "challenges.json"
        challenges.write_text(json.dumps({ONE: tasks[0].public().to_json()}))
        args += ["--tasks", challenges, "--solutions", run_path / "missing.json"]
        words = ["missing.json", "no such file"]
    elif case == "solutions-for-bundled":
        args += ["--solutions", run_path / "config.json"]
        words = ["solutions= applies to a challenges file"]
    elif case == "corrupt-log":
        log = run_path / "nodes" / f"{ONE}.jsonl"
        log.write_text("garbage\n" + log.read_text())
        words = [f"{ONE}.jsonl", "line 1 is not a node record"]
    else:
        args += ["--tasks", "arc1/train:ffffffff"]
        words = ["ffffffff"]
    assert_one_error_line(soar(*args), *words)
