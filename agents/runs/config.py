"""Run configuration: one dataclass, read from a YAML file and overridden by command-line flags.

Every field has help text and is validated with a message that states the allowed values. The
resolved configuration is written to the run directory, so a run says exactly how it was made.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from soar.agents.settings import ConfigError, check_types, load_settings


@dataclass
class RunConfig:
    """What ``soar run`` does. Defaults follow the SOAR paper where it has one."""

    tasks: str = field(
        default="", metadata={"help": "task spec: arc1/eval, a directory, a file..."}
    )
    policy: str = field(
        default="dsl:default",
        metadata={
            "help": "policy spec: dsl:default (CPU only), dsl:WEIGHTS.json, hf:PATH[+ADAPTER], "
            "vllm:MODEL, openai:URL#MODEL"
        },
    )
    agent: str = field(default="sample-refine", metadata={"help": "search agent name"})
    budget: int | None = field(
        default=None, metadata={"help": "programs per task (default: the agent's, 6000 for SOAR)"}
    )
    agent_options: dict[str, Any] = field(
        default_factory=dict, metadata={"help": "further agent settings (see the agent's config)"}
    )
    policy_options: dict[str, Any] = field(
        default_factory=dict, metadata={"help": "back-end settings, e.g. tensor_parallel_size"}
    )
    sampling: dict[str, Any] = field(
        default_factory=dict,
        metadata={"help": "temperature, top_p, min_p, max_new_tokens_sample/refine, seed"},
    )
    solutions: str | None = field(default=None, metadata={"help": "Kaggle solutions file"})
    out: str = field(default="", metadata={"help": "run directory to create"})
    seed: int = field(default=0, metadata={"help": "seed of every random choice of the search"})
    batch_size: int = field(default=256, metadata={"help": "programs per generate call"})
    workers: int | None = field(
        default=None, metadata={"help": "executor workers (default: cores)"}
    )
    max_tasks: int | None = field(
        default=32,
        metadata={
            "help": "unfinished tasks searched at a time; the rest wait, so memory stays that of "
            "this many tasks (raise it for very large batches; None: all at once)"
        },
    )
    timeout: float = field(default=1.0, metadata={"help": "seconds per program input"})
    memory_mb: int = field(default=1024, metadata={"help": "memory per program, MB"})
    keep_completions: bool = field(
        default=True, metadata={"help": "log each completion's full text, not only its program"}
    )
    vote_filters: bool | None = field(
        default=None,
        metadata={
            "help": "vote over the programs that pass SOAR's pre-vote filters (errors, blank, "
            "near-constant or identity outputs, hard-coded outputs, absurd lines); default: on "
            "for language models, off for dsl:"
        },
    )
    weighting: str | None = field(
        default=None,
        metadata={
            "help": "how the vote weighs programs: soar (the paper's), count, simplest, "
            "simplest-tiebreak (see soar.agents.voting); default: simplest for dsl:, soar else"
        },
    )

    def __post_init__(self) -> None:
        check_types(self)
        if not self.tasks:
            raise ConfigError("tasks: expected a task spec such as arc1/eval, got nothing")
        if not self.policy:
            raise ConfigError(
                "policy: expected a policy spec such as dsl:default or hf:/path/to/model, got "
                "nothing"
            )
        if not self.out:
            raise ConfigError("out: expected a directory for the run, got nothing")
        if self.budget is not None and self.budget < 1:
            raise ConfigError(f"budget: expected at least 1 program per task, got {self.budget}")
        if self.batch_size < 1:
            raise ConfigError(f"batch_size: expected at least 1, got {self.batch_size}")
        if self.workers is not None and self.workers < 1:
            raise ConfigError(f"workers: expected at least 1, got {self.workers}")
        if self.max_tasks is not None and self.max_tasks < 1:
            raise ConfigError(f"max_tasks: expected at least 1, got {self.max_tasks}")
        if not self.timeout > 0:
            raise ConfigError(f"timeout: expected a positive number of seconds, got {self.timeout}")
        if self.memory_mb < 16:
            raise ConfigError(f"memory_mb: expected at least 16, got {self.memory_mb}")
        if self.weighting is not None:
            from soar.agents.voting import WEIGHTINGS

            if self.weighting not in WEIGHTINGS:
                raise ConfigError(
                    f"weighting: expected one of {', '.join(WEIGHTINGS)}, got {self.weighting!r}"
                )

    @classmethod
    def load(cls, path: str | Path | None = None, **overrides: Any) -> RunConfig:
        """Values from the YAML file at ``path`` (if any), then ``overrides`` that are not None."""
        return load_settings(cls, path, overrides)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
