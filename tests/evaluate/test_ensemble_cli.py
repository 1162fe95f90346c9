"""Ensembles end to end: two real small runs (scripted answers and the DSL), pooled by
``soar score RUN1 RUN2 --out DIR``, drawn by ``soar report DIR``; vote filters on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from soar.evaluate.cli import cli

REPO = Path(__file__).resolve().parents[2]
TASKS = "arc1/train:007bbfb7,3c9b0459,25ff71a9"


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
def runs(tmp_path_factory):
    """A scripted run (answers from examples/scripted_answers.json) and a DSL run."""
    root = tmp_path_factory.mktemp("ensemble")
    common = ("--tasks", TASKS, "--quiet", "--workers", "2", "--agent", "sample-refine")
    answers = REPO / "examples" / "scripted_answers.json"
    assert_ran(
        soar(
            "run",
            *common,
            "--policy",
            f"scripted:{answers}",
            "--budget",
            "12",
            "--out",
            root / "llm",
        )
    )
    assert_ran(soar("run", *common, "--budget", "24", "--out", root / "dsl"))
    return root


def test_two_runs_pooled_into_an_ensemble(runs):
    out = runs / "ens"
    result = soar("score", runs / "llm", runs / "dsl", "--out", out, "--per-task")
    assert_ran(result)
    assert "ensemble   2 runs pooled: llm, dsl" in result.output
    attempts = json.loads((out / "attempts.json").read_text())
    assert sorted(attempts) == sorted(TASKS.split(":")[1].split(","))
    scores = json.loads((out / "scores.json").read_text())
    llm, dsl = (json.loads((runs / r / "scores.json").read_text()) for r in ("llm", "dsl"))
    assert scores["programs"] == llm["programs"] + dsl["programs"]
    assert scores["ensemble"]["names"] == ["llm", "dsl"]
    named = {run for task in scores["sources"].values() for group in task for run in group["runs"]}
    assert named <= {"llm", "dsl"} and named
    for task in scores["sources"].values():
        for group in task:
            assert group["programs"] == sum(group["runs"].values())
            assert group["first"]["run"] in group["runs"]
    assert scores["vote_filters"]["members"] == {
        "llm": scores["vote_filters"]["on"],  # scripted answers: a language model's defaults
        "dsl": [],
    }
    settings = json.loads((out / "ensemble.json").read_text())
    assert settings["runs"] == [str((runs / r).resolve()) for r in ("llm", "dsl")]

    page = Path(soar("report", out).output.strip())
    html = page.read_text()
    assert page == out / "report" / "index.html"
    assert "soar ensemble ens" in html and "ensemble of 2 runs" in html
    assert "of run llm" in html or "of run dsl" in html
    assert "programs voted for it" in html

    again = soar("score", out, "--weighting", "count")  # an ensemble directory re-scores itself
    assert_ran(again)
    assert json.loads((out / "scores.json").read_text())["weighting"] == "count"


def test_vote_filters_flag_on_score_and_report(runs):
    llm = runs / "llm"
    assert_ran(soar("score", llm))
    on = json.loads((llm / "scores.json").read_text())["vote_filters"]
    assert on["on"] and set(on["dropped"]) == set(on["on"])
    result = soar("score", llm, "--no-vote-filters")
    assert_ran(result)
    assert "filtered   none (vote filters off)" in result.output
    assert json.loads((llm / "scores.json").read_text())["vote_filters"]["on"] == []
    assert_ran(soar("score", runs / "dsl", "--vote-filters"))
    assert json.loads((runs / "dsl" / "scores.json").read_text())["vote_filters"]["on"]
    assert_ran(soar("report", llm, "--no-vote-filters"))
    assert "vote filters<td>off" in (llm / "report" / "index.html").read_text()


def test_ensembles_refuse_what_they_cannot_do(runs):
    assert_one_error_line(soar("score", runs / "llm", runs / "dsl"), "give --out DIR")
    ens = runs / "ens2"
    assert_ran(soar("score", runs / "llm", "--out", ens))
    assert_one_error_line(
        soar("score", ens, runs / "dsl", "--out", runs / "ens3"), "cannot be a member"
    )
    assert_one_error_line(
        soar("score", runs / "llm", runs / "dsl", "--out", runs / "dsl"), "holds a run"
    )
    assert_one_error_line(soar("score", runs / "llm", runs / "nope", "--out", ens), "nope")
