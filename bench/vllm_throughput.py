"""Generation throughput of the vLLM back end against ``vllm.LLM.generate`` called directly.

Builds a random-weight model with the Qwen2.5-Coder-0.5B architecture locally (its config values,
no download; the tokenizer is trained here on ARC prompts, like the test fixtures), then runs the
sampling prompts of 20 ARC-AGI-1 evaluation tasks with n samples each and fixed lengths (EOS
ignored) twice through each path on the same engine, and prints generated tokens per second. The
ratio shows this layer's overhead (chat templating, length checks, bookkeeping); target >= 0.95.

Needs an NVIDIA GPU and the ``vllm`` extra. Usage:
    python bench/vllm_throughput.py [--tasks 20] [--n 8] [--max-tokens 256] [--model-dir DIR]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # for tests.agents.tiny_model (the locally trained tokenizer)

# Qwen2.5-Coder-0.5B-Instruct's architecture (config.json values).
QWEN25_CODER_05B = dict(
    hidden_size=896,
    intermediate_size=4864,
    num_hidden_layers=24,
    num_attention_heads=14,
    num_key_value_heads=2,
    max_position_embeddings=32768,
    rope_theta=1000000.0,
    rms_norm_eps=1e-6,
    tie_word_embeddings=True,
    vocab_size=151936,
    hidden_act="silu",
)


def build_model(directory: Path, tasks) -> Path:
    """Random weights in bfloat16 plus a tokenizer trained on the tasks' prompts."""
    import torch
    from soar.agents.prompts import sample_messages
    from transformers import AutoModelForCausalLM, GenerationConfig, Qwen2Config

    from tests.agents.tiny_model import tokenizer_corpus, train_tokenizer

    if (directory / "config.json").exists():
        return directory
    texts = tokenizer_corpus() + [m["content"] for t in tasks for m in sample_messages(t)]
    tokenizer = train_tokenizer(texts, vocab_size=8000)
    config = Qwen2Config(
        **QWEN25_CODER_05B,
        bos_token_id=None,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
    model.generation_config = GenerationConfig(eos_token_id=tokenizer.eos_token_id)
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--n", type=int, default=8)
    parser.add_argument("--max-tokens", type=int, default=256)
    parser.add_argument(
        "--model-dir", type=Path, default=Path("/tmp/soar-bench-qwen25-coder-0.5b-random")
    )
    parser.add_argument("--gpu-memory-utilization", type=float, default=0.8)
    args = parser.parse_args()

    try:
        import vllm
    except ImportError:
        sys.exit("this benchmark needs an NVIDIA GPU and vLLM: pip install 'soar-arc[vllm]'")

    from soar.agents import SampleRequest, SamplingConfig
    from soar.agents.backends.vllm import VLLMPolicy
    from soar.arc_env import load_tasks

    tasks = load_tasks("arc1/eval")[: args.tasks]
    model_dir = build_model(args.model_dir, tasks)
    sampling = SamplingConfig(max_new_tokens_sample=args.max_tokens, seed=0)
    policy = VLLMPolicy(
        str(model_dir),
        sampling=sampling,
        max_model_len=32768,
        gpu_memory_utilization=args.gpu_memory_utilization,
    )
    conversations = [policy.conversation(SampleRequest(task, n=args.n)) for task in tasks]
    prompts = [{"prompt_token_ids": policy.prompt_token_ids(c)} for c in conversations]
    params = [
        vllm.SamplingParams(
            n=args.n,
            temperature=sampling.temperature,
            top_p=sampling.top_p,
            min_p=sampling.min_p,
            max_tokens=args.max_tokens,
            seed=sampling.seed,
            ignore_eos=True,
        )
        for _ in conversations
    ]

    def through_policy() -> int:
        answers = policy.complete(conversations, ignore_eos=True)
        return sum(c.completion_tokens for a in answers for c in a)

    def direct() -> int:
        outputs = policy.engine.generate(prompts, params, use_tqdm=False)
        return sum(len(c.token_ids) for o in outputs for c in o.outputs)

    policy.complete(conversations[:2], ignore_eos=True)  # warm-up (compilation, CUDA graphs)
    rates: dict[str, list[float]] = {"policy": [], "direct": []}
    for name, run in [("direct", direct), ("policy", through_policy)] * 2:
        start = time.perf_counter()
        tokens = run()
        rates[name].append(tokens / (time.perf_counter() - start))
    prompt_lengths = [len(p["prompt_token_ids"]) for p in prompts]
    print(
        f"{len(tasks)} ARC-AGI-1 eval tasks, n={args.n}, {args.max_tokens} tokens each (EOS ignored); "
        f"prompts {min(prompt_lengths)}-{max(prompt_lengths)} tokens"
    )
    best = {name: max(values) for name, values in rates.items()}
    print(
        f"vllm.LLM.generate directly: {best['direct']:10.0f} generated tokens/s  (runs: {rates['direct']})"
    )
    print(
        f"VLLMPolicy.complete:        {best['policy']:10.0f} generated tokens/s  (runs: {rates['policy']})"
    )
    print(f"ratio policy/direct = {best['policy'] / best['direct']:.3f}   (target >= 0.95)")
    policy.close()


if __name__ == "__main__":
    main()
