"""``ArcProgramEnv``: an ARC task as a Gymnasium environment whose actions are Python programs.

An episode is one task. ``reset`` shows the task (train pairs and test inputs, never the test
outputs); each ``step`` runs one program, the source of a module defining ``transform(grid)``, on
every train and test input in the sandboxed :class:`~soar.arc_env.executor.Executor` and returns the
train accuracy as reward. The episode ends when every train pair is right (terminated) or when the
attempt budget is spent (truncated).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import gymnasium as gym
import numpy as np

from ..error import ResetNeededError, UnknownTaskError
from ..executor import Executor, ProgramResult
from ..loading import load_tasks
from ..render import render_grid, render_task
from ..task import Task
from .spaces import program_action_space, task_observation, task_observation_space

__all__ = ["ArcProgramEnv", "result_info"]

Observation = dict[str, tuple[np.ndarray, ...]]

_RESET_OPTIONS = ("task_id",)


class ArcProgramEnv(gym.Env[Observation, str]):
    """One ARC task per episode; an action is a program, the reward its train accuracy.

    Observation: a dict with ``train_inputs``, ``train_outputs`` and ``test_inputs``, each a tuple
    of 2-D ``int8`` arrays (see :func:`~soar.arc_env.envs.spaces.task_observation_space`). It is the
    same task for the whole episode.

    Action: program source text (a ``str``) that defines ``transform(grid) -> grid``. The action
    space is a :class:`gymnasium.spaces.Text` of printable ASCII, used for sampling; ``step``
    accepts any ``str``.

    Reward: the fraction of train pairs the program gets exactly right, a float in 0..1.
    ``terminated`` when all of them are right; ``truncated`` when ``max_attempts`` programs have
    been tried without that.

    Info: ``task_id`` and ``attempts`` (programs run this episode); after a step also ``result``,
    the program's result as plain data (see :func:`result_info`): per input its status, output and
    message, the train correctness and accuracy. Test outputs there are the program's own outputs.

    The environment keeps only the public form of its tasks: hidden test outputs never enter it.

    Args:
        tasks: a spec for :func:`~soar.arc_env.loading.load_tasks` (for example ``"arc1/train"`` or
            ``"arc1/eval:00576224"``) or the tasks themselves.
        max_attempts: programs allowed per episode.
        executor: an executor to share (not closed by :meth:`close`). When ``None``, the
            environment starts its own one-worker executor at its first step and closes it in
            :meth:`close`.
        render_mode: ``None`` or ``"ansi"`` (text: the task, then the last program's outputs).
        timeout: seconds per input for the environment's own executor (unused when ``executor``
            is given).

    Raises:
        TaskFormatError, UnknownTaskError: ``tasks`` is a spec that cannot be loaded.
        TypeError: ``tasks`` holds something that is not a :class:`~soar.arc_env.task.Task`.
        ValueError: no tasks, duplicate task ids, or an argument out of range.
    """

    metadata = {"render_modes": ["ansi"], "render_fps": 1}

    def __init__(
        self,
        tasks: str | os.PathLike | Iterable[Task] = "arc1/train",
        max_attempts: int = 16,
        executor: Executor | None = None,
        render_mode: str | None = None,
        timeout: float = 1.0,
    ) -> None:
        if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
            raise ValueError(f"max_attempts: expected an integer >= 1, got {max_attempts!r}")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode: expected None or 'ansi', got {render_mode!r}")
        if executor is None and not timeout > 0:
            raise ValueError(f"timeout: expected a positive number of seconds, got {timeout!r}")
        self._tasks = _public_tasks(tasks)
        self._by_id = {task.id: task for task in self._tasks}
        self.max_attempts = max_attempts
        self.render_mode = render_mode
        self.observation_space = task_observation_space()
        self.action_space = program_action_space()
        self._executor = executor
        self._owns_executor = executor is None
        self._timeout = timeout
        self._task: Task | None = None
        self._attempts = 0
        self._episode_over = False
        self._last_result: ProgramResult | None = None

    # --------------------------------------------------------------------------- properties

    @property
    def tasks(self) -> tuple[Task, ...]:
        """The tasks episodes are drawn from, in their public form and in the order given
        (:func:`~soar.arc_env.loading.load_tasks` sorts by id)."""
        return self._tasks

    @property
    def task(self) -> Task | None:
        """The task of the current episode (public form), or ``None`` before the first reset."""
        return self._task

    @property
    def attempts(self) -> int:
        """Programs run in the current episode."""
        return self._attempts

    # ------------------------------------------------------------------------------ the API

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Observation, dict[str, Any]]:
        """Start an episode on a task drawn with the env's generator, or the one named.

        Args:
            seed: seeds the generator that draws tasks (see :meth:`gymnasium.Env.reset`).
            options: ``{"task_id": id}`` picks that task instead of drawing one.

        Returns:
            The observation of the task and ``{"task_id": ..., "attempts": 0}``.

        Raises:
            UnknownTaskError: ``task_id`` is not one of the env's tasks.
            ValueError: ``options`` has a key other than ``task_id``.
        """
        super().reset(seed=seed)
        options = dict(options or {})
        unknown = sorted(set(options) - set(_RESET_OPTIONS))
        if unknown:
            raise ValueError(
                f"reset options: expected only {', '.join(map(repr, _RESET_OPTIONS))}, "
                f"got {', '.join(map(repr, unknown))}"
            )
        task_id = options.get("task_id")
        if task_id is None:
            self._task = self._tasks[int(self.np_random.integers(len(self._tasks)))]
        elif task_id in self._by_id:
            self._task = self._by_id[task_id]
        else:
            raise UnknownTaskError(
                f"reset options: task_id {task_id!r} is not one of this env's "
                f"{len(self._tasks)} tasks ({_id_range(self._tasks)})"
            )
        self._attempts = 0
        self._episode_over = False
        self._last_result = None
        return task_observation(self._task), self._info()

    def step(self, action: str) -> tuple[Observation, float, bool, bool, dict[str, Any]]:
        """Run one program on the current task.

        Args:
            action: the program's source code; any ``str`` is accepted.

        Returns:
            ``(observation, reward, terminated, truncated, info)`` as described in the class
            docstring.

        Raises:
            TypeError: ``action`` is not a ``str``.
            ResetNeededError: no episode is running (before ``reset`` or after it ended).
        """
        job = self._job(action)
        if self._executor is None:
            self._executor = Executor(workers=1, timeout=self._timeout)
        (result,) = self._executor.run([job])
        return self._record(result)

    def render(self) -> str | None:
        """The task and the last program's outputs as text (``render_mode="ansi"``).

        Returns ``None`` (with a warning, as Gymnasium's own envs do) when ``render_mode`` is
        ``None``.

        Raises:
            ResetNeededError: called before ``reset``.
        """
        if self.render_mode is None:
            gym.logger.warn(
                "ArcProgramEnv.render: render_mode is None, so there is nothing to render "
                "(make the env with render_mode='ansi')"
            )
            return None
        if self._task is None:
            raise ResetNeededError("ArcProgramEnv.render: call reset() before render()")
        text = render_task(self._task, colour=False, show_test_outputs=False)
        if self._last_result is None:
            return text + "\n\nNo program run yet."
        return text + "\n\n" + _render_result(self._last_result, self._attempts, self.max_attempts)

    def close(self) -> None:
        """Close the env's own executor, if it started one. Idempotent."""
        if self._owns_executor and self._executor is not None:
            self._executor.close()
            self._executor = None

    # ----------------------------------------------------- parts shared with the vector env

    def _job(self, action: Any) -> tuple[Task, str]:
        """The executor job for ``action`` on the current task, after checking both."""
        if not isinstance(action, str):
            raise TypeError(
                f"action: expected a program as str, got {type(action).__name__} {action!r:.80}"
            )
        if self._task is None:
            raise ResetNeededError("ArcProgramEnv.step: call reset() before step()")
        if self._episode_over:
            raise ResetNeededError(
                f"ArcProgramEnv.step: the episode on task {self._task.id} has ended "
                "(terminated or truncated); call reset() before step()"
            )
        return self._task, str(action)

    def _record(self, result: ProgramResult) -> tuple[Observation, float, bool, bool, dict]:
        """Count the attempt ``result`` came from and build the step's return value."""
        assert self._task is not None
        self._attempts += 1
        self._last_result = result
        terminated = result.all_train_correct
        truncated = not terminated and self._attempts >= self.max_attempts
        self._episode_over = terminated or truncated
        info = self._info()
        info["result"] = result_info(result)
        reward = float(result.train_accuracy)
        return task_observation(self._task), reward, terminated, truncated, info

    def _info(self) -> dict[str, Any]:
        assert self._task is not None
        return {"task_id": self._task.id, "attempts": self._attempts}


def result_info(result: ProgramResult) -> dict[str, Any]:
    """A program's result as the plain data put in ``info["result"]``, under the names of
    :class:`~soar.arc_env.executor.result.ProgramResult`'s attributes.

    Keys: ``task_id``; ``train`` and ``test``, one dict per input with ``status``, ``output`` (a
    list of rows, or ``None``) and ``message``; ``train_correct``, ``train_accuracy`` and
    ``all_train_correct``; ``train_outputs`` and ``test_outputs`` (per input a list of rows or
    ``None``). Timings are left out, so that the same program on the same task gives the same info
    (Gymnasium's checker requires deterministic steps).
    """
    data = result.to_json()
    data.pop("seconds", None)
    for part in ("train", "test"):
        for item in data[part]:
            item.pop("seconds", None)
    data["all_train_correct"] = result.all_train_correct
    data["train_outputs"] = [item["output"] for item in data["train"]]
    data["test_outputs"] = [item["output"] for item in data["test"]]
    return data


def _public_tasks(tasks: str | os.PathLike | Iterable[Task]) -> tuple[Task, ...]:
    """The public forms of ``tasks`` (loaded first if it is a spec), checked."""
    if isinstance(tasks, (str, os.PathLike)):
        loaded: Iterable[Any] = load_tasks(tasks)
    elif isinstance(tasks, Task):
        loaded = [tasks]
    elif isinstance(tasks, (Iterable, Mapping)):
        loaded = tasks.values() if isinstance(tasks, Mapping) else tasks
    else:
        raise TypeError(
            f"tasks: expected a task spec (str or path) or Task objects, got {type(tasks).__name__}"
        )
    public = []
    for task in loaded:
        if not isinstance(task, Task):
            raise TypeError(f"tasks: expected Task objects, got {type(task).__name__}")
        public.append(task.public())
    if not public:
        raise ValueError("tasks: expected at least one task, got none")
    counts = Counter(task.id for task in public)
    duplicates = sorted(task_id for task_id, count in counts.items() if count > 1)
    if duplicates:
        raise ValueError(f"tasks: expected distinct task ids, got duplicates {duplicates}")
    return tuple(public)


def _id_range(tasks: tuple[Task, ...]) -> str:
    ids = sorted(task.id for task in tasks)
    return f"{ids[0]!r}" if len(ids) == 1 else f"from {ids[0]!r} to {ids[-1]!r}"


def _render_result(result: ProgramResult, attempts: int, max_attempts: int) -> str:
    """The last program's outcome: accuracy, then each input's verdict and output."""
    right = sum(result.train_correct)
    lines = [
        f"Attempt {attempts} of {max_attempts}: {right} of {len(result.train)} train pairs right "
        f"(accuracy {result.train_accuracy:.2f})"
    ]
    verdicts = [("right" if ok else "wrong") for ok in result.train_correct]
    parts = [("Train", n, r, verdicts[n - 1]) for n, r in enumerate(result.train, start=1)]
    parts += [("Test", n, r, "output") for n, r in enumerate(result.test, start=1)]
    for kind, n, input_result, verdict in parts:
        lines.append("")
        if input_result.output is None:
            lines.append(f"{kind} {n}: {input_result.status.value}: {input_result.message}")
        else:
            lines.append(f"{kind} {n}: {verdict}")
            lines.append(render_grid(input_result.output, "numpy"))
    return "\n".join(lines)
