"""The vLLM back end. Engine tests need an NVIDIA GPU and the ``vllm`` extra; the context-length
rule runs everywhere."""

from __future__ import annotations

import importlib.util

import pytest
from soar.agents.backends.vllm import too_long


def test_prompts_longer_than_the_context_are_skipped_not_sent():
    assert too_long(1000, 4096, 8192) is None
    assert too_long(5000, 4096, 8192) == (
        "prompt of 5000 tokens + 4096 new tokens exceeds the context of 8192 tokens"
    )


def _gpu_available() -> bool:
    if importlib.util.find_spec("vllm") is None or importlib.util.find_spec("torch") is None:
        return False
    import torch

    return torch.cuda.is_available()


requires_vllm_gpu = pytest.mark.skipif(
    not _gpu_available(),
    reason="needs an NVIDIA GPU and the vllm extra (pip install 'soar-arc[vllm]')",
)


@pytest.mark.gpu
@requires_vllm_gpu
def test_vllm_policy_samples_programs(tiny_model_dir):
    from soar.agents import RefineRequest, SampleRequest, SamplingConfig, make_policy
    from soar.arc_env import Executor, load_tasks

    task = load_tasks("arc1/train:3c9b0459")[0]
    policy = make_policy(
        f"vllm:{tiny_model_dir}",
        sampling=SamplingConfig(max_new_tokens_sample=32, max_new_tokens_refine=32, seed=0),
        gpu_memory_utilization=0.3,
        max_model_len=4096,
    )
    with Executor(workers=1) as ex:
        result = ex.run([(task, "def transform(grid):\n    return grid\n")])[0]
    answers = policy.generate(
        [SampleRequest(task, n=4), RefineRequest(task, "def transform(g): return g", result, n=2)]
    )
    assert [len(a) for a in answers] == [4, 2]
    assert all(c.prompt_tokens > 0 and 0 < c.completion_tokens <= 32 for a in answers for c in a)
    assert all(c.policy_id == f"vllm:{tiny_model_dir}" for a in answers for c in a)
    policy.close()


@pytest.mark.gpu
@requires_vllm_gpu
def test_vllm_skips_a_prompt_longer_than_the_context(tiny_model_dir):
    from soar.agents import SampleRequest, SamplingConfig, make_policy
    from soar.arc_env import load_tasks

    task = load_tasks("arc1/train:3c9b0459")[0]
    policy = make_policy(
        f"vllm:{tiny_model_dir}",
        sampling=SamplingConfig(max_new_tokens_sample=16),
        gpu_memory_utilization=0.3,
        max_model_len=64,
    )
    [answers] = policy.generate([SampleRequest(task, n=2)])
    assert [c.finish_reason for c in answers] == ["skipped", "skipped"]
    assert "exceeds the context of 64 tokens" in answers[0].invalid_reason
    policy.close()
