"""Weighted majority vote over the programs tried for one task.

Programs are grouped by their tuple of test outputs (one output per test input). A group's weight
is, by default, SOAR's ``sum over its programs of (1 + 1000 * train accuracy)`` — train accuracy
dominates, the number of programs breaks near-ties; ``count`` weighting counts programs. The two
heaviest groups give attempt 1 and attempt 2 for every test input (the ARC Prize allows two).
Ties are broken deterministically: weight, then program count, then the earliest program.

Only programs that produced a valid grid for *every* test input vote (a group must be able to
answer each test input). With one group, attempt 2 repeats attempt 1; with none, there are no
attempts and the task scores 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from soar.arc_env.grid import Grid

WEIGHTINGS = ("soar", "count")


@dataclass(frozen=True)
class Ballot:
    """One program's vote: its test outputs and its train accuracy, in the order programs ran."""

    test_outputs: tuple[Grid | None, ...]
    train_accuracy: float


@dataclass(frozen=True)
class Group:
    """Programs that agree on every test output."""

    test_outputs: tuple[Grid, ...]
    weight: float
    count: int
    first: int
    """Index of the earliest program in the group."""


def program_weight(train_accuracy: float, weighting: str = "soar") -> float:
    """A program's weight in the vote.

    >>> program_weight(0.5), program_weight(0.5, "count")
    (501.0, 1.0)
    """
    if weighting == "soar":
        return 1.0 + 1000.0 * train_accuracy
    if weighting == "count":
        return 1.0
    raise ValueError(f"weighting: expected one of {', '.join(WEIGHTINGS)}, got {weighting!r}")


def rank_groups(ballots: Iterable[Ballot], weighting: str = "soar") -> list[Group]:
    """Every group, heaviest first (ties: more programs, then earliest program)."""
    totals: dict[tuple[Grid, ...], list] = {}
    for index, ballot in enumerate(ballots):
        if not ballot.test_outputs or any(out is None for out in ballot.test_outputs):
            continue
        key = ballot.test_outputs
        entry = totals.get(key)
        w = program_weight(ballot.train_accuracy, weighting)
        if entry is None:
            totals[key] = [w, 1, index]
        else:
            entry[0] += w
            entry[1] += 1
    groups = [Group(key, w, n, first) for key, (w, n, first) in totals.items()]  # type: ignore[arg-type]
    groups.sort(key=lambda g: (-g.weight, -g.count, g.first))
    return groups


def attempts(
    ballots: Sequence[Ballot], n_tests: int, *, weighting: str = "soar", n_attempts: int = 2
) -> list[list[Grid]]:
    """Per test input, the list of attempts (at most ``n_attempts``, best first).

    >>> a, b = ((1,),), ((2,),)
    >>> attempts([Ballot((a,), 0.0), Ballot((b,), 1.0), Ballot((a,), 0.0)], 1)
    [[((2,),), ((1,),)]]
    """
    groups = rank_groups(ballots, weighting)[:n_attempts]
    if not groups:
        return [[] for _ in range(n_tests)]
    chosen = [g.test_outputs for g in groups]
    while len(chosen) < n_attempts:
        chosen.append(chosen[0])  # one group only: the second attempt repeats the first
    return [[outputs[j] for outputs in chosen] for j in range(n_tests)]
