"""Finding policies by spec string: ``SCHEME:TARGET``.

Built in: ``hf:/path/to/model[+/path/to/adapter]`` (transformers, optional peft adapter),
``vllm:MODEL[+ADAPTER]`` (the offline vLLM engine), ``openai:URL[,URL...]#MODEL`` (any
OpenAI-compatible chat endpoint, several used round-robin). Third-party packages add schemes
through the ``soar.policies`` entry-point group, e.g. in their ``pyproject.toml``::

    [project.entry-points."soar.policies"]
    mybackend = "my_package.policy:MyPolicy.from_spec"

A factory is called as ``factory(target, sampling=..., prompts=..., **options)`` and returns a
:class:`~soar.agents.policy.Policy`. Back ends import their heavy libraries only when built.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable

from .plugins import PluginRegistry
from .policy import Policy, PolicyError, SamplingConfig
from .prompts import PromptConfig

PolicyFactory = Callable[..., Policy]
"""``factory(target: str, *, sampling: SamplingConfig, prompts: PromptConfig, **options) -> Policy``"""

ENTRY_POINT_GROUP = "soar.policies"

_BUILT_IN = {
    "hf": "soar.agents.backends.hf:TransformersPolicy.from_spec",
    "vllm": "soar.agents.backends.vllm:VLLMPolicy.from_spec",
    "openai": "soar.agents.backends.openai:OpenAIPolicy.from_spec",
    "scripted": "soar.agents.policy:ScriptedPolicy.from_spec",
    "dsl": "soar.agents.dsl.policy:DSLPolicy.from_spec",
}


_REGISTRY = PluginRegistry(ENTRY_POINT_GROUP, _BUILT_IN, PolicyError, "policy scheme")


def register_policy(scheme: str, factory: PolicyFactory | str) -> None:
    """Make ``scheme:TARGET`` specs build policies with ``factory`` (a callable or
    ``"module:attribute"``); overrides built-in and entry-point schemes of the same name."""
    if not scheme.isidentifier():
        raise PolicyError(f"scheme: expected a name like 'mybackend', got {scheme!r}")
    _REGISTRY.register(scheme, factory)


def available_policies() -> dict[str, str]:
    """Every known scheme and where its factory lives."""
    return _REGISTRY.available()


def install_command(extra: str) -> str:
    """The pip command that adds the optional dependencies ``extra`` to this installation.

    From a source checkout (an editable or local install) it names that checkout, since the
    distribution may not come from a package index; otherwise ``pip install 'soar-arc[EXTRA]'``.
    """
    import json
    from importlib import metadata
    from urllib.parse import unquote, urlparse

    try:
        direct = json.loads(metadata.distribution("soar-arc").read_text("direct_url.json") or "{}")
    except (metadata.PackageNotFoundError, ValueError):
        direct = {}
    url = urlparse(str(direct.get("url", "")))
    if url.scheme == "file" and "dir_info" in direct:
        editable = "-e " if direct["dir_info"].get("editable") else ""
        return f"pip install {editable}'{unquote(url.path)}[{extra}]'"
    return f"pip install 'soar-arc[{extra}]'"


def require(modules: tuple[str, ...], extra: str, what: str) -> None:
    """Raise :class:`PolicyError` naming the extra to install when a module is missing."""
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise PolicyError(
            f"the {what} back end needs {', '.join(missing)}: "
            f"install it with {install_command(extra)}"
        )


def check_policy_spec(spec: str) -> None:
    """Raise :class:`PolicyError` unless ``spec`` is ``SCHEME:TARGET`` with a known scheme (the
    cheap part of :func:`make_policy`, for checking settings before any work starts)."""
    _split_spec(spec)


def _split_spec(spec: str) -> tuple[PolicyFactory, str]:
    scheme, sep, target = spec.partition(":") if isinstance(spec, str) else ("", "", "")
    if not sep or not target:
        raise PolicyError(
            f"expected a policy spec SCHEME:TARGET such as 'hf:/path/to/model', "
            f"'vllm:Qwen/Qwen2.5-Coder-7B-Instruct' or 'openai:http://127.0.0.1:8000/v1#model'; "
            f"got {spec!r}"
        )
    return _REGISTRY.resolve(scheme, context=spec), target


def make_policy(
    spec: str,
    *,
    sampling: SamplingConfig | None = None,
    prompts: PromptConfig | None = None,
    **options: object,
) -> Policy:
    """Build the policy a spec string names, e.g. ``make_policy("hf:/models/qwen-0.5b")``.

    Raises:
        PolicyError: the spec is malformed or names an unknown scheme, a library is missing, or
            the back end refused its target or an option (the message says what was expected).
    """
    factory, target = _split_spec(spec)
    try:
        return factory(
            target,
            sampling=sampling or SamplingConfig(),
            prompts=prompts or PromptConfig(),
            **options,
        )
    except PolicyError:
        raise
    except (TypeError, ValueError) as err:  # a bad option or target the factory refused
        raise PolicyError(f"policy {spec!r}: {err}") from err
