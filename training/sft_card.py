"""The model card (``README.md``) written next to finetuned weights: what was trained, on what."""

from __future__ import annotations

import math
from importlib import metadata
from typing import TYPE_CHECKING

from .sft_config import TrainConfig

if TYPE_CHECKING:
    from .sft import TrainResult


def lora_scale(config: TrainConfig) -> float:
    """The factor LoRA's update is multiplied by: alpha/sqrt(r) with rsLoRA, else alpha/r.

    >>> lora_scale(TrainConfig(base="m", data=["d"], out="o"))
    2.0
    """
    root = math.sqrt(config.lora_r) if config.use_rslora else config.lora_r
    return config.lora_alpha / root


def model_card(config: TrainConfig, result: TrainResult) -> str:
    """The card's Markdown text (with Hugging Face metadata front matter)."""
    merged = result.merged is not None
    data = result.data
    usage = (
        [f"- vLLM: `vllm:{result.out}`", f"- transformers: `hf:{result.out}`"]
        if merged
        else [f"- transformers with the adapter: `hf:{config.base}+{result.adapter}`"]
    )
    if merged:
        usage.append(f"- the adapter alone: `hf:{config.base}+{result.adapter}`")
    files = [
        "| file | records | used | dropped (over max_length) |",
        "|---|---:|---:|---:|",
        *(f"| `{f.path}` | {f.records} | {f.used} | {f.dropped} |" for f in data.files),
    ]
    sources = ", ".join(f"{name}: {count}" for name, count in data.sources.items()) or "none"
    target = config.target_modules
    settings = {
        "LoRA": f"r {config.lora_r}, alpha {config.lora_alpha:g}, dropout {config.lora_dropout:g}, "
        f"{'rsLoRA' if config.use_rslora else 'standard scaling'} (scale {lora_scale(config):g})",
        "target modules": target if isinstance(target, str) else ", ".join(target),
        "learning rate": f"{config.learning_rate:g}, {config.lr_scheduler} schedule, "
        f"warmup {config.warmup_ratio:g} of the steps",
        "weight decay": f"{config.weight_decay:g}",
        "epochs": f"{config.epochs:g}"
        + (f" (stopped at max_steps {config.max_steps})" if config.max_steps else ""),
        "batch": f"{result.effective_batch} sequences per step = {result.per_device_batch} per "
        f"device x {result.gradient_accumulation} accumulated x {result.world_size} device(s)",
        "max length": f"{config.max_length} tokens (longer examples dropped, not truncated)",
        "precision": "bfloat16 (mixed)" if result.bf16 else "float32",
        "quantisation": "4-bit NF4 base (QLoRA)" if config.qlora else "none",
        "loss": "on the assistant answer only (TRL prompt-completion, completion-only loss)",
        "seed": str(config.seed),
    }
    losses = result.losses
    lines = [
        "---",
        f"base_model: {config.base}",
        f"library_name: {'transformers' if merged else 'peft'}",
        "tags: [soar-arc, arc-agi, program-synthesis, sft, lora, trl]",
        "---",
        "",
        f"# {config.base}, finetuned for ARC-AGI program synthesis",
        "",
        "Written by `soar train` (soar-arc), after SOAR (Pourcel et al., ICML 2025): supervised "
        "finetuning with TRL's SFTTrainer and a peft LoRA adapter, starting from the base model. "
        + (
            "The adapter is merged into full weights here; the adapter itself is in "
            f"`{result.adapter.name}/`."
            if merged
            else "This directory holds the LoRA adapter."
        ),
        "",
        "Use it as a soar policy:",
        "",
        *usage,
        "",
        "## Data",
        "",
        *files,
        "",
        f"- examples used: {data.used}, dropped for length: {data.dropped}",
        f"- sources: {sources}",
        f"- lengths: {data.token_summary()}",
        "",
        "## Hyperparameters",
        "",
        "| setting | value |",
        "|---|---|",
        *(f"| {name} | {value} |" for name, value in settings.items()),
        "",
        "## Training",
        "",
        f"- steps: {result.steps} ({result.epochs:.2f} epochs), {result.runtime_s:.0f} s",
        f"- loss: first logged {_loss(losses[0] if losses else None)}, "
        f"last logged {_loss(result.final_loss)}, mean {_loss(result.mean_loss)}",
        f"- libraries: {_versions()}",
        "",
    ]
    return "\n".join(lines)


def write_model_card(config: TrainConfig, result: TrainResult) -> None:
    """Write the card to ``OUT/README.md`` (and, when merged, to the adapter's directory)."""
    text = model_card(config, result)
    if result.merged is not None:
        (result.adapter / "README.md").write_text(text)
    (result.out / "README.md").write_text(text)  # last: its presence means the run is complete


def _versions() -> str:
    names = ("soar-arc", "trl", "peft", "transformers", "torch")
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return ", ".join(found)


def _loss(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"
