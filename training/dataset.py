"""Finetuning data from run logs: hindsight-relabeled samples and refinement pairs, as chat JSONL.

For every task, the programs of every run are pooled, filtered (``soar.training.filters``) and selected
(``soar.training.selection``). Each selected program gives a *sample* record: the sampling prompt of its
relabeled task (``soar.training.relabel``; the prompt shows the public form, train pairs and test
inputs) answered with the program. With ``refinement``, each run's (parent, child) pairs
(``soar.training.refinement``) give *refine* records: the refinement prompt for the parent on the real
task answered with the child's program. Prompts and answers come from ``soar.agents.prompts``, the
module the policies use, so the model is trained on exactly what it will be asked; in the default
(``soar``) style the answer is the program normalised as in the released SOAR training data
(``soar.agents.extraction.normalise_program``) in a ```python block. Each record shows its
task's pairs in an order of its own, shuffled by the seed (``soar.training.shuffle``; paper,
appendix D.4), unless ``shuffle_pairs`` is off.

A record is one JSON object per line::

    {"messages": [{"role": "system", ...}, {"role": "user", ...}, {"role": "assistant", ...}],
     "task_id": "3c9b0459", "source": "sample", "strategy": "greedy-diverse", "bucket": "",
     "node_id": 12, "run": "runs/arc1-train"}

``task_id`` is the original task's; ``bucket`` is the parent's bucket for refine records, empty
for samples; ``node_id`` is the program's (the child's for refine records) in run ``run``. Every
record has every key, with the same types, so ``datasets.load_dataset("json", ...)`` reads it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soar.agents.prompts import PromptConfig, answer_message, refine_messages, sample_messages
from soar.agents.search.node import Node
from soar.arc_env.task import Task

from .filters import FILTERS, UNUSABLE, FilterConfig, apply_filters, first_failed
from .refinement import BUCKETS, RefinementPair, balance, refinement_pairs
from .relabel import relabel
from .selection import DEFAULT_STRATEGY, STRATEGIES, select, solves
from .shuffle import example_rng, reorder_result, reorder_task, shuffled_orders

if TYPE_CHECKING:
    from soar.agents.runs.sources import NodeSource

__all__ = ["build_dataset", "refine_record", "sample_record", "write_jsonl"]


def sample_record(
    task: Task,
    node: Node,
    *,
    run: str,
    strategy: str,
    prompts: PromptConfig | None = None,
    drop_failed: bool = False,
    shuffle_seed: int | None = None,
) -> dict[str, Any]:
    """The training record of one program: the sampling prompt of its relabeled task, answered
    with the program (see :func:`soar.training.relabel.relabel` for ``drop_failed``); with a
    ``shuffle_seed``, the pairs in an order drawn for this record."""
    relabeled = relabel(task, node, drop_failed=drop_failed)
    if shuffle_seed is not None:
        rng = example_rng(shuffle_seed, task.id, node.program or "", "sample")
        relabeled = reorder_task(relabeled, *shuffled_orders(relabeled, rng))
    messages = sample_messages(relabeled.public(), prompts)
    return _record(messages, node.program, task, node, run, "sample", strategy, "", prompts)


def refine_record(
    task: Task,
    pair: RefinementPair,
    *,
    run: str,
    strategy: str,
    prompts: PromptConfig | None = None,
    shuffle_seed: int | None = None,
) -> dict[str, Any]:
    """The training record of one refinement: the prompt to refine the parent on ``task``,
    answered with the child's program; with a ``shuffle_seed``, the pairs (and the parent's
    results with them) in an order drawn for this record."""
    parent, child = pair.parent, pair.child
    assert parent.program is not None
    shown, result = task, parent.result()
    if shuffle_seed is not None:
        rng = example_rng(shuffle_seed, task.id, parent.program, child.program or "", "refine")
        train, test = shuffled_orders(task, rng)
        shown, result = reorder_task(task, train, test), reorder_result(result, train, test)
    messages = refine_messages(shown, parent.program, result, prompts)
    return _record(
        messages, child.program, task, child, run, "refine", strategy, pair.bucket, prompts
    )


def _record(
    messages: list[dict[str, str]],
    program: str | None,
    task: Task,
    node: Node,
    run: str,
    source: str,
    strategy: str,
    bucket: str,
    prompts: PromptConfig | None,
) -> dict[str, Any]:
    assert program is not None
    return {
        "messages": [*messages, answer_message(program, prompts)],
        "task_id": task.id,
        "source": source,
        "strategy": strategy,
        "bucket": bucket,
        "node_id": node.node_id,
        "run": run,
    }


@dataclass(frozen=True)
class _Plan:
    strategy: str
    per_task: int
    seed: int
    filters: FilterConfig
    prompts: PromptConfig | None
    shuffle_pairs: bool = True

    @property
    def shuffle_seed(self) -> int | None:
        return self.seed if self.shuffle_pairs else None


def _new_stats(
    runs: Sequence[NodeSource], tasks: Sequence[Task], plan: _Plan, refinement: bool
) -> dict[str, Any]:
    filters = plan.filters
    stats: dict[str, Any] = {
        "strategy": plan.strategy,
        "per_task": plan.per_task,
        "seed": plan.seed,
        "shuffled_pairs": plan.shuffle_pairs,
        "dedup": filters.dedup if filters.duplicate_code else None,
        "runs": len(runs),
        "tasks": len(tasks),
        "tasks_with_nodes": 0,
        "nodes": 0,
        "dropped": dict.fromkeys([UNUSABLE, *(f for f in FILTERS if filters.enabled(f))], 0),
        "disabled_filters": filters.disabled,
        "kept": 0,
        "samples": 0,
        "tasks_with_samples": 0,
        "samples_solving": 0,
        "records": 0,
    }
    if refinement:
        stats["refine"] = {
            "pairs": dict.fromkeys(BUCKETS, 0),
            "chosen": dict.fromkeys(BUCKETS, 0),
            "children_dropped": 0,
        }
    return stats


def build_dataset(
    runs: Sequence[NodeSource],
    tasks: Sequence[Task],
    *,
    strategy: str = DEFAULT_STRATEGY,
    per_task: int = 50,
    refinement: bool = False,
    seed: int = 0,
    filters: FilterConfig | None = None,
    prompts: PromptConfig | None = None,
    shuffle_pairs: bool = True,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Training records from the node logs of ``runs`` for ``tasks``, and statistics.

    Args:
        runs: run directories or Parquet sources (``soar.agents.runs.sources``); each task's
            programs are pooled over them (a source without programs of a task contributes
            nothing to it; programs of tasks not in ``tasks`` are ignored).
        tasks: the tasks, with their test outputs where known (selection scores programs on them,
            except ``vote-weighted``).
        strategy: one of :data:`soar.training.selection.STRATEGIES`.
        per_task: the most sample records per task, and the most refine records per task.
        refinement: add refine records (balanced over the parent's bucket).
        seed: seed of every random draw (with the task id).
        filters: which filters are on (default: all).
        prompts: prompt settings; keep those of the policy that will be trained.
        shuffle_pairs: show each record's pairs in an order of its own, drawn from ``seed``
            (paper, appendix D.4); off: the task's order.

    Returns:
        The records in task order (samples, then refinements), and a dict of counts: ``nodes``
        read, ``dropped`` per filter (``unusable`` and the filters switched on), ``kept`` (after
        the filters), ``samples`` chosen, ``samples_solving`` (samples whose program solves the
        real task), ``records``; and with ``refinement`` a ``refine`` entry: ``pairs`` found and
        ``chosen`` per bucket, ``children_dropped`` (pairs whose child a filter drops).

    Raises:
        ValueError: an unknown strategy, or a negative ``per_task``.
        soar.agents.runs.rundir.RunDirError: a corrupt node log.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy: expected one of {', '.join(STRATEGIES)}, got {strategy!r}")
    if per_task < 0:
        raise ValueError(f"per_task: expected a number of programs >= 0, got {per_task}")
    filters = filters or FilterConfig()
    plan = _Plan(strategy, per_task, seed, filters, prompts, shuffle_pairs)
    stats = _new_stats(runs, tasks, plan, refinement)
    records: list[dict[str, Any]] = []
    for task in tasks:
        logs = [(str(run.path), run.read_nodes(task.id)) for run in runs]
        nodes = [node for _, log in logs for node in log]
        if not nodes:
            continue
        stats["tasks_with_nodes"] += 1
        stats["nodes"] += len(nodes)
        records.extend(_samples(task, logs, plan, stats))
        if refinement:
            records.extend(_refinements(task, logs, plan, stats))
    stats["records"] = len(records)
    return records, stats


def _samples(
    task: Task, logs: list[tuple[str, list[Node]]], plan: _Plan, stats: dict[str, Any]
) -> list[dict[str, Any]]:
    run_of = {id(node): run for run, log in logs for node in log}
    result = apply_filters(task, [node for _, log in logs for node in log], plan.filters)
    for name, count in result.dropped.items():
        stats["dropped"][name] += count
    stats["kept"] += len(result.kept)
    chosen = select(result.kept, task, plan.strategy, plan.per_task, plan.seed)
    stats["samples"] += len(chosen)
    stats["tasks_with_samples"] += bool(chosen)
    stats["samples_solving"] += sum(solves(node, task) for node in chosen)
    return [
        sample_record(
            task,
            node,
            run=run_of[id(node)],
            strategy=plan.strategy,
            prompts=plan.prompts,
            drop_failed=plan.filters.drop_failed,
            shuffle_seed=plan.shuffle_seed,
        )
        for node in chosen
    ]


def _refinements(
    task: Task, logs: list[tuple[str, list[Node]]], plan: _Plan, stats: dict[str, Any]
) -> list[dict[str, Any]]:
    found: list[tuple[str, RefinementPair]] = []
    for run, log in logs:
        for pair in refinement_pairs(task, log):
            if first_failed(task, pair.child, plan.filters) is not None:
                stats["refine"]["children_dropped"] += 1
                continue
            stats["refine"]["pairs"][pair.bucket] += 1
            found.append((run, pair))
    run_of = {id(pair): run for run, pair in found}
    chosen = balance([pair for _, pair in found], task, plan.per_task, plan.seed)
    for pair in chosen:
        stats["refine"]["chosen"][pair.bucket] += 1
    return [
        refine_record(
            task,
            pair,
            run=run_of[id(pair)],
            strategy=plan.strategy,
            prompts=plan.prompts,
            shuffle_seed=plan.shuffle_seed,
        )
        for pair in chosen
    ]


def write_jsonl(records: Iterable[dict[str, Any]], path: str | Path) -> Path:
    """Write one JSON object per line (UTF-8), creating the parent folder; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path
