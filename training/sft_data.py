"""Training examples for SFT: chat records read from JSONL files, in TRL's prompt-completion form.

Each record is ``{"messages": [..., {"role": "assistant", "content": ANSWER}], ...}``; it becomes
``{"prompt": messages[:-1], "completion": [messages[-1]]}`` (TRL's conversational
prompt-completion layout), so that the loss falls on the answer only. A sequence is tokenized with
the base tokenizer's chat template, as TRL and the transformers policy both do; examples longer
than the length limit are dropped (never truncated) and counted.

``datasets`` is imported when a function runs, never when this module is imported.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from soar.agents.backends.hf import FALLBACK_CHAT_TEMPLATE

from .sft_config import TrainError


@dataclass(frozen=True)
class FileStats:
    """How many records of one data file were read, used and dropped for length."""

    path: str
    records: int
    used: int

    @property
    def dropped(self) -> int:
        return self.records - self.used


@dataclass(frozen=True)
class DataStats:
    """What the training set is made of (the examples used, after the length filter)."""

    files: list[FileStats]
    max_length: int
    sources: dict[str, int] = field(default_factory=dict)
    """Examples used per record ``source`` (``sample``, ``refine``...; ``?`` when absent)."""
    tokens: list[int] = field(default_factory=list, repr=False)
    """Tokens of each example used (prompt and answer)."""

    @property
    def used(self) -> int:
        return sum(f.used for f in self.files)

    @property
    def dropped(self) -> int:
        return sum(f.dropped for f in self.files)

    def token_summary(self) -> str:
        """``min / mean / max`` tokens per example, and the total."""
        if not self.tokens:
            return "no example"
        return (
            f"{min(self.tokens)} / {statistics.fmean(self.tokens):.0f} / {max(self.tokens)} "
            f"tokens per example (min / mean / max), {sum(self.tokens)} in all"
        )


def training_chat_template(tokenizer: Any) -> str | None:
    """The chat template to train with when ``tokenizer`` has none (else None: its own).

    The transformers policy prompts such a model with :data:`FALLBACK_CHAT_TEMPLATE` and the
    tokenizer's special tokens; this template renders the same prompt (with the BOS token when
    the tokenizer adds one) and ends the assistant's answer with the EOS token, so the model learns
    to stop.
    """
    if getattr(tokenizer, "chat_template", None):
        return None
    bos = tokenizer.bos_token_id
    adds_bos = bos is not None and tokenizer("a")["input_ids"][:1] == [bos]
    answer = "{% if message['role'] == 'assistant' %}Assistant:\n{{ message['content'] }}"
    other = "{{ message['role'] | capitalize }}:\n{{ message['content'] }}\n\n"
    return (
        ("{{ bos_token }}" if adds_bos else "")
        + "{% for message in messages %}"
        + answer
        + "{{ eos_token }}{% else %}"
        + other
        + "{% endif %}{% endfor %}"
        + FALLBACK_CHAT_TEMPLATE.split("{% endfor %}")[1]
    )


def load_examples(paths: list[str], tokenizer: Any, max_length: int) -> tuple[Any, DataStats]:
    """The prompt-completion examples of ``paths`` that fit in ``max_length`` tokens.

    Args:
        paths: JSONL files of chat records.
        tokenizer: the base model's tokenizer, with the chat template training uses.
        max_length: the longest sequence kept, in tokens.

    Returns:
        ``(dataset, stats)``: a ``datasets.Dataset`` with columns ``prompt`` and ``completion``,
        and what was read, used and dropped.

    Raises:
        TrainError: a file is missing or unreadable, or a record is not a chat ending with an
            assistant answer.
    """
    from datasets import concatenate_datasets

    parts, records = [], []
    for index, path in enumerate(paths):
        part = _read_file(path)
        records.append(len(part))
        if len(part):
            part = part.map(
                _to_prompt_completion, with_indices=True, fn_kwargs={"path": path, "file": index}
            )
            parts.append(part.select_columns(["prompt", "completion", "source", "file"]))
    if not parts:
        raise TrainError(f"no training record in {', '.join(paths)}")
    dataset = concatenate_datasets(parts) if len(parts) > 1 else parts[0]

    def count_tokens(example: dict[str, Any]) -> dict[str, int]:
        messages = example["prompt"] + example["completion"]
        encoded = tokenizer.apply_chat_template(messages, tokenize=True, return_dict=True)
        return {"tokens": len(encoded["input_ids"])}

    dataset = dataset.map(count_tokens, desc="Counting tokens")
    dataset = dataset.filter(lambda example: example["tokens"] <= max_length)
    used = Counter(dataset["file"])
    stats = DataStats(
        files=[
            FileStats(path, n, used.get(i, 0))
            for i, (path, n) in enumerate(zip(paths, records, strict=True))
        ],
        max_length=max_length,
        sources=dict(sorted(Counter(dataset["source"]).items())),
        tokens=list(dataset["tokens"]),
    )
    return dataset.select_columns(["prompt", "completion"]), stats


def _read_file(path: str) -> Any:
    from datasets import Dataset, load_dataset

    if not Path(path).is_file():
        raise TrainError(f"data file not found: {path}")
    if not Path(path).read_bytes().strip():
        return Dataset.from_dict({"messages": []})
    try:
        dataset = load_dataset("json", data_files=str(path), split="train")
    except Exception as err:  # datasets wraps JSON errors in several exception types
        cause = err.__cause__ or err
        raise TrainError(f"{path}: cannot read it as JSON lines ({cause})") from None
    if "messages" not in dataset.column_names:
        raise TrainError(
            f"{path}: expected records with a 'messages' list, found fields "
            f"{', '.join(dataset.column_names)}"
        )
    return dataset


def _to_prompt_completion(record: dict[str, Any], index: int, path: str, file: int) -> dict:
    messages = record["messages"]
    where = f"{path}, record {index + 1}"
    if not isinstance(messages, list) or len(messages) < 2:
        raise TrainError(f"{where}: expected at least a prompt message and an answer")
    for message in messages:
        if not (
            isinstance(message, dict)
            and isinstance(message.get("role"), str)
            and isinstance(message.get("content"), str)
        ):
            raise TrainError(f"{where}: expected messages with a 'role' and a 'content' text")
    if messages[-1]["role"] != "assistant":
        raise TrainError(
            f"{where}: expected the last message to be the assistant's answer, "
            f"got role {messages[-1]['role']!r}"
        )
    chat = [{"role": m["role"], "content": m["content"]} for m in messages]
    source = record.get("source")
    return {
        "prompt": chat[:-1],
        "completion": chat[-1:],
        "source": str(source) if source is not None else "?",
        "file": file,
    }
