"""REX: which program to refine next, as a bandit over the programs tried so far.

REX (Tang et al., 2024; used by SOAR) treats every program as an arm. To choose one, it draws for
every arm

    θ ~ Beta(1 + C·h, 1 + C·(1 − h) + N)

and takes the argmax, where ``h`` is the program's train accuracy (fraction of train pairs exactly
right), ``N`` the number of times the program was already chosen, and ``C`` (20 by default) how
strongly accuracy pulls. Good programs are preferred, and each choice makes the same program less
likely to be chosen again. Every refinement becomes a new arm.

Here ``N`` grows on every choice (SOAR's code never increments it), and it is derived from the
log: each choice makes exactly one child request, so ``N`` of a node is its number of refine
children (invalid completions included).

Which programs are arms follows the paper (appendix D.3, "we remove any code that generates an
error on an input grid"): a program that raised, timed out, ran out of memory or returned
something that is not a grid on ANY train input is not an arm, nor is an invalid completion (it
has no program). With ``failing=True`` (the agents' ``failing_arms`` setting) a program is an arm
as soon as it produced a valid grid on one input, train or test.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import betainccinv

from .node import REFINE, Node

DEFAULT_C = 20.0


@dataclass(slots=True)
class Arm:
    """One program REX may refine.

    Attributes:
        node_id: the node the arm stands for.
        h: its train accuracy, in [0, 1].
        N: how many times it was already chosen (refine requests made from it).
    """

    node_id: int
    h: float
    N: int = 0


def is_arm(node: Node, failing: bool = False) -> bool:
    """Whether REX may refine ``node``.

    Args:
        node: a program tried.
        failing: whether a program that fails on some train input may be an arm.

    Returns:
        Whether ``node`` has a program that gave a valid grid on every train input (with
        ``failing``: on at least one input, train or test).
    """
    if not node.valid:
        return False
    if failing:
        return node.any_output
    return bool(node.train) and all(r.ok for r in node.train)


def rex_choose_many(
    arms: Sequence[Arm], k: int, rng: np.random.Generator, C: float = DEFAULT_C
) -> list[int]:
    """Choose ``k`` arms one after the other, incrementing the chosen arm's ``N`` after each draw.

    Each draw samples θ ~ Beta(1 + C·h, 1 + C·(1 − h) + N) for every arm and takes the argmax.
    Arms with the same ``h`` and ``N`` are interchangeable, so a draw samples the largest θ of
    each such group at once and then one member of the winning group uniformly (see
    :func:`choose_from_groups`): the same choice distribution as drawing every arm, at a cost
    that grows with the number of distinct (h, N) pairs rather than of arms. The arms passed in
    are updated in place (``N += 1`` per choice).

    Args:
        arms: the candidates (at least one).
        k: how many choices to make (an arm may be chosen more than once).
        rng: the source of randomness.
        C: the accuracy weight (SOAR: 20).

    Returns:
        The indices into ``arms`` of the chosen arms, in the order they were chosen.
    """
    if not arms:
        raise ValueError("arms: expected at least one arm to choose from, got none")
    groups: dict[tuple[float, int], list[int]] = {}
    for index, arm in enumerate(arms):
        groups.setdefault((arm.h, arm.N), []).append(index)
    chosen = choose_from_groups(groups, k, rng, C)
    for index in chosen:
        arms[index].N += 1
    return chosen


def choose_from_groups(
    groups: dict[tuple[float, int], list[int]], k: int, rng: np.random.Generator, C: float
) -> list[int]:
    """``k`` REX choices among arms grouped by (h, N): the members chosen, in order.

    The largest of ``m`` independent Beta(a, b) draws has the distribution function F(x)^m, so
    it is sampled as F⁻¹(U^(1/m)) (computed from the upper tail, 1 − U^(1/m), for accuracy when
    ``m`` is large); the group with the largest maximum wins, and its members are equally likely.
    After each choice the member moves to the group (h, N + 1). ``groups`` is changed in place
    (its lists are copied before their first change, so the caller's lists stay as they were).
    """
    if k < 0:
        raise ValueError(f"k: expected a number of choices >= 0, got {k}")
    if not C >= 0:
        raise ValueError(f"C: expected a weight >= 0, got {C}")
    bad = [h for h, _ in groups if not 0 <= h <= 1]
    if bad:
        raise ValueError(f"h: expected train accuracies in [0, 1], got {min(bad)}..{max(bad)}")
    copied: set[tuple[float, int]] = set()
    chosen = []
    for _ in range(k):
        keys = [key for key, members in groups.items() if members]
        h = np.fromiter((key[0] for key in keys), float, len(keys))
        n = np.fromiter((key[1] for key in keys), float, len(keys))
        m = np.fromiter((len(groups[key]) for key in keys), float, len(keys))
        upper = -np.expm1(np.log(rng.random(len(keys))) / m)  # 1 - U^(1/m)
        best = np.asarray(betainccinv(1.0 + C * h, 1.0 + C * (1.0 - h) + n, upper))
        key = keys[int(best.argmax())]
        for changed in (key, (key[0], key[1] + 1)):
            if changed not in copied:
                groups[changed] = list(groups.get(changed, ()))
                copied.add(changed)
        members = groups[key]
        position = int(rng.integers(len(members)))
        member = members[position]
        members[position] = members[-1]  # the order within a group does not matter
        members.pop()
        groups[(key[0], key[1] + 1)].append(member)
        chosen.append(member)
    return chosen


def rex_choose(arms: Sequence[Arm], rng: np.random.Generator, C: float = DEFAULT_C) -> int:
    """Choose one arm: the argmax of θ ~ Beta(1 + C·h, 1 + C·(1 − h) + N) over ``arms``.

    The chosen arm's ``N`` is incremented in place.

    >>> arms = [Arm(0, h=0.0), Arm(1, h=1.0)]
    >>> rex_choose(arms, np.random.default_rng(0)), arms[1].N
    (1, 1)
    """
    return rex_choose_many(arms, 1, rng, C)[0]


class ArmPool:
    """The arms of one REX tree, kept up to date as nodes arrive (in node-id order).

    A node becomes an arm if :func:`is_arm` (with ``failing``); a refine node adds one to its
    parent's ``N`` when the parent is in the pool. Building a pool from a logged run gives the same arms and counts
    (and the same grouping, hence the same choices for a seed) as the run had, which is what
    makes resuming exact. The arms are kept grouped by (h, N), so :meth:`choose` costs about the
    same with ten arms or ten thousand.
    """

    def __init__(self, nodes: Iterable[Node] = (), *, failing: bool = False) -> None:
        self.failing = failing
        self._h: dict[int, float] = {}
        self._n: dict[int, int] = {}
        self._groups: dict[tuple[float, int], list[int]] = {}
        self._position: dict[int, int] = {}  # node id -> its index in its group's list
        for node in nodes:
            self.add(node)

    def add(self, node: Node) -> None:
        """Account for one new node."""
        if node.kind == REFINE and node.parent_id in self._n:
            parent = node.parent_id
            h, n = self._h[parent], self._n[parent]  # type: ignore[index]
            self._leave((h, n), parent)  # type: ignore[arg-type]
            self._n[parent] = n + 1  # type: ignore[index]
            self._join((h, n + 1), parent)  # type: ignore[arg-type]
        if is_arm(node, self.failing):
            self._h[node.node_id] = node.train_accuracy
            self._n[node.node_id] = 0
            self._join((node.train_accuracy, 0), node.node_id)

    def _join(self, key: tuple[float, int], node_id: int) -> None:
        members = self._groups.setdefault(key, [])
        self._position[node_id] = len(members)
        members.append(node_id)

    def _leave(self, key: tuple[float, int], node_id: int) -> None:
        members = self._groups[key]
        position, last = self._position.pop(node_id), members.pop()
        if last != node_id:  # the last member takes the leaver's place
            members[position] = last
            self._position[last] = position
        if not members:
            del self._groups[key]

    def choose(self, k: int, rng: np.random.Generator, C: float = DEFAULT_C) -> list[int]:
        """The node ids of ``k`` REX choices (see :func:`rex_choose_many`); the pool itself is
        left as it is (the refinements, once added, count the choices)."""
        if not self._h:
            raise ValueError("arms: expected at least one arm to choose from, got none")
        return choose_from_groups(dict(self._groups), k, rng, C)

    def arms(self) -> list[Arm]:
        """Fresh :class:`Arm` records (choosing from them does not change the pool)."""
        return [Arm(node_id, h, self._n[node_id]) for node_id, h in self._h.items()]

    def __len__(self) -> int:
        return len(self._h)


def arms_from_nodes(nodes: Iterable[Node], *, failing: bool = False) -> list[Arm]:
    """The arms among ``nodes`` (see :func:`is_arm`), with ``N`` = number of refine children
    among ``nodes``.

    >>> arms_from_nodes([])
    []
    """
    return ArmPool(nodes, failing=failing).arms()
