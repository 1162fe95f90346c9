"""The vLLM back end: the offline ``vllm.LLM`` engine, for sampling at GPU scale.

Prompts are rendered with the model's chat template and tokenized here, so that a prompt longer
than the context (``max_model_len``) is skipped with a logged reason instead of failing the whole
batch. Every conversation of a batch goes to the engine in one ``generate`` call (continuous
batching; prefix caching shares the task part of prompts between samples and refinements). LoRA
adapters (from ``soar train``) are served through ``LoRARequest`` on the same engine. Tensor
parallelism spreads a large model over several GPUs of one node; for several nodes, run
``vllm serve`` per node and use the ``openai:`` back end over all of them.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence

from ..policy import Conversation, Policy, RawCompletion, SamplingConfig
from ..prompts import PromptConfig
from ..registry import require

log = logging.getLogger(__name__)


def too_long(prompt_tokens: int, max_new_tokens: int, max_model_len: int) -> str | None:
    """Why a prompt cannot be answered within the context, or None if it fits.

    >>> too_long(100, 50, 4096) is None
    True
    >>> too_long(4000, 200, 4096)
    'prompt of 4000 tokens + 200 new tokens exceeds the context of 4096 tokens'
    """
    if prompt_tokens + max_new_tokens > max_model_len:
        return (
            f"prompt of {prompt_tokens} tokens + {max_new_tokens} new tokens exceeds the context "
            f"of {max_model_len} tokens"
        )
    return None


def _context_length(engine, requested: int | None, tokenizer) -> int:
    """The engine's context length (its model config, else what was asked, else the tokenizer's)."""
    for path in (("llm_engine", "model_config"), ("llm_engine", "vllm_config", "model_config")):
        obj = engine
        try:
            for name in path:
                obj = getattr(obj, name)
            return int(obj.max_model_len)
        except AttributeError:
            continue
    return int(requested or tokenizer.model_max_length)


class VLLMPolicy(Policy):
    """Samples programs with an offline vLLM engine.

    Args:
        model: a local model directory or hub id.
        adapter: a LoRA adapter directory served on top of ``model`` (optional).
        tensor_parallel_size: GPUs to split the model over.
        max_model_len: context length (default: the model's).
        gpu_memory_utilization: share of GPU memory vLLM may take.
        max_lora_rank: the largest LoRA rank to serve (the paper's adapters use 256).
        engine_options: further keyword arguments for ``vllm.LLM``.
    """

    def __init__(
        self,
        model: str,
        *,
        adapter: str | None = None,
        sampling: SamplingConfig | None = None,
        prompts: PromptConfig | None = None,
        tensor_parallel_size: int = 1,
        max_model_len: int | None = None,
        gpu_memory_utilization: float = 0.9,
        max_lora_rank: int = 256,
        enable_prefix_caching: bool = True,
        **engine_options: object,
    ) -> None:
        super().__init__(sampling, prompts)
        require(("vllm",), "vllm", "vLLM")
        import vllm
        from vllm.lora.request import LoRARequest

        if adapter is not None and not os.path.isdir(adapter):
            raise FileNotFoundError(f"LoRA adapter: expected a directory, got {adapter!r}")
        self.model = model
        self.adapter = adapter
        self._vllm = vllm
        self.engine = vllm.LLM(
            model=model,
            tensor_parallel_size=tensor_parallel_size,
            max_model_len=max_model_len,
            gpu_memory_utilization=gpu_memory_utilization,
            enable_prefix_caching=enable_prefix_caching,
            enable_lora=adapter is not None,
            max_lora_rank=max_lora_rank,
            seed=self.sampling.seed if self.sampling.seed is not None else 0,
            **engine_options,
        )
        self.tokenizer = self.engine.get_tokenizer()
        self.max_model_len = _context_length(self.engine, max_model_len, self.tokenizer)
        self.lora = LoRARequest("adapter", 1, adapter) if adapter is not None else None

    @classmethod
    def from_spec(cls, target: str, **options: object) -> VLLMPolicy:
        """``MODEL`` or ``MODEL+ADAPTER`` (the adapter is a LoRA directory)."""
        model, _, adapter = target.partition("+")
        return cls(model, adapter=adapter or None, **options)  # type: ignore[arg-type]

    @property
    def policy_id(self) -> str:
        return f"vllm:{self.model}" + (f"+{self.adapter}" if self.adapter else "")

    def prompt_token_ids(self, conversation: Conversation) -> list[int]:
        """The conversation rendered with the chat template, as token ids."""
        ids = self.tokenizer.apply_chat_template(
            conversation.messages, add_generation_prompt=True, tokenize=True
        )
        return list(ids["input_ids"] if isinstance(ids, dict) else ids)

    def sampling_params(self, conversation: Conversation, *, ignore_eos: bool = False):
        s = self.sampling
        return self._vllm.SamplingParams(
            n=conversation.n,
            temperature=s.temperature,
            top_p=s.top_p,
            min_p=s.min_p,
            max_tokens=conversation.max_new_tokens,
            seed=s.seed,
            ignore_eos=ignore_eos,
        )

    def complete(
        self, conversations: Sequence[Conversation], *, ignore_eos: bool = False
    ) -> list[list[RawCompletion]]:
        answers: list[list[RawCompletion] | None] = [None] * len(conversations)
        prompts, params, where = [], [], []
        for i, conversation in enumerate(conversations):
            ids = self.prompt_token_ids(conversation)
            reason = too_long(len(ids), conversation.max_new_tokens, self.max_model_len)
            if reason is not None:
                log.warning("skipping a prompt: %s", reason)
                skipped = RawCompletion("", len(ids), 0, "skipped", reason)
                answers[i] = [skipped] * conversation.n
                continue
            prompts.append({"prompt_token_ids": ids})
            params.append(self.sampling_params(conversation, ignore_eos=ignore_eos))
            where.append(i)
        if prompts:
            outputs = self.engine.generate(prompts, params, lora_request=self.lora, use_tqdm=False)
            for i, output in zip(where, outputs, strict=True):
                n_prompt = len(output.prompt_token_ids)
                answers[i] = [
                    RawCompletion(
                        text=choice.text,
                        prompt_tokens=n_prompt,
                        completion_tokens=len(choice.token_ids),
                        finish_reason=choice.finish_reason or "stop",
                    )
                    for choice in output.outputs
                ]
        return [a if a is not None else [] for a in answers]

    def close(self) -> None:
        engine = getattr(self, "engine", None)
        if engine is not None:
            del self.engine
            import gc

            gc.collect()
            try:
                import torch

                if torch.cuda.is_available():
                    torch.cuda.empty_cache()
            except ImportError:
                pass
