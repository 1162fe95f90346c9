"""Scores of a run: the official ARC Prize score, the oracle, per task, and against programs spent.

The official rule (ARC Prize, Kaggle): a test output counts when either of the two attempts
equals it; a task scores the fraction of its test outputs counted; the dataset score is the mean
over every requested task whose test outputs are known. A task with no node log or no attempts
scores 0 and stays in the denominator. Tasks whose test outputs are not known (a challenges file
without solutions) score ``None`` and are listed as unscored; they are outside the denominator.

The *oracle* counts a test output when any program of the vote pool produced it, voted or not:
what a perfect vote would reach.

The vote pool is every program of the task, less those the vote filters drop
(:mod:`soar.agents.vote_filters`, SOAR's released pre-vote filters; by default on for language
models and off for ``dsl:`` runs); the programs each filter dropped are counted in ``scores.json``
(``vote_filters``, and per task ``vote_dropped``). Every other count (programs, valid,
train-perfect) is of every program tried. The *curve* scores the vote (and the oracle) using only each task's
first ``b`` nodes, for budgets ``b`` on the grid 1, 2, 5, 10, 20, 50, ... up to the largest
number of programs spent on one task (see :func:`budget_grid`).
"""

from __future__ import annotations

import dataclasses
import functools
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, cast

from soar.agents import vote_filters as vf
from soar.agents.search.node import Node
from soar.agents.voting import (
    Ballot,
    check_weighting,
    default_weighting,
    rank_groups,
    uses_description_length,
    votes_per_input,
)
from soar.arc_env.grid import Grid
from soar.arc_env.task import Task

from .log_map import map_logs
from .rundir import RunDir
from .submission import Attempts

if TYPE_CHECKING:
    from soar.agents.consistency import OutputChecks

__all__ = [
    "CurvePoint",
    "NodeStats",
    "RunScores",
    "TaskScore",
    "budget_grid",
    "gather_scores",
    "score_run",
    "score_task",
]


def score_task(attempts: Sequence[Sequence[Grid]], solutions: Sequence[Grid]) -> float:
    """The fraction of test outputs equal to one of the first two attempts for that input.

    Args:
        attempts: per test input, the attempts, best first (an empty list: none).
        solutions: the test outputs, one per test input.

    Raises:
        ValueError: not one list of attempts per test output, or no test outputs.

    >>> a, b, c = ((1,),), ((2,),), ((3,),)
    >>> score_task([[a, b]], [b])
    1.0
    >>> score_task([[a, b], [a, b]], [a, c])
    0.5
    >>> score_task([[c, a, b], [], [b, b]], [b, b, b])  # a third attempt never counts
    0.3333333333333333
    """
    if len(attempts) != len(solutions) or not solutions:
        raise ValueError(
            f"expected one list of attempts per test output ({len(solutions)}), got {len(attempts)}"
        )
    right = sum(
        any(_as_grid(a) == _as_grid(want) for a in tried[:2])
        for tried, want in zip(attempts, solutions, strict=True)
    )
    return right / len(solutions)


def _as_grid(grid: Sequence[Sequence[int]]) -> Grid:
    return grid if isinstance(grid, tuple) else tuple(tuple(row) for row in grid)  # type: ignore[return-value]


def budget_grid(max_programs: int) -> list[int]:
    """Budgets 1, 2, 5, 10, 20, 50, ... below ``max_programs``, then ``max_programs``.

    >>> budget_grid(120), budget_grid(100), budget_grid(1), budget_grid(0)
    ([1, 2, 5, 10, 20, 50, 100, 120], [1, 2, 5, 10, 20, 50, 100], [1], [])
    """
    grid: list[int] = []
    scale = 1
    while scale < max_programs:
        grid.extend(b for b in (scale, 2 * scale, 5 * scale) if b < max_programs)
        scale *= 10
    return [*grid, max_programs] if max_programs > 0 else []


@dataclass(frozen=True)
class TaskScore:
    """One task's row: what was spent, what the vote gave, and how it scored."""

    task_id: str
    n_tests: int
    programs: int
    """Nodes logged, invalid completions included (they count against budgets)."""
    valid: int
    """Nodes with a program."""
    best_train_accuracy: float
    train_perfect: int
    """Programs right on every train pair."""
    groups: int
    """Distinct answers among the voting programs: tuples of test outputs, or (weightings that
    vote per test input) the distinct outputs of each test input, summed."""
    attempted: bool
    """Whether any program voted (else the task has no attempts and scores 0)."""
    score: float | None
    """The official score; ``None`` when the test outputs are not known."""
    oracle: float | None
    winners: tuple[int, ...]
    """Node ids of the earliest programs of the groups behind attempt 1 and attempt 2."""
    vote_dropped: int = 0
    """Programs the vote filters kept out of the vote pool."""
    distinct_programs: int = 0
    """Distinct program texts among the valid nodes."""
    distinct_behaviours: int = 0
    """Distinct tuples of outputs (on the train and test inputs) among the valid nodes."""
    perfect_won: bool | None = None
    """Whether a program was right on every train pair and the task was solved (every test
    output right); None when the test outputs are not known."""

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "winners": list(self.winners)}


