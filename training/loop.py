"""The self-improvement loop (``soar improve``): search, relabel, finetune, search again.

Iteration ``i`` searches the tasks with the current model (the base model for ``i = 0``, else the
base with the adapter trained at ``i - 1``), relabels every run's programs into training data
(optionally pooled with earlier iterations' data), and trains a *fresh* adapter from the base
model (the paper restarts from the base each time). After the last iteration one more search
measures the last model. With ``test_time``, tasks without ground truth are searched too and
their programs, selected by vote weight (paper Alg. 2, sampling data only), join the training
data: test-time training. With ``frontier`` (``--base dsl`` only), each round's search of the
tasks (and of the test-time tasks) skips every program the earlier rounds tried there, screens
deeper (further each round; see the DSL policy's ``skip``) and trains on every round's data so
far: the rounds search further instead of again (``score_so_far``, ``test_time_so_far``: one vote
over all rounds' programs). Held-out tasks are searched afresh each round.

Every stage writes its output before the next starts, and a stage whose output exists is
skipped, so ``--resume`` continues from the last finished stage (a search stage interrupted
midway continues from its logged nodes)::

    OUT/improve.json            the configuration
    OUT/iter0/search/           run directory (tasks), scores.json when done
    OUT/iter0/held_out/         run directory (held-out tasks, when given)
    OUT/iter0/test_time/        run directory (test-time tasks, when given)
    OUT/pool_from.jsonl         training data from the --pool-from sources, made once (atomically)
    OUT/pool_from.json          its counts (per filter, strategy, bucket; rows skipped, run again)
    OUT/iter0/data.jsonl        training data (written atomically)
    OUT/iter0/model/            adapter + model card (README.md written last)
    OUT/iter1/...               ...
    OUT/summary.json, OUT/improvement.png
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from soar.agents.settings import ConfigError, check_types, load_settings

CONFIG_FILE = "improve.json"
POOL_DATA, POOL_STATS = "pool_from.jsonl", "pool_from.json"
DSL, DSL_WEIGHTS = "dsl", "grammar.json"  # --base dsl: the CPU grammar policy, no language model


@dataclass
class ImproveConfig:
    """What ``soar improve`` does. Search and training settings default to the paper's."""

    tasks: str = field(default="", metadata={"help": "tasks to search and learn from"})
    base: str = field(default="", metadata={"help": "base model directory or hub id"})
    out: str = field(default="", metadata={"help": "directory of the whole loop"})
    iterations: int = field(default=2, metadata={"help": "search-relabel-train rounds"})
    serve: str = field(default="hf", metadata={"help": "back end for search: hf or vllm"})
    first_policy: str | None = field(
        default=None,
        metadata={
            "help": "policy spec for the first search only (default: the base model), e.g. "
            "a larger model's server to bootstrap from"
        },
    )
    agent: str = field(default="sample-refine", metadata={"help": "search agent"})
    budget: int | None = field(default=None, metadata={"help": "programs per task per search"})
    agent_options: dict[str, Any] = field(default_factory=dict)
    policy_options: dict[str, Any] = field(default_factory=dict)
    sampling: dict[str, Any] = field(default_factory=dict)
    solutions: str | None = field(default=None, metadata={"help": "solutions for --tasks"})
    held_out: str | None = field(default=None, metadata={"help": "tasks only evaluated"})
    test_time: str | None = field(default=None, metadata={"help": "tasks without ground truth"})
    strategy: str = field(default="greedy-diverse", metadata={"help": "data selection strategy"})
    per_task: int = field(default=50, metadata={"help": "programs kept per task"})
    refinement: bool = field(default=True, metadata={"help": "add refinement pairs"})
    pool: bool = field(default=False, metadata={"help": "train on every iteration's data so far"})
    frontier: bool = field(
        default=False,
        metadata={
            "help": "--base dsl: each round's search of --tasks (and --test-time) skips the "
            "programs earlier rounds tried there and screens deeper, and trains on every round's "
            "data so far"
        },
    )
    pool_from: list[str] = field(
        default_factory=list,
        metadata={
            "help": "program sources relabeled once (for the tasks), whose data joins every "
            "round's: Parquet files in SOAR's schema (soar export files, the released dataset's "
            "shards) or run directories"
        },
    )
    train: dict[str, Any] = field(default_factory=dict, metadata={"help": "TrainConfig fields"})
    seed: int = 0
    batch_size: int = 256
    workers: int | None = None
    timeout: float = 1.0

    def __post_init__(self) -> None:
        check_types(self)
        for name in ("tasks", "base", "out"):
            if not getattr(self, name):
                raise ConfigError(f"{name}: expected a value, got nothing")
        if self.iterations < 1:
            raise ConfigError(f"iterations: expected at least 1, got {self.iterations}")
        if self.serve not in ("hf", "vllm"):
            raise ConfigError(f"serve: expected hf or vllm, got {self.serve!r}")
        if self.per_task < 0:
            raise ConfigError(f"per_task: expected 0 or more programs, got {self.per_task}")
        if self.frontier and self.base != DSL:
            raise ConfigError(
                f"frontier: expected --base {DSL} (a grammar's search can skip what it tried; "
                f"a model's sampling cannot), got base {self.base!r}"
            )

    def check(self) -> None:
        """Check every setting the stages will use, before anything is written: the first
        search's run settings, agent, sampling and policy spec, the task specs, the selection
        strategy and the training settings. Raises an :class:`~soar.arc_env.error.InputError`
        naming the first bad one."""
        from soar.agents.policy import SamplingConfig
        from soar.agents.registry import check_policy_spec
        from soar.agents.search import make_agent
        from soar.arc_env import load_tasks
        from soar.training.selection import STRATEGIES

        self.run_config(_model_spec(self, 0, None), self.tasks, self.solutions, Path(self.out))
        options = dict(self.agent_options)
        if self.budget is not None:
            options["programs"] = self.budget
        make_agent(self.agent, **options)
        SamplingConfig.from_settings(self.sampling)
        check_policy_spec(_model_spec(self, 0, None))
        check_policy_spec(_model_spec(self, 1, Path(self.out)))
        if self.strategy not in STRATEGIES:
            raise ConfigError(
                f"strategy: expected one of {', '.join(STRATEGIES)}, got {self.strategy!r}"
            )
        for spec, solutions in ((self.tasks, self.solutions), (self.held_out, None)):
            if spec:
                load_tasks(spec, solutions=solutions)
        if self.test_time:
            load_tasks(self.test_time)
        if self.pool_from:  # opening reads the task ids: the files exist, with the columns needed
            with _pool_sources(
                self.pool_from, load_tasks(self.tasks, solutions=self.solutions), self
            ):
                pass
        if self.base == DSL:
            unknown = sorted(set(self.train) - {"smoothing"})
            if unknown:
                raise ConfigError(
                    f"train: unknown setting(s) {', '.join(unknown)} for --base dsl; expected "
                    "smoothing"
                )
        else:
            from soar.training.sft_config import TrainConfig

            TrainConfig(base=self.base, data=["data.jsonl"], out=self.out, **self.train)

    def run_config(
        self, spec: str, tasks: str, solutions: str | None, out: Path, skip: Sequence[str] = ()
    ) -> Any:
        """The :class:`~soar.agents.runs.config.RunConfig` of one search stage; ``skip``: run
        directories whose programs the (DSL) policy does not give again."""
        from soar.agents.runs.config import RunConfig

        return RunConfig(
            tasks=tasks,
            policy=spec,
            agent=self.agent,
            budget=self.budget,
            agent_options=dict(self.agent_options),
            policy_options={**self.policy_options, **({"skip": list(skip)} if skip else {})},
            sampling=dict(self.sampling),
            solutions=solutions,
            out=str(out),
            seed=self.seed,
            batch_size=self.batch_size,
            workers=self.workers,
            timeout=self.timeout,
        )

    @classmethod
    def load(cls, path: str | Path | None = None, **overrides: Any) -> ImproveConfig:
        """Values from the YAML file at ``path`` (if any), then ``overrides`` that are not None."""
        return load_settings(cls, path, overrides)


