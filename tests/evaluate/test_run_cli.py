"""``soar run`` end to end: a scripted policy on real tasks, a SIGKILLed run resumed, and a run
with the tiny transformers model."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from soar.agents.runs.rundir import RunDir
from soar.agents.runs.scoring import score_run
from soar.arc_env import load_tasks
from soar.evaluate.cli import cli

PROGRAMS = Path(__file__).resolve().parents[2] / "examples" / "programs"
FENCE = "```"


def answer(code: str) -> str:
    return f"Here is my solution.\n{FENCE}python\n{code.strip()}\n{FENCE}\n"


WRONG = answer("def transform(grid):\n    return grid\n")
INVALID = "I do not know."
# Right for three tasks, wrong for one, only invalid answers for one: the official score is 3/5.
ANSWERS = {
    "3c9b0459": [WRONG, answer((PROGRAMS / "3c9b0459.py").read_text())],
    "6150a2bd": [answer((PROGRAMS / "6150a2bd.py").read_text()), INVALID],
    "67a3c6ac": [INVALID, answer((PROGRAMS / "67a3c6ac.py").read_text())],
    "68b16354": [WRONG],
    "007bbfb7": [INVALID],
}
SPEC = "arc1/train:" + ",".join(ANSWERS)


@pytest.fixture()
def answers_file(tmp_path):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(ANSWERS))
    return path


def node_ids(run: Path) -> dict[str, list[int]]:
    return {t: [n.node_id for n in RunDir(run).read_nodes(t)] for t in RunDir(run).task_ids()}


def test_scripted_run_scores_as_expected_and_reports(tmp_path, answers_file):
    out = tmp_path / "run"
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "run",
            "--tasks",
            SPEC,
            "--policy",
            f"scripted:{answers_file}",
            "--agent",
            "sample",
            "--budget",
            "4",
            "--out",
            str(out),
            "--quiet",
            "--workers",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "score 0.6000" in result.output
    assert all(ids == [0, 1, 2, 3] for ids in node_ids(out).values())
    assert len(node_ids(out)) == 5
    attempts = json.loads((out / "attempts.json").read_text())
    assert set(attempts) == set(ANSWERS)
    assert json.loads((out / "scores.json").read_text())["score"] == pytest.approx(0.6)
    config = json.loads((out / "config.json").read_text())
    assert config["agent"] == "sample" and config["budget"] == 4 and "numpy" in config["versions"]

    report = runner.invoke(cli, ["report", str(out)])
    assert report.exit_code == 0, report.output
    assert (out / "report" / "index.html").exists()
    assert (out / "report" / "score_vs_programs.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_config_file_with_flags_overriding(tmp_path, answers_file):
    config = tmp_path / "run.yaml"
    config.write_text(
        f"tasks: '{SPEC}'\npolicy: 'scripted:{answers_file}'\nagent: sample\nbudget: 9\n"
        "agent_options:\n  stop_after: null\n"
    )
    out = tmp_path / "run"
    result = CliRunner().invoke(
        cli, ["run", "--config", str(config), "--budget", "2", "--out", str(out), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    assert all(len(ids) == 2 for ids in node_ids(out).values())


def test_bad_run_input_is_one_line(tmp_path, answers_file):
    runner = CliRunner()
    for args, message in [
        (
            ["run", "--policy", "scripted:x", "--out", str(tmp_path / "a")],
            "tasks: expected a task spec",
        ),
        (
            ["run", "--tasks", SPEC, "--policy", "nope:x", "--out", str(tmp_path / "b"), "--quiet"],
            "unknown policy scheme",
        ),
        (
            [
                "run",
                "--tasks",
                SPEC,
                "--policy",
                f"scripted:{answers_file}",
                "--agent",
                "greedy",
                "--out",
                str(tmp_path / "c"),
                "--quiet",
            ],
            "greedy",
        ),
        (["run", "--resume", str(tmp_path / "missing")], "expected a run directory"),
        (
            ["run", "--tasks", SPEC, "--policy", "p:x", "--agent-option", "novalue"],
            "expected KEY=VALUE",
        ),
    ]:
        result = runner.invoke(cli, args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output and "Traceback" not in result.output


@pytest.mark.slow
def test_sigkilled_run_resumes_without_losing_or_duplicating_nodes(tmp_path, answers_file):
    out = tmp_path / "run"
    budget = 24
    command = [
        sys.executable,
        "-m",
        "soar.evaluate.cli",
        "run",
        "--tasks",
        SPEC,
        "--policy",
        f"scripted:{answers_file}",
        "--policy-option",
        "delay=0.15",
        "--agent",
        "sample-refine",
        "--budget",
        str(budget),
        "--batch-size",
        "6",
        "--agent-option",
        "width=3",
        "--agent-option",
        "stop_after=null",
        "--out",
        str(out),
        "--quiet",
        "--workers",
        "2",
    ]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # kill once some, not all, nodes are logged
        logged = sum(len(ids) for ids in node_ids(out).values()) if (out / "nodes").exists() else 0
        if logged >= 12:
            break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = sum(len(ids) for ids in node_ids(out).values())
    assert 0 < partial < budget * len(ANSWERS)
    with open(next((out / "nodes").glob("*.jsonl")), "a") as f:
        f.write('{"task_id": "half a line')  # as if killed in the middle of a write

    result = CliRunner().invoke(cli, ["run", "--resume", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    for task_id, ids in node_ids(out).items():
        assert ids == list(range(budget)), task_id  # unique, none lost, budget reached exactly
    assert json.loads((out / "scores.json").read_text())["score"] == pytest.approx(0.6)


def test_run_with_the_tiny_transformers_model(tmp_path, tiny_model_dir):
    out = tmp_path / "run"
    result = CliRunner().invoke(
        cli,
        [
            "run",
            "--tasks",
            "arc1/train:3c9b0459,6150a2bd",
            "--policy",
            f"hf:{tiny_model_dir}",
            "--agent",
            "sample-refine",
            "--budget",
            "4",
            "--agent-option",
            "width=2",
            "--sampling",
            "max_new_tokens_sample=16",
            "--sampling",
            "max_new_tokens_refine=16",
            "--out",
            str(out),
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "score 0.0000" in result.output  # a random model writes no program, honestly
    assert all(len(ids) == 4 for ids in node_ids(out).values())


def test_without_a_policy_the_run_uses_the_dsl_grammar(tmp_path):
    # 3c9b0459 is a half turn and 6150a2bd too: one-step programs of the grammar.
    out = tmp_path / "run"
    spec = "arc1/train:3c9b0459,6150a2bd"
    flags = ["--tasks", spec, "--budget", "300", "--quiet", "--workers", "2", "--out", str(out)]
    result = CliRunner().invoke(cli, ["run", *flags])
    assert result.exit_code == 0, result.output
    assert "score 1.0000" in result.output
    assert json.loads((out / "config.json").read_text())["policy"] == "dsl:default"
    nodes = RunDir(out).read_nodes("3c9b0459")
    assert len(nodes) == 300 and {n.policy_id for n in nodes} == {"dsl:default"}
    # Tasks voted as they finished; reading the logs back gives the same scores.
    tasks = load_tasks(spec)
    from_logs = score_run(RunDir(out), tasks).to_json()
    assert from_logs == json.loads((out / "scores.json").read_text())