@dataclass(frozen=True)
class CurvePoint:
    """The dataset score and oracle when each task may use only its first ``budget`` nodes."""

    budget: int
    score: float
    oracle: float


@dataclass
class NodeStats:
    """What a report draws from the nodes, gathered while scoring so that logs are read once."""

    train_accuracies: Counter[float] = field(default_factory=Counter)
    """Valid nodes by train accuracy."""
    created: array = field(default_factory=lambda: array("d"))
    """Every node's creation time (0: not recorded)."""
    programs: dict[str, tuple[str | None, ...]] = field(default_factory=dict)
    """Per task, the programs of the nodes in :attr:`TaskScore.winners`."""


@dataclass
class RunScores:
    """Everything :func:`score_run` found; :meth:`to_json` is what ``scores.json`` holds."""

    weighting: str
    tasks: list[TaskScore]
    curve: list[CurvePoint]
    attempts: dict[str, Attempts] = field(repr=False)
    """Per requested task, the attempts of the vote (written to ``attempts.json``, not here)."""
    not_requested: list[str] = field(default_factory=list)
    """Tasks with a node log in the run but outside the requested set (ignored)."""
    stats: NodeStats = field(default_factory=NodeStats, repr=False)
    vote_filters: dict[str, Any] = field(default_factory=lambda: vf.describe(None, {}))
    """The vote filters on, and the programs each dropped (see :func:`vote_filters.describe`)."""

    @property
    def scored(self) -> list[TaskScore]:
        return [t for t in self.tasks if t.score is not None]

    @property
    def score(self) -> float | None:
        """The official score: the mean over scored tasks, ``None`` when none can be scored."""
        scored = self.scored
        return sum(t.score for t in scored) / len(scored) if scored else None  # type: ignore[misc]

    @property
    def oracle(self) -> float | None:
        scored = self.scored
        return sum(t.oracle for t in scored) / len(scored) if scored else None  # type: ignore[misc]

    @property
    def solved(self) -> int:
        """Scored tasks with every test output right."""
        return sum(t.score == 1.0 for t in self.scored)

    @property
    def train_perfect(self) -> int:
        """Scored tasks where some program was right on every train pair."""
        return sum(t.train_perfect > 0 for t in self.scored)

    @property
    def train_perfect_won(self) -> int:
        """Of those, the tasks solved (every test output right)."""
        return sum(bool(t.perfect_won) for t in self.scored)

    @property
    def programs(self) -> int:
        return sum(t.programs for t in self.tasks)

    @property
    def valid_programs(self) -> int:
        return sum(t.valid for t in self.tasks)

    def to_json(self) -> dict[str, Any]:
        return {
            "weighting": self.weighting,
            "score": self.score,
            "oracle": self.oracle,
            "tasks_requested": len(self.tasks),
            "tasks_scored": len(self.scored),
            "tasks_solved": self.solved,
            "tasks_train_perfect": self.train_perfect,
            "tasks_train_perfect_won": self.train_perfect_won,
            "programs": self.programs,
            "valid_programs": self.valid_programs,
            "distinct_programs": sum(t.distinct_programs for t in self.tasks),
            "distinct_behaviours": sum(t.distinct_behaviours for t in self.tasks),
            "unscored": [t.task_id for t in self.tasks if t.score is None],
            "no_attempts": [t.task_id for t in self.tasks if not t.attempted],
            "not_requested": self.not_requested,
            "vote_filters": self.vote_filters,
            "curve": [
                {"budget": p.budget, "score": p.score, "oracle": p.oracle} for p in self.curve
            ],
            "tasks": [t.to_json() for t in self.tasks],
        }


