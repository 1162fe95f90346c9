"""The policy interface: structured requests in, program completions out.

A policy turns *requests* — "sample ``n`` programs for task T" and "refine program f of task T,
given its execution result, ``n`` times" — into :class:`Completion` records. Every back end
(transformers, vLLM, OpenAI-compatible servers, or a user's own) implements one method,
:meth:`Policy.complete`, that answers chat conversations; prompt building (``soar.agents.prompts``) and
code extraction (``soar.agents.extraction``) are shared, so every back end asks the same questions and
reads answers the same way.
"""

from __future__ import annotations

import abc
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from soar.arc_env import ProgramResult, Task
from soar.arc_env.error import InputError

from .extraction import extract_program
from .prompts import PromptConfig, refine_messages, sample_messages
from .settings import check_names, check_types


class PolicyError(InputError):
    """A policy spec or setting that cannot be turned into a policy: an unknown scheme, a missing
    library or model, an unreadable answers file, a sampling setting out of range."""


Message = dict[str, str]
"""A chat message: ``{"role": "system" | "user" | "assistant", "content": str}``."""


@dataclass(frozen=True)
class SampleRequest:
    """Ask for ``n`` new programs for ``task`` (its public form is what the prompt shows)."""

    task: Task
    n: int = 1


@dataclass(frozen=True)
class RefineRequest:
    """Ask for ``n`` refinements of ``program``, shown with its execution ``result`` on ``task``."""

    task: Task
    program: str
    result: ProgramResult
    n: int = 1


Request = SampleRequest | RefineRequest


@dataclass(frozen=True)
class SamplingConfig:
    """Generation settings. Defaults follow the SOAR paper."""

    temperature: float = 1.0
    """Sampling temperature (paper: 1.0)."""
    top_p: float = 1.0
    """Nucleus sampling mass (1.0: off)."""
    min_p: float = 0.05
    """Minimum token probability relative to the most likely token (paper: 0.05)."""
    max_new_tokens_sample: int = 4096
    """Completion length limit when sampling (paper: 4096)."""
    max_new_tokens_refine: int = 2048
    """Completion length limit when refining (paper: 2048)."""
    seed: int | None = None
    """Seed for back ends that accept one (results are then repeatable where the engine allows)."""

    def __post_init__(self) -> None:
        check_types(self, PolicyError)
        if not self.temperature >= 0:
            raise PolicyError(f"temperature: expected >= 0, got {self.temperature}")
        if not 0 < self.top_p <= 1:
            raise PolicyError(f"top_p: expected 0 < top_p <= 1, got {self.top_p}")
        if not 0 <= self.min_p < 1:
            raise PolicyError(f"min_p: expected 0 <= min_p < 1, got {self.min_p}")
        for name in ("max_new_tokens_sample", "max_new_tokens_refine"):
            if getattr(self, name) < 1:
                raise PolicyError(f"{name}: expected at least 1, got {getattr(self, name)}")

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> SamplingConfig:
        """The config with these fields (e.g. from ``--sampling KEY=VALUE``); an unknown name is
        a :class:`PolicyError` listing the known ones."""
        check_names(cls, settings, PolicyError)
        return cls(**settings)

    def max_new_tokens(self, request: Request) -> int:
        if isinstance(request, RefineRequest):
            return self.max_new_tokens_refine
        return self.max_new_tokens_sample


@dataclass(frozen=True)
class RawCompletion:
    """What a back end returns for one sample: the text and its accounting."""

    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str = "stop"
    """``stop``, ``length`` (hit the token limit), or ``skipped``/``error`` with ``text`` empty
    (``error_message`` says why: a prompt longer than the context, a server that kept failing)."""
    error_message: str = ""


@dataclass(frozen=True)
class Completion:
    """One answer to a request, ready for the executor and the logs.

    ``program`` is the extracted source, or None when the answer holds no usable program; then
    ``invalid_reason`` says why (no code block, a syntax error, no ``transform``, a skipped
    prompt). Invalid completions are kept and count against budgets.
    """

    text: str
    program: str | None
    invalid_reason: str | None
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str
    policy_id: str

    @property
    def valid(self) -> bool:
        return self.program is not None


@dataclass(frozen=True)
class Conversation:
    """A request turned into chat messages, with the generation limits that apply to it."""

    messages: list[Message]
    n: int
    max_new_tokens: int
    task_id: str = ""
    """The task the request is about (for logs and scripted policies; prompts never need it)."""


