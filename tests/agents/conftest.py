"""Fixtures for policy tests: a tiny local model and adapter, built once per session.

They skip when the ``hf`` extra (torch, transformers, tokenizers, peft) is not installed.
"""

from __future__ import annotations

import pytest

_HF_EXTRA = "needs the hf extra: pip install 'soar-arc[hf]'"


def _require_hf() -> None:
    for module in ("torch", "transformers", "tokenizers", "peft"):
        pytest.importorskip(module, reason=f"{module} missing; {_HF_EXTRA}")


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """A tiny random Qwen2 model with a locally trained tokenizer (``save_pretrained`` layout)."""
    _require_hf()
    from .tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture(scope="session")
def tiny_adapter_dir(tiny_model_dir, tmp_path_factory):
    """A LoRA adapter for ``tiny_model_dir`` whose weights change the model's outputs."""
    from .tiny_model import build_tiny_adapter

    return build_tiny_adapter(tiny_model_dir, tmp_path_factory.mktemp("tiny-adapter"))