@dataclass(frozen=True)
class TaskResult:
    """What scoring keeps of one task's nodes (see :func:`vote_and_score`)."""

    row: TaskScore
    attempts: Attempts
    values: dict[int, tuple[float, float]]
    """(score, oracle) at each budget the curve needs."""
    train_accuracies: Counter[float]
    created: array
    programs: tuple[str | None, ...]
    """The programs of the winners."""
    dropped: dict[str, int] = field(default_factory=dict)
    """Programs kept out of the vote pool, per vote filter switched on."""
    positions: tuple[int, ...] = ()
    """The indices in ``nodes`` of the winners (node ids repeat when runs are pooled)."""


def vote_and_score(
    task: Task,
    nodes: Sequence[Node],
    weighting: str = "soar",
    budgets: Sequence[int] | None = None,
    vote_filters: vf.VoteFilterConfig | None = None,
    *,
    pool: tuple[Sequence[bool], dict[str, int]] | None = None,
) -> TaskResult:
    """Vote and score one task from its nodes (in node-id order); :func:`score_run` gathers these.

    Searches call it as each task finishes, while its nodes are still in memory, so that the
    final scoring does not read the logs back (pass the results to :func:`score_run`).
    ``vote_filters`` (None: none) choose the vote pool; ``pool`` gives it instead, as
    :func:`soar.agents.vote_filters.vote_pool` returns it (per node whether it may vote, and the
    counts dropped).
    """
    n = len(nodes)
    points = budget_grid(n) if budgets is None else sorted({min(b, n) for b in budgets})
    keep, dropped = pool if pool is not None else vf.vote_pool(task, nodes, vote_filters)
    row, attempts, values, positions = _score_one(task, nodes, weighting, points, keep)
    row = dataclasses.replace(row, vote_dropped=sum(dropped.values()))
    return TaskResult(
        row=row,
        attempts=attempts,
        values=values,
        train_accuracies=Counter(node.train_accuracy for node in nodes if node.valid),
        created=array("d", (node.created for node in nodes)),
        programs=tuple(nodes[i].program for i in positions),
        dropped=dropped,
        positions=positions,
    )


def score_run(
    run: RunDir,
    tasks: Sequence[Task],
    *,
    weighting: str | None = None,
    budgets: Sequence[int] | None = None,
    scored: Mapping[str, TaskResult] | None = None,
    vote_filters: vf.VoteFilterConfig | bool | None = None,
) -> RunScores:
    """Vote and score every task of ``tasks`` from the run's node logs.

    Node logs are read once, one task at a time (in several processes for runs of many programs,
    see :func:`~soar.agents.runs.log_map.map_logs`), so memory stays that of the largest task
    per process; what a report needs from them is kept in :attr:`RunScores.stats`.

    Args:
        run: the run directory.
        tasks: the requested tasks, with their test outputs where known.
        weighting: a name of :data:`soar.agents.voting.WEIGHTINGS`; None: the run's own
            ``weighting`` setting, else the default for its policy (see :func:`run_weighting`).
        budgets: the budgets of the curve (default: :func:`budget_grid` of the largest number of
            programs spent on one scored task).
        scored: results of :func:`vote_and_score` (with the same ``weighting``, ``budgets`` and
            vote filters) for tasks already scored; their logs are not read.
        vote_filters: the vote filters (True: SOAR's release set, False: none); None: the run's
            own ``vote_filters`` setting, else the default for its policy
            (:func:`soar.agents.vote_filters.default_on`).

    Raises:
        RunDirError: a node log is corrupt before its last line.
        ValueError: an unknown weighting.
    """
    weighting = run_weighting(run, weighting)  # an unknown one fails before any log is read
    filters = run_vote_filters(run, vote_filters)

    todo = [task for task in tasks if task.id not in (scored or {})]
    vote = functools.partial(
        vote_and_score, weighting=weighting, budgets=budgets, vote_filters=filters
    )
    # Each task's log read and voted on, in task order, in several processes for large runs.
    # Train outputs are always read: the vote filters, the simplest weighting's behaviours and
    # the distinct-behaviour count all need them.
    voted = map_logs(run, todo, vote)

    def results() -> Iterator[tuple[Task, TaskResult]]:
        for task in tasks:
            done = (scored or {}).get(task.id)
            yield task, next(voted) if done is None else done

    requested = {t.id for t in tasks}
    return gather_scores(
        results(),
        weighting=weighting,
        budgets=budgets,
        filters=filters,
        not_requested=[t for t in run.task_ids() if t not in requested],
    )


