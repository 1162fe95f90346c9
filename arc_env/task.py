"""ARC tasks: demonstration (train) pairs and test pairs whose outputs may be hidden.

A :class:`Task` loaded with its solutions carries the test outputs; :meth:`Task.public` is the form
without them, and it is the only form that policies, programs and observations ever see.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .grid import Grid


@dataclass(frozen=True)
class Pair:
    """One input grid and its output grid (``None`` when the output is hidden or unknown)."""

    input: Grid
    output: Grid | None = None


@dataclass(frozen=True)
class Task:
    """An ARC task.

    Attributes:
        id: the task id (for the bundled data, the 8-hex-digit ARC id).
        train: the demonstration pairs; their outputs are always known.
        test: the test pairs; their outputs are ``None`` in the public form.
        source: where the task was read from (a file path or a bundled dataset name).
    """

    id: str
    train: tuple[Pair, ...]
    test: tuple[Pair, ...]
    source: str = field(default="", compare=False)

    @property
    def has_test_outputs(self) -> bool:
        """Whether every test output is known (the task can be scored)."""
        return all(pair.output is not None for pair in self.test)

    @property
    def train_inputs(self) -> tuple[Grid, ...]:
        return tuple(pair.input for pair in self.train)

    @property
    def train_outputs(self) -> tuple[Grid, ...]:
        return tuple(pair.output for pair in self.train)  # type: ignore[misc]

    @property
    def test_inputs(self) -> tuple[Grid, ...]:
        return tuple(pair.input for pair in self.test)

    @property
    def test_outputs(self) -> tuple[Grid, ...]:
        """The hidden test outputs; raises ``ValueError`` on the public form."""
        if not self.has_test_outputs:
            raise ValueError(f"task {self.id}: the test outputs are not known (public form)")
        return tuple(pair.output for pair in self.test)  # type: ignore[misc]

    def public(self) -> Task:
        """The task without its test outputs: what a policy or an observation may see."""
        if all(pair.output is None for pair in self.test):
            return self
        return Task(self.id, self.train, tuple(Pair(p.input) for p in self.test), self.source)

    def to_json(self) -> dict:
        """The task in the ARC JSON layout (test outputs included only when known)."""

        def pair_json(pair: Pair) -> dict:
            out: dict = {"input": [list(r) for r in pair.input]}
            if pair.output is not None:
                out["output"] = [list(r) for r in pair.output]
            return out

        return {
            "train": [pair_json(p) for p in self.train],
            "test": [pair_json(p) for p in self.test],
        }

    def __repr__(self) -> str:
        hidden = "" if self.has_test_outputs else ", test outputs hidden"
        return f"Task({self.id!r}, {len(self.train)} train, {len(self.test)} test{hidden})"
