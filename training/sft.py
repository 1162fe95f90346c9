"""LoRA finetuning with TRL's ``SFTTrainer`` and peft: :func:`train`.

Every run starts from the base model (SOAR retrains from the base at each iteration). The JSONL
chat records become TRL prompt-completion examples (loss on the answer and its end-of-turn token
only); examples longer than ``max_length`` tokens are dropped and counted; the LoRA adapter is
saved for the transformers policy (``hf:BASE+OUT``), or, with ``merge``, merged into full weights
that vLLM and transformers load without peft (``vllm:OUT``, ``hf:OUT``). A model card
(``README.md``: base model, data, hyperparameters, losses) is written last, next to the weights.

Several GPUs: run under ``accelerate launch`` (data parallel); the effective batch stays
``effective_batch`` because gradient accumulation is divided by the number of processes.

torch, transformers, peft, trl and datasets are imported when :func:`train` runs, never when this
module is imported.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from soar.agents.registry import install_command

from .sft_config import TrainConfig, TrainError
from .sft_data import DataStats, load_examples, training_chat_template
from .sft_model import base_source, free_memory, load_model, merge_adapter

HF_MODULES = ("torch", "transformers", "peft", "trl", "datasets", "accelerate")


@dataclass(frozen=True)
class TrainResult:
    """What :func:`train` wrote and measured."""

    out: Path
    """The output directory (weights, tokenizer, ``README.md``)."""
    adapter: Path
    """The LoRA adapter: ``out``, or ``out/adapter`` when merged."""
    merged: Path | None
    """The merged full weights (``out``), or None."""
    data: DataStats
    """Examples read, used and dropped for length."""
    steps: int
    """Optimizer steps taken."""
    epochs: float
    """Passes over the data made."""
    losses: list[float]
    """The logged training losses, in order."""
    mean_loss: float
    """The training loss averaged over all steps."""
    bf16: bool
    """Trained in bfloat16 (else float32)."""
    per_device_batch: int
    gradient_accumulation: int
    world_size: int
    runtime_s: float
    """Seconds spent in the training loop."""

    @property
    def examples(self) -> int:
        """Examples trained on."""
        return self.data.used

    @property
    def dropped(self) -> int:
        """Examples dropped because they are longer than ``max_length`` tokens."""
        return self.data.dropped

    @property
    def final_loss(self) -> float | None:
        """The last logged training loss."""
        return self.losses[-1] if self.losses else None

    @property
    def effective_batch(self) -> int:
        """Sequences per optimizer step, over all devices."""
        return self.per_device_batch * self.gradient_accumulation * self.world_size


def require_hf() -> None:
    """Raise :class:`TrainError` naming the ``hf`` extra when a training library is missing."""
    missing = [m for m in HF_MODULES if importlib.util.find_spec(m) is None]
    if missing:
        raise TrainError(
            f"training needs {', '.join(missing)}: install them with {install_command('hf')}"
        )


def train(config: TrainConfig, *, show_progress: bool = True) -> TrainResult:
    """Finetune ``config.base`` with LoRA on ``config.data``; write the weights and a model card.

    Raises:
        TrainError: a library is missing, QLoRA is asked for without CUDA and bitsandbytes, a
            data file is missing or malformed, no example fits in ``max_length``, or the base
            model cannot be loaded.
    """
    trainer, stats = build_trainer(config, show_progress=show_progress)
    out = Path(config.out)
    if trainer.accelerator.is_main_process:  # the card marks a finished run: none until then
        (out / "README.md").unlink(missing_ok=True)
    output = trainer.train()
    state, args = trainer.state, trainer.args
    losses = [float(entry["loss"]) for entry in state.log_history if "loss" in entry]
    adapter = out / "adapter" if config.merge else out
    tokenizer = trainer.processing_class
    trainer.save_model(str(adapter))
    accelerator = trainer.accelerator
    world_size = accelerator.num_processes
    del trainer
    free_memory()
    result = TrainResult(
        out=out,
        adapter=adapter,
        merged=out if config.merge else None,
        data=stats,
        steps=state.global_step,
        epochs=float(state.epoch or 0.0),
        losses=losses,
        mean_loss=float(output.training_loss),
        gradient_accumulation=args.gradient_accumulation_steps,
        world_size=world_size,
        bf16=bool(args.bf16),
        per_device_batch=config.per_device_batch,
        runtime_s=float(output.metrics.get("train_runtime", 0.0)),
    )
    if accelerator.is_main_process:
        (adapter / "README.md").unlink(missing_ok=True)  # peft's placeholder card
        if config.merge:
            merge_adapter(config.base, adapter, out, tokenizer)
        from .sft_card import write_model_card

        write_model_card(config, result)
    accelerator.wait_for_everyone()
    return result


def build_trainer(config: TrainConfig, *, show_progress: bool = True) -> tuple[Any, DataStats]:
    """The ``SFTTrainer`` for ``config`` (base model, LoRA, data) and its data statistics.

    The trainer has tokenized the data; its batches are ``trainer.data_collator`` of examples of
    ``trainer.train_dataset``. A base tokenizer without a chat template is given
    :func:`~soar.training.sft_data.training_chat_template` while the data is tokenized, then set back.
    """
    require_hf()
    import torch
    from transformers import AutoTokenizer
    from trl import SFTConfig

    if config.qlora and not (torch.cuda.is_available() and _has("bitsandbytes")):
        raise TrainError(
            "qlora: 4-bit training needs an NVIDIA GPU and bitsandbytes (pip install bitsandbytes)"
        )
    bf16 = config.bf16
    if bf16 is None:
        bf16 = bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())
    world_size = int(os.environ.get("WORLD_SIZE", "1"))  # set by accelerate launch, torchrun
    for path in config.data:
        if not Path(path).is_file():
            raise TrainError(f"data file not found: {path}")
    source = base_source(config.base)
    try:
        tokenizer = AutoTokenizer.from_pretrained(source)
    except (OSError, ValueError) as err:
        raise TrainError(f"could not load the tokenizer of {config.base!r}: {err}") from None
    own_template = getattr(tokenizer, "chat_template", None)
    template = training_chat_template(tokenizer)
    if template is not None:
        tokenizer.chat_template = template
    fields = SFTConfig.__dataclass_fields__  # names that changed with transformers 5:
    warmup = "warmup_ratio" if "warmup_ratio" in fields else "warmup_steps"  # float < 1: ratio
    checkpointing = (
        "activation_checkpointing"
        if "activation_checkpointing" in fields
        else "gradient_checkpointing"
    )
    args = SFTConfig(
        output_dir=config.out,
        num_train_epochs=config.epochs,
        max_steps=config.max_steps if config.max_steps is not None else -1,
        learning_rate=config.learning_rate,
        lr_scheduler_type=config.lr_scheduler,
        weight_decay=config.weight_decay,
        per_device_train_batch_size=config.per_device_batch,
        gradient_accumulation_steps=config.gradient_accumulation(world_size),
        bf16=bf16,
        fp16=False,
        logging_steps=config.logging_steps,
        logging_first_step=True,
        save_strategy="no",
        report_to="none",
        seed=config.seed,
        max_length=config.max_length,
        packing=False,
        completion_only_loss=True,
        assistant_only_loss=False,
        disable_tqdm=not show_progress,
        **{warmup: config.warmup_ratio, checkpointing: config.gradient_checkpointing},
    )
    with _datasets_progress(show_progress):
        with args.main_process_first(desc="reading the training data"):  # one fills the cache
            dataset, stats = load_examples(config.data, tokenizer, config.max_length)
        if not stats.used:
            raise TrainError(
                f"no training example fits in max_length={config.max_length} tokens "
                f"({stats.dropped} dropped): raise max_length"
            )
        trainer = _make_trainer(config, source, bf16, args, dataset, tokenizer)
    tokenizer.chat_template = own_template  # the data is tokenized: save the base's own
    return trainer, stats


def _make_trainer(
    config: TrainConfig, source: str, bf16: bool, args: Any, dataset: Any, tokenizer: Any
) -> Any:
    from peft import LoraConfig
    from trl import SFTTrainer

    model = load_model(config, source, bf16)
    lora = LoraConfig(
        r=config.lora_r,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        use_rslora=config.use_rslora,
        target_modules=config.target_modules,
        bias="none",
        task_type="CAUSAL_LM",
    )
    return SFTTrainer(
        model=model, args=args, train_dataset=dataset, processing_class=tokenizer, peft_config=lora
    )


@contextlib.contextmanager
def _datasets_progress(show: bool) -> Iterator[None]:
    """``datasets``' progress bars on or off for the block (as they were afterwards)."""
    from datasets.utils import logging

    was_on = logging.is_progress_bar_enabled()
    (logging.enable_progress_bar if show else logging.disable_progress_bar)()
    try:
        yield
    finally:
        (logging.enable_progress_bar if was_on else logging.disable_progress_bar)()


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None
