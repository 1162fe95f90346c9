"""The walk through a task's short programs: one-step and two-step programs merged by chance.

:class:`Walk` is the order an :class:`~soar.agents.dsl.enumeration.Enumeration` gives its programs
in, past the ones it gives first. It is an iterator of plain data (a heap, the second steps'
arrays, two counters) rather than a generator, so that an enumeration built in another process
(:mod:`~soar.agents.dsl.builders`) travels with its walk and goes on where it was.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from .program import Steps
from .pruning import redundant

if TYPE_CHECKING:
    from .enumeration import Enumeration


class Walk(Iterator[Steps]):
    """An enumeration's one-step and two-step programs merged by chance (the chance of the length
    included): the two-step programs of each prefix come in the order of
    :attr:`Enumeration.second`, and a heap keeps every prefix's next one. Plain data (a heap and
    arrays), so that an enumeration built in another process travels with its walk."""

    def __init__(self, enumeration: Enumeration) -> None:
        self.of = enumeration
        self.heap: list[tuple[float, int, int]] = []
        self.orders: list[tuple[np.ndarray, np.ndarray]] | None = None
        """Each prefix's second steps and their chances, looked up once (not once a program),
        when the walk starts."""
        self.given = 0  # two-step programs given
        self.k = 0  # one-step programs given

    def start(self) -> None:
        """Look up every prefix's second steps (once; the first program does it)."""
        if self.orders is not None:
            return
        of = self.of
        two = of.length_chances[1]
        self.orders = []
        if two > 0:
            assert of.second is not None  # a walk starts where the grammar is
            for a, i in enumerate(of.prefixes):
                order, after = of.second.after(of.steps[i][0], of.relations.get(i))
                self.orders.append((order, after))
                if len(order):
                    self.heap.append((-two * of.chances[i] * float(after[0]), a, 0))
            heapq.heapify(self.heap)

    def __next__(self) -> Steps:
        if self.orders is None:
            self.start()
        of, heap, orders = self.of, self.heap, self.orders
        assert orders is not None
        steps, chances, first = of.steps, of.chances, of.first
        one, two = of.length_chances
        while self.k < len(first) or (heap and self.given < of.max_pairs):
            k = self.k
            if k < len(first) and (
                not heap or self.given >= of.max_pairs or one * chances[first[k]] >= -heap[0][0]
            ):
                self.k += 1
                return (steps[first[k]],)
            _, a, rank = heapq.heappop(heap)
            i = of.prefixes[a]
            order, after = orders[a]
            if rank + 1 < len(order):
                heapq.heappush(heap, (-two * chances[i] * float(after[rank + 1]), a, rank + 1))
            b = int(order[rank])
            if not redundant(steps[i], steps[b]) and of.feasible(i, b):
                self.given += 1
                return (steps[i], steps[b])
        raise StopIteration
