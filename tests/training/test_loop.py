"""``soar improve``: one round with the tiny model and a tiny budget leaves every artefact, and a
loop killed midway finishes with ``--resume``."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from soar.evaluate.cli import cli

ANSWERS = Path(__file__).resolve().parents[2] / "examples" / "scripted_answers.json"
TASKS = "arc1/train:3c9b0459,6150a2bd"


def improve_args(model: Path, out: Path) -> list[str]:
    return [
        "improve",
        "--tasks",
        TASKS,
        "--base",
        str(model),
        "--iterations",
        "1",
        "--first-policy",
        f"scripted:{ANSWERS}",  # a first search that finds real programs
        "--agent",
        "sample-refine",
        "--budget",
        "6",
        "--agent-option",
        "width=3",
        "--agent-option",
        "stop_after=null",
        "--sampling",
        "max_new_tokens_sample=8",
        "--sampling",
        "max_new_tokens_refine=8",
        "--train-option",
        "max_steps=2",
        "--train-option",
        "lora_r=4",
        "--train-option",
        "effective_batch=2",
        "--train-option",
        "max_length=4096",
        "--workers",
        "2",
        "--out",
        str(out),
    ]


def artefacts(out: Path) -> dict[str, bool]:
    return {
        name: (out / name).exists()
        for name in (
            "improve.json",
            "iter0/search/scores.json",
            "iter0/search/attempts.json",
            "iter0/data.jsonl",
            "iter0/model/README.md",
            "iter1/search/scores.json",
            "summary.json",
            "improvement.png",
        )
    }


def test_one_round_leaves_every_artefact(tmp_path, tiny_model_dir):
    out = tmp_path / "loop"
    result = CliRunner().invoke(cli, improve_args(tiny_model_dir, out))
    assert result.exit_code == 0, result.output
    assert all(artefacts(out).values()), artefacts(out)
    summary = json.loads((out / "summary.json").read_text())["iterations"]
    assert [row["iteration"] for row in summary] == [0, 1]
    assert summary[0]["model"].startswith("scripted:") and summary[0]["score"] == 1.0
    assert summary[1]["model"] == f"hf:{tiny_model_dir}+{out / 'iter0' / 'model'}"
    assert summary[1]["score"] == 0.0  # the tiny random model writes no program
    records = [json.loads(line) for line in (out / "iter0/data.jsonl").read_text().splitlines()]
    assert records and all(r["messages"][-1]["role"] == "assistant" for r in records)


@pytest.mark.slow
def test_killed_loop_resumes_from_the_last_finished_stage(tmp_path, tiny_model_dir):
    out = tmp_path / "loop"
    command = [sys.executable, "-m", "soar.evaluate.cli", *improve_args(tiny_model_dir, out)]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and not (out / "iter0" / "data.jsonl").exists():
        time.sleep(0.1)
    os.kill(proc.pid, signal.SIGKILL)  # during training (or just after relabeling)
    proc.wait()
    assert (out / "iter0/search/scores.json").exists()
    assert not (out / "iter1/search/scores.json").exists()
    result = CliRunner().invoke(cli, ["improve", "--resume", str(out)])
    assert result.exit_code == 0, result.output
    assert all(artefacts(out).values()), artefacts(out)


def test_two_rounds_with_the_dsl_policy(tmp_path):
    out = tmp_path / "loop"
    args = [
        "improve",
        "--tasks",
        "arc1/train:3c9b0459,67a3c6ac,74dd1130",
        "--base",
        "dsl",
        "--iterations",
        "2",
        "--agent",
        "sample",
        "--budget",
        "100",
        "--workers",
        "2",
        "--out",
        str(out),
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())["iterations"]
    assert summary[0]["model"] == "dsl:default"
    assert summary[1]["model"] == f"dsl:{out / 'iter0' / 'model' / 'grammar.json'}"
    assert summary[2]["model"] == f"dsl:{out / 'iter1' / 'model' / 'grammar.json'}"
    assert summary[2]["score"] >= summary[1]["score"] >= summary[0]["score"] > 0
    first = json.loads((out / "iter0" / "model" / "grammar.json").read_text())
    second = json.loads((out / "iter1" / "model" / "grammar.json").read_text())
    assert "earlier" not in first  # round 0 searched with the built-in grammar
    assert second["earlier"] == [first]  # round 1's grammar is kept as an earlier one


def test_frontier_rounds_go_on_past_what_earlier_rounds_tried(tmp_path, monkeypatch):
    from soar.agents.runs.ensemble import score_ensemble
    from soar.agents.runs.rundir import RunDir
    from soar.arc_env import load_tasks
    from soar.training import loop

    trained_on = []
    train = loop._train

    def recording(config, stage, data, adapter):
        trained_on.append([path.parent.name for path in data])
        return train(config, stage, data, adapter)

    monkeypatch.setattr(loop, "_train", recording)
    out = tmp_path / "loop"
    tasks = "arc1/train:3c9b0459,67a3c6ac"
    args = ["improve", "--tasks", tasks, "--base", "dsl", "--iterations", "2", "--frontier"]
    args += ["--agent", "sample", "--budget", "40", "--workers", "2", "--out", str(out)]
    args += ["--held-out", "arc1/eval:66e6c45b", "--test-time", "arc1/eval:66e6c45b,e9ac8c9e"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    for folder in ("search", "test_time"):  # the searches that learning feeds on go on
        runs = [RunDir.open(out / f"iter{i}" / folder) for i in range(3)]
        assert [run.config["policy_options"].get("skip") for run in runs] == [
            None,
            [str(out / "iter0" / folder)],
            [str(out / "iter0" / folder), str(out / "iter1" / folder)],
        ]
    for i in range(3):  # held-out tasks are searched afresh
        assert "skip" not in RunDir.open(out / f"iter{i}" / "held_out").config["policy_options"]
    runs = [RunDir.open(out / f"iter{i}" / "search") for i in range(3)]
    for task_id in ("3c9b0459", "67a3c6ac"):
        tried = [{n.program for n in run.read_nodes(task_id)} for run in runs]
        assert [len(t) for t in tried] == [40, 40, 40]
        assert not tried[0] & tried[1] and not (tried[0] | tried[1]) & tried[2]
    summary = json.loads((out / "summary.json").read_text())["iterations"]
    assert summary[0]["score"] == 1.0  # both tasks are one step; later rounds skip the fits
    assert "score_so_far" not in summary[0]
    assert summary[1]["score_so_far"] == summary[2]["score_so_far"] == 1.0
    assert "test_time_so_far" not in summary[0]
    test_time = [RunDir.open(out / f"iter{i}" / "test_time") for i in range(3)]
    pooled = score_ensemble(test_time, load_tasks("arc1/eval:66e6c45b,e9ac8c9e")).score
    assert summary[2]["test_time_so_far"] == pooled  # one vote over the three rounds' programs
    assert all("held_out" in row and "held_out_so_far" not in row for row in summary)
    assert trained_on == [["iter0"], ["iter0", "iter1"]]  # every round's data so far
    assert re.search(r"score +so far +held-out +test-time +t-t so far", result.output)
