"""Weighted majority vote: golden cases with one, two and three test inputs, ties, fallbacks."""

from __future__ import annotations

import pytest
from soar.agents.voting import Ballot, attempts, program_weight, rank_groups

A, B, C, D = ((1,),), ((2,),), ((3,),), ((4,),)


def test_soar_weight_lets_train_accuracy_dominate():
    # 3 programs at accuracy 0 (weight 3) lose to one program at accuracy 0.25 (weight 251).
    ballots = [Ballot((A,), 0.0)] * 3 + [Ballot((B,), 0.25)]
    assert attempts(ballots, 1) == [[B, A]]
    assert attempts(ballots, 1, weighting="count") == [[A, B]]


def test_groups_are_whole_tuples_of_test_outputs():
    ballots = [
        Ballot((A, B), 1.0),
        Ballot((A, C), 1.0),
        Ballot((A, C), 0.5),
        Ballot((D, D), 0.0),
    ]
    groups = rank_groups(ballots)
    assert [g.test_outputs for g in groups] == [(A, C), (A, B), (D, D)]
    assert [g.weight for g in groups] == [1502.0, 1001.0, 1.0]
    assert [g.count for g in groups] == [2, 1, 1]
    assert attempts(ballots, 2) == [[A, A], [C, B]]


def test_three_test_inputs():
    # Two half-right programs (501 + 501) outweigh one train-perfect program (1001).
    ballots = [Ballot((A, B, C), 0.5), Ballot((B, B, B), 1.0), Ballot((A, B, C), 0.5)]
    assert attempts(ballots, 3) == [[A, B], [B, B], [C, B]]


def test_ties_break_on_count_then_earliest_program():
    same_weight = [Ballot((A,), 1.0), Ballot((B,), 0.5), Ballot((B,), 0.4995)]  # 1001 vs 500+500.5
    assert [g.count for g in rank_groups(same_weight)] == [2, 1]
    first_wins = [Ballot((C,), 0.5), Ballot((D,), 0.5)]
    assert attempts(first_wins, 1) == [[C, D]]
    assert attempts(list(reversed(first_wins)), 1) == [[D, C]]


def test_programs_missing_a_test_output_do_not_vote():
    ballots = [Ballot((A, None), 1.0), Ballot((B, C), 0.0), Ballot((), 1.0)]
    assert attempts(ballots, 2) == [[B, B], [C, C]]


def test_one_group_repeats_and_no_group_gives_no_attempts():
    assert attempts([Ballot((A,), 0.0)], 1) == [[A, A]]
    assert attempts([], 2) == [[], []]
    assert attempts([Ballot((None,), 1.0)], 1) == [[]]


def test_unknown_weighting_is_rejected():
    with pytest.raises(ValueError, match="weighting: expected one of soar, count, got 'votes'"):
        program_weight(1.0, "votes")
