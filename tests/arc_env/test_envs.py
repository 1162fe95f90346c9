"""Tests of the Gymnasium environments: ``arc_env/ArcProgram-v0`` and its vector form.

Real ARC data and real executor processes; one executor (two workers) is shared by the module.
"""

from __future__ import annotations

import warnings
from typing import Any
from unittest import mock

import gymnasium
import numpy as np
import pytest
import soar.arc_env
from gymnasium.utils.env_checker import check_env, data_equivalence
from gymnasium.vector import AutoresetMode
from soar.arc_env import ArcProgramEnv, Executor, ResetNeededError, UnknownTaskError, load_tasks
from soar.arc_env.envs import ENV_ID, program_action_space, register_envs, task_observation_space

ROTATE_ID = "3c9b0459"  # arc1/train: the output is the input rotated by 180 degrees
ROTATE = "def transform(grid):\n    return [row[::-1] for row in grid[::-1]]\n"
IDENTITY = "def transform(grid):\n    return grid\n"
CRASH = "def transform(grid):\n    return 1 / 0\n"


@pytest.fixture(scope="module")
def executor():
    with Executor(workers=2, timeout=1.0) as ex:
        yield ex


@pytest.fixture(scope="module")
def rotate_task() -> soar.arc_env.Task:
    return load_tasks(f"arc1/train:{ROTATE_ID}")[0]


def rotate(grid: Any) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(row[::-1]) for row in grid[::-1])


def make_env(executor: Executor, **kwargs: Any) -> ArcProgramEnv:
    kwargs.setdefault("tasks", "arc1/train")
    return ArcProgramEnv(executor=executor, **kwargs)


# --- the single environment ----------------------------------------------------------------------


def test_check_env_passes_without_warnings() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        env = gymnasium.make(ENV_ID, tasks="arc1/train", max_attempts=4)  # starts its own executor
        check_env(env.unwrapped)
        env.close()
        env.close()
    assert [str(w.message) for w in caught] == []


def test_make_with_a_shared_executor(executor: Executor) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        env = gymnasium.make(ENV_ID, tasks="arc1/train", executor=executor, max_attempts=2)
        obs, info = env.reset(seed=0)
        assert obs in env.observation_space and info["attempts"] == 0
        obs, reward, terminated, truncated, info = env.step(IDENTITY)
        assert isinstance(reward, float) and info["attempts"] == 1
        env.close()
    assert [str(w.message) for w in caught] == []
    assert executor.run([(load_tasks(f"arc1/train:{ROTATE_ID}")[0], ROTATE)])  # still open


def test_registration_is_idempotent() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        register_envs()
        register_envs()
    assert caught == []
    spec = gymnasium.spec(ENV_ID)
    assert spec.entry_point == "soar.arc_env.envs.program_env:ArcProgramEnv"
    assert spec.vector_entry_point == "soar.arc_env.envs.vector_env:ArcProgramVectorEnv"


def test_seeded_rollouts_are_deterministic(executor: Executor) -> None:
    envs = [make_env(executor, max_attempts=8) for _ in range(2)]
    programs = [IDENTITY, CRASH, ROTATE, "x = (", IDENTITY]
    rollouts = []
    for env in envs:
        steps = [env.reset(seed=42)]
        steps += [env.step(program) for program in programs]
        steps.append(env.reset())  # unseeded, but drawn from the generator seeded above
        steps.append(env.step(IDENTITY))
        rollouts.append(steps)
    for first, second in zip(*rollouts, strict=True):
        assert data_equivalence(first, second, exact=True)
    ids = {make_env(executor).reset(seed=seed)[1]["task_id"] for seed in range(10)}
    assert len(ids) > 1  # seeds matter


