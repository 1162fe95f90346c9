"""REX selection: choice frequencies follow the Beta rule, N grows on every choice, arms."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, stats
from soar.agents.search import REFINE, SAMPLE, Arm, ArmPool, Node, arms_from_nodes, rex_choose
from soar.agents.search.rex import is_arm, rex_choose_many
from soar.arc_env import InputResult, Status

DRAWS = 20_000


def p_first_wins(h1: float, n1: int, h2: float, n2: int, C: float = 20.0) -> float:
    """P(θ1 > θ2) for θi ~ Beta(1 + C·hi, 1 + C·(1 − hi) + Ni), by numerical integration."""
    a = stats.beta(1 + C * h1, 1 + C * (1 - h1) + n1)
    b = stats.beta(1 + C * h2, 1 + C * (1 - h2) + n2)
    value, _ = integrate.quad(lambda x: a.pdf(x) * b.cdf(x), 0, 1, limit=200)
    return value


def frequency_first(h1: float, n1: int, h2: float, n2: int, seed: int = 0) -> float:
    rng = np.random.default_rng(seed)
    wins = sum(rex_choose([Arm(0, h1, n1), Arm(1, h2, n2)], rng) == 0 for _ in range(DRAWS))
    return wins / DRAWS


@pytest.mark.parametrize(("h1", "n1", "h2", "n2"), [(0.5, 0, 0.7, 0), (0.7, 30, 0.5, 0)])
def test_two_arm_choice_frequency_matches_the_beta_rule(h1, n1, h2, n2):
    expected = p_first_wins(h1, n1, h2, n2)
    assert frequency_first(h1, n1, h2, n2) == pytest.approx(expected, abs=0.01)


def test_many_choices_make_the_better_arm_lose_preference():
    fresh = p_first_wins(0.7, 0, 0.5, 0)
    worn = p_first_wins(0.7, 30, 0.5, 0)
    assert fresh > 0.8 and worn < 0.5  # what the formula says; the frequencies follow it above


def test_n_grows_on_every_choice():
    arms = [Arm(0, 0.5), Arm(1, 0.7), Arm(2, 0.0, N=3)]
    picks = rex_choose_many(arms, 25, np.random.default_rng(1))
    assert len(picks) == 25
    assert [arm.N for arm in arms] == [picks.count(0), picks.count(1), 3 + picks.count(2)]
    before = arms[1].N
    index = rex_choose([arms[1]], np.random.default_rng(2))
    assert (index, arms[1].N) == (0, before + 1)


def test_sequential_choices_see_the_incremented_count():
    """Two equal arms: after the first choice, the other arm is ahead (its N is smaller)."""
    rng = np.random.default_rng(3)
    switched = 0
    for _ in range(DRAWS // 2):
        first, second = rex_choose_many([Arm(0, 0.5), Arm(1, 0.5)], 2, rng)
        switched += first != second
    expected = 1 - p_first_wins(0.5, 1, 0.5, 0)  # the chosen arm (N=1) loses the second draw
    assert expected > 0.55
    assert switched / (DRAWS // 2) == pytest.approx(expected, abs=0.015)


def test_bad_arguments_are_rejected():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="expected at least one arm"):
        rex_choose([], rng)
    with pytest.raises(ValueError, match=r"h: expected train accuracies in \[0, 1\]"):
        rex_choose([Arm(0, 1.5)], rng)


OK = InputResult(Status.OK, ((1,),))
FAIL = InputResult(Status.ERROR, None, "ValueError")
INVALID = InputResult(Status.INVALID_OUTPUT, None, "expected a grid, got None")


def node(
    node_id,
    *,
    parent=None,
    program="def transform(g): ...",
    train=(OK, OK),
    test=None,
    correct=None,
):
    return Node(
        task_id="t",
        node_id=node_id,
        parent_id=parent,
        kind=SAMPLE if parent is None else REFINE,
        policy_id="test",
        program=program,
        train=train if program else (),
        test=test if test is not None else ((OK,) if program else ()),
        train_correct=correct if correct is not None else tuple(False for _ in train),
    )


def test_arms_are_programs_with_a_grid_for_every_train_input():
    nodes = [
        node(0, correct=(True, False)),  # h = 0.5
        node(1, train=(FAIL, FAIL)),  # failed on every input
        node(2, program=None),  # invalid completion
        node(3, parent=0, correct=(True, True)),  # a refinement of 0: a new arm, h = 1
        node(4, parent=0, program=None),  # an invalid refinement still counts as a choice of 0
        node(5, parent=3, train=(FAIL, OK)),  # fails on one train input: not an arm (paper D.3)
        node(6, parent=5, train=(INVALID, OK)),  # a non-grid output on one train input: neither
        node(7, parent=5),  # a choice of 5 does not make it an arm
    ]
    arms = arms_from_nodes(nodes)
    assert [(a.node_id, a.h, a.N) for a in arms] == [(0, 0.5, 2), (3, 1.0, 1), (7, 0.0, 0)]
    assert [is_arm(n) for n in nodes] == [True, False, False, True, False, False, False, True]


def test_failing_arms_lets_programs_with_one_grid_be_refined():
    nodes = [
        node(0, train=(FAIL, OK)),  # one train grid
        node(1, train=(FAIL, FAIL)),  # no train grid, but a test grid: still an arm
        node(2, train=(FAIL, FAIL), test=(FAIL,)),  # no grid at all: never an arm
        node(3, program=None),
        node(4, parent=1),
    ]
    arms = arms_from_nodes(nodes, failing=True)
    assert [(a.node_id, a.N) for a in arms] == [(0, 0), (1, 1), (4, 0)]
    assert [a.node_id for a in arms_from_nodes(nodes)] == [4]


def test_choosing_from_a_pool_leaves_the_pool_alone():
    pool = ArmPool([node(0), node(1, parent=0)])
    arms = pool.arms()
    rex_choose_many(arms, 5, np.random.default_rng(0))
    assert [a.N for a in pool.arms()] == [1, 0]
    pool.add(node(2, parent=1))
    assert [(a.node_id, a.N) for a in pool.arms()] == [(0, 1), (1, 1), (2, 0)]


def test_grouped_choices_follow_the_per_arm_draw():
    """Choosing by groups of equal (h, N) picks each arm as often as drawing θ for every arm."""
    spec = [(0.0, 0)] * 30 + [(0.0, 2)] * 10 + [(1 / 3, 0)] * 4 + [(1 / 3, 5)] * 3 + [(0.5, 1)]
    rng = np.random.default_rng(7)
    h = np.array([s[0] for s in spec])
    beta = 1 + 20 * (1 - h) + np.array([s[1] for s in spec])
    naive = np.bincount(
        [int(np.argmax(rng.beta(1 + 20 * h, beta))) for _ in range(DRAWS)], minlength=len(spec)
    )
    grouped = np.bincount(
        [
            rex_choose_many([Arm(i, *s) for i, s in enumerate(spec)], 1, rng)[0]
            for _ in range(DRAWS)
        ],
        minlength=len(spec),
    )
    for lo, hi in ((0, 30), (30, 40), (40, 44), (44, 47), (47, 48)):  # per group of equal arms
        assert grouped[lo:hi].sum() / DRAWS == pytest.approx(naive[lo:hi].sum() / DRAWS, abs=0.012)
    assert grouped[40:44].min() > 0.6 * grouped[40:44].max()  # members equally likely


def test_a_pool_chooses_as_its_arms_would_and_keeps_its_groups_through_moves():
    nodes = [node(0, correct=(True, False)), node(1), node(2), node(3, parent=1)]
    nodes += [node(4, parent=1), node(5, parent=0), node(6, parent=2)]
    pool = ArmPool(nodes)
    assert [(a.node_id, a.h, a.N) for a in pool.arms()] == [
        (0, 0.5, 1), (1, 0.0, 2), (2, 0.0, 1), (3, 0.0, 0), (4, 0.0, 0), (5, 0.0, 0), (6, 0.0, 0)
    ]  # fmt: skip
    grouped = {key: sorted(members) for key, members in pool._groups.items()}
    assert grouped == {(0.5, 1): [0], (0.0, 2): [1], (0.0, 1): [2], (0.0, 0): [3, 4, 5, 6]}
    picks = pool.choose(2000, np.random.default_rng(0))
    assert set(picks) <= set(range(7)) and max(range(7), key=picks.count) == 0  # h = 0.5 leads
    assert [a.N for a in pool.arms()] == [1, 2, 1, 0, 0, 0, 0]  # choosing changed nothing
    again = ArmPool(nodes).choose(50, np.random.default_rng(1))
    assert again == ArmPool(nodes).choose(50, np.random.default_rng(1))  # a rebuilt pool repeats
    with pytest.raises(ValueError, match="expected at least one arm"):
        ArmPool().choose(1, np.random.default_rng(0))
