"""``soar run``: search a set of tasks with an agent and a policy, vote, and score.

A plain function (:func:`run`) that the CLI calls with a :class:`~soar.agents.runs.config.RunConfig`;
heavy libraries are imported here, not by the CLI.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soar.arc_env.executor import DEFAULT_PRELOAD

from .config import RunConfig
from .rundir import RunDir

if TYPE_CHECKING:
    from collections.abc import Sequence

    from soar.agents.runs.scoring import RunScores, TaskResult
    from soar.agents.search import Node, SearchProgress
    from soar.agents.vote_filters import VoteFilterConfig
    from soar.arc_env import Task


DSL_PRELOAD = (*DEFAULT_PRELOAD, "soar.agents.dsl.primitives")
"""Modules the executor workers of a ``dsl:`` search import up front (every program imports the
primitives). Other searches keep the executor's default: a program that imports the primitives
gets them on demand, without restarting its worker."""


def search_preload(policy: str) -> tuple[str, ...]:
    """The modules the search's executor workers import up front, for a policy spec."""
    return DSL_PRELOAD if policy.startswith("dsl:") else DEFAULT_PRELOAD


def resolved_config(run: RunDir) -> RunConfig:
    """The configuration a run was made with (for ``--resume``)."""
    saved = {k: v for k, v in run.config.items() if k not in ("versions", "started")}
    saved.setdefault("max_tasks", None)  # runs made before the limit searched every task at once
    return RunConfig(**saved)


def run(config: RunConfig, *, resume: bool = False, show_progress: bool = True) -> RunScores:
    """Search, log every node, vote, and write ``attempts.json`` and ``scores.json``.

    With ``resume``, ``config.out`` must hold a run: its saved configuration is used and each
    task continues from its logged nodes until the same budget is reached.
    """
    from soar.agents import SamplingConfig, make_policy
    from soar.agents.registry import check_policy_spec
    from soar.agents.runs import submission
    from soar.agents.runs.scoring import score_run
    from soar.agents.search import make_agent, run_search
    from soar.agents.vote_filters import resolve
    from soar.agents.voting import default_weighting
    from soar.arc_env import Executor, load_tasks

    if resume:
        rundir = RunDir.open(config.out)
        config = resolved_config(rundir)
    # Every setting is checked before anything is written.
    tasks = load_tasks(config.tasks, solutions=config.solutions)
    agent_options: dict[str, Any] = dict(config.agent_options)
    if config.budget is not None:
        agent_options["programs"] = config.budget
    agent = make_agent(config.agent, **agent_options)
    sampling = SamplingConfig.from_settings({"seed": config.seed, **config.sampling})
    check_policy_spec(config.policy)
    if not resume:
        rundir = RunDir.create(config.out, {**config.to_dict(), "started": time.time()})
    filters = resolve(config.vote_filters, config.policy)
    weighting = config.weighting or default_weighting(config.policy)
    scorer = _Scorer(tasks, filters, weighting)
    try:
        policy = make_policy(config.policy, sampling=sampling, **config.policy_options)
        try:
            with (
                _gc_relaxed(),
                Executor(
                    config.workers,
                    timeout=config.timeout,
                    memory_mb=config.memory_mb,
                    preload=search_preload(config.policy),
                ) as ex,
                _ProgressBar(len(tasks), enabled=show_progress) as bar,
            ):
                run_search(
                    tasks,
                    agent,
                    policy,
                    ex,
                    rundir,
                    batch_size=config.batch_size,
                    keep_completions=config.keep_completions,
                    seed=config.seed,
                    progress=bar.update,
                    max_tasks=config.max_tasks,
                    keep_nodes=False,  # memory stays that of max_tasks tasks
                    on_finish=scorer,  # each task votes as it finishes, from the nodes in memory
                )
        finally:
            policy.close()
    except BaseException:
        if not resume:  # failed before its first program: leave nothing that blocks a re-run
            rundir.discard_if_empty()
        raise
    scores = score_run(
        rundir, tasks, weighting=weighting, scored=scorer.results, vote_filters=filters or False
    )
    submission.write(rundir, scores.attempts)
    rundir.write_scores(scores.to_json())
    return scores


@contextlib.contextmanager
def _gc_relaxed() -> Iterator[None]:
    """Collect garbage less often during a search.

    The search makes millions of small objects that never form cycles (results, nodes, grids);
    with the default thresholds the collector keeps walking the live ones (about 10 % of the
    parent's time). Objects alive at the start are moved out of its sight, and generation 0 is
    collected every 50,000 allocations instead of 700; both are undone at the end.
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


class _Scorer:
    """Votes and scores each task as the search finishes it (see ``score_run(scored=...)``)."""

    def __init__(
        self,
        tasks: Sequence[Task],
        filters: VoteFilterConfig | None = None,
        weighting: str = "soar",
    ) -> None:
        self.tasks = {task.id: task for task in tasks}  # with their test outputs, where known
        self.filters = filters
        self.weighting = weighting
        self.results: dict[str, TaskResult] = {}

    def __call__(self, task: Task, nodes: list[Node]) -> None:
        from soar.agents.runs.scoring import vote_and_score

        self.results[task.id] = vote_and_score(
            self.tasks[task.id], nodes, self.weighting, vote_filters=self.filters
        )


class _ProgressBar:
    """A tqdm bar over tasks, with programs spent, tasks solved on train and programs/s."""

    def __init__(self, n_tasks: int, *, enabled: bool) -> None:
        from tqdm.auto import tqdm

        self.bar = tqdm(total=n_tasks, unit="task", disable=not enabled, dynamic_ncols=True)

    def update(self, p: SearchProgress) -> None:
        self.bar.n = p.tasks_finished
        self.bar.set_postfix(
            programs=f"{p.programs}/{p.programs_budget}",
            solved_train=p.tasks_solved,
            per_s=f"{p.programs_per_second:.1f}",
            refresh=False,
        )
        self.bar.refresh()

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.close()


def default_out(config_tasks: str) -> Path:
    """``runs/<tasks>-<time>`` for a run without ``--out``."""
    stem = config_tasks.replace("/", "-").replace(":", "_")[:40]
    return Path("runs") / f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}"
