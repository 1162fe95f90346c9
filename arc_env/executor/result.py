"""What the executor returns: plain data about one program run on one task."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ..grid import Grid

NO_TRANSFORM = "the program defines no function `transform(grid)`"
"""The message of every input of a program whose module binds no callable ``transform`` (the
worker's text; ``soar exec`` reports such a file as bad input)."""


class Status(str, Enum):
    """Outcome of running a program on one input."""

    OK = "ok"
    """The program returned a valid grid (right or wrong)."""
    ERROR = "error"
    """The program raised, did not define ``transform``, or killed its worker."""
    TIMEOUT = "timeout"
    """The program ran past the per-input time limit."""
    MEMORY = "memory"
    """The program ran out of its memory allowance."""
    INVALID_OUTPUT = "invalid-output"
    """The program returned something that is not a 2-D grid of 0..9 with sides 1..30."""

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class InputResult:
    """The program's result on one input grid."""

    status: Status
    output: Grid | None = None
    """The grid returned (``status`` is OK), else None."""
    message: str = ""
    """Why there is no output: exception type and message with the program line, or the limit hit."""
    seconds: float = 0.0
    """Time spent on this input (for the first input run, loading the program too)."""

    @property
    def ok(self) -> bool:
        return self.status is Status.OK

    def to_json(self) -> dict:
        return {
            "status": self.status.value,
            "output": None if self.output is None else [list(r) for r in self.output],
            "message": self.message,
            "seconds": self.seconds,
        }


class Outcomes:
    """Derived views of a program's per-input results, for any class with ``train``, ``test``
    (tuples of :class:`InputResult`) and ``train_correct`` (the executor's result, search nodes)."""

    __slots__ = ()
    train: tuple[InputResult, ...]
    test: tuple[InputResult, ...]
    train_correct: tuple[bool, ...]

    @property
    def train_accuracy(self) -> float:
        return sum(self.train_correct) / len(self.train_correct) if self.train_correct else 0.0

    @property
    def all_train_correct(self) -> bool:
        return bool(self.train_correct) and all(self.train_correct)

    @property
    def test_outputs(self) -> tuple[Grid | None, ...]:
        return tuple(r.output for r in self.test)

    @property
    def train_outputs(self) -> tuple[Grid | None, ...]:
        return tuple(r.output for r in self.train)


@dataclass(frozen=True, slots=True)
class ProgramResult(Outcomes):
    """A program run on every train and test input of one task.

    ``train_correct[i]`` says whether the output on train input ``i`` equals the known output;
    ``train_accuracy`` is the fraction of train pairs exactly right (the paper's *h*). The executor
    never sees test outputs, so test inputs carry outputs but no correctness.
    """

    task_id: str
    program: str
    train: tuple[InputResult, ...]
    test: tuple[InputResult, ...]
    train_correct: tuple[bool, ...]
    seconds: float
    """Wall-clock time from the job's dispatch to its last result, retries included."""

    @property
    def errored(self) -> bool:
        """Whether any input ended with a status other than OK."""
        return any(not r.ok for r in self.train + self.test)

    def to_json(self) -> dict:
        return {
            "task_id": self.task_id,
            "train": [r.to_json() for r in self.train],
            "test": [r.to_json() for r in self.test],
            "train_correct": list(self.train_correct),
            "train_accuracy": self.train_accuracy,
            "seconds": self.seconds,
        }
