"""``soar train --base dsl``: grammar weights move toward the primitives of the training data."""

from __future__ import annotations

import json

from click.testing import CliRunner
from soar.agents import make_policy
from soar.agents.dsl.features import task_context
from soar.agents.dsl.grammar import Grammar
from soar.agents.dsl.program import to_source
from soar.agents.prompts import answer_message, parse_task_block, sample_messages
from soar.arc_env import load_tasks
from soar.evaluate.cli import cli


def write_records(path, tasks, steps):
    with open(path, "w") as f:
        for task in tasks:
            record = {"messages": [*sample_messages(task), answer_message(to_source(steps))]}
            f.write(json.dumps(record) + "\n")
        f.write(
            json.dumps({"messages": [*sample_messages(tasks[0]), answer_message("x = 1")]}) + "\n"
        )


def test_training_shifts_weights_toward_primitives_in_the_data(tmp_path):
    tasks = load_tasks("arc1/train")[:12]
    data = tmp_path / "data.jsonl"
    write_records(data, tasks, [("transpose", ())])
    result = CliRunner().invoke(
        cli, ["train", "--base", "dsl", "--data", str(data), "--out", str(tmp_path / "dsl")]
    )
    assert result.exit_code == 0, result.output
    assert "12 DSL programs" in result.output and "not a DSL program" in result.output
    fitted = Grammar.load(tmp_path / "dsl" / "grammar.json")
    before = Grammar()
    context = task_context(tasks[0].public())
    assert fitted.weight(context, "transpose") > before.weight(context, "transpose")
    assert fitted.weight(context, "rotate_90") < before.weight(context, "rotate_90")
    policy = make_policy(f"dsl:{tmp_path / 'dsl' / 'grammar.json'}")
    assert policy.policy_id.startswith("dsl:")


def test_prompts_read_back_into_tasks():
    for task in load_tasks("arc1/eval")[:20]:
        assert parse_task_block(sample_messages(task)[1]["content"], task.id) == task.public()


def test_no_dsl_program_is_one_line_error(tmp_path):
    data = tmp_path / "data.jsonl"
    task = load_tasks("arc1/train")[0]
    data.write_text(
        json.dumps({"messages": [*sample_messages(task), answer_message("x = 1")]}) + "\n"
    )
    result = CliRunner().invoke(
        cli, ["train", "--base", "dsl", "--data", str(data), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2 and "no DSL program to learn from" in result.output


def test_a_grammar_fitted_after_another_keeps_it_as_an_earlier_one(tmp_path):
    tasks = load_tasks("arc1/train")[:6]
    data = tmp_path / "data.jsonl"
    write_records(data, tasks, [("transpose", ())])
    first = ["train", "--base", "dsl", "--data", str(data), "--out", str(tmp_path / "one")]
    assert CliRunner().invoke(cli, first).exit_code == 0
    config = tmp_path / "two.yaml"
    config.write_text(f"previous: {tmp_path / 'one' / 'grammar.json'}\n")
    second = ["train", "--base", "dsl", "--config", str(config), "--data", str(data)]
    result = CliRunner().invoke(cli, [*second, "--out", str(tmp_path / "two")])
    assert result.exit_code == 0, result.output
    one = json.loads((tmp_path / "one" / "grammar.json").read_text())
    two = Grammar.load(tmp_path / "two" / "grammar.json")
    assert [g.to_json() for g in two.earlier] == [one]
    config.write_text(f"previous: {tmp_path / 'missing.json'}\n")
    result = CliRunner().invoke(cli, [*second, "--out", str(tmp_path / "three")])
    assert result.exit_code == 2 and "expected a JSON file of grammar weights" in result.output
    assert not (tmp_path / "three").exists()  # nothing written before the previous grammar loads
