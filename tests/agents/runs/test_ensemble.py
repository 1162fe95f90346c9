"""Ensembles: several runs' programs pooled per task and voted together, with their sources."""

from __future__ import annotations

import json

import pytest
from soar.agents.runs.ensemble import (
    ensemble_tasks,
    open_ensemble,
    pool_nodes,
    score_ensemble,
    write_ensemble,
)
from soar.agents.runs.rundir import RunDir, RunDirError
from soar.agents.runs.scoring import score_run

from tests.agents.runs.runs import WRONG, make_run, node


@pytest.fixture(scope="module")
def one(arc1_train):
    """3c9b0459: one test input."""
    return arc1_train["3c9b0459"]


@pytest.fixture(scope="module")
def two(arc1_train):
    """25ff71a9: two test inputs."""
    return arc1_train["25ff71a9"]


def test_the_pool_outvotes_each_run_alone(tmp_path, one):
    right = one.test_outputs
    v5, v6, v7, v8 = ((((k,),),) for k in (5, 6, 7, 8))
    # alone, each run ranks the right output third; pooled, it has the most programs
    a = make_run(tmp_path / "a", {one: [(WRONG,), (WRONG,), v5, v5, right]}, {"tasks": "x"})
    b = make_run(tmp_path / "b", {one: [v6, v6, v7, v7, right, right]}, {"tasks": "x"})
    c = make_run(tmp_path / "c", {one: [v8]}, {"tasks": "x"})
    assert [score_run(r, [one]).score for r in (a, b, c)] == [0.0, 0.0, 0.0]
    scores = score_ensemble([a, c, b], [one])
    assert scores.attempts[one.id] == [[right[0], WRONG]]  # 3 programs; then the earliest of 2
    assert scores.score == 1.0 and scores.programs == 12
    assert scores.names == ["a", "c", "b"]
    first, second = scores.sources[one.id]
    assert first == {"programs": 3, "runs": {"a": 1, "b": 2}, "first": {"run": "a", "node_id": 4}}
    assert second == {"programs": 2, "runs": {"a": 2}, "first": {"run": "a", "node_id": 0}}
    data = scores.to_json()
    assert data["ensemble"]["names"] == ["a", "c", "b"]
    assert data["ensemble"]["runs"] == [str(r.path.resolve()) for r in (a, c, b)]
    assert data["sources"][one.id] == [first, second]


def test_programs_are_interleaved_so_the_curve_draws_on_every_run(tmp_path, one):
    right = one.test_outputs
    a = make_run(tmp_path / "a", {one: [(WRONG,)] * 4}, {})
    b = make_run(tmp_path / "b", {one: [right] * 2}, {})
    scores = score_ensemble([a, b], [one], budgets=[1, 2, 4, 6])
    # pool: a0 b0 a1 b1 a2 a3; at 2 programs it is a tie won by the earlier (a0)
    assert [(p.budget, p.score, p.oracle) for p in scores.curve] == [
        (1, 0.0, 0.0),
        (2, 1.0, 1.0),  # WRONG first, right second: either attempt counts
        (4, 1.0, 1.0),
        (6, 1.0, 1.0),
    ]
    assert pool_nodes([[1, 2, 3], [4]]) == ([1, 4, 2, 3], [0, 1, 0, 0])


def test_each_member_keeps_its_own_vote_filters(tmp_path, one):
    right = one.test_outputs
    copied = node(one, 0, right, 1.0, program="def transform(g):\n    return " + repr(right[0]))
    llm = make_run(tmp_path / "llm", {one: [copied]}, {"policy": "vllm:m"})
    dsl = make_run(tmp_path / "dsl", {one: [copied]}, {"policy": "dsl:default"})
    scores = score_ensemble([llm, dsl], [one])
    assert scores.sources[one.id][0]["runs"] == {"dsl": 1}  # the LLM run's copy is filtered out
    assert scores.vote_filters["dropped"]["hard-coded"] == 1
    assert scores.vote_filters["members"]["dsl"] == []
    forced = score_ensemble([llm, dsl], [one], vote_filters=True)
    assert not forced.tasks[0].attempted
    assert score_ensemble([llm, dsl], [one], vote_filters=False).tasks[0].vote_dropped == 0


def test_tasks_are_the_union_of_the_members_and_the_ensemble_is_written(tmp_path, one, two):
    a = make_run(tmp_path / "a", {one: [one.test_outputs]}, {"tasks": f"arc1/train:{one.id}"})
    b = make_run(tmp_path / "b", {two: [two.test_outputs]}, {"tasks": f"arc1/train:{two.id}"})
    tasks = ensemble_tasks([a, b])
    assert [t.id for t in tasks] == [one.id, two.id]
    assert [t.id for t in ensemble_tasks([a, b], f"arc1/train:{two.id}")] == [two.id]
    scores = score_ensemble([a, b], tasks)
    assert scores.score == 1.0 and scores.not_requested == []
    out = write_ensemble(tmp_path / "ens", scores, vote_filters=None)
    settings = open_ensemble(out.path)
    assert settings["runs"] == scores.runs and settings["tasks"] is None
    assert json.loads((out.path / "scores.json").read_text())["sources"][two.id]
    assert set(json.loads((out.path / "attempts.json").read_text())) == {one.id, two.id}
    with pytest.raises(RunDirError, match="holds a run"):
        write_ensemble(a.path, scores)


def test_bad_ensembles_say_why(tmp_path, one):
    with pytest.raises(RunDirError, match="at least one run"):
        score_ensemble([], [one])
    bare = make_run(tmp_path / "bare", {}, {})
    with pytest.raises(RunDirError, match="names no tasks"):
        ensemble_tasks([bare])
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "ensemble.json").write_text('{"runs": []}')
    with pytest.raises(RunDirError, match="expected a list of member runs"):
        open_ensemble(tmp_path / "broken")
    with pytest.raises(ValueError, match="weighting"):
        score_ensemble([RunDir.open(tmp_path / "bare")], [one], weighting="votes")
