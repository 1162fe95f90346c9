"""Learning grammar weights from programs that solved tasks (hindsight-relabeled data).

Each example is a task (its :class:`~soar.agents.dsl.arguments.TaskInfo`, or only its context)
and a DSL program that solves the task; :func:`training_example` makes one from a task and a
program's source. :func:`fit` moves a grammar toward what the examples teach:

- which primitives tasks of each kind use (weights per context prefix, and globally);
- which primitive follows which (transitions: a factor on the next step's weights);
- which arguments each primitive's parameters take (per parameter, a factor per value of a
  finite kind: directions, selectors, factors...);
- how often colour arguments are the task's own telling colours (the colours outputs add or
  changed cells take, ...) and factors its own size ratio (the preferences);
- how long programs are.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from .arguments import PREFERENCES, ArgDrawer, TaskInfo, slot, task_info
from .features import Context
from .grammar import Grammar, normalised
from .program import Steps, parse_source

PREFERENCE_PRIOR = 20.0
"""Pseudo-observations of the grammar's own preference when fitting a new one."""


def training_example(task: Any, program: str) -> tuple[TaskInfo, Steps] | None:
    """A (task info, steps) pair for :func:`fit` from a task and a program that solves it; None
    when the program is not a DSL program."""
    steps = parse_source(program)
    return None if steps is None else (task_info(task), steps)


def fit(
    grammar: Grammar,
    examples: Iterable[tuple[Context | TaskInfo, Steps]],
    smoothing: float = 1.0,
    *,
    relative: bool = True,
) -> Grammar:
    """A grammar moved toward ``examples`` (see the module docstring).

    Hindsight-relabeled programs are the search's own proposals, each the solution of the task
    made from its outputs: how often a primitive appears in them echoes how often the search
    proposed it (short programs, the enumeration's order) as much as how useful it is. With
    ``relative`` (the default), only what the examples say *given a task's features* is learned:
    a context's weight for a primitive is ``grammar``'s global weight times the ratio of the
    primitive's frequency in that context to its frequency over all examples (both smoothed as
    below), and the global weights and program lengths stay ``grammar``'s; transitions are
    ratios too (a pair's frequency over the second primitive's). Without it, the frequencies
    themselves are fitted.

    Primitive weights: each primitive's uses are counted globally and under every prefix of each
    example's context (the frequencies), then smoothed additively towards the level above: a prefix's weight is
    ``(count + smoothing * K * parent) / (total + smoothing * K)``, with ``K`` primitives and
    ``parent`` the shorter prefix's weights (the global ones, whose parent is ``grammar``'s
    default). Program lengths are fitted the same way, towards ``grammar``'s, with the same
    ``smoothing * K`` pseudo-counts; so are transitions, towards the global weights, and argument
    values, with ``smoothing`` pseudo-counts per value. Context weights of ``grammar`` for
    contexts absent from the examples are kept. Fit the built-in grammar on all the data rather
    than chaining fits on growing data (which would count the early examples again).

    Args:
        grammar: the grammar to start from (its primitives, defaults and shape bias).
        examples: pairs of a task (its info, or only its context: then the preferences are not
            learned from it) and a program that solved the task; steps naming primitives the
            grammar lacks are skipped.
        smoothing: the pseudo-count per primitive (> 0; smaller trusts the data more).
    """
    if not smoothing > 0:
        raise ValueError(f"smoothing: expected > 0, got {smoothing}")
    names = grammar.names
    total: Counter[str] = Counter()
    by_prefix: dict[Context, Counter[str]] = defaultdict(Counter)
    lengths: Counter[int] = Counter()
    pairs: dict[str, Counter[str]] = defaultdict(Counter)
    values: dict[str, Counter] = defaultdict(Counter)
    preferred: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])  # n, hits, share
    for task, steps in examples:
        ctx = task.context if isinstance(task, TaskInfo) else task
        known = [
            (name, args)
            for name, args in steps
            if name in grammar.params and len(args) == len(grammar.params[name])
        ]
        used = [name for name, _ in known]
        if not used:
            continue
        total.update(used)
        for k in range(1, len(ctx) + 1):
            by_prefix[tuple(ctx[:k])].update(used)
        if len(steps) <= grammar.max_length:
            lengths[len(steps)] += 1
        for (a, _), (b, _) in zip(steps, steps[1:], strict=False):
            if a in grammar.params and b in grammar.params:
                pairs[a][b] += 1
        drawer = ArgDrawer(grammar.kinds, task) if isinstance(task, TaskInfo) else None
        for name, args in known:
            for j, (kind, value) in enumerate(zip(grammar.params[name], args, strict=True)):
                if grammar.kinds[kind] is not None:
                    values[slot(name, j)][value] += 1
                liked = drawer.preferred.get(kind) if drawer is not None else None
                if liked is not None:
                    counts = preferred[kind]
                    counts[0] += 1
                    counts[1] += value in liked[0]
                    counts[2] += len(liked[0]) / len(drawer.domain(kind))
    pseudo = smoothing * len(names)

    def smooth(counts: Counter[str], parent: Mapping[str, float]) -> dict[str, float]:
        n = sum(counts.values())
        return {name: (counts[name] + pseudo * parent[name]) / (n + pseudo) for name in names}

    default = smooth(total, normalised(grammar.default, names))
    conditional: dict[Context, dict[str, float]] = {}
    for prefix in sorted(by_prefix, key=len):
        parent = conditional[prefix[:-1]] if len(prefix) > 1 else default
        conditional[prefix] = smooth(by_prefix[prefix], parent)
    weights: dict[Context, dict[str, float]] = dict(grammar.weights)
    if relative:  # the context's own tilt only: how much likelier the primitive is there
        base = normalised(grammar.default, names)
        for prefix, cond in conditional.items():
            weights[prefix] = {name: base[name] * cond[name] / default[name] for name in names}
        return grammar.replace(
            weights,
            grammar.default,
            grammar.lengths,
            transitions=_transitions(pairs, default, pseudo),
            arguments=_arguments(grammar, values, smoothing),
            preferences=_preferences(grammar, preferred),
        )
    weights.update(conditional)
    n_len = sum(lengths.values())
    fitted_lengths = [  # with as many pseudo-counts as the primitives, to keep longer programs
        (lengths[k + 1] + pseudo * p) / (n_len + pseudo) for k, p in enumerate(grammar.lengths)
    ]
    return grammar.replace(
        weights,
        default,
        fitted_lengths,
        transitions=_transitions(pairs, default, pseudo),
        arguments=_arguments(grammar, values, smoothing),
        preferences=_preferences(grammar, preferred),
    )


