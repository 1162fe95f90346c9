"""The order of a training example's pairs, shuffled (SOAR paper, appendix D.4: "to enhance
generalization, the order of the grid for each training example was shuffled randomly").

Each example gets its own order, drawn from a generator seeded by the dataset's seed and the
example's identity (its task, its program or programs, its kind — not where it is stored, so a
run and its Parquet export give the same records): the same data and seed always give the same
orders, and two examples of one task get different ones. As SOAR's released code does, the train pairs and
the test inputs are both shuffled; for a refinement example the parent's results (outputs,
errors, right or wrong) move with their pairs, so the feedback still matches.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
from soar.arc_env.executor.result import ProgramResult
from soar.arc_env.task import Task

__all__ = ["example_rng", "reorder_result", "reorder_task", "shuffled_orders"]


def example_rng(seed: int, *identity: str | int) -> np.random.Generator:
    """A generator for one example, from the dataset's seed and the example's identity.

    >>> a = example_rng(0, "3c9b0459", "runs/a", 12, "sample").permutation(5).tolist()
    >>> a == example_rng(0, "3c9b0459", "runs/a", 12, "sample").permutation(5).tolist()
    True
    """
    words = [zlib.crc32(str(part).encode()) for part in identity]
    return np.random.default_rng([seed, *words])


def shuffled_orders(task: Task, rng: np.random.Generator) -> tuple[list[int], list[int]]:
    """A random order of ``task``'s train pairs and one of its test pairs."""
    return rng.permutation(len(task.train)).tolist(), rng.permutation(len(task.test)).tolist()


def reorder_task(task: Task, train: Sequence[int], test: Sequence[int]) -> Task:
    """``task`` with its train pairs in the order ``train`` and its test pairs in ``test``."""
    return Task(
        task.id,
        tuple(task.train[i] for i in train),
        tuple(task.test[i] for i in test),
        task.source,
    )


def reorder_result(
    result: ProgramResult, train: Sequence[int], test: Sequence[int]
) -> ProgramResult:
    """``result`` with its per-input results (and train correctness) in the same new order."""
    return ProgramResult(
        task_id=result.task_id,
        program=result.program,
        train=tuple(result.train[i] for i in train),
        test=tuple(result.test[i] for i in test),
        train_correct=tuple(result.train_correct[i] for i in train),
        seconds=result.seconds,
    )
