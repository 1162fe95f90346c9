"""The vote filters: each drops what it names (with SOAR's release thresholds), the set is on by
default for language models only, and the counts reach scores.json."""

from __future__ import annotations

import dataclasses

import pytest
from soar.agents.runs.rundir import RunDir
from soar.agents.runs.scoring import score_run
from soar.agents.search.node import Node
from soar.agents.vote_filters import (
    SOAR_RELEASE,
    VOTE_FILTERS,
    TaskVoteFilter,
    VoteFilterConfig,
    VoteFilterError,
    default_on,
    resolve,
    vote_pool,
)
from soar.arc_env import InputResult, Pair, Status, Task
from soar.arc_env.grid import Grid

A: Grid = ((1, 0), (0, 0))
B: Grid = ((0, 1), (0, 0))
C: Grid = ((2, 2), (0, 3))
D: Grid = ((2, 2), (3, 0))
E: Grid = ((4, 0, 0),)
F: Grid = ((0, 0, 4),)
X: Grid = ((7, 7), (7, 7))
Z: Grid = ((5, 6), (6, 5))
BLANK: Grid = ((0, 0, 0),)

MIRROR = Task("mirror", (Pair(A, B), Pair(C, D)), (Pair(E, F),))
"""Two train pairs whose outputs differ a lot (mean distance 1.0), one test pair."""


def make(train, test, *, task=MIRROR, program="def transform(grid):\n    return grid\n", i=0):
    def result(outcome):
        if isinstance(outcome, Status):
            return InputResult(outcome, None, "here")
        return InputResult(Status.OK, outcome)

    return Node(
        task_id=task.id,
        node_id=i,
        parent_id=None,
        kind="sample",
        policy_id="test",
        program=program,
        train=tuple(result(o) for o in train),
        test=tuple(result(o) for o in test),
        train_correct=tuple(o == p.output for o, p in zip(train, task.train, strict=True)),
    )


RIGHT = make([B, D], [F])
WRONG = make([X, Z], [E])


@pytest.mark.parametrize(
    ("node", "name"),
    [
        (make([B, Status.ERROR], [F]), "error"),
        (make([B, D], [Status.TIMEOUT]), "error"),  # a test input counts too
        (make([B, D], [Status.INVALID_OUTPUT]), "invalid-grid"),
        (make([B, D], [BLANK]), "blank-output"),
        (make([X, X], [E]), "similar-outputs"),  # distance 0 < min(0.2, 1.0)
        (make([A, Z], [E]), "identity-output"),  # half its train inputs back: > 30 %
        (make([X, Z], [E], program="x = 1  # " + "a" * 200 + "\n"), "absurd-source"),
        (make([X, Z], [E], program="def transform(g):\n    return [[4,0,0]]\n"), "hard-coded"),
        # brackets ignored (no real train output is one cell): the test output's digits, in order
        (make([X, Z], [F], program="def transform(g):\n    v = 0, 0, 4\n"), "hard-coded"),
    ],
)
def test_each_vote_filter_drops_what_it_names(node, name):
    check = TaskVoteFilter(MIRROR)
    assert check(node) == name
    assert TaskVoteFilter(MIRROR, SOAR_RELEASE.without([name]))(node) != name
    keep, dropped = vote_pool(MIRROR, [node, RIGHT, WRONG])
    assert keep == [False, True, True]
    assert dropped == {**dict.fromkeys(VOTE_FILTERS, 0), name: 1}


def test_thresholds_are_the_released_codes():
    check = TaskVoteFilter(MIRROR)
    assert check(make([X, Z], [E], program="x = 1  # " + "a" * 191 + "\n")) is None  # 200 chars
    near = make([((7, 7, 7), (7, 7, 7)), ((7, 7, 7), (7, 7, 8))], [E])  # distance 1/6 < 0.2
    far = make([((7, 7), (7, 7)), ((7, 7), (8, 8))], [E])  # distance 1/2
    assert (check(near), check(far)) == ("similar-outputs", None)
    assert check(make([A, D], [E])) == "identity-output"  # 1/2 > 0.3
    three = Task("t3", (Pair(A, B), Pair(C, D), Pair(E, F)), (Pair(E, F),))
    one_back = make([A, D, F], [E], task=three)  # 1/3 of its inputs back: > 30 %
    assert TaskVoteFilter(three)(one_back) == "identity-output"
    assert TaskVoteFilter(three, VoteFilterConfig(identity_share=0.34))(one_back) is None
    # when a third of the real outputs are their inputs, a third back is no more than the task
    own = Task("own", (Pair(A, A), Pair(C, D), Pair(E, F)), (Pair(E, F),))
    assert TaskVoteFilter(own)(make([A, D, Z], [E], task=own)) is None


