"""A policy served by any OpenAI-compatible chat-completions endpoint.

Works with ``vllm serve``, SGLang, the llama.cpp server and hosted APIs, through the official
``openai`` client. The spec is ``openai:URL[,URL...]#MODEL``, for example
``openai:http://127.0.0.1:8000/v1#Qwen/Qwen2.5-Coder-7B-Instruct``; with several base URLs every
request (retries included) goes to the next one in turn.

How answers are collected:

* Each conversation is one request asking for ``n`` choices. A server that returns fewer (some
  ignore ``n``) is asked again for the rest until ``n`` are collected; when a seed is set, the
  follow-up requests use ``seed + 1``, ``seed + 2``... so they do not repeat the first answer.
* At most ``concurrency`` requests are in flight (a thread pool, one conversation per thread).
* Retries are done here, not by the client (its own retries are off): 408, 409, 429, 5xx,
  connection errors, timeouts and empty answers are retried up to ``max_retries`` times with
  capped exponential backoff and jitter, or after the server's ``Retry-After`` (also capped).
  Other 4xx errors are not retried. A conversation whose request keeps failing gets
  ``finish_reason="error"`` records (with the status and the server's message) for the answers
  still missing; answers collected before the failure are kept. Nothing raises for one bad
  conversation.

Token accounting: every completion carries the request's whole ``usage.prompt_tokens`` (the length
of the prompt it was conditioned on, so summing it over the ``n`` completions counts the prompt
``n`` times). ``completion_tokens`` is the choice's own count when the server reports one per
choice (a ``completion_tokens`` or ``usage.completion_tokens`` field on the choice), else
``usage.completion_tokens`` split evenly over the request's choices (the remainder spread one token
at a time, so the counts add up to the server's total).
"""

from __future__ import annotations

import email.utils
import math
import os
import random
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..policy import Conversation, Policy, RawCompletion, SamplingConfig
from ..prompts import PromptConfig
from ..registry import require

if TYPE_CHECKING:
    import openai as openai_module

_RETRYABLE_STATUS = frozenset({408, 409, 429})
_MESSAGE_LIMIT = 500


def parse_target(target: str) -> tuple[list[str], str]:
    """Split a spec target ``URL[,URL...]#MODEL`` into base URLs and the model name.

    Args:
        target: the part of an ``openai:`` spec after the scheme.

    Returns:
        The base URLs (trailing ``/`` removed) and the model name.

    Raises:
        ValueError: when the model is missing or a URL is not an ``http(s)://host...`` URL.

    >>> parse_target("http://127.0.0.1:8000/v1/,http://10.0.0.2:8000/v1#Qwen/Qwen2.5-Coder-7B")
    (['http://127.0.0.1:8000/v1', 'http://10.0.0.2:8000/v1'], 'Qwen/Qwen2.5-Coder-7B')
    """
    example = "openai:http://127.0.0.1:8000/v1#Qwen/Qwen2.5-Coder-7B-Instruct"
    urls_part, sep, model = target.partition("#")
    model = model.strip()
    if not sep or not model:
        raise ValueError(
            f"expected an OpenAI-compatible target URL[,URL...]#MODEL such as {example!r}; "
            f"{target!r} names no model after '#'"
        )
    urls = [url.strip().rstrip("/") for url in urls_part.split(",")]
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(
                f"expected http:// or https:// base URLs in URL[,URL...]#MODEL such as "
                f"{example!r}; got {url!r} in {target!r}"
            )
    return urls, model


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """The delay a ``Retry-After`` (seconds or HTTP date) or ``retry-after-ms`` header asks for.

    Args:
        headers: response headers (case-insensitive lookup as in ``httpx``; lower-case keys
            otherwise).

    Returns:
        Seconds to wait (never negative), or None when no usable header is present.

    >>> retry_after_seconds({"retry-after": "2"}), retry_after_seconds({"retry-after-ms": "250"})
    (2.0, 0.25)
    """
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            delay = float(value) / divisor
        except ValueError:
            continue
        if math.isfinite(delay):
            return max(delay, 0.0)
    value = headers.get("retry-after")
    if value:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is not None and when.tzinfo is not None:
            return max(when.timestamp() - time.time(), 0.0)
    return None


