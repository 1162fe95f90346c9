"""Weighted majority vote over the programs tried for one task.

Programs are grouped by their tuple of test outputs (one output per test input); the two heaviest
groups give attempt 1 and attempt 2 for every test input (the ARC Prize allows two). How heavy a
group is depends on the *weighting* (:data:`WEIGHTINGS`, by name):

- ``soar`` (the paper's, the default for language-model runs): the sum over the group's programs
  of ``1 + 1000 * train accuracy``. Train accuracy dominates; among programs that fit the train
  pairs equally, the most popular answer wins.
- ``count``: the number of programs.
- ``simplest`` (the default for runs of the DSL policy): the simplest explanation wins, not the
  most popular. Programs are first deduplicated by their behaviour (their outputs on the train
  inputs together with their test outputs): a behaviour counts once, with the description length
  of its shortest program. A behaviour of train accuracy ``h`` and description length ``L``
  (nats) weighs ``exp(-L - MISS * (1 - h))``: each train pair wrong costs as much as a program
  several steps longer. A group weighs the sum over its behaviours, times ``exp(-CONFLICT * v)``
  where ``v`` counts how its test outputs break relations every train pair keeps (shape relations,
  colours used; see :mod:`soar.agents.consistency`).
- ``simplest-tiebreak``: as ``simplest`` but the train-output relations only break ties.

Description lengths come with each ballot: for DSL programs ``-ln P(program)`` under the grammar
(:mod:`soar.agents.dsl.prior`), for any other program :data:`NATS_PER_CHAR` per character of its
source without comments and blank lines (roughly what a code model spends per character), so the
weightings that use them work for language-model runs too.

Ties are broken deterministically: weight, then group size (programs, or behaviours for the
weightings that deduplicate), then the earliest program. Only programs that produced a valid grid
for *every* test input vote (a group must be able to answer each test input). With one group,
attempt 2 repeats attempt 1; with none, there are no attempts and the task scores 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from soar.arc_env.grid import Grid

WEIGHTINGS = ("soar", "count", "simplest", "simplest-tiebreak")
"""The weightings by name (see the module docstring)."""
DEFAULT_WEIGHTING = "soar"
"""The weighting of language-model runs (the paper's)."""
DSL_WEIGHTING = "simplest"
"""The weighting of runs whose policy is the DSL grammar (``dsl:...``)."""
_DEDUPLICATING = frozenset({"simplest", "simplest-tiebreak"})
_PER_INPUT = _DEDUPLICATING

MISS = 100.0
"""Nats a behaviour loses per unit of train accuracy it lacks (``simplest``)."""
CONFLICT = 6.0
"""Nats a group loses per broken train-output relation (``simplest``)."""
NATS_PER_CHAR = 0.1
"""The description length per source character of a program that is not a DSL program."""


@dataclass(frozen=True)
class Ballot:
    """One program's vote, in the order programs ran.

    Attributes:
        test_outputs: one output per test input (``None`` where it made none).
        train_accuracy: the fraction of train pairs it gets right.
        description_length: how many nats it takes to write (see the module docstring); used by
            the ``simplest`` weightings.
        behaviour: what else it does, for deduplication: equal for programs whose outputs on
            the train inputs are equal (None: every ballot is its own behaviour).
    """

    test_outputs: tuple[Grid | None, ...]
    train_accuracy: float
    description_length: float = 0.0
    behaviour: Hashable | None = None


@dataclass(frozen=True)
class Group:
    """Programs that agree on every test output."""

    test_outputs: tuple[Grid, ...]
    weight: float
    """For ``soar`` and ``count``, the sum of its programs' weights; for the ``simplest``
    weightings, its share of the weight of every group (0..1)."""
    count: int
    """Programs in the group (distinct behaviours for the ``simplest`` weightings)."""
    first: int
    """Index of the earliest program in the group."""


def check_weighting(weighting: str) -> None:
    """Raise ``ValueError`` for an unknown weighting name.

    >>> check_weighting("votes")
    Traceback (most recent call last):
    ...
    ValueError: weighting: expected one of soar, count, simplest, simplest-tiebreak, got 'votes'
    """
    if weighting not in WEIGHTINGS:
        raise ValueError(f"weighting: expected one of {', '.join(WEIGHTINGS)}, got {weighting!r}")


def default_weighting(policy: str) -> str:
    """The weighting for a run of ``policy`` (a policy spec): :data:`DSL_WEIGHTING` for the DSL
    grammar, :data:`DEFAULT_WEIGHTING` for anything else.

    >>> default_weighting("dsl:default"), default_weighting("vllm:julien31/Soar-qwen-7b")
    ('simplest', 'soar')
    """
    return DSL_WEIGHTING if policy.split(":", 1)[0] == "dsl" else DEFAULT_WEIGHTING


def uses_description_length(weighting: str) -> bool:
    """Whether the weighting reads ballots' description lengths and behaviours."""
    return weighting in _DEDUPLICATING


def votes_per_input(weighting: str) -> bool:
    """Whether the weighting votes on each test input on its own (else on whole tuples)."""
    return weighting in _PER_INPUT


def input_ballot(ballot: Ballot, j: int) -> Ballot:
    """The ballot's vote on test input ``j`` alone (no vote when it has no output there).

    >>> input_ballot(Ballot((((1,),), None), 0.5), 0).test_outputs, input_ballot(Ballot(((((1,),), None)), 0.5), 1).test_outputs
    ((((1,),),), ())
    """
    outputs = ballot.test_outputs
    answer = (outputs[j],) if j < len(outputs) and outputs[j] is not None else ()
    return Ballot(answer, ballot.train_accuracy, ballot.description_length, ballot.behaviour)


def program_weight(train_accuracy: float, weighting: str = "soar") -> float:
    """A program's weight in the ``soar`` and ``count`` votes.

    >>> program_weight(0.5), program_weight(0.5, "count")
    (501.0, 1.0)
    """
    if weighting == "soar":
        return 1.0 + 1000.0 * train_accuracy
    if weighting == "count":
        return 1.0
    check_weighting(weighting)
    raise ValueError(f"weighting {weighting!r} weighs behaviours, not programs one by one")


def source_description_length(source: str) -> float:
    """The fallback description length of a program: :data:`NATS_PER_CHAR` per character of
    its non-blank lines with comments and trailing spaces removed.

    >>> source_description_length("def f(x):  # doubles\\n\\n    return 2 * x\\n")
    2.5
    """
    chars = 0
    for line in source.splitlines():
        code = line.split("#", 1)[0].rstrip() if "#" in line else line.rstrip()
        chars += len(code)
    return round(NATS_PER_CHAR * chars, 6)


def rank_groups(
    ballots: Iterable[Ballot],
    weighting: str = "soar",
    violations: Callable[[tuple], int] | None = None,
) -> list[Group]:
    """Every group, heaviest first (ties: larger, then earliest program).

    Args:
        ballots: the votes, in the order the programs ran.
        weighting: a name of :data:`WEIGHTINGS`.
        violations: for the ``simplest`` weightings, how many train-output relations a tuple of
            test outputs breaks (see :class:`~soar.agents.consistency.OutputChecks`); None: none.
    """
    if weighting in _DEDUPLICATING:
        return _rank_simplest(ballots, weighting, violations)
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


def _rank_simplest(
    ballots: Iterable[Ballot], weighting: str, violations: Callable[[tuple], int] | None
) -> list[Group]:
    # Per group: the best (lowest) cost of each behaviour, and the earliest program.
    costs: dict[tuple, dict[Any, float]] = {}
    first: dict[tuple, int] = {}
    for index, ballot in enumerate(ballots):
        key = ballot.test_outputs
        if not key or any(out is None for out in key):
            continue
        cost = ballot.description_length + MISS * (1.0 - ballot.train_accuracy)
        behaviours = costs.get(key)
        if behaviours is None:
            costs[key] = behaviours = {}
            first[key] = index
        behaviour = ballot.behaviour if ballot.behaviour is not None else ("ballot", index)
        known = behaviours.get(behaviour)
        if known is None or cost < known:
            behaviours[behaviour] = cost
    if not costs:
        return []
    conflicts = {key: violations(key) if violations else 0 for key in costs}
    penalty = CONFLICT if weighting == "simplest" else 0.0
    logs = {
        key: _log_sum_exp([-c for c in behaviours.values()]) - penalty * conflicts[key]
        for key, behaviours in costs.items()
    }
    top = max(logs.values())
    total = sum(math.exp(v - top) for v in logs.values())
    groups = sorted(costs, key=lambda k: (-logs[k], conflicts[k], -len(costs[k]), first[k]))
    return [Group(k, math.exp(logs[k] - top) / total, len(costs[k]), first[k]) for k in groups]


def _log_sum_exp(values: Sequence[float]) -> float:
    top = max(values)
    return top + math.log(sum(math.exp(v - top) for v in values))


def attempts(
    ballots: Sequence[Ballot],
    n_tests: int,
    *,
    weighting: str = "soar",
    n_attempts: int = 2,
    violations: Callable[[int, Grid], int] | None = None,
) -> list[list[Grid]]:
    """Per test input, the list of attempts (at most ``n_attempts``, best first).

    Args:
        ballots: the votes, in the order the programs ran.
        n_tests: the number of test inputs.
        weighting: a name of :data:`WEIGHTINGS`; those that vote per test input
            (:func:`votes_per_input`) rank each input's outputs on their own.
        n_attempts: attempts per test input.
        violations: for the ``simplest`` weightings, how many train-output relations an output
            for test input ``j`` breaks: ``violations(j, output)``.

    >>> a, b = ((1,),), ((2,),)
    >>> attempts([Ballot((a,), 0.0), Ballot((b,), 1.0), Ballot((a,), 0.0)], 1)
    [[((2,),), ((1,),)]]
    """
    if votes_per_input(weighting):
        per_input = []
        for j in range(n_tests):
            check = None if violations is None else (lambda key, j=j: violations(j, key[0]))
            groups = rank_groups([input_ballot(b, j) for b in ballots], weighting, check)
            per_input.append(_filled([g.test_outputs[0] for g in groups[:n_attempts]], n_attempts))
        return per_input
    check = None
    if violations is not None:
        check = lambda key: sum(violations(j, out) for j, out in enumerate(key))  # noqa: E731
    chosen = _filled(
        [g.test_outputs for g in rank_groups(ballots, weighting, check)[:n_attempts]], n_attempts
    )
    return [[outputs[j] for outputs in chosen] for j in range(n_tests)]


def _filled(chosen: list, n_attempts: int) -> list:
    """The attempts chosen, the first repeated up to ``n_attempts`` (none stay none)."""
    return chosen + chosen[:1] * (n_attempts - len(chosen)) if chosen else []
