"""Golden cases of the official score, the oracle and the score against programs spent."""

from __future__ import annotations

import doctest
import json

import pytest
import soar.agents.runs.scoring as scoring_module
import soar.agents.runs.submission as submission_module
from soar.agents.dsl.program import to_source
from soar.agents.runs.rundir import RunDir
from soar.agents.runs.scoring import budget_grid, score_run, score_task
from soar.arc_env import Pair, Task, load_tasks

from tests.agents.runs.runs import WRONG, make_run, node

A, B, C = ((1,),), ((2,),), ((3,),)

# A synthetic task with three test inputs whose outputs are A, B and C.
THREE = Task(
    "three",
    (Pair(((0,),), ((0,),)), Pair(((5,),), ((5,),))),
    (Pair(((1,),), A), Pair(((2,),), B), Pair(((3,),), C)),
)


@pytest.fixture(scope="module")
def one(arc1_train):
    """3c9b0459: one test input."""
    return arc1_train["3c9b0459"]


@pytest.fixture(scope="module")
def two(arc1_train):
    """25ff71a9: two test inputs."""
    return arc1_train["25ff71a9"]


@pytest.fixture(scope="module")
def real_three(arc1_train):
    """27a28665: three test inputs (outputs [[6]], [[1]], [[2]])."""
    return arc1_train["27a28665"]


@pytest.mark.parametrize("module", [scoring_module, submission_module])
def test_doctests(module):
    outcome = doctest.testmod(module)
    assert outcome.attempted > 0
    assert outcome.failed == 0


def test_score_task_counts_either_attempt_per_test_input():
    assert score_task([[A, B]], [A]) == 1.0
    assert score_task([[A, B]], [B]) == 1.0
    assert score_task([[A, B]], [C]) == 0.0
    assert score_task([[]], [A]) == 0.0
    assert score_task([[A, B], [A, B]], [A, B]) == 1.0  # each input draws on both attempts
    assert score_task([[A, A], [B, C], [C, C]], [A, B, B]) == pytest.approx(2 / 3)
    assert score_task([[[[1]], [[2]]]], [A]) == 1.0  # lists are grids too


def test_score_task_needs_one_attempt_list_per_output():
    with pytest.raises(ValueError, match="one list of attempts per test output"):
        score_task([[A]], [A, B])


def test_budget_grid():
    assert budget_grid(7) == [1, 2, 5, 7]
    assert budget_grid(6000) == [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 6000]


def test_one_test_input_train_accuracy_outweighs_numbers(tmp_path, one):
    right = one.test_outputs
    nodes = [
        node(one, 0, (WRONG,)),
        node(one, 1, (WRONG,)),
        node(one, 2, (WRONG,)),
        node(one, 3, (((5,),),), 0.25),
        node(one, 4, right, 1.0),
        None,  # an invalid completion counts as a program but does not vote
    ]
    scores = score_run(make_run(tmp_path / "run", {one: nodes}), [one])
    (row,) = scores.tasks
    assert scores.score == 1.0 and scores.oracle == 1.0 and scores.solved == 1
    assert scores.attempts[one.id] == [[right[0], ((5,),)]]  # 1001, then 251, then 3 x 1
    assert (row.programs, row.valid, row.groups, row.train_perfect) == (6, 5, 3, 1)
    assert row.winners == (4, 3)
    assert row.best_train_accuracy == 1.0

    by_count = score_run(RunDir.open(tmp_path / "run"), [one], weighting="count")
    assert by_count.attempts[one.id] == [[WRONG, ((5,),)]]  # 3 programs, then the earliest of 1
    assert by_count.score == 0.0 and by_count.oracle == 1.0


def test_two_test_inputs_each_draws_on_both_attempts(tmp_path, two):
    first, second = two.test_outputs
    logs = {
        # attempt 1 gets test 1 right, attempt 2 gets test 2 right: the task scores 1
        two: [(first, WRONG), (first, WRONG), (WRONG, second)],
    }
    scores = score_run(make_run(tmp_path / "a", logs), [two])
    assert scores.attempts[two.id] == [[first, WRONG], [WRONG, second]]
    assert scores.score == 1.0

    # a program that fails on test 2 does not vote, though the oracle counts its test 1 output
    logs = {two: [(WRONG, WRONG), (first, None), (WRONG, second)]}
    scores = score_run(make_run(tmp_path / "b", logs), [two])
    assert scores.tasks[0].groups == 2
    assert scores.score == 0.5
    assert scores.oracle == 1.0


