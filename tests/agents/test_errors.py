"""In the Python API every bad policy spec or setting raises ``PolicyError``, every bad agent
name or setting ``AgentError``, every bad run setting ``ConfigError``; all are ``InputError``s."""

from __future__ import annotations

import pytest
from soar.agents import SamplingConfig, make_policy
from soar.agents.policy import PolicyError
from soar.agents.runs.config import RunConfig
from soar.agents.search import AgentError, make_agent
from soar.agents.settings import ConfigError
from soar.arc_env.error import InputError

import soar


@pytest.fixture()
def answers(tmp_path):
    def write(text: str) -> str:
        path = tmp_path / "answers.json"
        path.write_text(text)
        return str(path)

    return write


@pytest.mark.parametrize(
    "spec, message",
    [
        ("hf", "expected a policy spec SCHEME:TARGET"),
        ("hf:", "expected a policy spec SCHEME:TARGET"),
        ("nope:model", "unknown policy scheme 'nope'"),
        ("scripted:/no/such/file.json", "expected a JSON file of answers"),
        ("dsl:/no/such/grammar.json", "grammar.json"),
    ],
)
def test_bad_policy_specs_raise_policy_error(spec: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message.replace("(", r"\(")):
        make_policy(spec)


@pytest.mark.parametrize(
    "text, message",
    [
        ("{bad", "expected a JSON file of answers"),
        ("3", "got a JSON int"),
        ('["ok", 3]', "expected a list of answer texts"),
        ('{"3c9b0459": "not a list"}', "expected a list of answer texts"),
        ("[]", "expected at least one answer text"),
    ],
)
def test_malformed_scripted_answers_raise_policy_error(answers, text: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        make_policy(f"scripted:{answers(text)}")


def test_an_option_the_back_end_refuses_raises_policy_error() -> None:
    with pytest.raises(PolicyError, match="policy 'dsl:default'"):
        make_policy("dsl:default", bogus=1)


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"temperature": "abc"}, "temperature: expected a number, got 'abc'"),
        ({"temperature": -1}, "temperature: expected >= 0"),
        ({"top_p": 0}, "top_p: expected 0 < top_p <= 1"),
        ({"max_new_tokens_sample": 2.5}, "max_new_tokens_sample: expected an integer"),
        ({"seed": True}, "seed: expected an integer or nothing"),
        ({"temp": 1.0}, r"unknown setting\(s\) temp"),
    ],
)
def test_bad_sampling_settings_raise_policy_error(settings: dict, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        SamplingConfig.from_settings(settings)


@pytest.mark.parametrize(
    "name, settings, message",
    [
        ("greedy", {}, "unknown search agent 'greedy'"),
        ("rex", {"nonsense": 3}, r"unknown setting\(s\) nonsense"),
        ("rex", {"C": "abc"}, "C: expected a number"),
        ("rex", {"C": -1}, "C: expected a number >= 0"),
        ("sample", {"programs": 0}, "programs: expected a number >= 1"),
        ("sample", {"programs": 2.5}, "programs: expected an integer"),
        ("sample-refine", {"programs": 10, "sample_programs": 20}, "sample_programs: expected"),
        ("sample", {"stop_after": "all"}, "stop_after: expected an integer or nothing"),
    ],
)
def test_bad_agents_raise_agent_error(name: str, settings: dict, message: str) -> None:
    with pytest.raises(AgentError, match=message):
        make_agent(name, **settings)


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"tasks": "", "out": "o"}, "tasks: expected a task spec"),
        ({"tasks": "arc1/eval", "out": "o", "budget": -1}, "budget: expected at least 1"),
        ({"tasks": "arc1/eval", "out": "o", "timeout": "1s"}, "timeout: expected a number"),
        ({"tasks": "arc1/eval", "out": "o", "sampling": 3}, "sampling: expected a mapping"),
    ],
)
def test_bad_run_settings_raise_config_error(settings: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        RunConfig(**settings)


def test_every_error_users_cause_is_an_input_error() -> None:
    from soar.agents.runs.rundir import RunDirError
    from soar.arc_env.error import GridError, TaskFormatError, UnknownTaskError
    from soar.training.sft_config import TrainError

    for error in (PolicyError, AgentError, ConfigError, RunDirError, TrainError, GridError,
                  TaskFormatError, UnknownTaskError):  # fmt: skip
        assert issubclass(error, InputError), error
    assert soar.InputError is InputError and soar.PolicyError is PolicyError
    assert soar.AgentError is AgentError
