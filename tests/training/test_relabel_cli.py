"""``soar relabel`` end to end: a scripted ``soar run`` with refinements, then its data file."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from soar.evaluate import cli_relabel
from soar.evaluate.cli import cli
from soar.training.dedup import DEDUP_MODES
from soar.training.filters import FILTERS
from soar.training.selection import STRATEGIES

FENCE = "```"


def answer(line: str) -> str:
    return f"{FENCE}python\ndef transform(grid):\n    return {line}\n{FENCE}"


TRANSPOSE = answer("[list(r) for r in zip(*grid)]")
MIRROR = answer("[row[::-1] for row in grid]")
ROTATE = answer("[row[::-1] for row in grid[::-1]]")
# sample-refine with a budget of 4 samples two programs, then refines the better one twice.
ANSWERS = {
    "3c9b0459": [TRANSPOSE, MIRROR, ROTATE, answer("[r[::-1] for r in grid[::-1]]")],
    "67a3c6ac": [answer("grid"), MIRROR, answer("[list(r[::-1]) for r in grid]"), "no code"],
}
SPEC = "arc1/train:" + ",".join(ANSWERS)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("relabel-cli")
    (root / "answers.json").write_text(json.dumps(ANSWERS))
    out = root / "run"
    args = ["run", "--tasks", SPEC, "--policy", f"scripted:{root / 'answers.json'}"]
    args += ["--agent", "sample-refine", "--budget", "4", "--out", str(out)]
    result = CliRunner().invoke(cli, [*args, "--quiet", "--workers", "2"])
    assert result.exit_code == 0, result.output
    return out


def relabel(*args: str):
    return CliRunner().invoke(cli, ["relabel", *args])


def records(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_relabel_writes_sample_and_refine_records(run_dir, tmp_path):
    out = tmp_path / "data.jsonl"
    result = relabel(str(run_dir), "--out", str(out), "--refinement")
    assert result.exit_code == 0, result.output
    data = records(out)
    sources = [r["source"] for r in data]
    # 3c9b0459: four programs, both refinements of the transpose solve it (bucket zero).
    # 67a3c6ac: the identity and the invalid answer are dropped; no refinement repairs a failure.
    assert sources.count("sample") == 6 and sources.count("refine") == 2
    assert {r["bucket"] for r in data if r["source"] == "refine"} == {"zero"}
    assert {r["run"] for r in data} == {str(run_dir)}
    lines = result.output.splitlines()
    assert lines[0].startswith("runs        1, 2 tasks requested, 2 with programs, 8 programs")
    assert "identity-output 1" in lines[1] and "unusable 1" in lines[1]
    assert lines[2].startswith("strategy    greedy-diverse (at most 50 per task, seed 0): 6")
    assert "zero 2/2" in lines[3]
    assert lines[-1] == f"wrote 8 records to {out}"


def test_options_reach_the_dataset(run_dir, tmp_path):
    out = tmp_path / "data.jsonl"
    args = ["--out", str(out), "--strategy", "greedy", "--per-task", "1", "--seed", "4"]
    result = relabel(str(run_dir), *args, "--no-filter", "identity-output", "--tasks", SPEC)
    assert result.exit_code == 0, result.output
    data = records(out)
    assert len(data) == 2 and {r["strategy"] for r in data} == {"greedy"}
    assert "switched off: identity-output" in result.output


def test_several_runs_are_pooled(run_dir, tmp_path):
    out = tmp_path / "data.jsonl"
    result = relabel(str(run_dir), str(run_dir), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "2 tasks requested" in result.output and "16 programs" in result.output
    assert "duplicate-code 6" in result.output  # the second copy of each of the six kept
    assert len(records(out)) == 6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--no-filter", "nope"], "'nope' is not one of"),
        (["--strategy", "best"], "'best' is not one of"),
        (["--per-task", "-1"], "-1 is not in the range x>=0"),
    ],
)
def test_bad_options_exit_2(run_dir, tmp_path, args, message):
    result = relabel(str(run_dir), "--out", str(tmp_path / "d.jsonl"), *args)
    assert result.exit_code == 2 and message in result.output


def test_not_a_run_is_one_error_line(tmp_path):
    result = relabel(str(tmp_path), "--out", str(tmp_path / "d.jsonl"))
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"Error: {tmp_path}: expected a run directory (with config.json) or a directory of "
        "*.parquet files, found neither"
    ]
    assert not (tmp_path / "d.jsonl").exists()


def test_help_names_match_the_training_package():
    assert cli_relabel.STRATEGY_NAMES == STRATEGIES
    assert cli_relabel.FILTER_NAMES == FILTERS
    assert set(cli_relabel.DEDUP_NAMES) == set(DEDUP_MODES)


def test_pair_order_and_dedup_options(run_dir, tmp_path, tiny_embedder_dir):
    shuffled, plain = tmp_path / "shuffled.jsonl", tmp_path / "plain.jsonl"
    assert relabel(str(run_dir), "--out", str(shuffled)).exit_code == 0
    result = relabel(str(run_dir), "--out", str(plain), "--no-shuffle", "--dedup", "exact")
    assert result.exit_code == 0, result.output
    assert "duplicates compared by exact" in result.output
    a, b = records(shuffled), records(plain)
    assert [r["messages"][2] for r in a] == [r["messages"][2] for r in b]  # the same programs
    assert [r["messages"][1] for r in a] != [r["messages"][1] for r in b]  # in other orders
    out = tmp_path / "embedded.jsonl"
    result = relabel(str(run_dir), "--out", str(out), "--dedup-model", str(tiny_embedder_dir))
    assert result.exit_code == 0, result.output
    assert "duplicates compared by embedding" in result.output
    missing = relabel(str(run_dir), "--out", str(out), "--dedup-model", str(tmp_path / "none"))
    assert missing.exit_code == 2 and missing.output.startswith("Error: dedup model")
    bad = relabel(str(run_dir), "--out", str(out), "--dedup", "embedding")
    assert bad.exit_code == 2 and "needs embedding_model" in bad.output
