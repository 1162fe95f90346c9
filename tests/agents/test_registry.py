"""Policy specs, the registry and its entry-point group, and light imports."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from soar.agents import (
    SampleRequest,
    ScriptedPolicy,
    available_policies,
    make_policy,
    register_policy,
)
from soar.agents.policy import SamplingConfig
from soar.agents.registry import ENTRY_POINT_GROUP, PolicyError
from soar.arc_env import load_tasks


def test_importing_agents_loads_no_heavy_library():
    code = "import sys, agents; print(sorted(m for m in ('torch', 'vllm', 'transformers', 'openai') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("qwen-7b", "expected a policy spec SCHEME:TARGET"),
        ("hf:", "expected a policy spec SCHEME:TARGET"),
        ("nope:model", "unknown policy scheme 'nope'"),
    ],
)
def test_bad_specs_say_what_was_expected(spec, message):
    with pytest.raises(PolicyError, match=message):
        make_policy(spec)


def test_built_in_schemes_are_listed():
    assert {"hf", "vllm", "openai"} <= set(available_policies())


def test_missing_library_names_the_extra(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "vllm" else real(name, *a)
    )
    with pytest.raises(
        PolicyError, match=r"needs vllm: install it with pip install 'soar-arc\[vllm\]'"
    ):
        make_policy("vllm:Qwen/Qwen2.5-Coder-0.5B-Instruct")


def scripted_factory(target, *, sampling, prompts, **options):
    policy = ScriptedPolicy(answers=[target])
    policy.sampling = sampling
    return policy


def test_register_policy_in_process():
    register_policy("echo", scripted_factory)
    policy = make_policy(
        "echo:```python\ndef transform(g):\n    return g\n```",
        sampling=SamplingConfig(temperature=0.5),
    )
    assert policy.sampling.temperature == 0.5
    task = load_tasks("arc1/train:3c9b0459")[0]
    assert policy.generate([SampleRequest(task)])[0][0].valid


def test_third_party_scheme_through_entry_points(tmp_path):
    """A package that declares a ``soar.policies`` entry point is found without editing ours."""
    package = tmp_path / "myplugin"
    package.mkdir()
    (package / "__init__.py").write_text(
        textwrap.dedent(
            """
            from soar.agents import ScriptedPolicy

            def build(target, *, sampling, prompts, **options):
                return ScriptedPolicy(answers=["plugin answer for " + target])
            """
        )
    )
    dist = tmp_path / "myplugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: myplugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\nmine = myplugin:build\n")
    code = (
        f"import sys; sys.path.insert(0, {str(tmp_path)!r})\n"
        "from soar.agents import make_policy, available_policies, SampleRequest\n"
        "from soar.arc_env import load_tasks\n"
        "assert 'mine' in available_policies()\n"
        "p = make_policy('mine:xyz')\n"
        "print(p.generate([SampleRequest(load_tasks('arc1/train:3c9b0459')[0])])[0][0].text)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "plugin answer for xyz"


def test_sampling_defaults_follow_the_paper_and_are_validated():
    s = SamplingConfig()
    assert (s.temperature, s.min_p, s.max_new_tokens_sample, s.max_new_tokens_refine) == (
        1.0,
        0.05,
        4096,
        2048,
    )
    with pytest.raises(ValueError, match="min_p: expected 0 <= min_p < 1, got 1.5"):
        SamplingConfig(min_p=1.5)
    with pytest.raises(ValueError, match="top_p"):
        SamplingConfig(top_p=0)