def test_three_test_inputs(tmp_path, real_three):
    six, one_, two_ = real_three.test_outputs
    logs = {
        THREE: [(A, B, WRONG), (A, WRONG, WRONG), (A, WRONG, WRONG), (WRONG, WRONG, C)],
        real_three: [(six, one_, WRONG)],
    }
    scores = score_run(make_run(tmp_path / "run", logs), [THREE, real_three])
    rows = {row.task_id: row for row in scores.tasks}
    # THREE: attempt 1 = (A, W, W) (2 programs), attempt 2 = (A, B, W) (earliest of the 1-program
    # groups); C is never attempted
    assert scores.attempts["three"] == [[A, A], [WRONG, B], [WRONG, WRONG]]
    assert rows["three"].score == pytest.approx(2 / 3)
    assert rows["three"].oracle == 1.0
    assert rows[real_three.id].score == pytest.approx(2 / 3)
    assert rows[real_three.id].oracle == pytest.approx(2 / 3)
    assert scores.score == pytest.approx(2 / 3)


def test_ties_go_to_the_earliest_program(tmp_path, one):
    right = one.test_outputs
    # three groups of one program each, all of train accuracy 0: the first two are the attempts
    logs = {one: [(WRONG,), (((5,),),), right]}
    scores = score_run(make_run(tmp_path / "run", logs), [one])
    assert scores.attempts[one.id] == [[WRONG, ((5,),)]]
    assert scores.tasks[0].winners == (0, 1)
    assert scores.score == 0.0
    assert scores.oracle == 1.0  # a perfect vote would have found it

    # with one more program the right group leads; the tie between the others goes to node 0
    logs = {one: [(WRONG,), (((5,),),), right, right]}
    scores = score_run(make_run(tmp_path / "again", logs), [one])
    assert scores.attempts[one.id] == [[right[0], WRONG]]
    assert scores.tasks[0].winners == (2, 0)


def test_tasks_without_attempts_stay_in_the_denominator(tmp_path, arc1_train, one, two):
    third = arc1_train["007bbfb7"]
    logs = {
        one: [one.test_outputs],
        two: [None, (two.test_outputs[0], None)],  # no program answers every test input
    }
    run = make_run(tmp_path / "run", logs)
    scores = score_run(run, [third, one, two])  # third has no node log at all
    rows = {row.task_id: row for row in scores.tasks}
    assert scores.score == pytest.approx(1 / 3)
    assert scores.oracle == pytest.approx((1 + 0.5 + 0) / 3)
    assert scores.solved == 1
    assert not rows[two.id].attempted and not rows[third.id].attempted
    assert scores.attempts[two.id] == [[], []]
    assert scores.attempts[third.id] == [[]]
    assert (rows[third.id].programs, rows[third.id].score) == (0, 0.0)
    data = scores.to_json()
    assert data["tasks_requested"] == data["tasks_scored"] == 3
    assert data["no_attempts"] == [third.id, two.id]


def test_node_logs_of_tasks_not_requested_are_ignored(tmp_path, one, two):
    run = make_run(tmp_path / "run", {one: [one.test_outputs], two: [two.test_outputs]})
    scores = score_run(run, [one])
    assert scores.not_requested == [two.id]
    assert scores.score == 1.0 and scores.programs == 1


def test_score_against_programs_spent(tmp_path, one, two):
    right = one.test_outputs
    logs = {
        # the right program comes fifth, then sits in the oracle but loses the vote until two
        # more agree with it
        one: [(WRONG,), (WRONG,), (((5,),),), (((6,),),), right, right, right],
        two: [two.test_outputs],
    }
    scores = score_run(make_run(tmp_path / "run", logs), [one, two])
    curve = {p.budget: (p.score, p.oracle) for p in scores.curve}
    assert list(curve) == [1, 2, 5, 7]
    assert curve[1] == (0.5, 0.5)  # two is solved by its only program
    assert curve[2] == (0.5, 0.5)
    assert curve[5] == (0.5, 1.0)  # right is the fifth node: in the oracle, third in the vote
    assert curve[7] == (1.0, 1.0)
    assert (scores.curve[-1].score, scores.curve[-1].oracle) == (scores.score, scores.oracle)

    explicit = score_run(RunDir.open(tmp_path / "run"), [one, two], budgets=[1, 6, 100])
    assert [(p.budget, p.score) for p in explicit.curve] == [(1, 0.5), (6, 1.0), (100, 1.0)]


@pytest.mark.parametrize("weighting", ["soar", "simplest"])
def test_curve_matches_a_full_vote_at_every_budget(tmp_path, two, weighting):
    first, second = two.test_outputs
    outputs = [(first, WRONG), (WRONG, second), (WRONG, WRONG), (first, second), (first, WRONG)]
    accuracies = [0.0, 0.5, 1.0, 0.0, 0.5, 0.5, 1.0, 0.0, 0.0, 0.5, 0.5, 0.0]
    nodes = [node(two, i, outputs[(i * 7) % 5], acc) for i, acc in enumerate(accuracies)]
    run = make_run(tmp_path / "run", {two: nodes})
    budgets = list(range(1, len(nodes) + 1))
    scores = score_run(run, [two], budgets=budgets, weighting=weighting)
    for point in scores.curve:
        alone = score_run(
            make_run(tmp_path / f"b{point.budget}", {two: nodes[: point.budget]}),
            [two],
            weighting=weighting,
        )
        assert (point.score, point.oracle) == (alone.score, alone.oracle), point.budget


