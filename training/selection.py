"""Which of a task's programs become training data: selection strategies with a cap per task.

- ``greedy-diverse`` (the default, SOAR's): the better half of the cap goes to the best programs by
  accuracy (:func:`rank`), the other half is drawn from the failing rest, deduplicated by outputs
  (a failing program whose outputs equal a chosen program's is left out), programs that get no
  train pair right first. SOAR's released code loses this half to a deduplication bug; here it
  is filled. When the rest runs short the selection stays below the cap (the best half is not
  topped up: a task solved by many programs would otherwise weigh more).
- ``greedy``: the best programs by accuracy.
- ``uniform``: programs drawn uniformly.
- ``correct-only``: the best programs among those that solve the task (:func:`solves`).
- ``vote-weighted``, for test-time training without ground truth (SOAR, Algorithm 2): programs are
  grouped by test outputs as in the vote; the cap is shared among groups in proportion to their
  vote weight (:func:`allocate`), and each group's share is drawn in proportion to train accuracy
  (programs with none come last). Test outputs are never compared with ground truth.

Accuracy is the fraction of pairs right: train and test pairs where the task's test outputs are
known, train pairs only otherwise. Ties go to shorter code, then to the earlier program. Random
draws depend only on ``seed`` and the task id.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence

from soar.agents.search.node import Node
from soar.agents.voting import Ballot, rank_groups
from soar.arc_env.grid import Grid
from soar.arc_env.task import Task

__all__ = ["DEFAULT_STRATEGY", "STRATEGIES", "accuracy", "allocate", "rank", "select", "solves"]

STRATEGIES = ("greedy-diverse", "greedy", "uniform", "correct-only", "vote-weighted")
DEFAULT_STRATEGY = "greedy-diverse"


def _test_right(node: Node, task: Task) -> list[bool]:
    """Per test pair, whether the program's output is right ([] when ground truth is unknown)."""
    if not task.has_test_outputs or len(node.test) != len(task.test):
        return []
    return [r.ok and r.output == p.output for r, p in zip(node.test, task.test, strict=True)]


def solves(node: Node, task: Task) -> bool:
    """Every train pair right and, where the task's test outputs are known, every test pair."""
    if not node.all_train_correct:
        return False
    return not task.has_test_outputs or all(_test_right(node, task) or [False])


def accuracy(node: Node, task: Task) -> float:
    """The fraction of pairs right: train and test where test outputs are known, else train."""
    right = list(node.train_correct) + _test_right(node, task)
    return sum(right) / len(right) if right else 0.0


def _code_length(node: Node) -> int:
    return len((node.program or "").strip())


def rank(nodes: Sequence[Node], task: Task) -> list[Node]:
    """Programs best first: higher :func:`accuracy`, then shorter code, then earlier."""
    order = sorted(
        range(len(nodes)), key=lambda i: (-accuracy(nodes[i], task), _code_length(nodes[i]), i)
    )
    return [nodes[i] for i in order]


def _outputs(node: Node) -> tuple[Grid | None, ...]:
    return node.train_outputs + node.test_outputs


def _rng(seed: int, task: Task) -> random.Random:
    return random.Random(f"{seed}:{task.id}")


# --- the strategies -----------------------------------------------------------------------------


def _greedy(nodes: Sequence[Node], task: Task, cap: int, rng: random.Random) -> list[Node]:
    return rank(nodes, task)[:cap]


def _uniform(nodes: Sequence[Node], task: Task, cap: int, rng: random.Random) -> list[Node]:
    return rng.sample(list(nodes), min(cap, len(nodes)))


def _correct_only(nodes: Sequence[Node], task: Task, cap: int, rng: random.Random) -> list[Node]:
    return [node for node in rank(nodes, task) if solves(node, task)][:cap]


