"""Scripted policy answers for search tests: right, wrong, crashing and invalid programs."""

from __future__ import annotations

from dataclasses import dataclass, field

from soar.agents import ScriptedPolicy


def code(body: str) -> str:
    """A completion holding ``def transform(grid)`` with ``body``."""
    return f"Here is my program.\n```python\ndef transform(grid):\n    {body}\n```\n"


ROTATE = code("return [row[::-1] for row in grid[::-1]]")  # right on 3c9b0459 and 6150a2bd
MIRROR = code("return [row[::-1] for row in grid]")  # right on 67a3c6ac
IDENTITY = code("return grid")  # wrong everywhere, but produces outputs
CRASH = code("raise ValueError('no idea')")  # no output on any input: not a REX arm
INVALID = "I could not find the rule, sorry."  # no program at all

MIX = (ROTATE, IDENTITY, INVALID, MIRROR, CRASH, IDENTITY, ROTATE)


@dataclass
class RecordingPolicy(ScriptedPolicy):
    """A scripted policy that records, per generate call, ``(task id, kind, n)`` per request, and
    what it was told to prepare for."""

    calls: list[list[tuple[str, str, int]]] = field(default_factory=list)
    prepared: list[tuple[list[str], int]] = field(default_factory=list)
    """Per :meth:`prepare` call, the task ids (in order) and the budget."""

    def prepare(self, tasks, budget):
        self.prepared.append(([task.id for task in tasks], budget))

    def generate(self, requests):
        self.calls.append([(r.task.id, type(r).__name__, r.n) for r in requests])
        return super().generate(requests)
