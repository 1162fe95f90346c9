"""Ensembles: the programs of several runs (other models, other seeds) voted together.

The SOAR paper's best result pools the programs of five models' searches into one weighted
majority vote (52.00 % on ARC-AGI-1 evaluation, oracle 57.25 %). :func:`score_ensemble` does that
for any runs: per task, the member runs' programs form one pool, voted with the same weighting and
scored like one run (:mod:`soar.agents.runs.scoring`). An ensemble is written to a directory of its
own (the members are left as they are)::

    DIR/
      ensemble.json    the member runs, the task spec, the weighting and vote-filter settings
      attempts.json    the ensemble's attempts (Kaggle format)
      scores.json      as for a run, plus "ensemble" (the members) and "sources": per task and
                       attempt, how many programs of each member run voted for it and which
                       program was the earliest
      report/          written by ``soar report DIR``

The pool interleaves the members' programs (the first program of each run, then the second of
each, ...), so ties between equal groups go to the earliest program fairly across runs, and the
score against programs spent (the first ``b`` programs of the pool) draws on every run alike. Each
member's programs pass through that member's vote filters (its own setting, else the default for
its policy), unless one setting is given for all.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from soar.agents import vote_filters as vf
from soar.agents.search.node import Node
from soar.arc_env.task import Task

from . import submission
from .rundir import RunDir, RunDirError, versions
from .scoring import (
    RunScores,
    TaskResult,
    gather_scores,
    run_vote_filters,
    run_weighting,
    vote_and_score,
)

__all__ = [
    "ENSEMBLE",
    "EnsembleScores",
    "ensemble_tasks",
    "is_ensemble",
    "member_names",
    "open_ensemble",
    "pool_nodes",
    "score_ensemble",
    "write_ensemble",
]

ENSEMBLE = "ensemble.json"


@dataclass
class EnsembleScores(RunScores):
    """:class:`RunScores` of a pooled vote, with where the voted programs came from."""

    runs: list[str] = field(default_factory=list)
    """The member runs' absolute paths, in pool order."""
    names: list[str] = field(default_factory=list)
    """Short names of the members (their directory names, or paths where those repeat)."""
    sources: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Per task, per attempt group: ``programs`` in the group, ``runs`` (programs per member
    name), ``first`` (the member and node id of the group's earliest program)."""

    def to_json(self) -> dict[str, Any]:
        return {
            **super().to_json(),
            "ensemble": {"runs": self.runs, "names": self.names},
            "sources": self.sources,
        }


def member_names(paths: Sequence[str]) -> list[str]:
    """Directory names, or the paths themselves where two directory names are the same.

    >>> member_names(["runs/a", "runs/b"]), member_names(["x/run", "y/run"])
    (['a', 'b'], ['x/run', 'y/run'])
    """
    names = [Path(p).name or str(p) for p in paths]
    repeated = {name for name, n in Counter(names).items() if n > 1}
    return [str(p) if name in repeated else name for p, name in zip(paths, names, strict=True)]


def pool_nodes(logs: Sequence[Sequence[Node]]) -> tuple[list[Node], list[int]]:
    """The members' nodes interleaved (first of each, then second of each...), and for each the
    index of the member it came from.

    >>> pool_nodes([["a0", "a1", "a2"], ["b0"]])
    (['a0', 'b0', 'a1', 'a2'], [0, 1, 0, 0])
    """
    nodes: list[Node] = []
    origin: list[int] = []
    for depth in range(max((len(log) for log in logs), default=0)):
        for member, log in enumerate(logs):
            if depth < len(log):
                nodes.append(log[depth])
                origin.append(member)
    return nodes, origin


def _pooled_vote(
    task: Task,
    logs: Sequence[Sequence[Node]],
    filters: Sequence[vf.VoteFilterConfig | None],
    weighting: str,
    budgets: Sequence[int] | None,
    names: Sequence[str],
) -> tuple[TaskResult, list[dict[str, Any]]]:
    """One task's pooled vote and the sources of its attempt groups."""
    nodes, origin = pool_nodes(logs)
    keeps: list[list[bool]] = []
    dropped: Counter[str] = Counter()
    for log, config in zip(logs, filters, strict=True):
        keep, counts = vf.vote_pool(task, log, config)
        keeps.append(keep)
        dropped.update(counts)
    seen = [0] * len(logs)
    keep = []
    for member in origin:
        keep.append(keeps[member][seen[member]])
        seen[member] += 1
    names_on = {name for config in filters if config is not None for name in config.names}
    counts = {name: dropped.get(name, 0) for name in vf.VOTE_FILTERS if name in names_on}
    result = vote_and_score(task, nodes, weighting, budgets, pool=(keep, counts))
    sources = []
    for position in result.positions:
        outputs = nodes[position].test_outputs
        members = Counter(
            names[origin[i]]
            for i, node in enumerate(nodes)
            if keep[i] and node.test_outputs == outputs
        )
        sources.append(
            {
                "programs": sum(members.values()),
                "runs": {name: members[name] for name in names if members[name]},
                "first": {"run": names[origin[position]], "node_id": nodes[position].node_id},
            }
        )
    return result, sources


def score_ensemble(
    runs: Sequence[RunDir],
    tasks: Sequence[Task],
    *,
    weighting: str | None = None,
    budgets: Sequence[int] | None = None,
    vote_filters: vf.VoteFilterConfig | bool | None = None,
) -> EnsembleScores:
    """Vote over the pooled programs of ``runs`` for every task of ``tasks``, and score.

    Args:
        runs: the member runs (at least one); a member without a log for a task adds nothing to
            it.
        tasks: the requested tasks, with their test outputs where known.
        weighting: as for :func:`~soar.agents.runs.scoring.score_run` (None: the first run's).
        budgets: the budgets of the score-against-programs curve (programs of the pool).
        vote_filters: one setting for every member (True: SOAR's release set, False: none);
            None: each member's own setting, else the default for its policy.

    Raises:
        RunDirError: no member run, or a corrupt node log.
        ValueError: an unknown weighting.
    """
    if not runs:
        raise RunDirError("an ensemble needs at least one run, got none")
    paths = [str(run.path.resolve()) for run in runs]
    names = member_names(paths)
    filters = [run_vote_filters(run, vote_filters) for run in runs]
    weighting = run_weighting(runs[0], weighting)  # an unknown one fails before any log is read
    results: dict[str, TaskResult] = {}
    sources: dict[str, list[dict[str, Any]]] = {}
    for task in tasks:
        logs = [run.read_nodes(task.id) for run in runs]
        results[task.id], sources[task.id] = _pooled_vote(
            task, logs, filters, weighting, budgets, names
        )
    any_on = next((config for config in filters if config is not None), None)
    requested = {task.id for task in tasks}
    members = {task_id for run in runs for task_id in run.task_ids()}
    base = gather_scores(
        ((task, results[task.id]) for task in tasks),
        weighting=weighting,
        budgets=budgets,
        filters=any_on,
        not_requested=sorted(members - requested),
    )
    described = dict(base.vote_filters)
    described["members"] = {
        name: ([] if config is None else config.names)
        for name, config in zip(names, filters, strict=True)
    }
    return EnsembleScores(
        weighting=base.weighting,
        tasks=base.tasks,
        curve=base.curve,
        attempts=base.attempts,
        not_requested=base.not_requested,
        stats=base.stats,
        vote_filters=described,
        runs=paths,
        names=names,
        sources=sources,
    )


def ensemble_tasks(
    runs: Sequence[RunDir], spec: str | None = None, solutions: str | None = None
) -> list[Task]:
    """The tasks of an ensemble: those of ``spec`` when given, else the union of the members'
    own tasks (``tasks`` and ``solutions`` of each ``config.json``; the first of an id wins).

    Raises:
        RunDirError: a member's ``config.json`` is unreadable or names no tasks (give ``spec``).
    """
    from soar.arc_env.loading import load_tasks

    if spec is not None:
        return load_tasks(spec, solutions=solutions)
    loaded: dict[tuple[str, str | None], list[Task]] = {}
    found: dict[str, Task] = {}
    for run in runs:
        try:
            config = run.config
        except (OSError, ValueError) as err:
            raise RunDirError(f"{run.path}: cannot read its config.json ({err})") from None
        run_spec = config.get("tasks") if isinstance(config, dict) else None
        if not isinstance(run_spec, str) or not run_spec:
            raise RunDirError(
                f'{run.path}/config.json: names no tasks (expected a "tasks" spec); give the '
                "ensemble's tasks with --tasks SPEC"
            )
        run_solutions = solutions
        if run_solutions is None and isinstance(config.get("solutions"), str):
            run_solutions = config["solutions"]
        key = (run_spec, run_solutions)
        if key not in loaded:
            loaded[key] = load_tasks(run_spec, solutions=run_solutions)
        for task in loaded[key]:
            found.setdefault(task.id, task)
    return list(found.values())


def write_ensemble(
    out: str | os.PathLike,
    scores: EnsembleScores,
    *,
    spec: str | None = None,
    solutions: str | None = None,
    vote_filters: bool | None = None,
) -> RunDir:
    """Write ``ensemble.json``, ``attempts.json`` and ``scores.json`` to the directory ``out``
    (created if needed); return it as a :class:`RunDir` (for :func:`soar.evaluate.report`).

    Raises:
        RunDirError: ``out`` holds a run (a ``config.json``): an ensemble never overwrites one.
    """
    directory = RunDir(out)
    if (directory.path / "config.json").exists():
        raise RunDirError(
            f"{directory.path} holds a run (config.json): write the ensemble to another directory"
        )
    directory.path.mkdir(parents=True, exist_ok=True)
    settings = {
        "runs": scores.runs,
        "tasks": spec,
        "solutions": solutions,
        "weighting": scores.weighting,
        "vote_filters": vote_filters,
        "written": time.time(),
        "versions": versions(),
    }
    tmp = directory.path / (ENSEMBLE + ".tmp")
    tmp.write_text(json.dumps(settings, indent=2))
    tmp.replace(directory.path / ENSEMBLE)
    submission.write(directory, scores.attempts)
    directory.write_scores(scores.to_json())
    return directory


def is_ensemble(path: str | os.PathLike) -> bool:
    """Whether ``path`` is an ensemble directory (it holds ``ensemble.json``)."""
    return (Path(path) / ENSEMBLE).is_file()


def open_ensemble(path: str | os.PathLike) -> dict[str, Any]:
    """The settings an ensemble directory was written with (``ensemble.json``).

    Raises:
        RunDirError: there is no readable ``ensemble.json``, or it names no runs.
    """
    file = Path(path) / ENSEMBLE
    try:
        settings = json.loads(file.read_text())
    except (OSError, ValueError) as err:
        raise RunDirError(f"{file}: cannot read it ({err})") from None
    runs = settings.get("runs") if isinstance(settings, dict) else None
    if not isinstance(runs, list) or not runs or not all(isinstance(r, str) for r in runs):
        raise RunDirError(f'{file}: expected a list of member runs under "runs", found {runs!r}')
    return settings