class OpenAIPolicy(Policy):
    """Answers conversations through OpenAI-compatible ``/chat/completions`` endpoints.

    Args:
        base_urls: one or more base URLs such as ``http://127.0.0.1:8000/v1``, used round-robin
            per request.
        model: the model name the server knows.
        sampling: generation settings; ``temperature``, ``top_p``, ``seed`` (when set) and
            ``min_p`` (in ``extra_body``, see ``send_min_p``) are sent with every request.
        prompts: prompt settings.
        api_key_env: the environment variable holding the API key; when it is unset the key is
            ``"EMPTY"``, which local servers accept.
        concurrency: the most requests in flight at once.
        max_retries: retries of a failing request (so ``max_retries + 1`` attempts) before its
            conversation gets error records.
        timeout: seconds a request may take (the client applies it to connecting, sending and
            waiting for the answer).
        extra_body: further JSON fields for every request (e.g. ``{"top_k": 50}``); they override
            ``min_p``.
        send_min_p: send ``sampling.min_p`` as ``extra_body["min_p"]`` (vLLM and SGLang accept it;
            turn it off for hosted APIs that reject unknown fields).
        backoff_base: the first retry's delay in seconds; it doubles with each retry.
        backoff_max: the cap on a retry delay, also applied to ``Retry-After``.

    Raises:
        ValueError: for a malformed URL, an empty model name or out-of-range settings.
        soar.agents.registry.PolicyError: when the ``openai`` package is not installed.
    """

    def __init__(
        self,
        base_urls: Sequence[str],
        model: str,
        *,
        sampling: SamplingConfig | None = None,
        prompts: PromptConfig | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        concurrency: int = 16,
        max_retries: int = 5,
        timeout: float = 600.0,
        extra_body: Mapping[str, Any] | None = None,
        send_min_p: bool = True,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
    ) -> None:
        super().__init__(sampling, prompts)
        if isinstance(base_urls, str):
            base_urls = [base_urls]
        urls, model = parse_target(",".join(base_urls) + "#" + model)
        if concurrency < 1:
            raise ValueError(f"concurrency: expected at least 1, got {concurrency}")
        if max_retries < 0:
            raise ValueError(f"max_retries: expected 0 or more, got {max_retries}")
        if not timeout > 0:
            raise ValueError(f"timeout: expected a positive number of seconds, got {timeout}")
        if not (backoff_base >= 0 and backoff_max >= 0):
            raise ValueError(
                f"backoff_base, backoff_max: expected 0 or more seconds, "
                f"got {backoff_base} and {backoff_max}"
            )
        if extra_body is not None and not isinstance(extra_body, Mapping):
            raise ValueError(f"extra_body: expected a mapping, got {type(extra_body).__name__}")

        require(("openai",), "openai", "OpenAI-compatible")
        import openai

        self._openai: Any = openai
        self.base_urls = urls
        self.model = model
        self.concurrency = int(concurrency)
        self.max_retries = int(max_retries)
        self.timeout = float(timeout)
        self.extra_body = dict(extra_body or {})
        self.send_min_p = bool(send_min_p)
        self.backoff_base = float(backoff_base)
        self.backoff_max = float(backoff_max)
        api_key = os.environ.get(api_key_env) or "EMPTY"
        self._clients: list[openai_module.OpenAI] = [
            openai.OpenAI(base_url=url, api_key=api_key, timeout=self.timeout, max_retries=0)
            for url in urls
        ]
        self._turn = 0
        self._turn_lock = threading.Lock()
        self._rng = random.Random()
        self._closed = False

    @classmethod
    def from_spec(
        cls,
        target: str,
        *,
        sampling: SamplingConfig,
        prompts: PromptConfig,
        **options: Any,
    ) -> OpenAIPolicy:
        """Build from a spec target ``URL[,URL...]#MODEL`` (the registry's entry point).

        Args:
            target: base URLs and model, e.g. ``http://127.0.0.1:8000/v1#Qwen/Qwen2.5-Coder-7B``.
            sampling: generation settings.
            prompts: prompt settings.
            **options: keyword arguments of :class:`OpenAIPolicy` (``api_key_env``,
                ``concurrency``, ``max_retries``, ``timeout``, ``extra_body``, ``send_min_p``,
                ``backoff_base``, ``backoff_max``).

        Returns:
            The policy.
        """
        urls, model = parse_target(target)
        return cls(urls, model, sampling=sampling, prompts=prompts, **options)

    @property
    def policy_id(self) -> str:
        """``openai:<model>@<first base URL>`` (the other URLs serve the same model)."""
        return f"openai:{self.model}@{self.base_urls[0]}"

    def complete(self, conversations: Sequence[Conversation]) -> list[list[RawCompletion]]:
        """Answer every conversation ``n`` times, at most ``concurrency`` requests at once."""
        if self._closed:
            raise RuntimeError("this OpenAIPolicy is closed")
        if not conversations:
            return []
        workers = min(self.concurrency, len(conversations))
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="openai-policy")
        try:
            return list(pool.map(self._answer, conversations))
        finally:
            # Normally every task is done here; after an interrupt, drop the queued ones.
            pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Close the HTTP clients; the policy cannot be used afterwards."""
        if self._closed:
            return
        self._closed = True
        for client in self._clients:
            client.close()

    # One conversation ------------------------------------------------------------------------

    def _answer(self, conversation: Conversation) -> list[RawCompletion]:
        """``n`` records for one conversation: answers, then error records for any missing."""
        collected: list[RawCompletion] = []
        try:
            round_ = 0
            # Every successful round adds at least one answer, so this loop runs at most n times.
            while len(collected) < conversation.n:
                missing = conversation.n - len(collected)
                answers, error = self._request(conversation, missing, round_)
                if error is not None:
                    return collected + _errors(missing, error)
                collected.extend(answers[:missing])
                round_ += 1
            return collected
        except Exception as exc:  # never let one conversation fail the batch
            message = f"{type(exc).__name__}: {exc}"
            return collected + _errors(conversation.n - len(collected), message)

    def _request(
        self, conversation: Conversation, n: int, round_: int
    ) -> tuple[list[RawCompletion], str | None]:
        """Ask for ``n`` choices, retrying; the answers, or an error message when it gave up."""
        openai = self._openai
        kwargs = self._request_arguments(conversation, n, round_)
        message = ""
        for attempt in range(self.max_retries + 1):
            client = self._next_client()
            where = str(client.base_url).rstrip("/")
            server_delay = None
            try:
                response = client.chat.completions.create(**kwargs)
            except openai.APIStatusError as exc:
                message = f"HTTP {exc.status_code} from {where}: {_server_message(exc)}"
                status = exc.status_code
                if status not in _RETRYABLE_STATUS and status < 500:
                    return [], message
                server_delay = retry_after_seconds(exc.response.headers)
            except openai.APITimeoutError:
                message = f"no answer from {where} within the {self.timeout:g} s timeout"
            except openai.APIConnectionError as exc:
                cause = exc.__cause__ or exc
                message = f"cannot reach {where}: {type(cause).__name__}: {cause}"
            else:
                answers = _records(response)
                if answers:
                    return answers, None
                message = f"{where} answered with no choices"
            if attempt < self.max_retries:
                time.sleep(self._delay(attempt, server_delay))
        attempts = self.max_retries + 1
        return [], f"{message} (gave up after {attempts} attempt{'s' if attempts > 1 else ''})"

    def _request_arguments(self, conversation: Conversation, n: int, round_: int) -> dict:
        sampling = self.sampling
        kwargs: dict[str, Any] = {
            "model": self.model,
            "messages": conversation.messages,
            "n": n,
            "temperature": sampling.temperature,
            "top_p": sampling.top_p,
            "max_tokens": conversation.max_new_tokens,
        }
        if sampling.seed is not None:
            kwargs["seed"] = sampling.seed + round_
        extra = {"min_p": sampling.min_p} if self.send_min_p else {}
        extra.update(self.extra_body)
        if extra:
            kwargs["extra_body"] = extra
        return kwargs

    def _next_client(self) -> openai_module.OpenAI:
        with self._turn_lock:
            client = self._clients[self._turn % len(self._clients)]
            self._turn += 1
        return client

    def _delay(self, attempt: int, server_delay: float | None) -> float:
        """Seconds before retry ``attempt + 1``: the server's wish, else backoff with jitter."""
        if server_delay is not None:
            return min(server_delay, self.backoff_max)
        backoff = min(self.backoff_base * 2.0**attempt, self.backoff_max)
        return backoff * (0.5 + 0.5 * self._rng.random())


