"""Learning grammar weights from programs that solved tasks (hindsight-relabeled data).

Each example is a task's context and a DSL program that solves the task;
:func:`training_example` makes one from a task and a program's source. :func:`fit` moves the
weights of a grammar toward the primitives the examples use, per context prefix and globally.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from .features import Context, task_context
from .grammar import Grammar, normalised
from .program import Steps, parse_source


def training_example(task: Any, program: str) -> tuple[Context, Steps] | None:
    """A (context, steps) pair for :func:`fit` from a task and a program
    that solves it; None when the program is not a DSL program."""
    steps = parse_source(program)
    return None if steps is None else (task_context(task), steps)


def fit(
    grammar: Grammar, examples: Iterable[tuple[Context, Steps]], smoothing: float = 1.0
) -> Grammar:
    """A grammar whose weights move toward the primitives of ``examples``.

    Counts each primitive's uses globally and under every prefix of each example's context, then
    smooths additively towards the level above: a prefix's weight is
    ``(count + smoothing * K * parent) / (total + smoothing * K)``, with ``K`` primitives and
    ``parent`` the shorter prefix's weights (the global ones, whose parent is ``grammar``'s
    default). Program lengths are fitted the same way, towards ``grammar``'s, with the same
    ``smoothing * K`` pseudo-counts. Context weights of ``grammar`` for contexts absent from the
    examples are kept. Fit the built-in grammar on all the data rather than chaining fits on
    growing data (which would count the early examples again).

    Args:
        grammar: the grammar to start from (its primitives, defaults and shape bias).
        examples: pairs of a task context and a program that solved the task; steps naming
            primitives the grammar lacks are skipped.
        smoothing: the pseudo-count per primitive (> 0; smaller trusts the data more).
    """
    if not smoothing > 0:
        raise ValueError(f"smoothing: expected > 0, got {smoothing}")
    names = grammar.names
    total: Counter[str] = Counter()
    by_prefix: dict[Context, Counter[str]] = defaultdict(Counter)
    lengths: Counter[int] = Counter()
    for ctx, steps in examples:
        used = [name for name, _ in steps if name in grammar.params]
        if not used:
            continue
        total.update(used)
        for k in range(1, len(ctx) + 1):
            by_prefix[tuple(ctx[:k])].update(used)
        if len(steps) <= grammar.max_length:
            lengths[len(steps)] += 1
    pseudo = smoothing * len(names)

    def smooth(counts: Counter[str], parent: Mapping[str, float]) -> dict[str, float]:
        n = sum(counts.values())
        return {name: (counts[name] + pseudo * parent[name]) / (n + pseudo) for name in names}

    default = smooth(total, normalised(grammar.default, names))
    weights: dict[Context, dict[str, float]] = dict(grammar.weights)
    for prefix in sorted(by_prefix, key=len):
        parent = weights[prefix[:-1]] if len(prefix) > 1 else default
        weights[prefix] = smooth(by_prefix[prefix], normalised(parent, names))
    n_len = sum(lengths.values())
    fitted_lengths = [  # with as many pseudo-counts as the primitives, to keep longer programs
        (lengths[k + 1] + pseudo * p) / (n_len + pseudo) for k, p in enumerate(grammar.lengths)
    ]
    return grammar.replace(weights, default, fitted_lengths)
