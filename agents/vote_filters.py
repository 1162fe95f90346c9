"""Which programs may vote: the filters SOAR's released code applies before its vote.

The paper's scores vote over filtered programs: its release (``soar/post_process/merge_filter.py``,
``filter_invalid_grid`` and ``rm_transduction_resp``) drops, before the weighted majority vote,

- ``error``: a program that raised, timed out or ran out of memory on any input, train or test;
- ``invalid-grid``: one that returned something that is not a grid on any input;
- ``blank-output``: one whose every test output is all background (colour 0), unless some real
  train output is all background too;
- ``similar-outputs``: one whose train outputs are closer to one another than
  ``min(0.2, the real train outputs' own closeness)`` (mean share of differing non-background
  cells over every pair; see :func:`~soar.agents.program_checks.grid_distance`): near-constant
  answers;
- ``identity-output``: one that gives back more than ``max(30 %, the real share)`` of its train
  inputs unchanged;
- ``absurd-source``: one with a source line over 200 characters;
- ``hard-coded``: one whose source holds one of its own outputs, spacing ignored, and brackets
  ignored too unless some real train output is a single cell (the release's rule: with brackets
  ignored, ``[[1, 2], [3, 4]]`` is found in ``1, 2, 3, 4``).

These are :data:`VOTE_FILTERS`, the set :data:`SOAR_RELEASE` switches on. A program is counted
under the first filter that drops it, in that order. The predicates are shared with the training
filters (:mod:`soar.agents.program_checks`), with the release's thresholds here.

Whether a run's vote is filtered by default depends on its policy (:func:`default_on`): on for
language models (the filters target their habits: copying outputs from the prompt, pasting data),
off for ``dsl:`` programs, which cannot copy an output and whose short argument lists the
bracket-free ``hard-coded`` rule would match by accident.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from soar.arc_env.error import InputError
from soar.arc_env.task import Task

from . import program_checks as checks
from .search.node import Node

__all__ = [
    "SOAR_RELEASE",
    "VOTE_FILTERS",
    "TaskVoteFilter",
    "VoteFilterConfig",
    "VoteFilterError",
    "default_on",
    "resolve",
    "vote_pool",
]

VOTE_FILTERS = (
    "error",
    "invalid-grid",
    "blank-output",
    "similar-outputs",
    "identity-output",
    "absurd-source",
    "hard-coded",
)
"""Every vote filter's name, in the order they are tried."""


class VoteFilterError(InputError):
    """An unknown vote filter name or a threshold out of range."""


@dataclass(frozen=True)
class VoteFilterConfig:
    """Which vote filters are on (all, with the release's thresholds, by default)."""

    error: bool = True
    invalid_grid: bool = True
    blank_output: bool = True
    similar_outputs: bool = True
    identity_output: bool = True
    absurd_source: bool = True
    hard_coded: bool = True
    max_line_length: int = 200
    """``absurd-source``: the longest source line allowed (the release: 200)."""
    similar_at_most: float = 0.2
    """``similar-outputs``: the mean distance under which train outputs are too alike."""
    identity_share: float = 0.3
    """``identity-output``: the share of inputs given back above which a program is dropped."""

    def __post_init__(self) -> None:
        if self.max_line_length < 1:
            raise VoteFilterError(
                f"max_line_length: expected at least 1 character, got {self.max_line_length}"
            )
        for name in ("similar_at_most", "identity_share"):
            if not 0 <= getattr(self, name) <= 1:
                raise VoteFilterError(
                    f"{name}: expected a share in [0, 1], got {getattr(self, name)}"
                )

    def enabled(self, name: str) -> bool:
        """Whether filter ``name`` (one of :data:`VOTE_FILTERS`) is on."""
        return bool(getattr(self, _attribute(name)))

    def without(self, names: Iterable[str]) -> VoteFilterConfig:
        """This configuration with the filters ``names`` switched off."""
        return dataclasses.replace(self, **{_attribute(name): False for name in names})

    @property
    def names(self) -> list[str]:
        """The filters switched on, in order."""
        return [name for name in VOTE_FILTERS if self.enabled(name)]


def _attribute(name: str) -> str:
    if name not in VOTE_FILTERS:
        raise VoteFilterError(
            f"vote filter: expected one of {', '.join(VOTE_FILTERS)}, got {name!r}"
        )
    return name.replace("-", "_")