def _stage(out: Path, iteration: int) -> Path:
    return out / f"iter{iteration}"


def _model_spec(config: ImproveConfig, iteration: int, adapter: Path | None) -> str:
    if iteration == 0 and config.first_policy:
        return config.first_policy
    if config.base == DSL:  # the grammar policy: built-in weights, then each round's fitted ones
        return f"dsl:{adapter / DSL_WEIGHTS}" if adapter is not None else "dsl:default"
    return f"{config.serve}:{config.base}" + (f"+{adapter}" if adapter is not None else "")


def _search(
    config: ImproveConfig,
    spec: str,
    tasks: str,
    solutions: str | None,
    out: Path,
    show_progress: bool = True,
    skip: Sequence[str] = (),
) -> dict:
    """One search stage: resume it if started, skip it if finished; return its scores."""
    from soar.agents.runs.run import run

    if (out / "scores.json").exists():
        return json.loads((out / "scores.json").read_text())
    run_config = config.run_config(spec, tasks, solutions, out, skip)
    run(run_config, resume=(out / "config.json").exists(), show_progress=show_progress)
    return json.loads((out / "scores.json").read_text())


def _round_search(
    config: ImproveConfig,
    spec: str,
    key: str,
    tasks: str,
    solutions: str | None,
    out: Path,
    earlier: list[str],
    show_progress: bool,
) -> dict[str, float]:
    """One round's search of ``tasks`` into ``out``: ``{key: its score}``.

    ``earlier``: the earlier rounds' searches of the same tasks, which this one goes on past
    (``frontier``); since it then skips what they solved, ``key_so_far`` joins: one vote over
    every round's programs of ``tasks``."""
    figures = {key: _search(config, spec, tasks, solutions, out, show_progress, earlier)["score"]}
    if earlier:
        figures[f"{key}_so_far"] = _pooled_score(tasks, solutions, [*earlier, str(out)])
    return figures


