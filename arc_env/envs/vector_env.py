"""``ArcProgramVectorEnv``: many ARC program episodes stepped together, one executor batch a step.

Made by ``gymnasium.make_vec("arc_env/ArcProgram-v0", num_envs=N,
vectorization_mode="vector_entry_point", ...)``. Each step sends all N programs to one shared
:class:`~soar.arc_env.executor.Executor` as a single batch, so they run in parallel on its workers,
unlike a ``SyncVectorEnv`` of N single environments that would run them one after another.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space, concatenate, create_empty_array

from ..executor import Executor
from ..task import Task
from .program_env import ArcProgramEnv, Observation, _public_tasks

__all__ = ["ArcProgramVectorEnv"]


class ArcProgramVectorEnv(VectorEnv):
    """``num_envs`` independent :class:`~soar.arc_env.envs.program_env.ArcProgramEnv` episodes.

    Observations are batched as Gymnasium batches ``Sequence`` spaces: a dict whose values are
    tuples with one entry per sub-environment (each entry a tuple of ``int8`` grids). Actions are
    a sequence of ``num_envs`` program strings. Rewards are a ``float64`` array; terminations and
    truncations ``bool`` arrays; infos are in Gymnasium's vector format (each key an array over
    sub-environments with a ``_key`` mask; ``result`` is a dict of such arrays).

    Autoreset follows :attr:`AutoresetMode.NEXT_STEP`: a sub-environment whose episode ended is
    reset on the next call to :meth:`step`, which ignores its action and returns its new first
    observation with reward 0 and no termination or truncation.

    Args:
        num_envs: number of sub-environments.
        tasks: a spec for :func:`~soar.arc_env.loading.load_tasks` or the tasks themselves (loaded once,
            shared by the sub-environments; only their public form is kept).
        max_attempts: programs allowed per episode.
        executor: an executor to share (not closed by :meth:`close`). When ``None``, one with
            ``workers`` processes is started at the first step and closed by :meth:`close`.
        workers: worker processes of the env's own executor (default: the number of CPU cores).
        render_mode: ``None`` or ``"ansi"``; :meth:`render` returns one text per sub-environment.
        timeout: seconds per input for the env's own executor.
    """

    metadata = {
        "render_modes": ["ansi"],
        "render_fps": 1,
        "autoreset_mode": AutoresetMode.NEXT_STEP,
    }

    def __init__(
        self,
        num_envs: int = 1,
        tasks: str | os.PathLike | Iterable[Task] = "arc1/train",
        max_attempts: int = 16,
        executor: Executor | None = None,
        workers: int | None = None,
        render_mode: str | None = None,
        timeout: float = 1.0,
    ) -> None:
        if isinstance(num_envs, bool) or not isinstance(num_envs, int) or num_envs < 1:
            raise ValueError(f"num_envs: expected an integer >= 1, got {num_envs!r}")
        if workers is not None and workers < 1:
            raise ValueError(f"workers: expected at least 1 (or None), got {workers!r}")
        public = _public_tasks(tasks)
        self.envs = [
            ArcProgramEnv(
                public, max_attempts, executor=None, render_mode=render_mode, timeout=timeout
            )
            for _ in range(num_envs)
        ]
        self.num_envs = num_envs
        self.render_mode = render_mode
        self.single_observation_space = self.envs[0].observation_space
        self.single_action_space = self.envs[0].action_space
        self.observation_space = batch_space(self.single_observation_space, num_envs)
        self.action_space = batch_space(self.single_action_space, num_envs)
        self._executor = executor
        self._owns_executor = executor is None
        self._workers = workers  # None: the executor default, every usable core
        self._timeout = timeout
        self._autoreset = np.zeros(num_envs, dtype=np.bool_)

    def reset(
        self, *, seed: int | Sequence[int | None] | None = None, options: dict | None = None
    ) -> tuple[dict[str, tuple], dict[str, Any]]:
        """Reset every sub-environment.

        Args:
            seed: ``None`` (fresh randomness), an int (sub-environment ``i`` gets ``seed + i``),
                or one seed per sub-environment.
            options: passed to each sub-environment's ``reset``. ``task_id`` may also be a list
                or tuple with one id per sub-environment.

        Returns:
            The batched observations and infos.
        """
        if seed is None or isinstance(seed, (int, np.integer)):
            seed = None if seed is None else int(seed)
            super().reset(seed=seed)
            seeds: list[int | None] = [
                None if seed is None else seed + i for i in range(self.num_envs)
            ]
        else:
            seeds = list(seed)
            if len(seeds) != self.num_envs:
                raise ValueError(
                    f"seed: expected an int or {self.num_envs} seeds (one per sub-environment), "
                    f"got {len(seeds)}"
                )
        per_env = self._options_per_env(options)
        observations, infos = [], {}
        for i, (env, env_seed, env_options) in enumerate(
            zip(self.envs, seeds, per_env, strict=True)
        ):
            obs, info = env.reset(seed=env_seed, options=env_options)
            observations.append(obs)
            infos = self._add_info(infos, info, i)
        self._autoreset[:] = False
        return self._batch(observations), infos

    def step(
        self, actions: Sequence[str]
    ) -> tuple[dict[str, tuple], np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """Run one program per sub-environment, all in one executor batch.

        Args:
            actions: ``num_envs`` program strings. Sub-environments being autoreset ignore theirs
                (it must still be a ``str``).

        Raises:
            TypeError: ``actions`` is a single string, or one of them is not a ``str``.
            ValueError: the number of actions is not ``num_envs``.
            ResetNeededError: ``reset`` was not called first.
        """
        if isinstance(actions, (str, bytes)) or not isinstance(actions, Iterable):
            raise TypeError(
                f"actions: expected a sequence of {self.num_envs} program strings, "
                f"got {type(actions).__name__}"
            )
        actions = list(actions)
        if len(actions) != self.num_envs:
            raise ValueError(
                f"actions: expected {self.num_envs} programs (one per sub-environment), "
                f"got {len(actions)}"
            )
        for i, action in enumerate(actions):
            if not isinstance(action, str):
                raise TypeError(
                    f"actions[{i}]: expected a program as str, got {type(action).__name__}"
                )
        running = [i for i in range(self.num_envs) if not self._autoreset[i]]
        jobs = [self.envs[i]._job(actions[i]) for i in running]
        results = dict(zip(running, self._run(jobs), strict=True))

        observations: list[Observation] = []
        rewards = np.zeros(self.num_envs, dtype=np.float64)
        terminations = np.zeros(self.num_envs, dtype=np.bool_)
        truncations = np.zeros(self.num_envs, dtype=np.bool_)
        infos: dict[str, Any] = {}
        for i, env in enumerate(self.envs):
            if i in results:
                obs, rewards[i], terminations[i], truncations[i], info = env._record(results[i])
            else:
                obs, info = env.reset()
            observations.append(obs)
            infos = self._add_info(infos, info, i)
        self._autoreset = terminations | truncations
        return self._batch(observations), rewards, terminations, truncations, infos

    def render(self) -> tuple[str | None, ...] | None:
        """One text per sub-environment (``render_mode="ansi"``), else ``None``."""
        if self.render_mode is None:
            return None
        return tuple(env.render() for env in self.envs)

    def close_extras(self, **kwargs: Any) -> None:
        """Close the env's own executor, if it started one."""
        if self._owns_executor and self._executor is not None:
            self._executor.close()
            self._executor = None
        for env in self.envs:
            env.close()

    # ------------------------------------------------------------------------------ internals

    def _run(self, jobs: list[tuple[Task, str]]) -> list:
        if not jobs:
            return []
        if self._executor is None:
            self._executor = Executor(workers=self._workers, timeout=self._timeout)
        return self._executor.run(jobs)

    def _batch(self, observations: list[Observation]) -> dict[str, tuple]:
        empty = create_empty_array(self.single_observation_space, self.num_envs)
        return concatenate(self.single_observation_space, observations, empty)

    def _options_per_env(self, options: dict | None) -> list[dict | None]:
        if not options or not isinstance(options.get("task_id"), (list, tuple)):
            return [options] * self.num_envs
        task_ids = options["task_id"]
        if len(task_ids) != self.num_envs:
            raise ValueError(
                f"reset options: expected task_id to be one id or {self.num_envs} ids "
                f"(one per sub-environment), got {len(task_ids)}"
            )
        return [{**options, "task_id": task_id} for task_id in task_ids]