class Policy(abc.ABC):
    """Turns requests into completions. Subclasses implement :meth:`complete` (and ``close``).

    Args:
        sampling: generation settings (paper defaults).
        prompts: prompt settings (grid style, few-shot example); the same settings must be used
            when building training data so the model is trained on what it will be asked.
    """

    def __init__(
        self, sampling: SamplingConfig | None = None, prompts: PromptConfig | None = None
    ) -> None:
        self.sampling = sampling or SamplingConfig()
        self.prompts = prompts or PromptConfig()

    @property
    @abc.abstractmethod
    def policy_id(self) -> str:
        """Identifies the model (and adapter) in logs, e.g. ``hf:/models/qwen+/adapters/it1``."""

    @abc.abstractmethod
    def complete(self, conversations: Sequence[Conversation]) -> list[list[RawCompletion]]:
        """Answer every conversation ``n`` times; one list of ``n`` completions per conversation.

        Must not raise for a single bad conversation (a prompt too long for the context, a server
        error after retries): return ``finish_reason="skipped"`` or ``"error"`` records instead.
        """

    def prepare(self, tasks: Sequence[Task], budget: int) -> None:  # noqa: B027 - optional hook
        """Hear which tasks a search will ask about next, in the order it starts them, and how
        many programs it asks per task, to get ready ahead (work per task done in other
        processes). Called again as the search moves on; the latest call counts. The default
        does nothing."""

    def close(self) -> None:  # noqa: B027 - optional hook, most back ends need nothing here
        """Release engines, connections and memory. The default does nothing."""

    def __enter__(self) -> Policy:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def conversation(self, request: Request) -> Conversation:
        """The chat messages and limits for one request."""
        if isinstance(request, RefineRequest):
            messages = refine_messages(request.task, request.program, request.result, self.prompts)
        elif isinstance(request, SampleRequest):
            messages = sample_messages(request.task, self.prompts)
        else:
            raise TypeError(
                f"expected a SampleRequest or RefineRequest, got {type(request).__name__}"
            )
        if request.n < 1:
            raise ValueError(f"n: expected at least 1 completion per request, got {request.n}")
        return Conversation(
            messages, request.n, self.sampling.max_new_tokens(request), request.task.id
        )

    def generate(self, requests: Sequence[Request]) -> list[list[Completion]]:
        """Answer a batch of requests: per request, ``n`` completions with extracted programs."""
        conversations = [self.conversation(request) for request in requests]
        answers = self.complete(conversations) if conversations else []
        if len(answers) != len(conversations):
            raise RuntimeError(
                f"{type(self).__name__}.complete returned {len(answers)} answer lists "
                f"for {len(conversations)} conversations"
            )
        policy_id = self.policy_id
        return [[_finish(raw, policy_id) for raw in raws] for raws in answers]


def _finish(raw: RawCompletion, policy_id: str) -> Completion:
    if raw.finish_reason in ("skipped", "error"):
        program, reason = None, f"{raw.finish_reason}: {raw.error_message or 'no text'}"
    else:
        program, reason = extract_program(raw.text)
    return Completion(
        text=raw.text,
        program=program,
        invalid_reason=reason,
        prompt_tokens=raw.prompt_tokens,
        completion_tokens=raw.completion_tokens,
        finish_reason=raw.finish_reason,
        policy_id=policy_id,
    )


@dataclass
class ScriptedPolicy(Policy):
    """A policy that answers from fixed texts, in turn (for tests, demos and baselines).

    Attributes:
        answers: answer texts used in turn for every task, or a mapping from task id to the
            texts used in turn for that task (a task not in it gets the ``"*"`` entry, if any,
            else an invalid empty answer).
        delay: seconds each :meth:`complete` call waits, to stand in for a slow model.
    """

    answers: Sequence[str] | Mapping[str, Sequence[str]] = ()
    delay: float = 0.0

    def __post_init__(self) -> None:
        super().__init__()
        if not self.answers:
            raise PolicyError("answers: expected at least one answer text")
        if not isinstance(self.answers, Mapping):
            self.answers = {"*": self.answers}
        for task_id, texts in self.answers.items():
            if (
                not isinstance(task_id, str)
                or isinstance(texts, str)
                or not isinstance(texts, Sequence)
                or not all(isinstance(text, str) for text in texts)
            ):
                raise PolicyError(
                    f"answers: expected a list of answer texts or a mapping from task id to "
                    f"such lists, got {texts!r} for {task_id!r}"
                )
        self.answers = {task_id: list(texts) for task_id, texts in self.answers.items()}
        self._turns: dict[str, int] = {}

    @classmethod
    def from_spec(cls, target: str, **options: Any) -> ScriptedPolicy:
        """``scripted:ANSWERS.json``: a JSON list of answer texts, used in turn for every task, or
        ``{"TASK_ID": [answers], "*": [answers for any other task]}``."""
        try:
            answers = json.loads(Path(target).read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise PolicyError(
                f"scripted:{target}: expected a JSON file of answers, a list of texts or "
                f'{{"TASK_ID": [texts]}} ({err})'
            ) from None
        if not isinstance(answers, list | dict):
            raise PolicyError(
                f"scripted:{target}: expected a list of answer texts or a mapping from task id to "
                f"such lists, got a JSON {type(answers).__name__}"
            )
        sampling = options.pop("sampling", None)
        prompts = options.pop("prompts", None)
        policy = cls(answers, **options)
        policy.sampling = sampling or policy.sampling
        policy.prompts = prompts or policy.prompts
        return policy

    @property
    def policy_id(self) -> str:
        return "scripted"

    def complete(self, conversations: Sequence[Conversation]) -> list[list[RawCompletion]]:
        if self.delay:
            time.sleep(self.delay)
        out = []
        for conversation in conversations:
            texts = self.answers.get(conversation.task_id) or self.answers.get("*") or [""]
            batch = []
            for _ in range(conversation.n):
                turn = self._turns.get(conversation.task_id, 0)
                self._turns[conversation.task_id] = turn + 1
                text = texts[turn % len(texts)]
                batch.append(RawCompletion(text, completion_tokens=len(text.split())))
            out.append(batch)
        return out
