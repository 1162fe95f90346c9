"""The base model on the way in and out of LoRA SFT: loading it (optionally in 4 bits, QLoRA) and
merging a trained adapter into a fresh copy of it.

torch, transformers and peft are imported when a function runs, never when this module is.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

from soar.agents.backends.hf import resolve_source
from soar.agents.registry import PolicyError

from .sft_config import TrainConfig, TrainError


def base_source(base: str) -> str:
    """The local path (``~`` expanded) or hub id of the base model."""
    try:
        return resolve_source(base, "base model")
    except PolicyError as err:
        raise TrainError(str(err)) from None


def load_model(config: TrainConfig, source: str, bf16: bool) -> Any:
    """The base model to train: in bfloat16 or float32, or in 4-bit NF4 with ``config.qlora``
    (on this process's GPU, prepared for k-bit training)."""
    import torch
    from transformers import AutoModelForCausalLM

    dtype = torch.bfloat16 if bf16 else torch.float32
    kwargs = dtype_kwargs(dtype)
    if config.qlora:
        from accelerate import PartialState
        from transformers import BitsAndBytesConfig

        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=dtype,
        )
        kwargs["device_map"] = {"": PartialState().local_process_index}
    try:
        model = AutoModelForCausalLM.from_pretrained(source, **kwargs)
    except (OSError, ValueError) as err:
        raise TrainError(f"could not load the model {config.base!r}: {err}") from None
    if config.qlora:
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(
            model, use_gradient_checkpointing=config.gradient_checkpointing
        )
    return model


def merge_adapter(base: str, adapter: Path, out: Path, tokenizer: Any) -> Path:
    """Merge the LoRA ``adapter`` into a fresh copy of ``base``; save it and ``tokenizer`` to ``out``.

    The base is reloaded in its checkpoint's dtype (also after QLoRA training, so the merged
    weights are never 4-bit), on the GPU when there is one.
    """
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(base_source(base), **dtype_kwargs("auto"))
    if torch.cuda.is_available():
        model.to("cuda")
    merged = PeftModel.from_pretrained(model, str(adapter)).merge_and_unload()
    merged.save_pretrained(str(out))
    tokenizer.save_pretrained(str(out))
    del model, merged
    free_memory()
    return out


def dtype_kwargs(dtype: Any) -> dict[str, Any]:
    """``{"dtype": dtype}``, or ``torch_dtype`` before transformers 4.56 renamed it."""
    import transformers

    major, minor = (int(part) for part in transformers.__version__.split(".")[:2])
    return {("dtype" if (major, minor) >= (4, 56) else "torch_dtype"): dtype}


def free_memory() -> None:
    """Collect garbage and return cached GPU memory."""
    import torch

    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
