"""Filters applied to logged programs before selection (SOAR paper, appendix D.3).

Each filter has a name (used by ``soar relabel --no-filter NAME`` and in the stats), a switch in
:class:`FilterConfig`, and a count of the programs it dropped. A program is counted under the first
filter, in the order of :data:`FILTERS`, that drops it, so the counts add up to the programs dropped.

- ``error``: the program raised, timed out or ran out of memory on some input.
- ``invalid-grid``: it returned something that is not a grid on some input (the executor's
  ``invalid-output`` status, or a log line with status ``ok`` and no output).
- ``constant-output``: it gave the same grid for every input (at least two), unless that grid is
  the real output of every pair whose output is known.
- ``identity-output``: it gave every input back unchanged, though some known output differs from
  its input.
- ``hard-coded``: its source holds one of its own output grids of at least
  ``min_hard_coded_cells`` cells, written as a nested list or tuple (spacing, brackets and trailing
  commas ignored).
- ``absurd-source``: its source has more than ``max_lines`` lines (400) or a line longer than
  ``max_line_length`` characters (400): in practice pasted data, not a rule.
- ``duplicate-code``: the same program as an earlier one of the task that passed the other
  filters; the first is kept. "The same" is ``dedup``'s (:mod:`soar.training.dedup`): the same
  syntax tree (``ast``, the default), the same text (``exact``), or code embeddings at cosine
  similarity >= ``embedding_threshold`` (``embedding``, with ``embedding_model``; the paper's
  near-duplicate removal, section 3.4).

Programs that cannot be relabeled at all are always dropped and counted as ``unusable``: no
program, not one result per input of the task, or (with the ``error`` and ``invalid-grid`` filters
off) no grid on any train input or on any test input.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from soar.agents import program_checks as checks
from soar.agents.search.node import Node
from soar.arc_env.task import Task

from .dedup import DEDUP_MODES, keep_first
from .relabel import belongs, usable
from .sft_config import TrainError

__all__ = ["FILTERS", "UNUSABLE", "FilterConfig", "FilterResult", "apply_filters", "first_failed"]

FILTERS = (
    "error",
    "invalid-grid",
    "constant-output",
    "identity-output",
    "hard-coded",
    "absurd-source",
    "duplicate-code",
)
"""Every filter's name, in the order they are tried."""

UNUSABLE = "unusable"
"""The count of programs that cannot be relabeled (always dropped, no switch)."""


@dataclass(frozen=True)
class FilterConfig:
    """Which filters are on (all by default) and their thresholds."""

    error: bool = True
    invalid_grid: bool = True
    constant_output: bool = True
    identity_output: bool = True
    hard_coded: bool = True
    absurd_source: bool = True
    duplicate_code: bool = True
    max_lines: int = 400
    """``absurd-source``: the most lines a program may have."""
    max_line_length: int = 400
    """``absurd-source``: the most characters a line may have."""
    min_hard_coded_cells: int = 2
    """``hard-coded``: smaller output grids (a lone ``[[0]]``) are not looked for in the source."""
    dedup: str = "ast"
    """``duplicate-code``: how programs are compared: ``exact``, ``ast`` or ``embedding``."""
    embedding_model: str | None = None
    """``duplicate-code`` with ``embedding``: a sentence-transformers model path or name."""
    embedding_threshold: float = 0.9
    """``duplicate-code`` with ``embedding``: the cosine similarity from which two programs are
    duplicates (the paper: 0.9)."""

    def __post_init__(self) -> None:
        if self.dedup not in DEDUP_MODES:
            raise TrainError(f"dedup: expected one of {', '.join(DEDUP_MODES)}, got {self.dedup!r}")
        if self.dedup == "embedding" and not self.embedding_model:
            raise TrainError(
                "dedup: 'embedding' needs embedding_model, a sentence-transformers model"
            )
        if not 0 < self.embedding_threshold <= 1:
            raise TrainError(
                f"embedding_threshold: expected a cosine similarity in (0, 1], got "
                f"{self.embedding_threshold}"
            )

    def enabled(self, name: str) -> bool:
        """Whether filter ``name`` (one of :data:`FILTERS`) is on."""
        return bool(getattr(self, _attribute(name)))

    def without(self, names: Iterable[str]) -> FilterConfig:
        """This configuration with the filters ``names`` switched off.

        Raises:
            ValueError: a name is not one of :data:`FILTERS`.
        """
        return dataclasses.replace(self, **{_attribute(name): False for name in names})

    @property
    def drop_failed(self) -> bool:
        """Whether programs may lack a grid on some inputs (``error`` or ``invalid-grid`` off):
        they are then relabeled on the inputs they gave a grid on."""
        return not (self.error and self.invalid_grid)

    @property
    def disabled(self) -> list[str]:
        """The names of the filters switched off."""
        return [name for name in FILTERS if not self.enabled(name)]


