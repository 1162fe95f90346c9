"""The ``soar train`` command (registered on the ``soar`` group by ``soar.evaluate.cli``).

``--base`` names what is trained: a language model (a directory or hub id) goes to LoRA SFT
(:func:`soar.training.sft.train`); other trainers can be registered by base name in :data:`TRAINERS`.
Like ``soar.evaluate.cli``, this module imports only click (and the standard library) at import time.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from typing import Any

import click

Trainer = Callable[[str | None, dict[str, Any], bool], list[str]]
"""``(config_file, overrides, show_progress) -> summary lines``; raises an
:class:`~soar.arc_env.error.InputError` on bad input."""

TRAINERS: dict[str, str] = {"dsl": "soar.training.dsl_train:train_dsl_command"}
"""Trainers for non-LLM policies by ``--base`` name, as ``"module:function"`` references to a
:data:`Trainer` (e.g. ``"dsl"``). Any other base is a language model for LoRA SFT."""


def trainer_for(base: str | None) -> Trainer:
    """The trainer for ``base``: a registered one, else :func:`train_language_model`."""
    reference = TRAINERS.get(base or "")
    if reference is None:
        return train_language_model
    module, _, name = reference.partition(":")
    return getattr(importlib.import_module(module), name)


def train_language_model(
    config_file: str | None, overrides: dict[str, Any], show_progress: bool
) -> list[str]:
    """LoRA SFT of a language model; the summary lines to print."""
    from soar.training.sft import train
    from soar.training.sft_config import TrainConfig

    config = TrainConfig.load(config_file, **overrides)
    result = train(config, show_progress=show_progress)
    data = result.data
    losses = result.losses
    loss = f"loss {losses[0]:.4f} -> {losses[-1]:.4f}" if losses else "no loss logged"
    lines = [
        f"trained: {result.out}"
        + (f" (merged weights; adapter in {result.adapter})" if result.merged else " (adapter)"),
        f"examples: {data.used} used, {data.dropped} dropped (longer than "
        f"{config.max_length} tokens)",
        f"steps: {result.steps} ({result.epochs:.2f} epochs, batch {result.effective_batch}), "
        f"{loss}, {result.runtime_s:.0f} s",
    ]
    if result.merged:
        lines.append(f"policy: vllm:{result.out} or hf:{result.out}")
    else:
        lines.append(f"policy: hf:{config.base}+{result.adapter}")
    return lines


@click.command("train", short_help="Finetune a policy on training data (LoRA SFT).")
@click.option(
    "--base",
    help="Base model: a directory or hub id, or dsl to fit the CPU grammar policy's weights.",
)
@click.option(
    "--data",
    "data",
    multiple=True,
    metavar="FILE",
    help="JSONL training file (chat records); more files may follow it or repeat --data.",
)
@click.argument("more_data", nargs=-1, metavar="[FILE]...")
@click.option("--out", help="Output directory for the weights and the model card.")
@click.option("--merge", is_flag=True, help="Write merged full weights (vLLM) as well.")
@click.option("--qlora", is_flag=True, help="Load the base in 4 bits (CUDA + bitsandbytes).")
@click.option("--epochs", type=float, help="Passes over the data (default 3).")
@click.option("--lr", "learning_rate", type=float, help="Peak learning rate (default 5e-5).")
@click.option("--max-steps", type=int, help="Stop after this many optimizer steps.")
@click.option("--max-length", type=int, help="Longest example in tokens (default 30000).")
@click.option(
    "--config", "config_file", type=click.Path(dir_okay=False), help="YAML settings file."
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
def train_command(**flags: Any) -> None:
    """Finetune --base on the chat records of --data FILE [FILE...]; write the result to --out.

    For a language model: LoRA SFT with TRL (defaults from the SOAR paper: rsLoRA r 256, alpha
    32, lr 5e-5, 3 epochs, cosine, warmup 0.1, weight decay 0.05, batch 32), loss on the answer
    only; examples longer than --max-length are dropped and counted. OUT gets the adapter (use
    it as hf:BASE+OUT), or with --merge full weights (vllm:OUT) and the adapter in OUT/adapter,
    and a model card, README.md. Settings come from --config (YAML, any field of
    soar.training.sft_config.TrainConfig) with flags overriding. Several GPUs: accelerate launch -m
    soar train ...
    """
    data = [*flags["data"], *flags["more_data"]]
    overrides = {
        "base": flags["base"],
        "data": data or None,
        "out": flags["out"],
        "merge": True if flags["merge"] else None,
        "qlora": True if flags["qlora"] else None,
        "epochs": flags["epochs"],
        "learning_rate": flags["learning_rate"],
        "max_steps": flags["max_steps"],
        "max_length": flags["max_length"],
    }
    base = flags["base"]
    if base is None and flags["config_file"]:
        from soar.agents.settings import read_yaml

        base = read_yaml(flags["config_file"]).get("base")
    lines = trainer_for(base)(flags["config_file"], overrides, not flags["quiet"])
    if os.environ.get("RANK", "0") == "0":  # one summary under accelerate launch
        click.echo("\n".join(lines))