def test_the_task_own_outputs_set_the_bar():
    # the real outputs are all alike: an answer as alike is not dropped as near-constant
    same = Task("same", (Pair(A, X), Pair(C, X)), (Pair(E, X),))
    assert TaskVoteFilter(same)(make([X, X], [X], task=same)) is None
    # a task whose real outputs are their inputs: giving the inputs back is fine
    copy = Task("copy", (Pair(A, A), Pair(C, C)), (Pair(E, E),))
    assert TaskVoteFilter(copy)(make([A, C], [E], task=copy)) is None
    # a task with a blank output: blank answers may vote
    blank = Task("blank", (Pair(A, ((0, 0),)), Pair(C, D)), (Pair(E, BLANK),))
    assert TaskVoteFilter(blank)(make([((0, 0),), D], [BLANK], task=blank)) is None
    # a task with a one-cell output: outputs are looked for with their brackets
    one = Task("one", (Pair(A, ((3,),)), Pair(C, ((4,),))), (Pair(E, ((3,),)),))
    loose = make(
        [((3,),), ((4,),)], [((3,),)], task=one, program="def transform(g):\n    return 3\n"
    )
    tight = dataclasses.replace(loose, program="def transform(g):\n    return [[3]]\n")
    assert (TaskVoteFilter(one)(loose), TaskVoteFilter(one)(tight)) == (None, "hard-coded")


def test_invalid_completions_are_no_filter_s_doing():
    invalid = Node("mirror", 0, None, "sample", "test", None, "no code")
    keep, dropped = vote_pool(MIRROR, [invalid])
    assert keep == [True] and not any(dropped.values())  # it cannot vote anyway


def test_on_by_default_for_language_models_only():
    assert default_on("vllm:julien31/Soar-qwen-7b") and default_on("scripted:answers.json")
    assert not default_on("dsl:default") and not default_on(None)
    assert resolve(None, "hf:/m") is SOAR_RELEASE and resolve(None, "dsl:default") is None
    assert resolve(False, "hf:/m") is None and resolve(True, "dsl:default") is SOAR_RELEASE
    with pytest.raises(VoteFilterError, match="vote filter: expected one of"):
        SOAR_RELEASE.without(["nope"])
    with pytest.raises(VoteFilterError, match="identity_share: expected a share"):
        VoteFilterConfig(identity_share=2.0)


def _run(path, config, nodes):
    run = RunDir.create(path, config)
    run.append_nodes(MIRROR.id, [dataclasses.replace(n, node_id=i) for i, n in enumerate(nodes)])
    return run


def test_filters_change_the_vote_and_are_counted_in_scores_json(tmp_path):
    # three hard-coded programs agree on a wrong test output; one honest program is right
    copied = make([X, Z], [E], program="def transform(g):\n    return [[4, 0, 0]]\n")
    nodes = [copied, copied, copied, RIGHT, make([B, Status.ERROR], [F])]
    llm = _run(tmp_path / "llm", {"policy": "vllm:m"}, nodes)
    scores = score_run(llm, [MIRROR])
    assert scores.attempts[MIRROR.id] == [[F, F]]  # the hard-coded group is out of the pool
    data = scores.to_json()
    assert data["vote_filters"]["on"] == list(VOTE_FILTERS)
    assert data["vote_filters"]["dropped"]["hard-coded"] == 3
    assert data["vote_filters"]["dropped"]["error"] == 1
    assert data["tasks"][0]["vote_dropped"] == 4
    assert data["tasks"][0]["programs"] == 5  # every program tried is still counted

    dsl = _run(tmp_path / "dsl", {"policy": "dsl:default"}, nodes)
    unfiltered = score_run(dsl, [MIRROR], weighting="soar").to_json()  # as the llm run
    assert unfiltered["vote_filters"] == {"on": [], "dropped": {}}
    assert unfiltered["tasks"][0]["vote_dropped"] == 0
    assert score_run(llm, [MIRROR], vote_filters=False).to_json() == unfiltered
    assert score_run(dsl, [MIRROR], weighting="soar", vote_filters=True).to_json() == data
    said = _run(tmp_path / "said", {"policy": "vllm:m", "vote_filters": False}, nodes)
    assert score_run(said, [MIRROR]).to_json() == unfiltered


def test_the_oracle_counts_the_vote_pool_only(tmp_path):
    # the only right test output comes from a program that fails on a train input
    nodes = [make([B, Status.ERROR], [F]), WRONG]
    run = _run(tmp_path / "run", {"policy": "vllm:m"}, nodes)
    assert score_run(run, [MIRROR]).oracle == 0.0
    assert score_run(run, [MIRROR], vote_filters=False).oracle == 1.0
