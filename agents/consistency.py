"""Whether a candidate's test outputs keep the properties that every train output has.

When several programs fit the train pairs but disagree on the test inputs, the answer whose test
outputs relate to their inputs as every train output relates to its input is the likelier one.
:class:`OutputChecks` reads the train pairs once and finds which of these relations hold in every
pair; :meth:`OutputChecks.violations` counts, for a tuple of test outputs, the (test input,
relation) cases that break one:

- ``same-shape``: each output has its input's shape;
- ``transposed``: each output has its input's shape turned a quarter (h x w becomes w x h);
- ``fixed-shape``: every output has one shape;
- ``scaled``: each output's sides are its input's times the same factors (up or down);
- ``input-colours``: outputs use only their input's colours;
- ``known-colours``: outputs use only their input's colours and the colours some train output
  adds;
- ``fixed-colours``: every output uses the same set of colours;
- ``background``: each output's most common colour is its input's;
- ``changed``: each output differs from its input.

Only the public task is read (train pairs and test inputs).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from fractions import Fraction
from itertools import chain
from typing import Any

Grid = Sequence[Sequence[int]]
Check = Callable[[Grid, Grid], bool]
"""A relation between an input grid and its output grid."""


def _shape(grid: Grid) -> tuple[int, int]:
    return len(grid), len(grid[0]) if len(grid) else 0


def _colours(grid: Grid) -> set[int]:
    return set(chain.from_iterable(grid))


def _most_common(grid: Grid) -> int:
    counts = Counter(chain.from_iterable(grid))
    return max(sorted(counts), key=counts.__getitem__)


class OutputChecks:
    """The relations between input and output that every train pair of a task keeps.

    Args:
        task: anything with ``train`` pairs (``input``, ``output``).

    >>> from soar.arc_env import Pair, Task
    >>> task = Task("t", (Pair(((1, 0),), ((2, 0),)), Pair(((1, 1, 0),), ((2, 2, 0),))), ())
    >>> checks = OutputChecks(task)
    >>> sorted(checks.relations)
    ['changed', 'fixed-colours', 'known-colours', 'same-shape', 'scaled']
    >>> checks.violations([((1, 0, 0),)], [((2, 0, 0),)]), checks.violations([((1, 0, 0),)], [((3,),)])
    (0, 4)
    """

    def __init__(self, task: Any) -> None:
        pairs = [(p.input, p.output) for p in task.train if p.output is not None]
        added: set[int] = set()
        for i, o in pairs:
            added |= _colours(o) - _colours(i)
        shapes = {_shape(o) for _, o in pairs}
        palettes = {frozenset(_colours(o)) for _, o in pairs}
        factors = {self._factor(i, o) for i, o in pairs}
        candidates: dict[str, Check] = {
            "same-shape": lambda i, o: _shape(i) == _shape(o),
            "transposed": lambda i, o: _shape(i)[::-1] == _shape(o) and _shape(i) != _shape(o),
            "input-colours": lambda i, o: _colours(o) <= _colours(i),
            "known-colours": lambda i, o: _colours(o) <= _colours(i) | added,
            "background": lambda i, o: _most_common(i) == _most_common(o),
            "changed": lambda i, o: i != o,
        }
        if len(shapes) == 1:
            shape = next(iter(shapes))
            candidates["fixed-shape"] = lambda i, o: _shape(o) == shape
        if len(palettes) == 1:
            palette = next(iter(palettes))
            candidates["fixed-colours"] = lambda i, o: _colours(o) == palette
        if len(factors) == 1 and None not in factors:
            factor = next(iter(factors))
            candidates["scaled"] = lambda i, o: self._factor(i, o) == factor
        self.relations: dict[str, Check] = (
            {
                name: check
                for name, check in candidates.items()
                if all(check(i, o) for i, o in pairs)
            }
            if pairs
            else {}
        )

    @staticmethod
    def _factor(i: Grid, o: Grid) -> tuple[Fraction, Fraction] | None:
        (hi, wi), (ho, wo) = _shape(i), _shape(o)
        return (Fraction(ho, hi), Fraction(wo, wi)) if hi and wi else None

    def violations(self, inputs: Sequence[Grid], outputs: Sequence[Grid]) -> int:
        """How many (input, relation) cases the outputs break (0: consistent with the train
        pairs)."""
        return sum(
            not check(i, o)
            for i, o in zip(inputs, outputs, strict=True)
            for check in self.relations.values()
        )
