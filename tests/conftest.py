"""Shared fixtures: real ARC tasks, real executors (worker processes start in about 0.5 s), and a
tiny local transformers model and adapter (built once per session; they skip without the ``hf``
extra: torch, transformers, tokenizers, peft)."""

from __future__ import annotations

import pytest
from soar.arc_env import Executor, load_tasks


@pytest.fixture(scope="session")
def arc1_train():
    return {task.id: task for task in load_tasks("arc1/train")}


@pytest.fixture(scope="session")
def rotate_task(arc1_train):
    """3c9b0459: the output is the input rotated by 180 degrees."""
    return arc1_train["3c9b0459"]


@pytest.fixture(scope="module")
def executor():
    with Executor(workers=2, timeout=0.5, memory_mb=512) as ex:
        yield ex


_HF_EXTRA = "needs the hf extra: pip install 'soar-arc[hf]'"


def _require_hf() -> None:
    for module in ("torch", "transformers", "tokenizers", "peft"):
        pytest.importorskip(module, reason=f"{module} missing; {_HF_EXTRA}")


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """A tiny random Qwen2 model with a locally trained tokenizer (``save_pretrained`` layout)."""
    _require_hf()
    from tests.agents.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture(scope="session")
def tiny_adapter_dir(tiny_model_dir, tmp_path_factory):
    """A LoRA adapter for ``tiny_model_dir`` whose weights change the model's outputs."""
    from tests.agents.tiny_model import build_tiny_adapter

    return build_tiny_adapter(tiny_model_dir, tmp_path_factory.mktemp("tiny-adapter"))


@pytest.fixture(scope="session")
def tiny_embedder_dir(tmp_path_factory):
    """A tiny bag-of-tokens sentence-transformers code embedder (``SentenceTransformer.save``
    layout); skips without sentence-transformers."""
    _require_hf()
    pytest.importorskip(
        "sentence_transformers", reason=f"sentence-transformers missing; {_HF_EXTRA}"
    )
    from tests.training.tiny_embedder import build_tiny_embedder

    return build_tiny_embedder(tmp_path_factory.mktemp("tiny-embedder"))