def _greedy_diverse(nodes: Sequence[Node], task: Task, cap: int, rng: random.Random) -> list[Node]:
    ranked = rank(nodes, task)
    best = ranked[: cap - cap // 2]
    seen = {_outputs(node) for node in best}
    position = {id(node): i for i, node in enumerate(nodes)}
    # The failing rest, one program per distinct outputs (the shortest, then the earliest).
    rest = sorted(
        (node for node in ranked[len(best) :] if not solves(node, task)),
        key=lambda node: (_code_length(node), position[id(node)]),
    )
    diverse: list[Node] = []
    for node in rest:
        if _outputs(node) not in seen:
            seen.add(_outputs(node))
            diverse.append(node)
    rng.shuffle(diverse)
    diverse.sort(key=lambda node: node.train_accuracy > 0)  # stable: no train pair right first
    return best + diverse[: cap - len(best)]


def allocate(weights: Sequence[float], sizes: Sequence[int], cap: int) -> list[int]:
    """Share ``cap`` places among groups in proportion to ``weights``, a group getting at most its
    size; places a full group cannot take are shared among the others in the same way.

    Each round shares the places left among the groups not yet full: each gets the integer part
    of its share, at most what it can take. When no group was full, the places still left go one
    each to the largest fractional parts (ties to the earlier group); else another round shares
    them.

    >>> allocate([3.0, 2.0, 1.0], [100, 100, 100], 12)
    [6, 4, 2]
    >>> allocate([3.0, 2.0, 1.0], [1, 100, 100], 12)
    [1, 7, 4]
    >>> allocate([1.0, 1.0], [2, 3], 50)
    [2, 3]
    """
    given = [0] * len(weights)
    remaining = min(cap, sum(sizes))
    while remaining > 0:
        open_ = [i for i in range(len(weights)) if given[i] < sizes[i]]
        total = sum(weights[i] for i in open_)
        shares = {
            i: remaining * (weights[i] / total if total > 0 else 1 / len(open_)) for i in open_
        }
        capped = False
        for i in open_:
            take = min(math.floor(shares[i]), sizes[i] - given[i])
            capped = capped or take < math.floor(shares[i])
            given[i] += take
            remaining -= take
        if capped:
            continue
        for i in sorted(open_, key=lambda i: (-(shares[i] - math.floor(shares[i])), i)):
            if remaining and given[i] < sizes[i]:
                given[i] += 1
                remaining -= 1
    return given


def _weighted_order(group: list[Node], rng: random.Random) -> list[Node]:
    """A draw without replacement in proportion to train accuracy (Efraimidis and Spirakis);
    programs with no train pair right come after the others, in random order."""
    keys = []
    for node in group:
        u = rng.random()
        w = node.train_accuracy
        keys.append(u ** (1.0 / w) if w > 0 else u - 1.0)
    order = sorted(range(len(group)), key=lambda i: -keys[i])
    return [group[i] for i in order]


def _vote_weighted(nodes: Sequence[Node], task: Task, cap: int, rng: random.Random) -> list[Node]:
    groups = rank_groups(Ballot(n.test_outputs, n.train_accuracy) for n in nodes)
    members: dict[tuple, list[Node]] = {}
    for node in nodes:
        members.setdefault(node.test_outputs, []).append(node)
    shares = allocate([g.weight for g in groups], [g.count for g in groups], cap)
    chosen: list[Node] = []
    for group, share in zip(groups, shares, strict=True):
        chosen.extend(_weighted_order(members[group.test_outputs], rng)[:share])
    return chosen


_STRATEGIES: dict[str, Callable[[Sequence[Node], Task, int, random.Random], list[Node]]] = {
    "greedy-diverse": _greedy_diverse,
    "greedy": _greedy,
    "uniform": _uniform,
    "correct-only": _correct_only,
    "vote-weighted": _vote_weighted,
}


def select(
    nodes: Sequence[Node],
    task: Task,
    strategy: str = DEFAULT_STRATEGY,
    per_task: int = 50,
    seed: int = 0,
) -> list[Node]:
    """At most ``per_task`` of ``task``'s programs chosen by ``strategy`` (one of
    :data:`STRATEGIES`); the same arguments always give the same selection.

    Nodes without a program are never chosen. The selection holds each node at most once, in the
    strategy's order (best first for the greedy strategies, heaviest group first for the vote).

    Raises:
        ValueError: an unknown strategy or a negative ``per_task``.
    """
    if strategy not in _STRATEGIES:
        raise ValueError(f"strategy: expected one of {', '.join(STRATEGIES)}, got {strategy!r}")
    if per_task < 0:
        raise ValueError(f"per_task: expected a number of programs >= 0, got {per_task}")
    valid = [node for node in nodes if node.valid]
    if not valid or per_task == 0:
        return []
    return _STRATEGIES[strategy](valid, task, per_task, _rng(seed, task))