SOAR_RELEASE = VoteFilterConfig()
"""The pre-vote filters of SOAR's released code, all on."""


class TaskVoteFilter:
    """The vote filters bound to one task: what they need of the task is computed once.

    Calling it with a node gives the name of the first filter that drops the node, or None.
    """

    def __init__(self, task: Task, config: VoteFilterConfig = SOAR_RELEASE) -> None:
        self.task = task
        self.config = config
        real = [p.output for p in task.train if p.output is not None]
        self.real_distance = checks.mean_distance(real)
        self.brackets = any(len(grid) == 1 and len(grid[0]) == 1 for grid in real)
        self._texts: dict = {}  # grid -> its text, for hard-coded
        self._similar: dict[tuple, bool] = {}  # train outputs -> similar-outputs
        self._distances: dict = {}  # (grid, grid) -> their distance, for similar-outputs
        tests: dict[str, Callable[[Node], bool]] = {
            "error": checks.errored,
            "invalid-grid": checks.invalid_grid,
            "blank-output": lambda node: checks.blank_test_outputs(task, node),
            "similar-outputs": self._similar_outputs,
            "identity-output": lambda node: checks.mostly_identity(
                task, node, config.identity_share
            ),
            "absurd-source": lambda node: checks.absurd_source(
                node, max_lines=None, max_line_length=config.max_line_length
            ),
            "hard-coded": lambda node: checks.hard_coded(
                node, min_cells=1, brackets=self.brackets, texts=self._texts
            ),
        }
        self._tests = [(name, tests[name]) for name in config.names]

    def _similar_outputs(self, node: Node) -> bool:
        """``similar-outputs``, once per distinct tuple of train outputs (searches repeat them)."""
        key = node.train_outputs
        found = self._similar.get(key)
        if found is None:
            found = checks.similar_outputs(
                node, self.real_distance, self.config.similar_at_most, self._distances
            )
            self._similar[key] = found
        return found

    def __call__(self, node: Node) -> str | None:
        if not node.valid:
            return None  # an invalid completion never votes; it is no filter's doing
        for name, test in self._tests:
            if test(node):
                return name
        return None


def vote_pool(
    task: Task, nodes: Sequence[Node], config: VoteFilterConfig | None = SOAR_RELEASE
) -> tuple[list[bool], dict[str, int]]:
    """Which of ``nodes`` may vote, and per filter switched on the number of programs it dropped.

    With ``config`` None every node may vote (those without a grid for every test input still
    cannot: see :mod:`soar.agents.voting`) and the counts are empty.
    """
    if config is None:
        return [True] * len(nodes), {}
    check = TaskVoteFilter(task, config)
    dropped = dict.fromkeys(config.names, 0)
    keep = []
    for node in nodes:
        failed = check(node)
        keep.append(failed is None)
        if failed is not None:
            dropped[failed] += 1
    return keep, dropped


def default_on(policy: str | None) -> bool:
    """Whether a run with this policy spec votes over filtered programs by default: yes for a
    language model (or scripted answers), no for the built-in ``dsl:`` policy (see the module's
    notes) and for a run that does not say what its policy was.

    >>> default_on("vllm:julien31/Soar-qwen-7b"), default_on("dsl:default"), default_on(None)
    (True, False, False)
    """
    return isinstance(policy, str) and bool(policy) and not policy.startswith("dsl:")


def resolve(setting: VoteFilterConfig | bool | None, policy: str | None) -> VoteFilterConfig | None:
    """The filters to vote with: ``setting`` itself, :data:`SOAR_RELEASE` for True, none for
    False, and for None the default for ``policy`` (:func:`default_on`)."""
    if isinstance(setting, VoteFilterConfig):
        return setting
    if setting is None:
        setting = default_on(policy)
    if not isinstance(setting, bool):
        raise VoteFilterError(f"vote_filters: expected true, false or null, got {setting!r}")
    return SOAR_RELEASE if setting else None


def describe(config: VoteFilterConfig | None, dropped: dict[str, int]) -> dict[str, Any]:
    """What ``scores.json`` says of the vote filters: the filters on and the programs each one
    dropped."""
    return {"on": [] if config is None else config.names, "dropped": dict(dropped)}
