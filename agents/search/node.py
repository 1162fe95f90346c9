"""Search nodes: one record per program tried, the unit of every run log.

A node is written as one JSON line as soon as it exists (see ``soar.agents.runs.rundir``); its grids are
written as one string of digits per row (``["012", "340"]``), compact and quick to read back. It holds what
voting, scoring, refinement prompts and hindsight relabeling need: the program (or why the
completion had none), its per-input statuses and outputs, train correctness, test outputs,
tokens and timings, and its place in the search tree (``parent_id``, ``kind``, ``island``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from soar.arc_env import InputResult, ProgramResult, Status
from soar.arc_env.executor.result import Outcomes
from soar.arc_env.grid import Grid, from_rows, to_grid, to_rows

from ..policy import Completion

SAMPLE, REFINE = "sample", "refine"


def _grid_json(grid: Grid | None) -> list[str] | None:
    """The grid's rows of digits; a grid written before (the executor hands out one shared grid
    per distinct output, and searches repeat outputs) is looked up, not converted again."""
    if grid is None:
        return None
    if type(grid) is not tuple or not grid or type(grid[0]) is not tuple:  # immutable ones only
        return to_rows(grid)
    found = _WRITTEN.get(id(grid))
    if found is None or found[0] is not grid:  # held below, so its id is not reused meanwhile
        if len(_WRITTEN) >= 100_000:
            _WRITTEN.clear()
        found = _WRITTEN[id(grid)] = (grid, tuple(to_rows(grid)))
    return list(found[1])


_WRITTEN: dict[int, tuple[Grid, tuple[str, ...]]] = {}
"""Grids written, by identity, with their rows (each entry holds its grid)."""


def _grid_from(value: list | None) -> Grid | None:
    """A logged grid: rows of digits (``["012", "340"]``), or lists of ints as older logs have."""
    if value is None:
        return None
    if value and type(value[0]) is str:
        key = tuple(value)  # raises TypeError for unhashable rows, as a malformed line should
        grid = _READ.get(key)
        if grid is None:
            if len(_READ) >= 100_000:
                _READ.clear()
            grid = _READ[key] = from_rows(value)
        return grid
    return to_grid(value)


_READ: dict[tuple, Grid] = {}
"""Grids read back, by their rows: searches repeat outputs, and equal grids then share memory."""


@dataclass(frozen=True, slots=True)
class Node(Outcomes):
    """One program tried on one task.

    ``node_id`` counts from 0 within a task in the order nodes were produced; ``parent_id`` is
    the refined node for ``kind == "refine"``. A node without a program (an invalid completion)
    has empty ``train``/``test`` results and accuracy 0; it still counts against the budget.
    """

    task_id: str
    node_id: int
    parent_id: int | None
    kind: str
    policy_id: str
    program: str | None
    invalid_reason: str | None = None
    completion: str | None = None
    island: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str = "stop"
    train: tuple[InputResult, ...] = ()
    test: tuple[InputResult, ...] = ()
    train_correct: tuple[bool, ...] = ()
    generate_seconds: float = 0.0
    execute_seconds: float = 0.0
    created: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return self.program is not None

    @property
    def any_output(self) -> bool:
        """Whether the program produced a valid grid on at least one input."""
        return any(r.ok for r in self.train + self.test)

    def result(self) -> ProgramResult:
        """The execution result in the executor's form (for refinement prompts)."""
        return ProgramResult(
            task_id=self.task_id,
            program=self.program or "",
            train=self.train,
            test=self.test,
            train_correct=self.train_correct,
            seconds=self.execute_seconds,
        )

    @classmethod
    def build(
        cls,
        task_id: str,
        node_id: int,
        completion: Completion,
        result: ProgramResult | None,
        *,
        kind: str = SAMPLE,
        parent_id: int | None = None,
        island: int = 0,
        keep_completion: bool = True,
        generate_seconds: float = 0.0,
        created: float = 0.0,
    ) -> Node:
        return cls(
            task_id=task_id,
            node_id=node_id,
            parent_id=parent_id,
            kind=kind,
            policy_id=completion.policy_id,
            program=completion.program,
            invalid_reason=completion.invalid_reason,
            completion=completion.text if keep_completion else None,
            island=island,
            prompt_tokens=completion.prompt_tokens,
            completion_tokens=completion.completion_tokens,
            finish_reason=completion.finish_reason,
            train=result.train if result else (),
            test=result.test if result else (),
            train_correct=result.train_correct if result else (),
            generate_seconds=generate_seconds,
            execute_seconds=result.seconds if result else 0.0,
            created=created,
        )

    def to_json(self) -> dict[str, Any]:
        def results(items: tuple[InputResult, ...]) -> list[dict]:
            return [
                {"status": r.status.value, "output": _grid_json(r.output), "message": r.message}
                for r in items
            ]

        return {
            "task_id": self.task_id,
            "node_id": self.node_id,
            "parent_id": self.parent_id,
            "kind": self.kind,
            "island": self.island,
            "policy_id": self.policy_id,
            "program": self.program,
            "invalid_reason": self.invalid_reason,
            **({} if self.completion == self.program else {"completion": self.completion}),
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "finish_reason": self.finish_reason,
            "train": results(self.train),
            "test": results(self.test),
            "train_correct": list(self.train_correct),
            "train_accuracy": self.train_accuracy,
            "generate_seconds": round(self.generate_seconds, 6),
            "execute_seconds": round(self.execute_seconds, 6),
            "created": round(self.created, 3),
            **({"extra": self.extra} if self.extra else {}),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Node:
        def results(items: list[dict]) -> tuple[InputResult, ...]:
            return tuple(
                InputResult(Status(r["status"]), _grid_from(r["output"]), r.get("message", ""))
                for r in items
            )

        return cls(
            task_id=data["task_id"],
            node_id=data["node_id"],
            parent_id=data["parent_id"],
            kind=data["kind"],
            island=data.get("island", 0),
            policy_id=data["policy_id"],
            program=data["program"],
            invalid_reason=data.get("invalid_reason"),
            completion=data.get("completion", data["program"]),  # absent: the program itself
            prompt_tokens=data.get("prompt_tokens", 0),
            completion_tokens=data.get("completion_tokens", 0),
            finish_reason=data.get("finish_reason", "stop"),
            train=results(data.get("train", [])),
            test=results(data.get("test", [])),
            train_correct=tuple(data.get("train_correct", [])),
            generate_seconds=data.get("generate_seconds", 0.0),
            execute_seconds=data.get("execute_seconds", 0.0),
            created=data.get("created", 0.0),
            extra=data.get("extra", {}),
        )