def _transitions(
    pairs: Mapping[str, Counter[str]], default: Mapping[str, float], pseudo: float
) -> dict[str, dict[str, float]]:
    """Per first primitive, the factor on each next primitive's weight: the smoothed chance of
    the pair over the next primitive's global weight (``"*"``: the factor of those never seen
    after it)."""
    out = {}
    for a, after in pairs.items():
        n = sum(after.values())
        tilt = {b: (c + pseudo * default[b]) / (n + pseudo) / default[b] for b, c in after.items()}
        tilt["*"] = pseudo / (n + pseudo)
        out[a] = tilt
    return out


def _arguments(
    grammar: Grammar, values: Mapping[str, Counter], smoothing: float
) -> dict[str, dict[Any, float]]:
    """Per parameter of a finite kind, each value's smoothed share over the uniform one."""
    out = {}
    for where, counts in values.items():
        name, j = where.rsplit("/", 1)
        domain = grammar.kinds[grammar.params[name][int(j)]] or ()
        n = sum(counts.values())
        out[where] = {
            v: (counts[v] + smoothing) / (n + smoothing * len(domain)) * len(domain) for v in domain
        }
    return out


def _preferences(grammar: Grammar, preferred: Mapping[str, list[float]]) -> dict[str, float]:
    """Per kind, the chance of the task's preferred values that best explains how often the
    arguments were among them (``hits / n = p + (1 - p) * share``), pulled toward ``grammar``'s
    own by :data:`PREFERENCE_PRIOR` pseudo-observations."""
    out = {**PREFERENCES, **grammar.preferences}
    for kind, (n, hits, share) in preferred.items():
        if n == 0:
            continue
        base = share / n
        seen = (hits / n - base) / (1 - base) if base < 1 else out[kind]
        seen = min(0.95, max(0.05, seen))
        out[kind] = (n * seen + PREFERENCE_PRIOR * out[kind]) / (n + PREFERENCE_PRIOR)
    return out