def gather_scores(
    results: Iterable[tuple[Task, TaskResult]],
    *,
    weighting: str,
    budgets: Sequence[int] | None,
    filters: vf.VoteFilterConfig | None,
    not_requested: Sequence[str] = (),
) -> RunScores:
    """The scores of a set of tasks from each one's :func:`vote_and_score` result, in task order
    (consumed one at a time); ``budgets`` and ``filters`` are those the results were made with."""
    dropped = dict.fromkeys(filters.names if filters else (), 0)
    rows: list[TaskScore] = []
    stats = NodeStats()
    attempts: dict[str, Attempts] = {}
    curves: list[tuple[int, dict[int, tuple[float, float]]]] = []  # (programs, values by budget)
    for task, done in results:
        row = done.row
        for name, count in done.dropped.items():
            dropped[name] = dropped.get(name, 0) + count
        attempts[task.id] = done.attempts
        stats.train_accuracies.update(done.train_accuracies)
        stats.created.extend(done.created)
        stats.programs[task.id] = done.programs
        rows.append(row)
        if row.score is not None:
            curves.append((row.programs, done.values))

    if budgets is None:
        budgets = budget_grid(max((n for n, _ in curves), default=0))
    curve = []
    for b in budgets if curves else ():
        values = [by_budget[min(b, n)] for n, by_budget in curves]
        score = sum(s for s, _ in values) / len(values)
        curve.append(CurvePoint(b, score, sum(o for _, o in values) / len(values)))
    return RunScores(
        weighting=weighting,
        tasks=rows,
        curve=curve,
        attempts=attempts,
        stats=stats,
        not_requested=list(not_requested),
        vote_filters=vf.describe(filters, dropped),
    )


def run_weighting(run: RunDir, setting: str | None = None) -> str:
    """The weighting for ``run``: ``setting``, else the run's ``weighting`` setting, else the
    default for its policy (:func:`soar.agents.voting.default_weighting`: ``simplest`` for the
    DSL policy, the paper's ``soar`` for anything else).

    Raises:
        ValueError: an unknown weighting.
    """
    if setting is None:
        config = run.config if (run.path / "config.json").is_file() else {}
        setting = config.get("weighting") or default_weighting(str(config.get("policy") or ""))
    check_weighting(setting)
    return setting


def run_vote_filters(
    run: RunDir, setting: vf.VoteFilterConfig | bool | None = None
) -> vf.VoteFilterConfig | None:
    """The vote filters for ``run``: ``setting``, else the run's ``vote_filters`` setting, else
    the default for its policy (see :func:`soar.agents.vote_filters.resolve`)."""
    if setting is not None:
        return vf.resolve(setting, None)
    config = run.config if (run.path / "config.json").is_file() else {}
    return vf.resolve(config.get("vote_filters"), config.get("policy"))


def _score_one(
    task: Task, nodes: Sequence[Node], weighting: str, points: Sequence[int], keep: Sequence[bool]
) -> tuple[TaskScore, Attempts, dict[int, tuple[float, float]], tuple[int, ...]]:
    """The task's row, its attempts, its (score, oracle) at each budget of ``points``, and the
    positions of the winners; only the nodes marked in ``keep`` vote and count in the oracle.

    The vote is held once over whole tuples of test outputs, or once per test input for the
    weightings that vote per input (:func:`soar.agents.voting.votes_per_input`): each *slot* is
    the test inputs one vote answers.
    """
    n_tests = len(task.test)
    slots = (
        [(j,) for j in range(n_tests)] if votes_per_input(weighting) else [tuple(range(n_tests))]
    )
    prior = None
    checks = None
    if uses_description_length(weighting):
        from soar.agents.consistency import OutputChecks
        from soar.agents.dsl.prior import program_prior

        prior = program_prior(task.public())
        checks = OutputChecks(task)
    votes = []
    for slot in slots:
        keyed, outputs = _keyed_ballots(nodes, slot, keep, prior)
        violations = None
        if checks is not None:
            inputs = [task.test[j].input for j in slot]
            violations = _counter(checks, inputs, outputs)
        votes.append((slot, keyed, outputs, violations, rank_groups(keyed, weighting, violations)))
    tried: Attempts = [[] for _ in range(n_tests)]
    for slot, _, outputs, _, groups in votes:
        chosen = [cast(int, g.test_outputs[0]) for g in groups[:2]]
        chosen += chosen[:1] * (2 - len(chosen))  # one group: the second attempt repeats the first
        for i, j in enumerate(slot):
            tried[j] = [outputs[key][i] for key in chosen]
    score = oracle = won = None
    values: dict[int, tuple[float, float]] = {0: (0.0, 0.0)}
    if task.has_test_outputs:
        solutions = task.test_outputs
        score = score_task(tried, solutions)
        won = score == 1.0 and any(n.all_train_correct for n in nodes)
        first = _first_hits(nodes, solutions, keep)
        oracle = sum(i < len(nodes) for i in first) / n_tests
        right = [
            [[got == solutions[j] for got, j in zip(out, slot, strict=True)] for out in outputs]
            for slot, _, outputs, _, _ in votes
        ]
        for b in points:
            hits = 0
            for (slot, keyed, _, violations, _), good in zip(votes, right, strict=True):
                top = [
                    cast(int, g.test_outputs[0])
                    for g in rank_groups(keyed[:b], weighting, violations)[:2]
                ]
                hits += sum(any(good[k][i] for k in top) for i in range(len(slot)))
            values[b] = (hits / n_tests, sum(i < b for i in first) / n_tests)
    valid = [n for n in nodes if n.valid]
    lead = votes[0][4] if votes else []
    row = TaskScore(
        task_id=task.id,
        n_tests=n_tests,
        programs=len(nodes),
        valid=len(valid),
        best_train_accuracy=max((n.train_accuracy for n in nodes), default=0.0),
        train_perfect=sum(n.all_train_correct for n in nodes),
        groups=sum(len(groups) for *_, groups in votes),
        attempted=any(tried),
        score=score,
        oracle=oracle,
        winners=tuple(nodes[g.first].node_id for g in lead[:2]),
        distinct_programs=len({n.program for n in valid}),
        distinct_behaviours=len({_behaviour(n) for n in valid}),
        perfect_won=won,
    )
    return row, tried, values, tuple(g.first for g in lead[:2])