def test_solutions_from_a_separate_file(tmp_path, one, two):
    challenges = {t.id: t.public().to_json() for t in (one, two)}
    (tmp_path / "challenges.json").write_text(json.dumps(challenges))
    solutions = {t.id: [[list(r) for r in g] for g in t.test_outputs] for t in (one, two)}
    (tmp_path / "solutions.json").write_text(json.dumps(solutions))
    logs = {one: [one.test_outputs], two: [(WRONG, two.test_outputs[1])]}
    run = make_run(tmp_path / "run", logs)

    known = load_tasks(tmp_path / "challenges.json", solutions=tmp_path / "solutions.json")
    scores = score_run(run, known)
    assert {row.task_id: row.score for row in scores.tasks} == {one.id: 1.0, two.id: 0.5}
    assert scores.score == 0.75

    hidden = load_tasks(tmp_path / "challenges.json")  # no solutions: nothing can be scored
    scores = score_run(run, hidden)
    assert scores.score is None and scores.oracle is None and scores.curve == []
    assert scores.to_json()["unscored"] == sorted([one.id, two.id])
    assert scores.attempts[one.id] == [[one.test_outputs[0]] * 2]  # attempts all the same


def test_scores_json_round_trips_through_the_run_dir(tmp_path, one):
    run = make_run(tmp_path / "run", {one: [one.test_outputs]})
    scores = score_run(run, [one])
    run.write_scores(scores.to_json())
    data = run.read_scores()
    assert data["score"] == 1.0 and data["weighting"] == "soar"
    assert data["tasks"][0]["task_id"] == one.id
    assert data["curve"] == [{"budget": 1, "score": 1.0, "oracle": 1.0}]


def test_an_unknown_weighting_is_refused(tmp_path, one):
    run = make_run(tmp_path / "run", {})
    with pytest.raises(ValueError, match="weighting"):
        score_run(run, [one], weighting="votes")


def test_the_simplest_weighting_in_a_run_of_dsl_programs(tmp_path, two):
    first, second = two.test_outputs
    short = to_source((("roll", ("down",)),))
    longer = to_source((("roll", ("down",)), ("flip_h", ()), ("flip_h", ())))
    logs = {
        two: [
            # Four train-perfect programs, the popular answer's are longer.
            node(two, 0, (WRONG, WRONG), 1.0, program=longer),
            node(two, 1, (WRONG, WRONG), 1.0, program=longer),
            node(two, 2, (WRONG, WRONG), 1.0, program=longer + "\n"),  # another program
            node(two, 3, (first, None), 1.0, program=short),  # fails on test input 2
            node(two, 4, (WRONG, second), 0.5, program=short),
        ]
    }
    run = make_run(tmp_path / "run", logs, {"policy": "dsl:default"})
    scores = score_run(run, [two])
    assert scores.weighting == "simplest"  # the default for runs of the DSL policy
    # Test input 1: the short program's answer first; test input 2: the train-perfect answer
    # first (the short program gives none there), the half-right one's second.
    assert scores.attempts[two.id] == [[first, WRONG], [WRONG, second]]
    assert scores.score == 1.0
    data = scores.to_json()
    assert data["tasks_train_perfect"] == data["tasks_train_perfect_won"] == 1
    row = data["tasks"][0]
    assert row["distinct_programs"] == row["distinct_behaviours"] == 3
    assert row["perfect_won"] is True
    assert row["groups"] == 4  # test input 1: first, WRONG; test input 2: WRONG, second

    soar = score_run(run, [two], weighting="soar")  # whole tuples, by popularity
    assert soar.attempts[two.id] == [[WRONG, WRONG], [WRONG, second]]
    assert soar.score == 0.5
    assert soar.to_json()["tasks_train_perfect_won"] == 0
    configured = make_run(tmp_path / "set", logs, {"policy": "dsl:default", "weighting": "count"})
    assert score_run(configured, [two]).weighting == "count"


def test_train_perfect_counts(tmp_path, one, two):
    logs = {
        one: [node(one, 0, one.test_outputs, 1.0)],  # won
        two: [node(two, 0, (WRONG, WRONG), 1.0)],  # train-perfect, lost
    }
    data = score_run(make_run(tmp_path / "run", logs), [one, two]).to_json()
    assert (data["tasks_train_perfect"], data["tasks_train_perfect_won"]) == (2, 1)
    assert data["distinct_programs"] == 2 and data["distinct_behaviours"] == 2
