"""Attempts from node logs and ``attempts.json`` in the Kaggle submission format."""

from __future__ import annotations

import json

import pytest
from soar.agents.runs import submission
from soar.agents.runs.rundir import RunDir, RunDirError
from soar.agents.runs.scoring import score_run

from tests.agents.runs.runs import WRONG, make_run, node


@pytest.fixture(scope="module")
def one(arc1_train):
    return arc1_train["3c9b0459"]


@pytest.fixture(scope="module")
def two(arc1_train):
    return arc1_train["25ff71a9"]


def test_attempts_from_nodes(one, two):
    right = one.test_outputs
    nodes = [node(one, 0, (WRONG,)), node(one, 1, right, 0.5), node(one, 2, (WRONG,))]
    assert submission.attempts_for_task(nodes, 1) == [[right[0], WRONG]]  # 501 against 2
    assert submission.attempts_for_task(nodes, 1, "count") == [[WRONG, right[0]]]

    # one group only: attempt 2 repeats attempt 1, for every test input
    first, second = two.test_outputs
    nodes = [node(two, 0, (first, second)), node(two, 1, None), node(two, 2, (first, None))]
    assert submission.attempts_for_task(nodes, 2) == [[first, first], [second, second]]


def test_nodes_with_another_number_of_test_outputs_do_not_vote(one):
    nodes = [node(one, 0, (WRONG, WRONG), 1.0), node(one, 1, one.test_outputs)]
    assert submission.attempts_for_task(nodes, 1) == [[one.test_outputs[0]] * 2]


def test_kaggle_format_has_both_attempts_for_every_test_input(tmp_path, one, two):
    run = make_run(tmp_path / "run", {one: [one.test_outputs], two: [None]})
    scores = score_run(run, [one, two])
    submission.write(run, scores.attempts)
    data = json.loads((tmp_path / "run" / "attempts.json").read_text())
    answer = [list(row) for row in one.test_outputs[0]]
    assert data == {
        one.id: [{"attempt_1": answer, "attempt_2": answer}],
        two.id: [{"attempt_1": [[0]], "attempt_2": [[0]]}] * 2,  # placeholders, no attempts
    }
    assert scores.tasks[1].attempted is False and scores.tasks[1].score == 0.0

    back = submission.read(RunDir.open(tmp_path / "run"))
    assert back[one.id] == [[one.test_outputs[0]] * 2]
    assert back[two.id] == [[submission.PLACEHOLDER] * 2] * 2


def test_round_trip_keeps_order_and_grids():
    a, b = ((1, 2), (3, 4)), ((5,),)
    attempts = {"x": [[a, b], [b, a]], "y": [[b, b]]}
    assert submission.from_kaggle(submission.to_kaggle(attempts)) == attempts


def test_reading_a_missing_or_malformed_file_is_a_run_dir_error(tmp_path):
    run = RunDir.create(tmp_path / "run", {})
    with pytest.raises(RunDirError, match="no attempts.json"):
        submission.read(run)
    (tmp_path / "run" / "attempts.json").write_text("{not json")
    with pytest.raises(RunDirError, match="attempts.json"):
        submission.read(run)
    bad = {"t": [{"attempt_1": [[1]], "attempt_2": [[]]}]}
    (tmp_path / "run" / "attempts.json").write_text(json.dumps(bad))
    with pytest.raises(RunDirError, match="task t, test 1, attempt_2: expected a grid"):
        submission.read(run)
