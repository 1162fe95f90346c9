"""The prepared GPU check, run on the CPU with tiny sizes (``bench/gpu_check.sh --cpu-smoke``):
every stage runs and writes its figures, so the script a GPU session runs once is known to work."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_gpu_check_cpu_smoke_runs_every_stage(tmp_path):
    for module in ("torch", "transformers", "peft", "trl", "datasets"):
        pytest.importorskip(module, reason="needs the hf extra")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHON": sys.executable, "OUT": str(out), "WHEELS": ""}
    # Twice in the same work folder: a rerun on a warm GPU machine finds the first run's files.
    for _ in range(2):
        done = subprocess.run(
            ["bash", str(REPO / "bench" / "gpu_check.sh"), "--cpu-smoke", "--work", str(tmp_path)],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads((out / "gpu_check.json").read_text())
    log = (out / "gpu_check.log").read_text()
    assert "failed stages: none" in log
    assert report["mode"] == "cpu-smoke" and report["device"] == "cpu"
    generate = report["generate"]
    assert generate["same_tokens"] and generate["policy_tokens"] > 0
    assert generate["ratio"] > 0 and generate["prompts"] == 4
    for kernels in ("default", "without_cudnn"):
        assert generate["first_call"][kernels]["first_s"] > 0
        assert generate["first_call"][kernels]["second_s"] > 0
    train = report["train"]
    assert train["steps"] == 2 and train["steps_per_s"] > 0 and train["examples"] == 4
    assert Path(train["merged"], "config.json").is_file()
    run = report["run"]
    assert run["programs"] == run["tasks"] * run["budget"] == 8
    assert (tmp_path / "run" / "scores.json").is_file()
