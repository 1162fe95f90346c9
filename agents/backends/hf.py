"""The transformers back end: ``hf:/path/to/model`` or ``hf:/path/to/model+/path/to/adapter``.

Loads a causal language model with ``AutoModelForCausalLM`` (and its tokenizer), optionally with a
peft adapter on top, and samples in batches with ``model.generate``. Prompts go through the
tokenizer's chat template; a tokenizer without one gets :data:`FALLBACK_CHAT_TEMPLATE`.

Only :class:`~soar.agents.policy.SamplingConfig` shapes the sampling distribution: temperature, top-p and
min-p are passed as set, and the other knobs a model's ``generation_config.json`` may carry (top-k,
typical-p, repetition penalty, no-repeat n-grams) are passed as off, so a checkpoint's chat
defaults do not silently change what the search samples. Temperature 0 means greedy decoding.

torch, transformers and peft are imported when a policy is built, never when this module is.
"""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..policy import Conversation, Message, Policy, RawCompletion, SamplingConfig
from ..prompts import PromptConfig
from ..registry import PolicyError, require

FALLBACK_CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ message['role'] | capitalize }}:\n{{ message['content'] }}\n\n"
    "{% endfor %}"
    "{% if add_generation_prompt %}Assistant:\n{% endif %}"
)
"""The prompt layout for tokenizers without a chat template (base models): each message as
``Role:`` on its own line, then its content and a blank line; the prompt ends with
``Assistant:`` and a newline. The tokenizer's own special tokens (a BOS token) are added."""

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?$")
"""``name`` or ``namespace/name``, as Hugging Face hub repositories are named."""

# Distribution-shaping settings a checkpoint's generation_config.json may set; passed as "off" so
# that only SamplingConfig decides. Each exists in every supported transformers version.
_NEUTRAL_ALWAYS = {"repetition_penalty": 1.0, "no_repeat_ngram_size": 0}
_NEUTRAL_SAMPLING = {"top_k": 0, "typical_p": 1.0}


def split_target(target: str) -> tuple[str, str | None]:
    """``(model, adapter)`` from a spec target ``MODEL`` or ``MODEL+ADAPTER``.

    A target that exists as a local path is a model alone, even if its name holds a ``+``;
    otherwise the last ``+`` separates the model from the adapter.

    >>> split_target("/models/qwen+/adapters/it1")
    ('/models/qwen', '/adapters/it1')
    >>> split_target("Qwen/Qwen2.5-Coder-7B-Instruct")
    ('Qwen/Qwen2.5-Coder-7B-Instruct', None)
    """
    if "+" not in target or os.path.exists(os.path.expanduser(target)):
        return target, None
    model, _, adapter = target.rpartition("+")
    if not model or not adapter:
        raise PolicyError(
            f"expected an hf target MODEL or MODEL+ADAPTER (paths or hub ids), got {target!r}"
        )
    return model, adapter


def resolve_source(name: str, what: str) -> str:
    """The local path (``~`` expanded) or hub id to load ``name`` from.

    Raises:
        PolicyError: ``name`` is not an existing path and cannot be a hub id (it looks like a path:
            absolute, relative with ``./`` or ``~``, or more than ``namespace/name``).
    """
    path = os.path.expanduser(name)
    if os.path.exists(path):
        return path
    if _HUB_ID.match(name) and ".." not in name:
        return name
    raise PolicyError(f"{what} not found: no such file or directory {name!r}")


@dataclass(frozen=True)
class _Job:
    """One sample to draw: which conversation and sample it answers, and its prompt."""

    conversation: int
    sample: int
    prompt: list[int]
    max_new_tokens: int