def test_rewards_and_termination(executor: Executor, rotate_task: soar.arc_env.Task) -> None:
    train = rotate_task.train
    assert all(rotate(pair.input) == pair.output for pair in rotate_task.train + rotate_task.test)
    env = make_env(executor, tasks=[rotate_task], max_attempts=5)
    env.reset(seed=0)

    _, reward, terminated, truncated, info = env.step(IDENTITY)
    expected = sum(pair.input == pair.output for pair in train) / len(train)
    assert (reward, terminated, truncated) == (expected, False, False)

    # right on the first train pair only
    first = [list(row) for row in train[0].input]
    partial = f"FIRST = {first}\n" + ROTATE.replace("return", "return grid if grid != FIRST else")
    _, reward, terminated, truncated, info = env.step(partial)
    correct = [True] + [pair.input == pair.output for pair in train[1:]]
    assert info["result"]["train_correct"] == correct and True in correct and False in correct
    assert reward == pytest.approx(sum(correct) / len(train)) and not terminated and not truncated

    _, reward, terminated, truncated, info = env.step(CRASH)
    assert (reward, terminated, truncated) == (0.0, False, False)
    assert {item["status"] for item in info["result"]["train"]} == {"error"}
    assert "ZeroDivisionError" in info["result"]["train"][0]["message"]

    _, reward, terminated, truncated, info = env.step(ROTATE)
    assert (reward, terminated, truncated) == (1.0, True, False)
    assert info["task_id"] == ROTATE_ID and info["attempts"] == 4
    # the program's own test output (right here), never the task's
    assert info["result"]["test"][0]["output"] == [
        list(r) for r in rotate(rotate_task.test[0].input)
    ]
    with pytest.raises(ResetNeededError, match="call reset"):
        env.step(ROTATE)


def test_info_result_uses_the_names_of_program_result(
    executor: Executor, rotate_task: soar.arc_env.Task
) -> None:
    env = make_env(executor, tasks=[rotate_task])
    env.reset(seed=0)
    _, _, _, _, info = env.step(ROTATE)
    (result,) = executor.run([(rotate_task.public(), ROTATE)])
    data = info["result"]
    for name, value in data.items():
        assert hasattr(result, name), f"info['result'][{name!r}] is no ProgramResult attribute"
        if name not in ("train", "test"):
            expected = getattr(result, name)
            if name.endswith("_outputs"):
                expected = [None if g is None else [list(r) for r in g] for g in expected]
            assert value == (list(expected) if isinstance(expected, tuple) else expected), name
    assert data["test_outputs"] == [[list(r) for r in rotate(rotate_task.test[0].input)]]
    assert data["all_train_correct"] is True


def test_truncation_after_max_attempts(executor: Executor, rotate_task: soar.arc_env.Task) -> None:
    env = make_env(executor, tasks=[rotate_task], max_attempts=2)
    env.reset()
    assert env.step(IDENTITY)[2:4] == (False, False)
    _, _, terminated, truncated, info = env.step(IDENTITY)
    assert (terminated, truncated, info["attempts"]) == (False, True, 2)
    with pytest.raises(RuntimeError, match="has ended"):
        env.step(ROTATE)
    _, info = env.reset()
    assert info == {"task_id": ROTATE_ID, "attempts": 0}
    assert env.step(ROTATE)[1:4] == (1.0, True, False)  # right on the last attempt: terminated


def test_hidden_test_outputs_never_appear(
    executor: Executor, rotate_task: soar.arc_env.Task
) -> None:
    assert rotate_task.has_test_outputs
    hidden = rotate_task.test_outputs[0]
    visible = [p.input for p in rotate_task.train + rotate_task.test]
    visible += [p.output for p in rotate_task.train]
    assert hidden not in visible  # else this test could not tell

    env = make_env(executor, tasks=[rotate_task], render_mode="ansi")
    assert all(pair.output is None for task in env.tasks for pair in task.test)
    first = env.reset(seed=0)
    assert all(pair.output is None for pair in env.task.test)
    step = env.step(IDENTITY)  # outputs the test input, not the hidden output
    assert hidden not in set(_grids(first)) | set(_grids(step))
    assert env.task.test == tuple(soar.arc_env.Pair(p.input) for p in rotate_task.test)

    spec_env = make_env(executor, tasks="arc1/eval")
    assert all(pair.output is None for task in spec_env.tasks for pair in task.test)


