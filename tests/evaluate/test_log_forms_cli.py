"""Every reader reads every form of a run's logs alike: Parquet (finished tasks), JSONL (tasks in
progress, and logs written before columnar logs, with the program stored twice), and both at once
(a run killed while switching): ``soar score``, ``soar report``, ``soar relabel``, ``soar export``."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner
from soar.agents.runs.rundir import RunDir
from soar.evaluate.cli import cli

FENCE = "```"


def answer(line: str) -> str:
    return f"{FENCE}python\ndef transform(grid):\n    return {line}\n{FENCE}"


ANSWERS = {
    "3c9b0459": [
        answer("[list(r) for r in zip(*grid)]"),
        answer("grid"),
        answer("[r[::-1] for r in grid[::-1]]"),
    ],
    "67a3c6ac": [answer("grid"), answer("[row[::-1] for row in grid]"), "no code"],
}
SPEC = "arc1/train:" + ",".join(ANSWERS)
TIMES = ("generate_seconds", "execute_seconds", "created")  # JSONL logs round them


def soar(*args) -> str:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """One run, then copies of it with its logs in each form."""
    root = tmp_path_factory.mktemp("forms")
    (root / "answers.json").write_text(json.dumps(ANSWERS))
    parquet = root / "parquet"
    soar(
        "run",
        "--tasks",
        SPEC,
        "--policy",
        f"scripted:{root / 'answers.json'}",
        "--agent",
        "sample-refine",
        "--budget",
        "6",
        "--out",
        parquet,
        "--quiet",
        "--workers",
        "2",
    )
    copies = {"parquet": parquet}
    for form in ("old-jsonl", "both"):
        copy = root / form
        shutil.copytree(parquet, copy)
        run = RunDir(copy)
        for task_id in run.task_ids():
            nodes = run.read_nodes(task_id)
            lines = []
            for node in nodes:
                data = node.to_json()
                data.setdefault("completion", node.completion)  # as logs before: stored twice
                lines.append(json.dumps(data) + "\n")
            run.node_path(task_id).write_text("".join(lines))
            if form == "old-jsonl":
                run.table_path(task_id).unlink()
        copies[form] = copy
    return copies


def without_paths(text: str, runs: dict) -> str:
    for path in runs.values():
        text = text.replace(str(path), "RUN").replace(f"soar run {path.name}", "soar run RUN")
    return text


def test_the_forms_really_differ(runs):
    assert {p.suffix for p in (runs["parquet"] / "nodes").iterdir()} == {".parquet"}
    assert {p.suffix for p in (runs["old-jsonl"] / "nodes").iterdir()} == {".jsonl"}
    assert {p.suffix for p in (runs["both"] / "nodes").iterdir()} == {".jsonl", ".parquet"}


def test_score_and_report_read_every_form_alike(runs):
    outputs = {
        form: without_paths(soar("score", path, "--per-task"), runs) for form, path in runs.items()
    }
    assert outputs["old-jsonl"] == outputs["parquet"] == outputs["both"]
    assert "programs   12 (10 valid)" in outputs["parquet"]
    scores = {form: json.loads((path / "scores.json").read_text()) for form, path in runs.items()}
    assert scores["old-jsonl"] == scores["parquet"] == scores["both"]
    pages = {}
    for form, path in runs.items():
        soar("report", path)
        pages[form] = without_paths((path / "report" / "index.html").read_text(), runs)
    assert pages["old-jsonl"] == pages["parquet"] == pages["both"]


def test_relabel_and_export_read_every_form_alike(runs, tmp_path):
    data, exported = {}, {}
    for form, path in runs.items():
        soar("relabel", path, "--out", tmp_path / f"{form}.jsonl", "--refinement")
        data[form] = [
            {**json.loads(line), "run": ""}
            for line in (tmp_path / f"{form}.jsonl").read_text().splitlines()
        ]
        soar("export", path, tmp_path / f"{form}.exported.jsonl")
        rows = (tmp_path / f"{form}.exported.jsonl").read_text().splitlines()
        exported[form] = [
            {k: v for k, v in json.loads(row).items() if k not in TIMES} for row in rows
        ]
    assert data["old-jsonl"] == data["parquet"] == data["both"] and data["parquet"]
    assert exported["old-jsonl"] == exported["parquet"] == exported["both"]
