"""Stop rules per phase (paper, appendix D.5): sampling stops after ``stop_after`` train-perfect
samples, refining after ``refine_stop_after`` train-perfect refinements, each phase with its own
budget in ``sample-refine``."""

from __future__ import annotations

import json
import shutil

import pytest
from soar.agents import ScriptedPolicy
from soar.agents.runs.rundir import RunDir
from soar.agents.search import make_agent, run_search

from .contract import shape
from .programs import CRASH, IDENTITY, ROTATE


def search(tasks, agent, answers, executor, path, *, fresh=True):
    run = RunDir.create(path, {}) if fresh else RunDir.open(path)
    return run_search(tasks, agent, ScriptedPolicy(answers=answers), executor, run, batch_size=8)


def kinds(nodes):
    return "".join("s" if n.kind == "sample" else "r" for n in nodes)


def test_sampling_stops_after_m_right_samples_and_refining_goes_on_with_its_own_stop(
    search_tasks, executor, tmp_path
):
    rotate = search_tasks[0]  # ROTATE is right on every train pair of it
    agent = make_agent(
        "sample-refine", programs=40, sample_programs=20, width=2, stop_after=3, refine_stop_after=5
    )
    nodes = search([rotate], agent, [ROTATE], executor, tmp_path / "run")[rotate.id]
    # two steps of two samples (4 >= 3 right), then three steps of two refinements (6 >= 5)
    assert kinds(nodes) == "ssss" + "rrrrrr"
    assert all(n.all_train_correct for n in nodes)


def test_a_phase_stopped_early_keeps_the_other_phase_budget(search_tasks, executor, tmp_path):
    rotate, mirror = search_tasks[0], search_tasks[2]  # ROTATE is wrong on mirror
    agent = make_agent(
        "sample-refine",
        programs=30,
        sample_programs=10,
        width=2,
        stop_after=3,
        refine_stop_after=None,
    )
    nodes = search([rotate, mirror], agent, [ROTATE], executor, tmp_path / "run")
    # rotate: sampling stops at 4 samples; refining spends its own 20, not the 6 samples left
    assert kinds(nodes[rotate.id]) == "s" * 4 + "r" * 20
    # mirror: no sample is right, so both budgets are spent in full (10 + 20)
    assert kinds(nodes[mirror.id]) == "s" * 10 + "r" * 20


def test_samples_drawn_while_no_program_is_an_arm_count_in_the_refining_budget(
    search_tasks, executor, tmp_path
):
    task = search_tasks[0]
    agent = make_agent("sample-refine", programs=10, sample_programs=4, width=2)
    nodes = search([task], agent, [CRASH], executor, tmp_path / "run")[task.id]
    assert kinds(nodes) == "s" * 10  # a crashing program is never an arm: the phase samples on


def test_refine_stop_after_ends_a_rex_task_and_stop_after_skips_the_rest_of_its_samples(
    search_tasks, executor, tmp_path
):
    rotate, mirror = search_tasks[0], search_tasks[2]
    agent = make_agent(
        "rex", programs=50, width=2, initial_samples=10, stop_after=2, refine_stop_after=3
    )
    nodes = search([rotate, mirror], agent, [ROTATE], executor, tmp_path / "run")
    assert kinds(nodes[rotate.id]) == "ss" + "rrrr"  # 2 right samples; 4 >= 3 right refinements
    assert kinds(nodes[mirror.id]) == "s" * 10 + "r" * 40  # never right: the whole budget


def test_the_sample_agent_still_stops_the_task_at_stop_after(search_tasks, executor, tmp_path):
    rotate = search_tasks[0]
    agent = make_agent("sample", programs=20, width=2, stop_after=3)
    nodes = search([rotate], agent, [ROTATE], executor, tmp_path / "run")[rotate.id]
    assert kinds(nodes) == "ssss"


@pytest.mark.parametrize("keep", [2, 4, 8, 10])
def test_resuming_finds_the_phase_boundary_again(search_tasks, executor, tmp_path, keep):
    """Cut inside the sampling phase, at its end, and inside the refining phase (at a step's
    end: a step cut in two would have been asked for differently): the resumed run makes the same
    nodes as the uninterrupted one."""
    rotate, mirror = search_tasks[0], search_tasks[2]
    answers = {rotate.id: [ROTATE], mirror.id: [IDENTITY]}  # the same answer at every turn

    def agent():
        return make_agent(
            "sample-refine",
            programs=16,
            sample_programs=8,
            width=2,
            stop_after=2,
            refine_stop_after=3,
        )

    whole = search([rotate, mirror], agent(), answers, executor, tmp_path / "whole")
    assert kinds(whole[rotate.id]) == "ss" + "rrrr"
    assert kinds(whole[mirror.id]) == "s" * 8 + "r" * 8
    path = tmp_path / "cut"
    shutil.copytree(tmp_path / "whole", path)
    run = RunDir.open(path)
    for task in (rotate, mirror):  # finished tasks are columnar: cut back to a JSONL in progress
        lines = [json.dumps(n.to_json()).encode() + b"\n" for n in run.read_nodes(task.id)]
        run.table_path(task.id).unlink()
        run.node_path(task.id).write_bytes(b"".join(lines[:keep]))
    search([rotate, mirror], agent(), answers, executor, path, fresh=False)
    for task in (rotate, mirror):
        assert shape(RunDir.open(path).read_nodes(task.id)) == shape(whole[task.id])