def _grids(value: Any) -> list[tuple[tuple[int, ...], ...]]:
    """Every grid-shaped value inside ``value`` (arrays and lists of lists), as tuples."""
    if isinstance(value, np.ndarray):
        return [tuple(map(tuple, value.tolist()))] if value.ndim == 2 else []
    if isinstance(value, dict):
        return [grid for item in value.values() for grid in _grids(item)]
    if isinstance(value, (list, tuple)):
        rows = value and all(isinstance(row, list) for row in value)
        if rows and all(isinstance(cell, int) for row in value for cell in row):
            return [tuple(map(tuple, value))]
        return [grid for item in value for grid in _grids(item)]
    return []


def test_render_ansi(executor: Executor, rotate_task: soar.arc_env.Task) -> None:
    env = make_env(executor, tasks=[rotate_task], render_mode="ansi")
    with pytest.raises(ResetNeededError):
        env.render()
    env.reset()
    text = env.render()
    assert isinstance(text, str)
    assert f"Task {ROTATE_ID}" in text and "No program run yet" in text
    assert "2 2 1                 1 8 2" in text  # train pair 1, first rows side by side
    env.step(IDENTITY)
    text = env.render()
    assert "Attempt 1 of 16" in text and "Train 1: wrong" in text and "Test 1: output" in text
    assert "[[2 2 1]" in text  # the identity's output on train input 1
    env.step(CRASH)
    assert "Train 1: error: ZeroDivisionError" in env.render()

    quiet = make_env(executor, tasks=[rotate_task])
    quiet.reset()
    with pytest.warns(UserWarning, match="render_mode is None"):
        assert quiet.render() is None


def test_reset_options_and_errors(executor: Executor) -> None:
    env = make_env(executor)
    _, info = env.reset(options={"task_id": ROTATE_ID})
    assert info["task_id"] == ROTATE_ID and env.task.id == ROTATE_ID
    with pytest.raises(UnknownTaskError, match="'nosuchid'"):
        env.reset(options={"task_id": "nosuchid"})
    with pytest.raises(ValueError, match="'task'"):
        env.reset(options={"task": ROTATE_ID})
    env.reset(options={})

    with pytest.raises(TypeError, match="expected a program as str, got bytes"):
        env.step(ROTATE.encode())
    with pytest.raises(TypeError, match="got int"):
        env.step(3)
    with pytest.raises(ResetNeededError, match="before step"):
        make_env(executor).step(ROTATE)


def test_constructor_checks(rotate_task: soar.arc_env.Task) -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        ArcProgramEnv([rotate_task], max_attempts=0)
    with pytest.raises(ValueError, match="render_mode"):
        ArcProgramEnv([rotate_task], render_mode="human")
    with pytest.raises(ValueError, match="at least one task"):
        ArcProgramEnv([])
    with pytest.raises(TypeError, match="expected Task objects, got str"):
        ArcProgramEnv(["3c9b0459"])
    with pytest.raises(ValueError, match="duplicates"):
        ArcProgramEnv([rotate_task, rotate_task])
    with pytest.raises(UnknownTaskError):
        ArcProgramEnv("arc1/train:nosuchid")
    env = ArcProgramEnv("arc1/train")  # no executor is started until the first step
    assert env._executor is None
    env.close()


# --- the vector environment ----------------------------------------------------------------------


def make_vec(executor: Executor, num_envs: int = 3, **kwargs: Any):
    return gymnasium.make_vec(
        ENV_ID,
        num_envs=num_envs,
        vectorization_mode="vector_entry_point",
        tasks="arc1/train",
        executor=executor,
        **kwargs,
    )