def _attribute(name: str) -> str:
    if name not in FILTERS:
        raise ValueError(f"filter: expected one of {', '.join(FILTERS)}, got {name!r}")
    return name.replace("-", "_")


@dataclass
class FilterResult:
    """The programs kept, in their order, and per filter the number it dropped."""

    kept: list[Node]
    dropped: dict[str, int] = field(default_factory=dict)


# --- the per-program filters (the predicates live in soar.agents.program_checks) -----------------


def _errored(task: Task, node: Node, config: FilterConfig) -> bool:
    return checks.errored(node)


def _invalid_grid(task: Task, node: Node, config: FilterConfig) -> bool:
    return checks.invalid_grid(node)


def _constant(task: Task, node: Node, config: FilterConfig) -> bool:
    return checks.constant_output(task, node)


def _identity(task: Task, node: Node, config: FilterConfig) -> bool:
    return checks.identity_output(task, node)


def _hard_coded(task: Task, node: Node, config: FilterConfig) -> bool:
    return checks.hard_coded(node, min_cells=config.min_hard_coded_cells)


def _absurd(task: Task, node: Node, config: FilterConfig) -> bool:
    return checks.absurd_source(
        node, max_lines=config.max_lines, max_line_length=config.max_line_length
    )


_CHECKS: dict[str, Callable[[Task, Node, FilterConfig], bool]] = {
    "error": _errored,
    "invalid-grid": _invalid_grid,
    "constant-output": _constant,
    "identity-output": _identity,
    "hard-coded": _hard_coded,
    "absurd-source": _absurd,
}


def first_failed(task: Task, node: Node, config: FilterConfig | None = None) -> str | None:
    """The name of the first filter that drops ``node`` on its own, or None.

    ``unusable`` comes first for a node without a program or not one result per input, last for
    one without a grid to relabel (possible only with ``error`` or ``invalid-grid`` off).

    ``duplicate-code`` is not tried: it depends on the other programs (see :func:`apply_filters`).
    """
    config = config or FilterConfig()
    if not belongs(task, node):
        return UNUSABLE
    for name, check in _CHECKS.items():
        if config.enabled(name) and check(task, node, config):
            return name
    return None if usable(task, node, drop_failed=config.drop_failed) else UNUSABLE


def apply_filters(
    task: Task, nodes: Sequence[Node], config: FilterConfig | None = None
) -> FilterResult:
    """The programs of ``task`` that pass every filter switched on, and the counts dropped.

    Every filter switched on has an entry in the counts (0 when it dropped nothing), as has
    ``unusable``.
    """
    config = config or FilterConfig()
    names = [UNUSABLE, *(name for name in FILTERS if config.enabled(name))]
    result = FilterResult([], dict.fromkeys(names, 0))
    passed: list[Node] = []
    for node in nodes:
        failed = first_failed(task, node, config)
        if failed is None:
            passed.append(node)
        else:
            result.dropped[failed] += 1
    if config.duplicate_code:
        keep = keep_first(
            [node.program or "" for node in passed],
            config.dedup,
            model=config.embedding_model,
            threshold=config.embedding_threshold,
        )
        result.dropped["duplicate-code"] += keep.count(False)
        passed = [node for node, kept in zip(passed, keep, strict=True) if kept]
    result.kept = passed
    return result
