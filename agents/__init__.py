"""Policies (LLM back ends and prompts), search agents and voting.

Importing ``agents`` imports nothing heavy: the names below load their module on first use (so the
sandboxed workers that import ``soar.agents.dsl.primitives`` pay only for that module), and each back
end imports torch, transformers, vllm or openai only when it is built (``make_policy``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from soar._lazy import lazy_exports

_EXPORTS = {
    "extract_program": ".extraction",
    "Completion": ".policy",
    "Conversation": ".policy",
    "Policy": ".policy",
    "RawCompletion": ".policy",
    "RefineRequest": ".policy",
    "SampleRequest": ".policy",
    "SamplingConfig": ".policy",
    "ScriptedPolicy": ".policy",
    "FewShotExample": ".prompts",
    "PromptConfig": ".prompts",
    "refine_messages": ".prompts",
    "sample_messages": ".prompts",
    "available_policies": ".registry",
    "make_policy": ".registry",
    "register_policy": ".registry",
}

__all__ = [
    "Completion",
    "Conversation",
    "FewShotExample",
    "Policy",
    "PromptConfig",
    "RawCompletion",
    "RefineRequest",
    "SampleRequest",
    "SamplingConfig",
    "ScriptedPolicy",
    "available_policies",
    "extract_program",
    "make_policy",
    "refine_messages",
    "register_policy",
    "sample_messages",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())


if TYPE_CHECKING:  # for type checkers and editors: the same names, imported eagerly
    from .extraction import extract_program
    from .policy import (
        Completion,
        Conversation,
        Policy,
        RawCompletion,
        RefineRequest,
        SampleRequest,
        SamplingConfig,
        ScriptedPolicy,
    )
    from .prompts import FewShotExample, PromptConfig, refine_messages, sample_messages
    from .registry import available_policies, make_policy, register_policy
