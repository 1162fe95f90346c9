"""Weighted majority vote: golden cases with one, two and three test inputs, ties, fallbacks; the
``simplest`` weightings (description-length prior, deduplication by behaviour, the train-output
relations)."""

from __future__ import annotations

import pytest
from soar.agents import voting
from soar.agents.voting import (
    Ballot,
    attempts,
    default_weighting,
    program_weight,
    rank_groups,
    source_description_length,
)

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
    with pytest.raises(ValueError, match="weighting: expected one of soar, count, simplest, "):
        program_weight(1.0, "votes")
    with pytest.raises(ValueError, match="got 'votes'"):
        rank_groups([Ballot((A,), 1.0)], "votes")


def test_simplest_prefers_the_shortest_description_over_popularity():
    # Five different train-perfect programs answer A, one shorter one answers B.
    ballots = [Ballot((A,), 1.0, 20.0 + i, behaviour=i) for i in range(5)]
    ballots.append(Ballot((B,), 1.0, 12.0, behaviour=9))
    assert attempts(ballots, 1) == [[A, B]]  # soar: popularity
    assert attempts(ballots, 1, weighting="simplest") == [[B, A]]


def test_simplest_counts_each_behaviour_once():
    # A program sampled 50 times (one behaviour) is one explanation, however often it was drawn.
    repeated = [Ballot((A,), 1.0, 10.0, behaviour="a")] * 50
    ballots = [*repeated, Ballot((B,), 1.0, 10.0, behaviour="b"), Ballot((B,), 1.0, 10.0, "c")]
    groups = rank_groups(ballots, "simplest")
    assert [g.test_outputs for g in groups] == [(B,), (A,)]
    assert [g.count for g in groups] == [2, 1]  # behaviours, not programs
    assert groups[0].weight == pytest.approx(2 / 3) and groups[1].weight == pytest.approx(1 / 3)
    # The same behaviour written two ways weighs as its shortest writing.
    two_ways = [Ballot((A,), 1.0, 30.0, "a"), Ballot((A,), 1.0, 10.0, "a"), Ballot((B,), 1.0, 11.0)]
    assert attempts(two_ways, 1, weighting="simplest") == [[A, B]]


def test_simplest_lets_train_accuracy_dominate_description_length():
    ballots = [Ballot((A,), 2 / 3, 6.0, "a"), Ballot((B,), 1.0, 6.0 + 25.0, "b")]
    assert attempts(ballots, 1, weighting="simplest") == [[B, A]]
    assert voting.MISS / 3 > 25.0  # one train pair in three wrong costs more than 25 nats


def test_train_output_relations_weigh_and_break_ties():
    ballots = [Ballot((A,), 1.0, 10.0, "a"), Ballot((B,), 1.0, 10.5, "b")]

    def breaks(j, output):  # A breaks a relation that every train output keeps
        return int(output == A)

    assert attempts(ballots, 1, weighting="simplest") == [[A, B]]
    assert attempts(ballots, 1, weighting="simplest", violations=breaks) == [[B, A]]
    # As a tie-break only, the relation decides between equal weights and nothing else.
    assert attempts(ballots, 1, weighting="simplest-tiebreak", violations=breaks) == [[A, B]]
    tied = [Ballot((A,), 1.0, 10.0, "a"), Ballot((B,), 1.0, 10.0, "b")]
    assert attempts(tied, 1, weighting="simplest-tiebreak", violations=breaks) == [[B, A]]
    # With the paper's weighting, the relations of every test output of a tuple add up.
    assert attempts([Ballot((A, A), 1.0), Ballot((B, B), 1.0)], 2, violations=breaks) == [
        [A, B],
        [A, B],
    ]


def test_simplest_votes_on_each_test_input_alone():
    # The first program fails on test input 2 but still answers test input 1.
    ballots = [Ballot((A, None), 1.0, 5.0, "a"), Ballot((B, C), 0.0, 50.0, "b")]
    assert attempts(ballots, 2, weighting="simplest") == [[A, B], [C, C]]
    assert attempts(ballots, 2) == [[B, B], [C, C]]  # soar: whole tuples only
    # Each input's answer is its own best: no one program is best on both.
    mixed = [
        Ballot((A, C), 1.0, 10.0, "x"),
        Ballot((B, D), 1.0, 12.0, "y"),
        Ballot((B, C), 1.0, 11.0, "z"),
    ]
    assert attempts(mixed, 2, weighting="simplest", n_attempts=1) == [[A], [C]]
    assert attempts([], 1, weighting="simplest") == [[]]
    assert attempts([Ballot((None,), 1.0)], 1, weighting="simplest") == [[]]


def test_default_weighting_and_source_lengths():
    assert default_weighting("dsl:default") == default_weighting("dsl:/w/grammar.json")
    assert default_weighting("dsl:default") == "simplest"
    assert default_weighting("hf:/models/m") == default_weighting("scripted:a.json") == "soar"
    short = "def transform(grid):\n    return grid\n"
    commented = "# mirror\ndef transform(grid):  # the grid\n\n    return grid\n"
    assert source_description_length(short) == source_description_length(commented)
    assert source_description_length(short + "x = 1\n") > source_description_length(short)