class TransformersPolicy(Policy):
    """A policy answering with a transformers causal LM (optionally with a peft adapter).

    Most users build it from a spec string, ``make_policy("hf:/path/to/model+/path/to/adapter")``
    (see :meth:`from_spec`); a model already in memory (after training, say) can be wrapped
    directly.

    Prompts go through the tokenizer's chat template with the generation prompt added; a tokenizer
    without a chat template gets :data:`FALLBACK_CHAT_TEMPLATE` and its special tokens (BOS). All
    samples of a :meth:`complete` call are drawn together: every (conversation, sample) pair is one
    row, rows are grouped by token limit and ordered by prompt length (longest first, so a batch
    too large for the device fails early), then generated ``batch_size`` rows at a time with left
    padding. A batch that runs out of GPU memory is split in halves and retried; a single row that
    still does not fit gives an ``error`` record.

    A prompt longer than the prompt limit gives ``skipped`` records. The limit is
    ``max_prompt_tokens`` when set, else the model's ``max_position_embeddings`` less the
    conversation's ``max_new_tokens`` (no limit when the model config has no such field).

    With ``sampling.seed`` set, each :meth:`complete` call seeds torch with the seed plus the number
    of earlier calls: a run is repeatable (on the same hardware and batch size), and asking the
    same question twice still gives new samples.

    Args:
        model: a causal LM (``transformers`` model or ``peft.PeftModel``), already on its device.
        tokenizer: its tokenizer. Its padding side is set to left; when it has no pad token, the
            EOS token is made the pad token.
        sampling: generation settings.
        prompts: prompt settings.
        name: the model's name in :attr:`policy_id` (default: ``model.name_or_path``).
        adapter: the adapter's name in :attr:`policy_id`, when one is applied.
        batch_size: rows generated together.
        max_prompt_tokens: longest prompt answered (default: see above).
    """

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        sampling: SamplingConfig | None = None,
        prompts: PromptConfig | None = None,
        name: str | None = None,
        adapter: str | None = None,
        batch_size: int = 8,
        max_prompt_tokens: int | None = None,
    ) -> None:
        super().__init__(sampling, prompts)
        if batch_size < 1:
            raise ValueError(f"batch_size: expected at least 1, got {batch_size}")
        if max_prompt_tokens is not None and max_prompt_tokens < 1:
            raise ValueError(f"max_prompt_tokens: expected at least 1, got {max_prompt_tokens}")
        import torch

        self._torch = torch
        self.model = model
        self.tokenizer = tokenizer
        self.batch_size = batch_size
        self.max_prompt_tokens = max_prompt_tokens
        self._name = name or str(getattr(model, "name_or_path", "") or type(model).__name__)
        self._adapter = adapter
        self._calls = 0

        tokenizer.padding_side = "left"
        if tokenizer.pad_token_id is None and tokenizer.eos_token is not None:
            tokenizer.pad_token = tokenizer.eos_token
        self.eos_token_ids = _eos_token_ids(model, tokenizer)
        self.pad_token_id: int = (
            tokenizer.pad_token_id
            if tokenizer.pad_token_id is not None
            else (self.eos_token_ids[0] if self.eos_token_ids else 0)
        )
        self.context_length = _context_length(model)
        self.device = next(model.parameters()).device

    @classmethod
    def from_spec(
        cls,
        target: str,
        *,
        sampling: SamplingConfig | None = None,
        prompts: PromptConfig | None = None,
        device: str | None = None,
        dtype: Any = "auto",
        batch_size: int = 8,
        max_prompt_tokens: int | None = None,
    ) -> TransformersPolicy:
        """Load the model (and adapter) a spec target names: ``MODEL`` or ``MODEL+ADAPTER``.

        Each of ``MODEL`` and ``ADAPTER`` is a local directory (as written by
        ``save_pretrained``) or a hub id, loaded with ``from_pretrained``.

        Args:
            target: ``/path/to/model`` or ``/path/to/model+/path/to/adapter``.
            sampling: generation settings.
            prompts: prompt settings.
            device: where the model runs (default: ``cuda`` when available, else ``cpu``).
            dtype: weight dtype: ``"auto"`` (the checkpoint's), a name such as ``"bfloat16"``, or
                a ``torch.dtype``.
            batch_size: rows generated together.
            max_prompt_tokens: longest prompt answered (default: the model's context length less
                the completion limit).

        Raises:
            PolicyError: a library is missing, a path does not exist, the dtype is unknown, or
                the model cannot be loaded.
        """
        model_name, adapter_name = split_target(target)
        model_source = resolve_source(model_name, "model")
        adapter_source = resolve_source(adapter_name, "adapter") if adapter_name else None
        require(("torch", "transformers"), "hf", "transformers")
        if adapter_source is not None:
            require(("peft",), "hf", "transformers (with an adapter)")
        import torch
        import transformers
        from transformers import AutoModelForCausalLM, AutoTokenizer

        torch_dtype = _torch_dtype(torch, dtype)
        device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        # transformers 4.56 renamed torch_dtype to dtype.
        major, minor = (int(part) for part in transformers.__version__.split(".")[:2])
        dtype_key = "dtype" if (major, minor) >= (4, 56) else "torch_dtype"
        try:
            tokenizer = AutoTokenizer.from_pretrained(model_source)
            model = AutoModelForCausalLM.from_pretrained(model_source, **{dtype_key: torch_dtype})
        except OSError as exc:
            raise PolicyError(f"could not load the model {model_name!r}: {exc}") from exc
        if adapter_source is not None:
            from peft import PeftModel

            try:
                model = PeftModel.from_pretrained(model, adapter_source)
            except (OSError, ValueError) as exc:
                raise PolicyError(f"could not load the adapter {adapter_name!r}: {exc}") from exc
        model.to(device)
        model.eval()
        return cls(
            model,
            tokenizer,
            sampling=sampling,
            prompts=prompts,
            name=model_name,
            adapter=adapter_name,
            batch_size=batch_size,
            max_prompt_tokens=max_prompt_tokens,
        )

    @property
    def policy_id(self) -> str:
        return f"hf:{self._name}" + (f"+{self._adapter}" if self._adapter else "")

    def render_prompt(self, messages: Sequence[Message]) -> str:
        """The prompt text for ``messages``, ending where the assistant's answer begins."""
        template = (
            None if getattr(self.tokenizer, "chat_template", None) else FALLBACK_CHAT_TEMPLATE
        )
        return self.tokenizer.apply_chat_template(
            list(messages), chat_template=template, tokenize=False, add_generation_prompt=True
        )

    def encode_prompt(self, messages: Sequence[Message]) -> list[int]:
        """The prompt's token ids, exactly as they are fed to the model."""
        has_template = bool(getattr(self.tokenizer, "chat_template", None))
        encoded = self.tokenizer(self.render_prompt(messages), add_special_tokens=not has_template)
        return list(encoded["input_ids"])

    def prompt_limit(self, max_new_tokens: int) -> int | None:
        """The longest prompt answered when up to ``max_new_tokens`` may follow (None: no limit)."""
        if self.max_prompt_tokens is not None:
            return self.max_prompt_tokens
        if self.context_length is not None:
            return self.context_length - max_new_tokens
        return None

    def complete(self, conversations: Sequence[Conversation]) -> list[list[RawCompletion]]:
        if self.model is None:
            raise RuntimeError("this TransformersPolicy is closed")
        answers: list[list[RawCompletion | None]] = [[None] * c.n for c in conversations]
        jobs: list[_Job] = []
        for index, conversation in enumerate(conversations):
            prompt = self.encode_prompt(conversation.messages)
            limit = self.prompt_limit(conversation.max_new_tokens)
            if limit is not None and len(prompt) > limit:
                skipped = RawCompletion(
                    "",
                    prompt_tokens=len(prompt),
                    finish_reason="skipped",
                    error_message=(
                        f"the prompt has {len(prompt)} tokens, more than the limit of {limit} "
                        + (
                            "(max_prompt_tokens)"
                            if self.max_prompt_tokens is not None
                            else f"(context of {self.context_length} tokens less "
                            f"{conversation.max_new_tokens} new tokens)"
                        )
                    ),
                )
                answers[index] = [skipped] * conversation.n
                continue
            jobs.extend(
                _Job(index, k, prompt, conversation.max_new_tokens) for k in range(conversation.n)
            )

        if self.sampling.seed is not None:
            self._torch.manual_seed(self.sampling.seed + self._calls)
        self._calls += 1
        jobs.sort(key=lambda job: (job.max_new_tokens, len(job.prompt)), reverse=True)
        start = 0
        while start < len(jobs):
            limit = jobs[start].max_new_tokens
            end = start
            while end < len(jobs) and end - start < self.batch_size:
                if jobs[end].max_new_tokens != limit:
                    break
                end += 1
            batch = jobs[start:end]
            for job, raw in zip(batch, self._run(batch), strict=True):
                answers[job.conversation][job.sample] = raw
            start = end
        return [[raw for raw in row if raw is not None] for row in answers]

    def _run(self, batch: list[_Job]) -> list[RawCompletion]:
        """Generate one batch, splitting it in halves while it does not fit in GPU memory."""
        try:
            return self._generate(batch)
        except self._torch.cuda.OutOfMemoryError as exc:
            gc.collect()
            if self._torch.cuda.is_available():
                self._torch.cuda.empty_cache()
            if len(batch) == 1:
                return [
                    RawCompletion(
                        "",
                        prompt_tokens=len(batch[0].prompt),
                        finish_reason="error",
                        error_message=f"out of memory generating one sample: {exc}",
                    )
                ]
            half = len(batch) // 2
            return self._run(batch[:half]) + self._run(batch[half:])

    def _generate(self, batch: list[_Job]) -> list[RawCompletion]:
        torch = self._torch
        width = max(len(job.prompt) for job in batch)
        input_ids = torch.full((len(batch), width), self.pad_token_id, dtype=torch.long)
        attention_mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, job in enumerate(batch):
            input_ids[row, width - len(job.prompt) :] = torch.tensor(job.prompt, dtype=torch.long)
            attention_mask[row, width - len(job.prompt) :] = 1
        options: dict[str, Any] = {
            "max_new_tokens": batch[0].max_new_tokens,
            "pad_token_id": self.pad_token_id,
            "eos_token_id": self.eos_token_ids or None,
            **_NEUTRAL_ALWAYS,
        }
        sampling = self.sampling
        if sampling.temperature > 0:
            options.update(
                do_sample=True,
                temperature=sampling.temperature,
                top_p=sampling.top_p,
                min_p=sampling.min_p,
                **_NEUTRAL_SAMPLING,
            )
        else:
            options["do_sample"] = False
        with torch.inference_mode():
            output = self.model.generate(
                input_ids=input_ids.to(self.device),
                attention_mask=attention_mask.to(self.device),
                **options,
            )
        generated = output[:, width:].tolist()
        eos = set(self.eos_token_ids)
        completions = []
        for job, tokens in zip(batch, generated, strict=True):
            stop = next((i for i, token in enumerate(tokens) if token in eos), None)
            count = len(tokens) if stop is None else stop + 1
            completions.append(
                RawCompletion(
                    self.tokenizer.decode(tokens[:count], skip_special_tokens=True),
                    prompt_tokens=len(job.prompt),
                    completion_tokens=count,
                    finish_reason="length" if stop is None else "stop",
                )
            )
        return completions

    def close(self) -> None:
        """Drop the model and free its memory (the policy cannot be used afterwards)."""
        if self.model is None:
            return
        on_cuda = self.device.type == "cuda"
        del self.model
        self.model = None
        gc.collect()
        if on_cuda:
            self._torch.cuda.empty_cache()


def _eos_token_ids(model: Any, tokenizer: Any) -> list[int]:
    """Every token that ends an answer: the generation config's EOS ids and the tokenizer's."""
    generation_config = getattr(model, "generation_config", None)
    ids: list[int] = []
    for value in (getattr(generation_config, "eos_token_id", None), tokenizer.eos_token_id):
        for token in value if isinstance(value, (list, tuple)) else [value]:
            if token is not None and int(token) not in ids:
                ids.append(int(token))
    return ids


def _context_length(model: Any) -> int | None:
    """The model's ``max_position_embeddings`` (of its text part), when its config has one."""
    config = model.config
    if callable(getattr(config, "get_text_config", None)):
        config = config.get_text_config()
    length = getattr(config, "max_position_embeddings", None)
    return length if isinstance(length, int) and length > 0 else None


def _torch_dtype(torch: Any, dtype: Any) -> Any:
    if dtype == "auto" or isinstance(dtype, torch.dtype):
        return dtype
    value = getattr(torch, str(dtype), None)
    if not isinstance(value, torch.dtype):
        raise PolicyError(
            f"dtype: expected 'auto', a torch dtype name such as 'bfloat16', or a torch.dtype; "
            f"got {dtype!r}"
        )
    return value
