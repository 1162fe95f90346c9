"""Running DSL steps on a task's grids in this process, as the enumeration's screening does.

A step's outputs are kept only where the executor would accept them (a 2-D grid of colours 0..9
with sides 1..30); a primitive that refuses an input gives None there. Outputs on every input make
a behaviour, a hashable key: programs with the same behaviour say the same thing about the task.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

MAX_SIDE = 30
"""The largest side of a grid the executor accepts."""


def run_step(fn: Callable, args: tuple, inputs: Sequence[np.ndarray]) -> list[np.ndarray | None]:
    """The outputs of ``fn(grid, *args)`` on every input (as int64 grids), or None where there is
    no grid the executor would accept (an error, a side outside 1..30, a colour outside 0..9)."""
    outs: list[np.ndarray | None] = []
    for grid in inputs:
        try:
            out = fn(grid, *args)
        except Exception:  # a primitive refusing an input: the program fails there
            outs.append(None)
            continue
        if (
            not isinstance(out, np.ndarray)
            or out.ndim != 2
            or not (1 <= out.shape[0] <= MAX_SIDE and 1 <= out.shape[1] <= MAX_SIDE)
            or out.dtype.kind not in "iu"
            or out.min() < 0
            or out.max() > 9
        ):
            outs.append(None)
        else:
            outs.append(out.astype(np.int64, copy=False))
    return outs


def behaviour(fn: Callable, args: tuple, inputs: Sequence[np.ndarray]) -> tuple:
    """The outputs of ``fn(grid, *args)`` on every input as one hashable key: per input its
    shape and cells, or None where :func:`run_step` gives none."""
    return output_key(run_step(fn, args, inputs))


def output_key(outputs: Sequence[np.ndarray | None]) -> tuple:
    """Outputs as one hashable key (shape and cells per grid, None kept).

    >>> output_key([np.zeros((1, 2), dtype=np.int64), None]) == output_key(
    ...     [np.zeros((1, 2), dtype=np.int64), None]
    ... )
    True
    """
    return tuple(None if out is None else (out.shape, out.tobytes()) for out in outputs)


def right(fn: Callable, args: tuple, grid: np.ndarray, target: np.ndarray) -> bool:
    """Whether ``fn(grid, *args)`` is ``target``."""
    try:
        out = fn(grid, *args)
    except Exception:  # a primitive refusing an input: wrong there
        return False
    return isinstance(out, np.ndarray) and out.shape == target.shape and (out == target).all()


def closeness(outputs: Sequence[np.ndarray], targets: Sequence[np.ndarray]) -> float:
    """The share of cells right, averaged over the train pairs (0 for an output whose shape is
    not its target's).

    >>> closeness([np.array([[1, 2]]), np.array([[1]])], [np.array([[1, 1]]), np.array([[1, 1]])])
    0.25
    """
    return sum(
        float((o == t).mean()) if o.shape == t.shape else 0.0
        for o, t in zip(outputs, targets, strict=False)
    ) / len(targets)