def test_vector_env_spaces_and_seeding(executor: Executor) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        envs = make_vec(executor)
    assert [str(w.message) for w in caught] == []
    assert envs.num_envs == 3
    assert envs.metadata["autoreset_mode"] is AutoresetMode.NEXT_STEP
    assert envs.single_observation_space == task_observation_space()
    assert envs.single_action_space == program_action_space()
    obs, infos = envs.reset(seed=5)
    assert obs in envs.observation_space
    singles = [make_env(executor).reset(seed=5 + i)[1]["task_id"] for i in range(3)]
    assert list(infos["task_id"]) == singles
    assert infos["_task_id"].all() and list(infos["attempts"]) == [0, 0, 0]
    again, _ = make_vec(executor).reset(seed=5)
    assert data_equivalence(obs, again, exact=True)
    envs.close()


def test_vector_step_is_one_batch_and_autoresets(executor: Executor) -> None:
    envs = make_vec(executor, max_attempts=2, render_mode="ansi")
    envs.reset(seed=0, options={"task_id": ROTATE_ID})
    jobs = executor.stats.jobs
    with mock.patch.object(executor, "run", wraps=executor.run) as run:
        obs, rewards, terminations, truncations, infos = envs.step((ROTATE, IDENTITY, CRASH))
    assert run.call_count == 1 and len(run.call_args.args[0]) == 3
    assert executor.stats.jobs == jobs + 3
    assert obs in envs.observation_space
    assert rewards.shape == (3,) and rewards.dtype == np.float64
    assert rewards[0] == 1.0 and rewards[2] == 0.0
    assert terminations.tolist() == [True, False, False]
    assert truncations.tolist() == [False, False, False]
    assert infos["_result"].all() and infos["result"]["train_accuracy"][0] == 1.0
    assert infos["result"]["train"][2][0]["status"] == "error"
    assert len(envs.render()) == 3

    # sub-env 0 ended: it is reset now and its action ignored; 1 and 2 use their last attempt
    jobs = executor.stats.jobs
    obs, rewards, terminations, truncations, infos = envs.step((CRASH, IDENTITY, IDENTITY))
    assert executor.stats.jobs == jobs + 2
    assert rewards[0] == 0.0 and not terminations[0] and not truncations[0]
    assert infos["_result"].tolist() == [False, True, True]
    assert infos["attempts"].tolist() == [0, 2, 2]
    assert truncations.tolist() == [False, True, True]
    assert obs in envs.observation_space

    jobs = executor.stats.jobs
    _, _, _, _, infos = envs.step((IDENTITY, IDENTITY, IDENTITY))
    assert executor.stats.jobs == jobs + 1
    assert infos["attempts"].tolist() == [1, 0, 0]
    envs.close()


def test_vector_env_checks_actions(executor: Executor) -> None:
    envs = make_vec(executor, num_envs=2)
    with pytest.raises(ResetNeededError):
        envs.step((IDENTITY, IDENTITY))
    envs.reset(seed=0, options={"task_id": [ROTATE_ID, "007bbfb7"]})
    assert [env.task.id for env in envs.unwrapped.envs] == [ROTATE_ID, "007bbfb7"]
    with pytest.raises(TypeError, match="sequence of 2 program strings, got str"):
        envs.step(IDENTITY)
    with pytest.raises(ValueError, match="expected 2 programs"):
        envs.step((IDENTITY,))
    with pytest.raises(TypeError, match=r"actions\[1\]: expected a program as str, got int"):
        envs.step((IDENTITY, 1))
    with pytest.raises(ValueError, match="seed"):
        envs.reset(seed=[1, 2, 3])
    envs.close()


def test_vector_env_owns_its_executor_when_not_given() -> None:
    envs = gymnasium.make_vec(
        ENV_ID, num_envs=2, vectorization_mode="vector_entry_point", tasks="arc1/train", workers=1
    )
    envs.reset(seed=0)
    envs.step((IDENTITY, ROTATE))
    own = envs.unwrapped._executor
    assert isinstance(own, Executor) and own.num_workers == 1
    envs.close()
    assert envs.unwrapped._executor is None
    with pytest.raises(soar.arc_env.ExecutorError):
        own.submit(load_tasks(f"arc1/train:{ROTATE_ID}")[0], ROTATE)
