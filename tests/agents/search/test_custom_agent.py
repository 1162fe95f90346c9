"""The example third-party agent (``examples/custom_agent``) plugs in without editing the package."""

from __future__ import annotations

import functools
import importlib
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from soar.agents.search import ENTRY_POINT_GROUP

from .contract import AgentContract

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "custom_agent"

DISCOVER_AND_RUN = """
import json, sys
from soar.agents import ScriptedPolicy
from soar.agents.search import available_agents, make_agent, run_search
from soar.arc_env import Executor, load_tasks
from soar.agents.runs.rundir import RunDir

assert "greedy-refine" in available_agents(), available_agents()
agent = make_agent("greedy-refine", programs=6, width=2)
answers = ["no code here", "```python\\ndef transform(grid):\\n    return grid\\n```"]
with Executor(workers=1) as executor:
    nodes = run_search(load_tasks("arc1/train:3c9b0459,67a3c6ac"), agent,
                       ScriptedPolicy(answers=answers), executor, RunDir.create(sys.argv[1], {}))
print(json.dumps({k: [[n.kind, n.parent_id] for n in v] for k, v in nodes.items()}))
"""


def test_an_entry_point_makes_the_example_agent_available(tmp_path):
    """Declared as an installed distribution would be (a ``.dist-info`` with ``entry_points.txt``
    on ``sys.path``) and found by name in a fresh interpreter."""
    site = tmp_path / "site"
    dist = site / "soar_greedy_refine-0.1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: soar-greedy-refine\nVersion: 0.1.0\n"
    )
    declared = (EXAMPLE / "pyproject.toml").read_text()
    assert 'greedy-refine = "greedy_refine:GreedyRefineAgent"' in declared
    (dist / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\ngreedy-refine = greedy_refine:GreedyRefineAgent\n"
    )
    code = f"import sys; sys.path[:0] = [{str(site)!r}, {str(EXAMPLE)!r}]\n" + textwrap.dedent(
        DISCOVER_AND_RUN
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "run")], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    for kinds in json.loads(out.stdout).values():
        assert len(kinds) == 6
        assert kinds[:2] == [["sample", None], ["sample", None]]  # invalid, then identity
        assert kinds[2:] == [["refine", 1]] * 4  # the best (only) program with an output


class TestExampleAgentContract(AgentContract):
    @pytest.fixture(scope="class")
    @classmethod
    def agent_factory(cls):
        sys.path.insert(0, str(EXAMPLE))
        try:
            module = importlib.import_module("greedy_refine")
        finally:
            sys.path.remove(str(EXAMPLE))
        return functools.partial(module.GreedyRefineAgent)
