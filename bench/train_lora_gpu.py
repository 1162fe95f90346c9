"""LoRA finetuning speed and memory on one GPU, then the merged weights served by vLLM.

Builds a random-weight model with the Qwen2.5-Coder-0.5B architecture locally (``build_model`` of
bench/vllm_throughput.py: its config values, a tokenizer trained here on ARC prompts, no
download), writes relabeled-style training data (the sampling prompts of real ARC-AGI-1 training
tasks, each answered with one of the example programs of examples/programs), trains 20 optimizer
steps with the paper's settings (rsLoRA r 256, alpha 32 on every attention and MLP projection,
lr 5e-5, cosine, warmup 0.1, effective batch 32, bf16) through ``soar.training.sft.train`` with
``merge``, then loads the merged weights with vLLM and samples once. Prints optimizer steps per
second, trained tokens per second and the peak GPU memory (torch.cuda.max_memory_allocated).

Needs an NVIDIA GPU, the ``hf`` extra and (unless --no-vllm) the ``vllm`` extra. Usage:
    python bench/train_lora_gpu.py [--steps 20] [--batch 32] [--per-device 4] [--tasks 64]
        [--max-length 8192] [--work DIR] [--no-vllm]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # training, agents, tests.agents.tiny_model
sys.path.insert(0, str(REPO / "bench"))  # vllm_throughput


def write_data(path: Path, tasks: list) -> Path:
    """One record per task: its sampling prompt, answered by an example program (cycled)."""
    from soar.agents.prompts import answer_message, sample_messages

    programs = [p.read_text() for p in sorted((REPO / "examples/programs").glob("*.py"))]
    with path.open("w") as out:
        for i, task in enumerate(tasks):
            messages = sample_messages(task) + [answer_message(programs[i % len(programs)])]
            out.write(json.dumps({"messages": messages, "task_id": task.id, "source": "sample"}))
            out.write("\n")
    return path


def adapter_parameters(adapter: Path) -> int:
    """Parameters in the saved LoRA adapter."""
    from safetensors.torch import load_file

    return sum(t.numel() for t in load_file(str(adapter / "adapter_model.safetensors")).values())


def train_and_measure(
    base: Path,
    data: Path,
    out: Path,
    *,
    steps: int,
    batch: int,
    per_device: int,
    max_length: int,
    lora_r: int = 256,
) -> tuple[object, dict]:
    """Train LoRA on ``base`` with ``data`` through ``soar.training.sft.train`` (merged into
    ``out``), and measure it: returns the TrainResult and a dict of figures (steps/s, tokens/s,
    peak GPU memory in GiB where CUDA is used, losses, times)."""
    import torch
    from soar.training.sft import train
    from soar.training.sft_config import TrainConfig

    config = TrainConfig(
        base=str(base),
        data=[str(data)],
        out=str(out),
        max_steps=steps,
        effective_batch=batch,
        per_device_batch=per_device,
        max_length=max_length,
        lora_r=lora_r,
        logging_steps=min(5, steps),
        merge=True,
    )
    cuda = torch.cuda.is_available()
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    result = train(config, show_progress=False)
    total = time.perf_counter() - start
    stats = result.data
    mean_tokens = sum(stats.tokens) / max(1, len(stats.tokens))
    steps_per_s = result.steps / result.runtime_s
    figures = {
        "examples": stats.used,
        "dropped_over_max_length": stats.dropped,
        "max_length": config.max_length,
        "tokens_per_example_mean": round(mean_tokens, 1),
        "lora_r": config.lora_r,
        "lora_alpha": config.lora_alpha,
        "trainable_parameters": adapter_parameters(result.adapter),
        "effective_batch": result.effective_batch,
        "per_device_batch": result.per_device_batch,
        "gradient_accumulation": result.gradient_accumulation,
        "bf16": result.bf16,
        "steps": result.steps,
        "train_seconds": round(result.runtime_s, 2),
        "steps_per_s": round(steps_per_s, 4),
        "tokens_per_s": round(steps_per_s * result.effective_batch * mean_tokens, 1),
        "first_loss": result.losses[0] if result.losses else None,
        "last_loss": result.losses[-1] if result.losses else None,
        "peak_gpu_memory_gib": round(torch.cuda.max_memory_allocated() / 2**30, 3)
        if cuda
        else None,
        "train_merge_save_seconds": round(total, 2),
        "merged": str(result.out),
    }
    return result, figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch", type=int, default=32, help="effective batch (sequences)")
    parser.add_argument("--per-device", type=int, default=4, help="sequences per pass")
    parser.add_argument("--tasks", type=int, default=64, help="arc1/train tasks in the data")
    parser.add_argument("--max-length", type=int, default=8192)
    parser.add_argument("--work", type=Path, default=Path("/tmp/soar-bench-train-lora"))
    parser.add_argument("--no-vllm", action="store_true", help="skip loading into vLLM")
    args = parser.parse_args()

    try:
        import torch
    except ImportError:
        sys.exit("this benchmark needs an NVIDIA GPU and the hf extra: pip install 'soar-arc[hf]'")
    if not torch.cuda.is_available():
        sys.exit("this benchmark needs an NVIDIA GPU: torch sees no CUDA device")
    if not args.no_vllm:
        try:
            import vllm  # noqa: F401
        except ImportError:
            sys.exit(
                "the vLLM step needs the vllm extra (pip install 'soar-arc[vllm]'), or --no-vllm"
            )

    from soar.arc_env import load_tasks
    from vllm_throughput import build_model

    tasks = sorted(load_tasks("arc1/train"), key=lambda task: task.id)[: args.tasks]
    args.work.mkdir(parents=True, exist_ok=True)
    base = build_model(args.work / "base", tasks)
    data = write_data(args.work / "relabeled.jsonl", tasks)
    result, f = train_and_measure(
        base,
        data,
        args.work / "merged",
        steps=args.steps,
        batch=args.batch,
        per_device=args.per_device,
        max_length=args.max_length,
    )
    print(f"model: Qwen2.5-Coder-0.5B architecture, random weights, {torch.cuda.get_device_name()}")
    print(
        f"data: {f['examples']} relabeled-style examples, {f['dropped_over_max_length']} dropped "
        f"(over {f['max_length']} tokens); {result.data.token_summary()}"
    )
    print(
        f"LoRA: r {f['lora_r']}, alpha {f['lora_alpha']:g}, rsLoRA, "
        f"{f['trainable_parameters'] / 1e6:.1f}M trainable parameters; "
        f"batch {f['effective_batch']} = {f['per_device_batch']} x "
        f"{f['gradient_accumulation']} accumulated; bf16 {f['bf16']}"
    )
    print(
        f"train: {f['steps']} steps in {f['train_seconds']:.1f} s = {f['steps_per_s']:.3f} "
        f"steps/s, about {f['tokens_per_s']:,.0f} tokens/s; loss {f['first_loss']:.3f} -> "
        f"{f['last_loss']:.3f}"
    )
    print(
        "peak GPU memory (torch.cuda.max_memory_allocated, training and merge): "
        f"{f['peak_gpu_memory_gib']:.2f} GiB"
    )
    print(
        f"train + merge + save: {f['train_merge_save_seconds']:.1f} s; merged weights in {result.out}"
    )
    if args.no_vllm:
        return

    from soar.agents import SampleRequest, SamplingConfig
    from soar.agents.backends.vllm import VLLMPolicy

    start = time.perf_counter()
    policy = VLLMPolicy(
        str(result.out),
        sampling=SamplingConfig(max_new_tokens_sample=64, seed=0),
        max_model_len=args.max_length + 1024,
        gpu_memory_utilization=0.5,
    )
    loaded = time.perf_counter() - start
    [[completion]] = policy.generate([SampleRequest(tasks[0], n=1)])
    policy.close()
    print(
        f"vllm: loaded the merged model in {loaded:.1f} s; sampled {completion.completion_tokens} "
        f"tokens for {tasks[0].id} ({completion.finish_reason})"
    )


if __name__ == "__main__":
    main()
