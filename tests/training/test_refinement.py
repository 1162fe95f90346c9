"""Refinement pairs: which (parent, child) pairs count, their buckets, and balancing."""

from __future__ import annotations

from collections import Counter

from soar.arc_env import Pair, Status, Task
from soar.training.refinement import BUCKETS, RefinementPair, balance, bucket, refinement_pairs

from tests.training.nodes import A, B, C, D, E, F, X, Y, make_node

THREE = Task("three", (Pair(A, B), Pair(C, D), Pair(E, F)), (Pair(A, B),))
"""Three train pairs (so that a third can be right) and a known test output."""

SOLVED = ([B, D, F], [B])


def parent(node_id: int, right: int, *, test=B):
    train = [B, D, F][:right] + [X] * (3 - right)
    return make_node(node_id, train, [test], task=THREE, program=f"# parent {node_id}")


def child(node_id: int, parent_id: int, outcome=SOLVED, program: str | None = None):
    return make_node(
        node_id,
        *outcome,
        task=THREE,
        kind="refine",
        parent_id=parent_id,
        program=program or f"# child {node_id}",
    )


def test_buckets_follow_the_parents_train_accuracy():
    assert bucket(parent(0, 0), THREE) == "zero"
    assert bucket(parent(0, 1), THREE) == "up-to-third"
    assert bucket(parent(0, 2), THREE) == "below-one"
    assert bucket(parent(0, 3, test=Y), THREE) == "train-perfect"
    assert bucket(parent(0, 3), THREE) is None  # it solves the task
    hidden = Task("three", THREE.train, (Pair(A),))
    assert bucket(parent(0, 3, test=Y), hidden) is None  # train-perfect solves, as far as known


def test_pairs_need_a_solving_child_of_a_failing_parent():
    nodes = [
        parent(0, 0),
        parent(1, 2),
        parent(2, 3),  # solves: refining it teaches nothing
        child(3, 0),
        child(4, 1),
        child(5, 2),
        child(6, 0, outcome=([B, D, X], [B])),  # does not solve
        child(7, 0, outcome=([B, D, F], [Y])),  # right on train, wrong on test
        child(8, 42),  # no such parent in this log
        make_node(9, *SOLVED, task=THREE, program="# a sample, not a refinement"),
    ]
    pairs = refinement_pairs(THREE, nodes)
    assert [(p.parent.node_id, p.child.node_id, p.bucket) for p in pairs] == [
        (0, 3, "zero"),
        (1, 4, "below-one"),
    ]


def test_a_child_may_fail_on_inputs_its_parent_failed_on():
    crashed = make_node(0, [Status.ERROR] * 3, [Status.ERROR], task=THREE, program="# crash")
    assert [p.bucket for p in refinement_pairs(THREE, [crashed, child(1, 0)])] == ["zero"]


def many_pairs() -> list[RefinementPair]:
    counts = {"zero": 10, "up-to-third": 0, "below-one": 2, "train-perfect": 1}
    right = {"zero": 0, "below-one": 2, "train-perfect": 3}
    pairs = []
    for name, n in counts.items():
        for _ in range(n):
            i = len(pairs)
            up = parent(2 * i, right.get(name, 1), test=Y)
            pairs.append(RefinementPair(up, child(2 * i + 1, 2 * i), name))
    return pairs


def test_balance_takes_from_each_bucket_in_turn():
    pairs = many_pairs()
    chosen = balance(pairs, THREE, per_task=6, seed=0)
    assert Counter(p.bucket for p in chosen) == {"zero": 3, "below-one": 2, "train-perfect": 1}
    assert [p.bucket for p in chosen[:3]] == ["zero", "below-one", "train-perfect"]
    assert len(balance(pairs, THREE, per_task=100)) == len(pairs)
    assert balance(pairs, THREE, per_task=0) == []
    assert set(BUCKETS) >= {p.bucket for p in pairs}


def test_balance_is_deterministic_and_depends_on_the_seed():
    pairs = many_pairs()
    draws = {tuple(p.child.node_id for p in balance(pairs, THREE, 4, seed=s)) for s in range(6)}
    assert len(draws) > 1
    assert balance(pairs, THREE, 4, seed=2) == balance(list(pairs), THREE, 4, seed=2)


def test_balance_counts_a_repeated_repair_once():
    up = parent(0, 0)
    pairs = [RefinementPair(up, child(i, 0, program="# same fix"), "zero") for i in range(1, 4)]
    assert len(balance(pairs, THREE, per_task=10)) == 1