def _pooled_score(spec: str, solutions: str | None, runs: list[str]) -> float:
    """The score of one vote over every program of ``runs`` (searches of the tasks ``spec``)."""
    from soar.agents.runs.ensemble import score_ensemble
    from soar.agents.runs.rundir import RunDir
    from soar.arc_env import load_tasks

    tasks = load_tasks(spec, solutions=solutions)
    return score_ensemble([RunDir.open(run) for run in runs], tasks).score


def _relabel(config: ImproveConfig, stage: Path) -> Path:
    from soar.agents.runs.rundir import RunDir
    from soar.arc_env import load_tasks
    from soar.training.dataset import build_dataset, write_jsonl

    path = stage / "data.jsonl"
    if path.exists():
        return path
    records, _ = build_dataset(
        [RunDir.open(stage / "search")],
        load_tasks(config.tasks, solutions=config.solutions),
        strategy=config.strategy,
        per_task=config.per_task,
        refinement=config.refinement,
        seed=config.seed,
    )
    if config.test_time:
        extra, _ = build_dataset(
            [RunDir.open(stage / "test_time")],
            [t.public() for t in load_tasks(config.test_time)],
            strategy="vote-weighted",
            per_task=config.per_task,
            refinement=False,
            seed=config.seed,
        )
        records += extra
    tmp = path.with_suffix(".tmp")
    write_jsonl(records, tmp)
    os.replace(tmp, path)
    return path


@contextlib.contextmanager
def _pool_sources(paths: list[str], tasks: list[Any], config: ImproveConfig) -> Iterator[list]:
    """The ``pool_from`` sources, opened for ``tasks`` (closed after)."""
    from soar.agents.runs.sources import open_source

    opened: list[Any] = []
    try:
        for path in paths:
            opened.append(open_source(path, tasks, workers=config.workers, timeout=config.timeout))
        yield opened
    finally:
        for source in opened:
            getattr(source, "close", lambda: None)()


