"""The contract every search agent keeps, as one reusable test class.

Like dm_env's ``EnvironmentTestMixin``: subclass :class:`AgentContract` (name the subclass
``Test...``) and provide an ``agent_factory`` fixture returning ``factory(**config) -> agent``
whose config accepts ``programs`` and ``width``; every test below then runs against that agent,
with a scripted policy answering right, wrong, crashing and invalid programs on real tasks.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass

import pytest
from soar.agents.runs.rundir import RunDir
from soar.agents.search import Node, run_search

from .programs import INVALID, MIX, RecordingPolicy


@dataclass
class Outcome:
    nodes: dict[str, list[Node]]
    logged: dict[str, list[Node]]
    policy: RecordingPolicy
    path: object


def shape(nodes: list[Node]) -> list[tuple]:
    """What a node is, without timings."""
    return [(n.node_id, n.kind, n.parent_id, n.island, n.program, n.train_correct) for n in nodes]


class AgentContract:
    budget = 9
    """Programs per task (tiny, but several steps)."""
    width = 3
    batch_size = 6
    """Programs per generate call: two tasks' steps, so batches alternate and overlap."""

    @pytest.fixture(scope="class")
    @classmethod
    def agent_factory(cls):
        raise NotImplementedError("subclasses provide agent_factory: (**config) -> SearchAgent")

    @classmethod
    def search(cls, factory, tasks, executor, path, *, answers=MIX, seed=0, fresh=True):
        run = RunDir.create(path, {"test": True}) if fresh else RunDir.open(path)
        policy = RecordingPolicy(answers=list(answers))
        agent = factory(programs=cls.budget, width=cls.width)
        nodes = run_search(
            tasks, agent, policy, executor, run, batch_size=cls.batch_size, seed=seed
        )
        logged = {task.id: RunDir.open(path).read_nodes(task.id) for task in tasks}
        return Outcome(nodes, logged, policy, path)

    @pytest.fixture(scope="class")
    @classmethod
    def outcome(cls, agent_factory, search_tasks, executor, tmp_path_factory) -> Outcome:
        path = tmp_path_factory.mktemp("run") / "run"
        return cls.search(agent_factory, search_tasks, executor, path)

    # ------------------------------------------------------------------------------- tests

    def test_budget_is_reached_exactly_and_everything_is_logged(self, outcome, search_tasks):
        for task in search_tasks:
            assert len(outcome.nodes[task.id]) == self.budget
            assert [n.to_json() for n in outcome.logged[task.id]] == [
                n.to_json() for n in outcome.nodes[task.id]
            ]

    def test_node_ids_are_unique_and_consecutive(self, outcome):
        for task_id, nodes in outcome.nodes.items():
            assert [n.node_id for n in nodes] == list(range(len(nodes)))
            assert {n.task_id for n in nodes} == {task_id}

    def test_refine_nodes_have_an_existing_parent(self, outcome):
        for nodes in outcome.nodes.values():
            for n in nodes:
                if n.kind == "refine":
                    assert n.parent_id is not None and 0 <= n.parent_id < n.node_id
                    assert nodes[n.parent_id].program is not None
                else:
                    assert n.kind == "sample" and n.parent_id is None

    def test_invalid_completions_are_nodes_and_count_against_the_budget(
        self, outcome, agent_factory, search_tasks, executor, tmp_path
    ):
        mixed = [n for nodes in outcome.nodes.values() for n in nodes]
        assert any(n.program is None and n.invalid_reason for n in mixed)
        only_invalid = self.search(
            agent_factory, search_tasks[:2], executor, tmp_path / "run", answers=[INVALID]
        )
        for nodes in only_invalid.nodes.values():
            assert len(nodes) == self.budget
            assert all(n.program is None and not n.train for n in nodes)

    def test_generate_calls_batch_many_tasks(self, outcome):
        calls = outcome.policy.calls
        assert all(sum(n for _, _, n in call) <= self.batch_size for call in calls)
        assert max(len({task_id for task_id, _, _ in call}) for call in calls) >= 2
        total = sum(n for call in calls for _, _, n in call)
        assert total == sum(len(nodes) for nodes in outcome.nodes.values())

    def test_a_seed_makes_runs_repeatable(self, outcome, agent_factory, search_tasks, executor):
        again = self.search(agent_factory, search_tasks, executor, outcome.path.parent / "again")
        for task in search_tasks:
            assert shape(again.nodes[task.id]) == shape(outcome.nodes[task.id])

    def test_resume_from_a_partial_log_reaches_the_budget(
        self, outcome, agent_factory, search_tasks, executor, tmp_path
    ):
        path = tmp_path / "resumed"
        shutil.copytree(outcome.path, path)
        run = RunDir.open(path)
        for i, task in enumerate(search_tasks):
            keep = [0, 2, 5, self.budget][i % 4]  # nothing, a few, most, all (finished: Parquet)
            if keep == self.budget:
                continue
            lines = [
                json.dumps(n.to_json(), separators=(",", ":")).encode() + b"\n"
                for n in outcome.logged[task.id]
            ]
            cut = lines[keep][: len(lines[keep]) // 2]
            run.table_path(task.id).unlink()  # the task in progress: its JSONL log only
            run.node_path(task.id).write_bytes(b"".join(lines[:keep]) + cut)  # a torn last line
        resumed = self.search(agent_factory, search_tasks, executor, path, fresh=False)
        for i, task in enumerate(search_tasks):
            nodes = resumed.logged[task.id]
            keep = [0, 2, 5, self.budget][i % 4]
            assert [n.node_id for n in nodes] == list(range(self.budget))
            assert shape(nodes[:keep]) == shape(outcome.nodes[task.id][:keep])
            for n in nodes:
                assert n.parent_id is None or n.parent_id < n.node_id
