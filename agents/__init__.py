"""Policies (LLM back ends and prompts), search agents and voting.

Importing ``agents`` never imports torch, transformers or vllm: each back end imports its library
when it is built (``make_policy``).
"""

from __future__ import annotations

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
