"""Selection strategies: what each one picks, caps, determinism, and the vote-weighted shares."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest
from soar.agents.search.node import Node
from soar.arc_env import Pair, Task
from soar.arc_env.grid import Grid
from soar.training.selection import STRATEGIES, accuracy, allocate, rank, select, solves

from tests.training.nodes import TASK, B, D, make_node, right


def grid(i: int) -> Grid:
    """A grid of its own for each ``i`` < 100, output of no pair of ``TASK``."""
    return ((i // 10, i % 10, 9),)


def wrong(
    node_id: int, *, train_right: int = 0, outputs: int | None = None, code: str = ""
) -> Node:
    """A node failing ``TASK``: the first ``train_right`` train pairs right, the other outputs
    ``grid(outputs)`` (default: ``grid(node_id)``)."""
    other = grid(node_id if outputs is None else outputs)
    train = [B, D][:train_right] + [other] * (2 - train_right)
    program = f"def transform(grid):  # {node_id}{code}\n"
    return make_node(node_id, train, [other], program=program)


def population() -> list[Node]:
    """10 programs that solve, 20 with half the train pairs right, 30 with none; all distinct."""
    solving = [right(i, program=f"{'#' * i}\ndef transform(g):\n    return [r[::-1] for r in g]")
               for i in range(10)]  # fmt: skip
    half = [wrong(i, train_right=1) for i in range(10, 30)]
    zero = [wrong(i) for i in range(30, 60)]
    return solving + half + zero


def test_accuracy_counts_test_pairs_only_where_known():
    half = wrong(1, train_right=1)
    assert accuracy(half, TASK) == pytest.approx(1 / 3)
    assert accuracy(make_node(2, [B, D], [grid(2)]), TASK) == pytest.approx(2 / 3)
    assert not solves(make_node(2, [B, D], [grid(2)]), TASK)
    hidden = Task(TASK.id, TASK.train, (Pair(TASK.test[0].input),))
    assert accuracy(half, hidden) == pytest.approx(1 / 2)
    assert solves(make_node(2, [B, D], [grid(2)]), hidden)


def test_rank_prefers_accuracy_then_shorter_code_then_earlier():
    long_right = right(0, program="def transform(g):\n    # long\n    return [r[::-1] for r in g]")
    short_right = right(1, program="def transform(g):\n    return [r[::-1] for r in g]")
    twin = dataclasses.replace(short_right, node_id=2)
    half = wrong(3, train_right=1)
    assert rank([half, long_right, twin, short_right], TASK) == [
        twin,
        short_right,
        long_right,
        half,
    ]


def test_greedy_takes_the_best():
    nodes = population()
    assert select(nodes, TASK, "greedy", 15) == rank(nodes, TASK)[:15]


def test_correct_only_takes_programs_that_solve():
    nodes = population()
    chosen = select(nodes, TASK, "correct-only", 50)
    assert len(chosen) == 10 and all(solves(n, TASK) for n in chosen)
    assert select(nodes, TASK, "correct-only", 3) == chosen[:3]


def test_greedy_diverse_fills_the_diverse_half():
    """SOAR's release returns an empty diverse half (its output deduplication never keeps a
    program); here the half is filled with failing programs, those with no train pair first."""
    nodes = population()
    chosen = select(nodes, TASK, "greedy-diverse", 20)
    best, diverse = chosen[:10], chosen[10:]
    assert all(solves(n, TASK) for n in best)
    assert len(diverse) == 10
    assert not any(solves(n, TASK) for n in diverse)
    assert all(n.train_accuracy == 0 for n in diverse)
    # The best half takes the odd place; the diverse half is shuffled, not the first failures.
    assert len(select(nodes, TASK, "greedy-diverse", 21)) == 21
    assert [n.node_id for n in diverse] != list(range(30, 40))


def test_greedy_diverse_deduplicates_failures_by_outputs():
    best = [right(0), wrong(1, train_right=1, outputs=8)]
    repeats_best = wrong(2, train_right=1, outputs=8, code=" longer")
    twins = [wrong(i, outputs=7, code=" " + "x" * (10 - i)) for i in range(3, 8)]  # same outputs
    chosen = select([*best, repeats_best, *twins], TASK, "greedy-diverse", 4)
    assert chosen == [*best, twins[-1]]  # the shortest twin; nothing with the best's outputs


def test_greedy_diverse_does_not_top_up_past_the_failing_rest():
    nodes = population()
    chosen = select(nodes, TASK, "greedy-diverse", 80)
    assert chosen[:40] == rank(nodes, TASK)[:40]
    assert len(chosen) == 60 and len(set(map(id, chosen))) == 60


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_every_strategy_respects_the_cap_and_is_deterministic(strategy):
    nodes = population() + [dataclasses.replace(wrong(99), program=None)]
    for cap in (0, 1, 7, 25, 100):
        chosen = select(nodes, TASK, strategy, cap, seed=3)
        assert len(chosen) <= cap
        assert len(set(map(id, chosen))) == len(chosen)
        assert all(n.valid for n in chosen)
        assert chosen == select(list(nodes), TASK, strategy, cap, seed=3)


def test_uniform_depends_on_the_seed():
    nodes = population()
    draws = {tuple(n.node_id for n in select(nodes, TASK, "uniform", 10, seed=s)) for s in range(5)}
    assert len(draws) == 5


def test_vote_weighted_shares_the_cap_by_vote_weight():
    # Three groups of equal programs (weight 1 + 1000 each): sizes 30, 20 and 10.
    sizes = {1: 30, 2: 20, 3: 10}
    nodes = [
        make_node(len(sizes) * k + g, [B, D], [grid(g)], program=f"# {g} {k}")
        for g, n in sizes.items()
        for k in range(n)
    ]
    chosen = select(nodes, TASK, "vote-weighted", 30)
    counts = Counter(n.test_outputs[0] for n in chosen)
    assert counts == {grid(1): 15, grid(2): 10, grid(3): 5}


def test_vote_weighted_prefers_train_accuracy_within_a_group():
    good = make_node(0, [B, D], [grid(1)], program="# good")
    group_a = [good] + [
        make_node(i, [grid(i), grid(i)], [grid(1)], program=f"# {i}") for i in range(1, 10)
    ]
    group_b = [make_node(i, [grid(i), grid(i)], [grid(2)], program=f"# {i}") for i in range(10, 20)]
    for seed in range(5):
        chosen = select(group_b + group_a, TASK, "vote-weighted", 5, seed=seed)
        assert chosen[0] is good  # heaviest group first, its best program first
        assert all(n.test_outputs == (grid(1),) for n in chosen)  # 1010 against 10: all five


def test_allocate_gives_shares_in_proportion_within_sizes():
    assert allocate([1.0, 2.0, 3.0], [100] * 3, 60) == [10, 20, 30]
    assert allocate([1.0, 1.0, 1.0], [100] * 3, 10) == [4, 3, 3]  # ties go to the earlier group
    assert allocate([5.0, 1.0], [2, 50], 10) == [2, 8]
    assert allocate([0.0, 0.0], [3, 3], 4) == [2, 2]
    assert allocate([], [], 10) == []


def test_unknown_strategy_and_negative_cap_are_refused():
    with pytest.raises(ValueError, match="expected one of greedy-diverse"):
        select([], TASK, "best")
    with pytest.raises(ValueError, match="per_task"):
        select([], TASK, "greedy", -1)