def _pool_data(config: ImproveConfig, out: Path) -> Path | None:
    """The training data of the ``pool_from`` sources, made once (None without sources)."""
    from soar.arc_env import load_tasks
    from soar.training.dataset import build_dataset, write_jsonl

    if not config.pool_from:
        return None
    path = out / POOL_DATA
    if path.exists():
        return path
    tasks = load_tasks(config.tasks, solutions=config.solutions)
    with _pool_sources(config.pool_from, tasks, config) as sources:
        records, stats = build_dataset(
            sources,
            tasks,
            strategy=config.strategy,
            per_task=config.per_task,
            refinement=config.refinement,
            seed=config.seed,
        )
        stats["sources"] = {
            str(source.path): dict(getattr(source, "stats", {})) for source in sources
        }
    (out / POOL_STATS).write_text(json.dumps(stats, indent=2))
    tmp = path.with_suffix(".tmp")
    write_jsonl(records, tmp)
    os.replace(tmp, path)
    return path


def _train(config: ImproveConfig, stage: Path, data: list[Path], adapter: Path | None) -> Path:
    out = stage / "model"
    if config.base == DSL:
        from soar.training.dsl_train import train_dsl

        if not (out / DSL_WEIGHTS).exists():  # written in one step, after the fit
            # The grammar that searched this round is kept as an earlier one of the next.
            previous = str(adapter / DSL_WEIGHTS) if adapter is not None else None
            train_dsl([str(p) for p in data], str(out), previous=previous, **config.train)
        return out
    if (out / "README.md").exists():  # the model card is written last
        return out
    from soar.training.sft import train
    from soar.training.sft_config import TrainConfig

    train(TrainConfig(base=config.base, data=[str(p) for p in data], out=str(out), **config.train))
    return out


def improve(config: ImproveConfig, *, show_progress: bool = True) -> dict[str, Any]:
    """Run (or continue) the loop; return the per-iteration summary (also written to OUT).

    ``show_progress=False`` hides the searches' progress bars."""
    out = Path(config.out)
    saved = out / CONFIG_FILE
    if not saved.exists():
        config.check()  # a new loop: nothing is written before every setting is known good
    out.mkdir(parents=True, exist_ok=True)
    if not saved.exists():
        saved.write_text(json.dumps(dataclasses.asdict(config), indent=2))
    adapter: Path | None = None
    pooled = _pool_data(config, out)
    data: list[Path] = []
    rows = []
    for i in range(config.iterations + 1):  # the last round only measures the last model
        stage = _stage(out, i)
        spec = _model_spec(config, i, adapter)
        row: dict[str, Any] = {"iteration": i, "model": spec}
        for key, tasks, solutions, folder, goes_on in (
            ("score", config.tasks, config.solutions, "search", config.frontier),
            ("held_out", config.held_out, None, "held_out", False),  # measured afresh each round
            ("test_time", config.test_time, None, "test_time", config.frontier),
        ):
            if tasks:
                earlier = [str(_stage(out, j) / folder) for j in range(i)] if goes_on else []
                row.update(
                    _round_search(
                        config, spec, key, tasks, solutions, stage / folder, earlier, show_progress
                    )
                )
        rows.append(row)
        _write_summary(out, rows)
        if i == config.iterations:
            break
        current = _relabel(config, stage)
        data = [*data, current] if config.pool or config.frontier else [current]
        if not any(path.stat().st_size for path in [*data, *([pooled] if pooled else [])]):
            row["trained"] = "no training data: the searches produced no usable program"
            _write_summary(out, rows)
            continue  # nothing to learn from: the next round searches with the same model
        adapter = _train(config, stage, [pooled, *data] if pooled else data, adapter)
        row["trained"] = str(adapter)
        _write_summary(out, rows)
    return {"iterations": rows}


def _write_summary(out: Path, rows: list[dict[str, Any]]) -> None:
    (out / "summary.json").write_text(json.dumps({"iterations": rows}, indent=2))
    from soar.training.plots import plot_iterations

    plot_iterations(rows, out / "improvement.png")
