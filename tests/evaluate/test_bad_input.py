"""Bad input to ``soar run``, ``soar improve`` and ``soar exec``: one ``Error:`` line naming what
was expected, exit status 2, no traceback, and nothing left behind that blocks a re-run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from soar.evaluate.cli import cli

TASK = "arc1/train:3c9b0459"


def _run(*extra: str) -> Callable[[Path], list[str]]:
    return lambda tmp: [
        "run",
        "--tasks",
        TASK,
        "--budget",
        "4",
        "--quiet",
        "--out",
        str(tmp / "out"),
        *extra,
    ]


def _file(name: str, text: str) -> Callable[[Path], str]:
    def make(tmp: Path) -> str:
        (tmp / name).write_text(text)
        return str(tmp / name)

    return make


CASES: dict[str, tuple[Callable[[Path], list[str]], str]] = {
    "scripted file missing": (
        lambda tmp: _run("--policy", f"scripted:{tmp / 'missing.json'}")(tmp),
        "expected a JSON file of answers",
    ),
    "scripted file not JSON": (
        lambda tmp: _run("--policy", f"scripted:{_file('a.json', '{bad')(tmp)}")(tmp),
        "expected a JSON file of answers",
    ),
    "scripted answers not texts": (
        lambda tmp: _run("--policy", f"scripted:{_file('a.json', '[1, 2]')(tmp)}")(tmp),
        "expected a list of answer texts",
    ),
    "scripted answers a number": (
        lambda tmp: _run("--policy", f"scripted:{_file('a.json', '3')(tmp)}")(tmp),
        "expected a list of answer texts",
    ),
    "unknown agent setting": (
        _run("--agent-option", "nonsense=3"),
        "unknown setting(s) nonsense; expected some of C,",
    ),
    "agent setting of the wrong type": (_run("--agent-option", "C=abc"), "C: expected a number"),
    "sampling setting of the wrong type": (
        _run("--sampling", "temperature=abc"),
        "temperature: expected a number, got 'abc'",
    ),
    "sampling setting out of range": (_run("--sampling", "top_p=2"), "top_p: expected 0 < top_p"),
    "unknown sampling setting": (
        _run("--sampling", "temp=1"),
        "unknown setting(s) temp: expected some of max_new_tokens_refine",
    ),
    "negative budget": (_run("--budget", "-1"), "budget: expected at least 1"),
    "unknown policy scheme": (_run("--policy", "nope:x"), "unknown policy scheme 'nope'"),
    "policy option the back end refuses": (
        _run("--policy-option", "bogus=1"),
        "policy 'dsl:default'",
    ),
    "dsl weights missing": (
        lambda tmp: _run("--policy", f"dsl:{tmp / 'missing.json'}")(tmp),
        "missing.json",
    ),
    "config file not a mapping": (
        lambda tmp: _run("--config", _file("c.yaml", "- 1\n")(tmp))(tmp),
        "expected a mapping of settings",
    ),
    "improve with a negative budget": (
        lambda tmp: [
            "improve",
            "--tasks",
            TASK,
            "--base",
            "dsl",
            "--budget",
            "-1",
            "--out",
            str(tmp / "out"),
        ],
        "budget: expected at least 1",
    ),
    "improve with an unknown strategy": (
        lambda tmp: [
            "improve",
            "--tasks",
            TASK,
            "--base",
            "dsl",
            "--strategy",
            "best",
            "--out",
            str(tmp / "out"),
        ],
        "strategy: expected one of greedy-diverse",
    ),
    "improve with an unknown train setting": (
        lambda tmp: [
            "improve",
            "--tasks",
            TASK,
            "--base",
            "dsl",
            "--train-option",
            "epochs=1",
            "--out",
            str(tmp / "out"),
        ],
        "train: unknown setting(s) epochs for --base dsl",
    ),
    "improve with a bad held-out spec": (
        lambda tmp: [
            "improve",
            "--tasks",
            TASK,
            "--base",
            "dsl",
            "--held-out",
            "arc9/eval",
            "--out",
            str(tmp / "out"),
        ],
        "arc9",
    ),
    "improve with --frontier for a language model": (
        lambda tmp: [
            "improve",
            "--tasks",
            TASK,
            "--base",
            str(tmp / "model"),
            "--frontier",
            "--out",
            str(tmp / "out"),
        ],
        "frontier: expected --base dsl",
    ),
    "exec of a non-callable transform": (
        lambda tmp: ["exec", "arc1/train", "3c9b0459", _file("p.py", "transform = 3\n")(tmp)],
        "expected a function `transform(grid)`",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_one_line_and_leaves_nothing(tmp_path: Path, case: str) -> None:
    make_args, message = CASES[case]
    result = CliRunner().invoke(cli, make_args(tmp_path))
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists(), "a command that failed on its input wrote its output"


def test_an_option_given_twice_is_a_usage_error(tmp_path: Path) -> None:
    """The later value would silently replace the earlier (``skip=A`` then ``skip=B``)."""
    args = _run("--policy-option", "skip=a", "--policy-option", "skip=b")(tmp_path)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "skip given twice; for several values give one list, skip=[A,B]" in result.stderr
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


def test_a_run_that_fails_before_its_first_program_can_be_run_again(tmp_path: Path) -> None:
    """A policy that fails when first asked (a server down, say): the run directory goes, so the
    same command, once the policy works, runs instead of refusing an existing directory."""
    from soar.agents import Policy, register_policy
    from soar.agents.policy import PolicyError

    class Down(Policy):
        policy_id = "down"

        def complete(self, conversations):
            raise PolicyError("the server at http://127.0.0.1:9 is down")

    register_policy("down", lambda target, **options: Down(**options))
    args = ["run", "--tasks", TASK, "--budget", "4", "--quiet", "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(cli, [*args, "--policy", "down:x"])
    assert result.exit_code == 2 and "the server at" in result.stderr, result.output
    assert not (tmp_path / "out").exists()
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "scores.json").is_file()


def test_a_run_into_a_directory_of_the_users_keeps_their_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    args = ["run", "--tasks", TASK, "--budget", "4", "--quiet", "--out", str(out)]
    result = CliRunner().invoke(cli, [*args, "--policy", f"scripted:{tmp_path / 'none.json'}"])
    assert result.exit_code == 2
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
