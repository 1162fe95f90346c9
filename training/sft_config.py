"""Settings of a LoRA finetuning run (``soar train``): one dataclass, read from YAML and flags.

Defaults follow the SOAR paper: rsLoRA with rank 256 and alpha 32, no dropout, on every attention
and MLP projection; learning rate 5e-5, 3 epochs, cosine schedule with 10% warmup, weight decay
0.05, an effective batch of 32 sequences; loss on the assistant's answer only; sequences of up to
30,000 tokens (its released code's ``--model_len``). Every field has
help text and is checked when the config is built, with a message that states the allowed values.

This module imports the standard library and PyYAML only.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from soar.agents.settings import load_settings
from soar.arc_env.error import InputError

ALL_PROJECTIONS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
"""Every attention and MLP projection, as Qwen2, Llama and Mistral models name them."""

SCHEDULERS = (
    "linear",
    "cosine",
    "cosine_with_restarts",
    "polynomial",
    "constant",
    "constant_with_warmup",
)
"""Learning-rate schedules accepted (transformers' ``lr_scheduler_type`` names)."""


class TrainError(InputError):
    """Training cannot run: a bad setting, a missing library, an unreadable data file, no usable
    example..."""


@dataclass
class TrainConfig:
    """What ``soar train`` does for a language model. Defaults follow the SOAR paper."""

    base: str = field(
        default="",
        metadata={
            "help": "base model: a local directory (save_pretrained layout) or a hub id; every "
            "run starts from it, never from an earlier finetuned model"
        },
    )
    data: list[str] = field(
        default_factory=list,
        metadata={"help": "JSONL training files of chat records ({'messages': [...]} per line)"},
    )
    out: str = field(default="", metadata={"help": "output directory for the weights and card"})
    lora_r: int = field(default=256, metadata={"help": "LoRA rank"})
    lora_alpha: float = field(
        default=32.0, metadata={"help": "LoRA alpha (scale alpha/sqrt(r) with rsLoRA)"}
    )
    lora_dropout: float = field(default=0.0, metadata={"help": "dropout on the LoRA input"})
    use_rslora: bool = field(
        default=True, metadata={"help": "rank-stabilised LoRA: scale by alpha/sqrt(r), not alpha/r"}
    )
    target_modules: list[str] | str = field(
        default_factory=lambda: list(ALL_PROJECTIONS),
        metadata={
            "help": "modules given LoRA weights: a list of module names (default: every attention "
            "and MLP projection, Qwen/Llama naming) or 'all-linear' (every linear layer but the "
            "output head, for architectures that name their projections differently)"
        },
    )
    learning_rate: float = field(default=5e-5, metadata={"help": "peak learning rate (AdamW)"})
    epochs: float = field(default=3.0, metadata={"help": "passes over the data"})
    lr_scheduler: str = field(
        default="cosine", metadata={"help": f"learning-rate schedule: {', '.join(SCHEDULERS)}"}
    )
    warmup_ratio: float = field(
        default=0.1, metadata={"help": "fraction of the steps with a linear warmup"}
    )
    weight_decay: float = field(default=0.05, metadata={"help": "AdamW weight decay"})
    effective_batch: int = field(
        default=32,
        metadata={
            "help": "sequences per optimizer step over all devices; gradient accumulation is "
            "effective_batch / (per_device_batch x devices), rounded up"
        },
    )
    per_device_batch: int = field(default=1, metadata={"help": "sequences per device and pass"})
    max_length: int = field(
        default=30000,
        metadata={
            "help": "longest training sequence (prompt and answer) in tokens; longer examples are "
            "dropped, not truncated, and counted. 30,000 is SOAR's (its models' context during "
            "search and training): every ARC-AGI-1 example fits (30x30 grids need ~17k tokens); "
            "lower it (e.g. 8192) when a long sequence does not fit in GPU memory"
        },
    )
    bf16: bool | None = field(
        default=None,
        metadata={
            "help": "train in bfloat16 (weights loaded in bfloat16, mixed precision); default: "
            "where the GPU supports it, else float32"
        },
    )
    gradient_checkpointing: bool = field(
        default=True, metadata={"help": "recompute activations in the backward pass (less memory)"}
    )
    merge: bool = field(
        default=False,
        metadata={
            "help": "write full merged weights (loadable by vLLM and transformers without peft) "
            "in out, and the adapter in out/adapter; else only the adapter, in out"
        },
    )
    qlora: bool = field(
        default=False,
        metadata={"help": "load the base model in 4 bits (QLoRA; needs CUDA and bitsandbytes)"},
    )
    seed: int = field(default=0, metadata={"help": "seed of the LoRA initialisation and shuffle"})
    max_steps: int | None = field(
        default=None, metadata={"help": "stop after this many optimizer steps (overrides epochs)"}
    )
    logging_steps: int = field(default=10, metadata={"help": "optimizer steps between loss logs"})

    def __post_init__(self) -> None:
        if isinstance(self.data, (str, Path)):
            self.data = [str(self.data)]
        self.data = [str(path) for path in self.data]
        for name in _FLOATS:  # YAML reads 5e-5 (no dot) as a string
            value = getattr(self, name)
            if isinstance(value, str):
                try:
                    setattr(self, name, float(value))
                except ValueError:
                    raise TrainError(f"{name}: expected a number, got {value!r}") from None
        if isinstance(self.target_modules, tuple):
            self.target_modules = list(self.target_modules)
        for name in ("base", "out"):
            value = getattr(self, name)
            if not isinstance(value, (str, Path)) or not str(value):
                raise TrainError(f"{name}: expected {_WHAT[name]}, got {value!r}")
            setattr(self, name, str(value))
        if not self.data:
            raise TrainError("data: expected at least one JSONL training file, got none")
        _at_least("lora_r", self.lora_r, 1)
        _positive("lora_alpha", self.lora_alpha)
        _fraction("lora_dropout", self.lora_dropout)
        if isinstance(self.target_modules, str):
            if self.target_modules != "all-linear":
                raise TrainError(
                    "target_modules: expected a list of module names or 'all-linear', "
                    f"got {self.target_modules!r}"
                )
        elif not self.target_modules or not all(
            isinstance(name, str) and name for name in self.target_modules
        ):
            raise TrainError(
                "target_modules: expected a non-empty list of module names or 'all-linear', "
                f"got {self.target_modules!r}"
            )
        _positive("learning_rate", self.learning_rate)
        _positive("epochs", self.epochs)
        if self.lr_scheduler not in SCHEDULERS:
            raise TrainError(
                f"lr_scheduler: expected one of {', '.join(SCHEDULERS)}, got {self.lr_scheduler!r}"
            )
        _fraction("warmup_ratio", self.warmup_ratio)
        if not _is_number(self.weight_decay) or not self.weight_decay >= 0.0:
            raise TrainError(f"weight_decay: expected a number >= 0, got {self.weight_decay!r}")
        _at_least("effective_batch", self.effective_batch, 1)
        _at_least("per_device_batch", self.per_device_batch, 1)
        _at_least("max_length", self.max_length, 16)
        if self.max_steps is not None:
            _at_least("max_steps", self.max_steps, 1)
        _at_least("logging_steps", self.logging_steps, 1)
        for name in ("use_rslora", "gradient_checkpointing", "merge", "qlora"):
            if not isinstance(getattr(self, name), bool):
                raise TrainError(f"{name}: expected true or false, got {getattr(self, name)!r}")
        if self.bf16 is not None and not isinstance(self.bf16, bool):
            raise TrainError(f"bf16: expected true, false or null (auto), got {self.bf16!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise TrainError(f"seed: expected an integer, got {self.seed!r}")

    def gradient_accumulation(self, world_size: int = 1) -> int:
        """Passes per optimizer step so that a step sees at least ``effective_batch`` sequences.

        >>> config = TrainConfig(base="m", data=["d.jsonl"], out="o")
        >>> config.gradient_accumulation(world_size=4)
        8
        >>> TrainConfig(base="m", data=["d"], out="o", per_device_batch=5).gradient_accumulation()
        7
        """
        per_pass = self.per_device_batch * max(1, world_size)
        return max(1, -(-self.effective_batch // per_pass))

    @classmethod
    def load(cls, path: str | Path | None = None, **overrides: Any) -> TrainConfig:
        """Values from the YAML file at ``path`` (if any), then ``overrides`` that are not None.

        Raises:
            ValueError: the file cannot be read or is not a mapping, a setting is unknown, or a
                value is out of range.
        """
        return load_settings(cls, path, overrides)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


_FLOATS = ("lora_alpha", "lora_dropout", "learning_rate", "epochs", "warmup_ratio", "weight_decay")

_WHAT = {
    "base": "a model directory or hub id such as Qwen/Qwen2.5-Coder-7B-Instruct",
    "out": "an output directory",
}


def _at_least(name: str, value: Any, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise TrainError(f"{name}: expected an integer of at least {low}, got {value!r}")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _positive(name: str, value: Any) -> None:
    if not _is_number(value) or not value > 0:
        raise TrainError(f"{name}: expected a positive number, got {value!r}")


def _fraction(name: str, value: Any) -> None:
    if not _is_number(value) or not 0.0 <= value < 1.0:
        raise TrainError(f"{name}: expected a number in [0, 1), got {value!r}")
