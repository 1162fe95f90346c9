"""Tiny, randomly initialised models built locally, for tests of the transformers code paths.

Everything is made here, offline: a byte-level BPE tokenizer trained with ``tokenizers`` on the
project's own prompts and example programs (so ARC prompts tokenize to a realistic, modest number
of tokens), a two-layer Qwen2-architecture model sized to it, and a LoRA adapter for it. Each is
written with ``save_pretrained``, so tests load them through the same ``from_pretrained`` path a
real checkpoint takes. The model is random: its answers are noise, never a program.

Needs torch, transformers, tokenizers and peft (the ``hf`` extra); importing this module imports
them.
"""

from __future__ import annotations

from pathlib import Path

import torch
from soar.agents.prompts import REFINE_INSTRUCTIONS, sample_messages
from soar.arc_env import load_tasks
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
from transformers import (
    AutoModelForCausalLM,
    GenerationConfig,
    PreTrainedTokenizerFast,
    Qwen2Config,
)

REPO_ROOT = Path(__file__).resolve().parents[2]

IM_START, IM_END, END_OF_TEXT = "<|im_start|>", "<|im_end|>", "<|endoftext|>"
SPECIAL_TOKENS = [END_OF_TEXT, IM_START, IM_END]

CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
"""Qwen's ChatML layout, without Qwen's default system message."""

QWEN_PRETOKENIZE_REGEX = (
    r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"""
    r"""|\s*[\r\n]+|\s+(?!\S)|\s+"""
)
"""Qwen2's pre-tokenization (digits one by one). transformers 5 rebuilds a Qwen2 model's tokenizer
with it on loading, so the tokenizer is trained with it too: what loads is what was trained."""


def tokenizer_corpus(n_tasks: int = 20) -> list[str]:
    """Training text: the sampling prompts of the first ``n_tasks`` ARC-AGI-1 training tasks (by
    id), the refinement instructions, and the example programs under ``examples/programs``."""
    tasks = sorted(load_tasks("arc1/train"), key=lambda task: task.id)[:n_tasks]
    texts = [message["content"] for task in tasks for message in sample_messages(task)]
    texts.append(REFINE_INSTRUCTIONS)
    texts.extend(
        path.read_text() for path in sorted((REPO_ROOT / "examples/programs").glob("*.py"))
    )
    return texts


def train_tokenizer(texts: list[str], vocab_size: int = 1000) -> PreTrainedTokenizerFast:
    """A byte-level BPE tokenizer trained on ``texts``, laid out like Qwen2's (pre-tokenization,
    chat tokens, ChatML template).

    EOS is ``<|im_end|>`` (the end of a chat turn), padding is ``<|endoftext|>``. The vocabulary
    has at most ``vocab_size`` tokens: training stops early once every word of ``texts`` is a
    single token (the default corpus gives about 770).
    """
    backend = Tokenizer(models.BPE())
    backend.normalizer = normalizers.NFC()
    backend.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(QWEN_PRETOKENIZE_REGEX), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    backend.train_from_iterator(texts, trainer=trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=backend,
        eos_token=IM_END,
        pad_token=END_OF_TEXT,
        chat_template=CHATML_TEMPLATE,
    )


def build_tiny_model(
    directory: str | Path, *, seed: int = 0, vocab_size: int = 1000, texts: list[str] | None = None
) -> Path:
    """Write a tiny random Qwen2 model and its trained tokenizer to ``directory``; return it.

    Args:
        directory: where ``save_pretrained`` writes both (created if missing).
        seed: torch seed for the weights.
        vocab_size: target vocabulary size of the tokenizer (the model matches the result).
        texts: tokenizer training text (default: :func:`tokenizer_corpus`).
    """
    directory = Path(directory)
    tokenizer = train_tokenizer(texts if texts is not None else tokenizer_corpus(), vocab_size)
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=4096,
        bos_token_id=None,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(config)
    model.generation_config = GenerationConfig(
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id
    )
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def build_tiny_adapter(
    model_dir: str | Path, directory: str | Path, *, seed: int = 0, r: int = 4, scale: float = 0.5
) -> Path:
    """Write a LoRA adapter (rank ``r`` on ``q_proj`` and ``v_proj``) for the model in
    ``model_dir`` to ``directory``; return it.

    LoRA starts as a no-op (its B matrices are zero); here every LoRA weight is drawn from a
    normal distribution with standard deviation ``scale``, so the adapter changes the outputs.
    """
    from peft import LoraConfig, get_peft_model

    directory = Path(directory)
    base = AutoModelForCausalLM.from_pretrained(model_dir)
    config = LoraConfig(
        r=r, lora_alpha=2 * r, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM"
    )
    model = get_peft_model(base, config)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if "lora_" in name:
                parameter.copy_(torch.randn(parameter.shape, generator=generator) * scale)
    model.save_pretrained(directory)
    return directory