def _first_hits(
    nodes: Sequence[Node], solutions: Sequence[Grid], keep: Sequence[bool]
) -> list[int]:
    """Per test input, the index of the first kept node whose output is right (``len(nodes)``:
    none)."""
    first = [len(nodes)] * len(solutions)
    for j, want in enumerate(solutions):
        for i, node in enumerate(nodes):
            if keep[i] and len(node.test) == len(solutions) and node.test[j].output == want:
                first[j] = i
                break
    return first


def _behaviour(node: Node) -> tuple:
    """A node's outputs on every input (train, then test), for counting distinct behaviours."""
    return tuple(r.output for r in node.train) + tuple(r.output for r in node.test)


def _keyed_ballots(
    nodes: Sequence[Node],
    slot: Sequence[int],
    keep: Sequence[bool],
    prior: Callable[[str | None], float] | None = None,
) -> tuple[list[Ballot], list[tuple]]:
    """Ballots whose outputs (on the test inputs of ``slot``: every one, or a single one) are
    replaced by one small int per distinct tuple of outputs.

    :func:`~soar.agents.voting.rank_groups` only hashes and compares the outputs, so the ranking is
    the same as with the grids, and each tuple of grids is hashed once per node rather than once
    per budget. Nodes not kept (and those without a grid for every test input of the slot) get an
    empty ballot. With ``prior`` (see :func:`soar.agents.dsl.prior.program_prior`), ballots also
    carry their program's description length and their behaviour (a key of their train outputs).
    Returns the ballots and the tuples of outputs, indexed by key.
    """
    keys: dict[tuple, int] = {}
    behaviours: dict[tuple, int] = {}
    keyed: list[Ballot] = []
    for node, kept in zip(nodes, keep, strict=True):
        outputs = node.test_outputs
        if len(slot) == 1 and len(outputs) > 1:
            outputs = (outputs[slot[0]],) if slot[0] < len(outputs) else ()
        if not kept or len(outputs) != len(slot) or any(out is None for out in outputs):
            keyed.append(Ballot((), node.train_accuracy))  # does not vote, keeps its place
            continue
        key = cast("tuple[Grid, ...]", (keys.setdefault(outputs, len(keys)),))
        if prior is None:
            keyed.append(Ballot(key, node.train_accuracy))
            continue
        train = tuple(r.output for r in node.train)
        behaviour = behaviours.setdefault(train, len(behaviours))
        keyed.append(Ballot(key, node.train_accuracy, prior(node.program), behaviour))
    return keyed, list(keys)


def _counter(
    checks: OutputChecks, inputs: Sequence[Grid], outputs: Sequence[tuple]
) -> Callable[[tuple], int]:
    """How many train-output relations the outputs of a keyed group break (each key counted
    once: the vote at every budget of the curve asks again for the same groups)."""
    counted: dict[int, int] = {}

    def count(key: tuple) -> int:
        k = cast(int, key[0])
        found = counted.get(k)
        if found is None:
            found = counted[k] = checks.violations(inputs, outputs[k])
        return found

    return count
