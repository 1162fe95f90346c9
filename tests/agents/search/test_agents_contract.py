"""Every registered search agent keeps the agent contract; the built-ins' own promises."""

from __future__ import annotations

import functools

import pytest
from soar.agents.runs.rundir import RunDir
from soar.agents.search import available_agents, make_agent, run_search
from soar.agents.search.refine import RexConfig, SampleRefineConfig
from soar.agents.search.rex import is_arm

from .contract import AgentContract
from .programs import MIX, RecordingPolicy


class TestRegisteredAgents(AgentContract):
    @pytest.fixture(scope="class", params=sorted(available_agents()))
    @classmethod
    def agent_factory(cls, request):
        return functools.partial(make_agent, request.param)


def test_built_in_names_and_defaults_follow_the_paper():
    assert {"sample", "rex", "sample-refine"} <= set(available_agents())
    sample = make_agent("sample").config
    assert (sample.programs, sample.stop_after) == (3000, 100)
    soar = make_agent("sample-refine").config
    assert isinstance(soar, SampleRefineConfig)
    assert (soar.sampling_budget, soar.refining_budget, soar.C) == (3000, 3000, 20)
    assert (soar.stop_after, soar.refine_stop_after, soar.failing_arms) == (100, 100, False)
    rex = make_agent("rex", width=8).config
    assert isinstance(rex, RexConfig) and (rex.C, rex.samples_per_island) == (20, 8)


@pytest.mark.parametrize(
    ("name", "config", "message"),
    [
        ("sample", {"programs": 0}, "programs: expected a number >= 1, got 0"),
        ("sample", {"stop_after": 0}, "stop_after: expected a number >= 1 or None"),
        ("rex", {"C": -1.0}, "C: expected a number >= 0, got -1.0"),
        ("rex", {"islands": 0}, "islands: expected a number >= 1, got 0"),
        ("rex", {"refine_stop_after": 0}, "refine_stop_after: expected a number >= 1 or None"),
        ("rex", {"failing_arms": 1}, "failing_arms"),
        (
            "sample-refine",
            {"programs": 10, "sample_programs": 11},
            r"sample_programs: expected 0..programs \(10\)",
        ),
        ("rex", {"temperature": 1.0}, "unknown setting.*temperature.*expected some of"),
        ("nope", {}, "unknown search agent 'nope': expected one of"),
    ],
)
def test_bad_configs_say_what_was_expected(name, config, message):
    with pytest.raises(ValueError, match=message):
        make_agent(name, **config)


@pytest.mark.parametrize("name", ["rex", "sample-refine"])
def test_rex_agents_refine_arms_and_spread_islands(name, search_tasks, executor, tmp_path):
    agent = make_agent(name, programs=20, width=2, islands=2, stop_after=None)
    run = RunDir.create(tmp_path / "run", {})
    nodes = run_search(search_tasks[:2], agent, RecordingPolicy(answers=list(MIX)), executor, run)
    deeper = False
    for task_nodes in nodes.values():
        refines = [n for n in task_nodes if n.kind == "refine"]
        deeper |= any(task_nodes[n.parent_id].kind == "refine" for n in refines)
        assert refines, "expected refinements once some programs produced outputs"
        assert all(is_arm(task_nodes[n.parent_id]) for n in refines)
        assert {n.island for n in refines} == {0, 1}
        if name == "sample-refine":  # 10 samples first, then refinements (or samples, if no arm)
            assert [n.kind for n in task_nodes[:10]] == ["sample"] * 10
    assert deeper, "expected refinements of refinements: every refinement is a new arm"
