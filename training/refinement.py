"""Refinement data: (parent, child) pairs where refining a wrong program gave one that solves.

From a run's log of one task, a pair is a ``refine`` node (the child) that solves the task and
its parent (``parent_id``) that does not (:func:`soar.training.selection.solves`: every train pair right
and, where the test outputs are known, every test pair). The pair's bucket is the parent's train
accuracy:

- ``zero``: no train pair right;
- ``up-to-third``: some, at most a third of them;
- ``below-one``: more than a third, not all;
- ``train-perfect``: every train pair right but a test output wrong (only where ground truth is
  known: otherwise such a parent solves the task as far as anyone can tell).

:func:`balance` keeps at most a cap of pairs per task, taken in turn from each bucket (a random
pair of the bucket each time), so that no kind of repair crowds out the others. The training
record (see ``soar.training.dataset``) asks to refine the parent, with the refinement prompt the
search uses, and answers with the child's program.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from soar.agents.search.node import REFINE, Node
from soar.arc_env.task import Task

from .selection import solves

__all__ = ["BUCKETS", "RefinementPair", "balance", "bucket", "refinement_pairs"]

BUCKETS = ("zero", "up-to-third", "below-one", "train-perfect")


@dataclass(frozen=True)
class RefinementPair:
    """A wrong program (``parent``), its refinement that solves the task (``child``), the bucket."""

    parent: Node
    child: Node
    bucket: str


def bucket(parent: Node, task: Task) -> str | None:
    """The bucket of a parent program by its train accuracy; None when it solves the task.

    >>> from soar.agents.search.node import Node
    >>> from soar.arc_env.task import Pair, Task
    >>> task = Task("t", (Pair(((0,),), ((1,),)),) * 3, (Pair(((0,),)),))
    >>> def parent(right):
    ...     return Node("t", 0, None, "sample", "p", "x", train_correct=right)
    >>> [bucket(parent(r), task) for r in [(0, 0, 0), (1, 0, 0), (1, 1, 0), (1, 1, 1)]]
    ['zero', 'up-to-third', 'below-one', None]
    """
    if solves(parent, task):
        return None
    right, total = sum(parent.train_correct), len(parent.train_correct)
    if right == 0:
        return "zero"
    if 3 * right <= total:
        return "up-to-third"
    if right < total:
        return "below-one"
    return "train-perfect"


def refinement_pairs(task: Task, nodes: Sequence[Node]) -> list[RefinementPair]:
    """Every (parent, child) pair of one run's log of ``task`` where the child solves the task and
    its parent does not, in the children's order.

    ``nodes`` must come from one run: parents are found by ``node_id``. Children without a parent
    in ``nodes`` are skipped.
    """
    by_id = {node.node_id: node for node in nodes}
    pairs = []
    for child in nodes:
        if child.kind != REFINE or child.parent_id is None or not child.valid:
            continue
        parent = by_id.get(child.parent_id)
        if parent is None or not parent.valid or not solves(child, task):
            continue
        kind = bucket(parent, task)
        if kind is not None:
            pairs.append(RefinementPair(parent, child, kind))
    return pairs


def balance(
    pairs: Sequence[RefinementPair], task: Task, per_task: int = 50, seed: int = 0
) -> list[RefinementPair]:
    """At most ``per_task`` pairs, taken in turn from each bucket in the order of :data:`BUCKETS`
    (a random pair of the bucket each time) until the cap is reached or the pairs run out.

    Pairs with the same parent and child programs count once. The draw depends only on ``seed``
    and the task id.
    """
    rng = random.Random(f"{seed}:{task.id}:refine")
    seen: set[tuple[str, str]] = set()
    buckets: dict[str, list[RefinementPair]] = {name: [] for name in BUCKETS}
    for pair in pairs:
        key = ((pair.parent.program or "").strip(), (pair.child.program or "").strip())
        if key not in seen:
            seen.add(key)
            buckets[pair.bucket].append(pair)
    for members in buckets.values():
        rng.shuffle(members)
    chosen: list[RefinementPair] = []
    while len(chosen) < per_task and any(buckets.values()):
        for name in BUCKETS:
            if buckets[name] and len(chosen) < per_task:
                chosen.append(buckets[name].pop())
    return chosen
