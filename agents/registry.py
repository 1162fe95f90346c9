"""Finding policies by spec string: ``SCHEME:TARGET``.

Built in: ``hf:/path/to/model[+/path/to/adapter]`` (transformers, optional peft adapter),
``vllm:MODEL[+ADAPTER]`` (the offline vLLM engine), ``openai:URL[,URL...]#MODEL`` (any
OpenAI-compatible chat endpoint, several used round-robin). Third-party packages add schemes
through the ``soar.policies`` entry-point group, e.g. in their ``pyproject.toml``::

    [project.entry-points."soar.policies"]
    mybackend = "my_package.policy:MyPolicy.from_spec"

A factory is called as ``factory(target, sampling=..., prompts=..., **options)`` and returns a
:class:`~agents.policy.Policy`. Back ends import their heavy libraries only when built.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from importlib.metadata import entry_points

from .policy import Policy, SamplingConfig
from .prompts import PromptConfig

PolicyFactory = Callable[..., Policy]
"""``factory(target: str, *, sampling: SamplingConfig, prompts: PromptConfig, **options) -> Policy``"""

ENTRY_POINT_GROUP = "soar.policies"

_BUILT_IN = {
    "hf": "agents.backends.hf:TransformersPolicy.from_spec",
    "vllm": "agents.backends.vllm:VLLMPolicy.from_spec",
    "openai": "agents.backends.openai:OpenAIPolicy.from_spec",
    "scripted": "agents.policy:ScriptedPolicy.from_spec",
}
_registered: dict[str, PolicyFactory | str] = {}


class PolicyError(ValueError):
    """A policy spec that cannot be turned into a policy (unknown scheme, missing library...)."""


def register_policy(scheme: str, factory: PolicyFactory | str) -> None:
    """Make ``scheme:TARGET`` specs build policies with ``factory`` (a callable or
    ``"module:attribute"``); overrides built-in and entry-point schemes of the same name."""
    if not scheme.isidentifier():
        raise ValueError(f"scheme: expected a name like 'mybackend', got {scheme!r}")
    _registered[scheme] = factory


def available_policies() -> dict[str, str]:
    """Every known scheme and where its factory lives."""
    found: dict[str, str] = dict(_BUILT_IN)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found[ep.name] = ep.value
    for scheme, factory in _registered.items():
        found[scheme] = factory if isinstance(factory, str) else repr(factory)
    return found


def require(modules: tuple[str, ...], extra: str, what: str) -> None:
    """Raise :class:`PolicyError` naming the extra to install when a module is missing."""
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise PolicyError(
            f"the {what} back end needs {', '.join(missing)}: "
            f"install it with pip install 'soar-arc[{extra}]'"
        )


def _load(reference: str) -> PolicyFactory:
    module_name, _, attribute = reference.partition(":")
    obj = importlib.import_module(module_name)
    for part in attribute.split("."):
        obj = getattr(obj, part)
    return obj  # type: ignore[return-value]


def make_policy(
    spec: str,
    *,
    sampling: SamplingConfig | None = None,
    prompts: PromptConfig | None = None,
    **options: object,
) -> Policy:
    """Build the policy a spec string names, e.g. ``make_policy("hf:/models/qwen-0.5b")``."""
    scheme, sep, target = spec.partition(":")
    if not sep or not target:
        raise PolicyError(
            f"expected a policy spec SCHEME:TARGET such as 'hf:/path/to/model', "
            f"'vllm:Qwen/Qwen2.5-Coder-7B-Instruct' or 'openai:http://127.0.0.1:8000/v1#model'; "
            f"got {spec!r}"
        )
    factory: PolicyFactory | str | None = _registered.get(scheme)
    if factory is None:
        plugins = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
        factory = plugins[scheme].load() if scheme in plugins else _BUILT_IN.get(scheme)
    if factory is None:
        raise PolicyError(
            f"unknown policy scheme {scheme!r} in {spec!r}: expected one of "
            f"{', '.join(sorted(available_policies()))}"
        )
    if isinstance(factory, str):
        factory = _load(factory)
    return factory(
        target, sampling=sampling or SamplingConfig(), prompts=prompts or PromptConfig(), **options
    )
