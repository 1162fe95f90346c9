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
children (invalid completions included). A program that produced no valid grid on any input (or
an invalid completion, which has no program) is not an arm.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

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


def is_arm(node: Node) -> bool:
    """Whether REX may refine ``node``: it has a program that produced at least one valid grid."""
    return node.valid and node.any_output


def rex_choose_many(
    arms: Sequence[Arm], k: int, rng: np.random.Generator, C: float = DEFAULT_C
) -> list[int]:
    """Choose ``k`` arms one after the other, incrementing the chosen arm's ``N`` after each draw.

    Each draw samples θ ~ Beta(1 + C·h, 1 + C·(1 − h) + N) for every arm and takes the argmax
    (ties: the earliest arm). The arms passed in are updated in place (``N += 1`` per choice).

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
    if k < 0:
        raise ValueError(f"k: expected a number of choices >= 0, got {k}")
    if not C >= 0:
        raise ValueError(f"C: expected a weight >= 0, got {C}")
    h = np.fromiter((arm.h for arm in arms), dtype=float, count=len(arms))
    if np.any((h < 0) | (h > 1)):
        raise ValueError(f"h: expected train accuracies in [0, 1], got {h.min()}..{h.max()}")
    alpha = 1.0 + C * h
    beta = 1.0 + C * (1.0 - h) + np.fromiter((arm.N for arm in arms), float, len(arms))
    chosen = []
    for _ in range(k):
        index = int(np.argmax(rng.beta(alpha, beta)))
        beta[index] += 1.0
        arms[index].N += 1
        chosen.append(index)
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

    A node becomes an arm if :func:`is_arm`; a refine node adds one to its parent's ``N`` when
    the parent is in the pool. Building a pool from a logged run gives the same arms and counts
    as the run had, which is what makes resuming exact.
    """

    def __init__(self, nodes: Iterable[Node] = ()) -> None:
        self._h: dict[int, float] = {}
        self._n: dict[int, int] = {}
        for node in nodes:
            self.add(node)

    def add(self, node: Node) -> None:
        """Account for one new node."""
        if node.kind == REFINE and node.parent_id in self._n:
            self._n[node.parent_id] += 1  # type: ignore[index]
        if is_arm(node):
            self._h[node.node_id] = node.train_accuracy
            self._n.setdefault(node.node_id, 0)

    def arms(self) -> list[Arm]:
        """Fresh :class:`Arm` records (choosing from them does not change the pool)."""
        return [Arm(node_id, h, self._n[node_id]) for node_id, h in self._h.items()]

    def __len__(self) -> int:
        return len(self._h)


def arms_from_nodes(nodes: Iterable[Node]) -> list[Arm]:
    """The arms among ``nodes``, with ``N`` = number of refine children among ``nodes``.

    >>> arms_from_nodes([])
    []
    """
    return ArmPool(nodes).arms()