def _records(response: Any) -> list[RawCompletion]:
    """The choices of a chat completion as records, with token counts from ``usage``."""
    choices = sorted(response.choices or [], key=lambda choice: choice.index or 0)
    if not choices:
        return []
    usage = response.usage
    prompt_tokens = int(getattr(usage, "prompt_tokens", 0) or 0)
    total = int(getattr(usage, "completion_tokens", 0) or 0)
    share, remainder = divmod(total, len(choices))
    records = []
    for i, choice in enumerate(choices):
        own = _own_completion_tokens(choice)
        message = choice.message
        records.append(
            RawCompletion(
                text=(message.content if message is not None else None) or "",
                prompt_tokens=prompt_tokens,
                completion_tokens=own if own is not None else share + (i < remainder),
                finish_reason=choice.finish_reason or "stop",
            )
        )
    return records


def _own_completion_tokens(choice: Any) -> int | None:
    """A per-choice completion token count, for servers that report one."""
    extra = getattr(choice, "model_extra", None) or {}
    value = extra.get("completion_tokens")
    if value is None and isinstance(extra.get("usage"), Mapping):
        value = extra["usage"].get("completion_tokens")
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _server_message(exc: Any) -> str:
    """The server's own error message from an ``APIStatusError``, shortened."""
    body = exc.body
    if isinstance(body, Mapping) and body.get("message"):
        text = str(body["message"])
    elif isinstance(body, str) and body.strip():
        text = body.strip()
    else:
        text = exc.message
    return text if len(text) <= _MESSAGE_LIMIT else text[:_MESSAGE_LIMIT] + "..."


def _errors(count: int, message: str) -> list[RawCompletion]:
    return [RawCompletion(text="", finish_reason="error", error_message=message)] * count
