"""A run is a directory: its resolved configuration, one append-only JSONL log of search nodes per
task, the attempts in the Kaggle submission format, scores and a report.

::

    RUN/
      config.json          resolved configuration, package and library versions, seed
      nodes/<task_id>.jsonl   one line per program tried, written and flushed as produced
      attempts.json        {task_id: [{"attempt_1": grid, "attempt_2": grid}, ...]}
      scores.json          official score, oracle, per task, score against programs spent
      report/              index.html and PNG plots

Node logs are append-only. A run killed at any point (SIGKILL included) loses at most a partly
written last line, which :meth:`RunDir.read_nodes` drops (and truncates away when resuming), so
resuming neither loses nor duplicates a node.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import sys
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

from soar.agents.search.node import Node
from soar.arc_env.error import InputError

CONFIG, NODES, ATTEMPTS, SCORES, REPORT = (
    "config.json",
    "nodes",
    "attempts.json",
    "scores.json",
    "report",
)
_VERSIONED = (
    "soar-arc",
    "numpy",
    "gymnasium",
    "torch",
    "transformers",
    "peft",
    "trl",
    "vllm",
    "openai",
)


class RunDirError(InputError):
    """A path that is not a usable run directory."""


def versions() -> dict[str, str]:
    """Python, platform and the versions of the libraries a run depends on (those installed)."""
    found = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in _VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


class RunDir:
    """Reads and writes one run directory."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)

    # ------------------------------------------------------------------------------ creation

    @classmethod
    def create(cls, path: str | os.PathLike, config: dict[str, Any]) -> RunDir:
        """A new run directory with ``config`` (versions added). Refuses to reuse a run."""
        run = cls(path)
        if (run.path / CONFIG).exists():
            raise RunDirError(
                f"{run.path} already holds a run: resume it with --resume, or choose another --out"
            )
        (run.path / NODES).mkdir(parents=True, exist_ok=True)
        _atomic_write(run.path / CONFIG, json.dumps({**config, "versions": versions()}, indent=2))
        return run

    def discard_if_empty(self) -> bool:
        """Remove this run if no program was logged yet (a run that failed before its first
        program), so that the same command can be run again; return whether it was removed.

        Only what :meth:`create` made goes: ``config.json``, the empty ``nodes/`` and the
        directory itself when nothing else is in it.
        """
        nodes = self.path / NODES
        if any(p.stat().st_size for p in nodes.glob("*")):
            return False
        for p in nodes.glob("*"):
            p.unlink()
        with contextlib.suppress(FileNotFoundError):
            nodes.rmdir()
        (self.path / CONFIG).unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # not empty: the user's own files stay
            self.path.rmdir()
        return True

    @classmethod
    def open(cls, path: str | os.PathLike) -> RunDir:
        run = cls(path)
        if not (run.path / CONFIG).is_file():
            raise RunDirError(f"{run.path}: expected a run directory with {CONFIG}, found none")
        return run

    @property
    def config(self) -> dict[str, Any]:
        return json.loads((self.path / CONFIG).read_text())

    # -------------------------------------------------------------------------------- nodes

    def node_path(self, task_id: str) -> Path:
        return self.path / NODES / f"{task_id}.jsonl"

    def task_ids(self) -> list[str]:
        return sorted(p.stem for p in (self.path / NODES).glob("*.jsonl"))

    def read_nodes(self, task_id: str, *, repair: bool = False) -> list[Node]:
        """The task's nodes in order. A partly written last line (a killed run) is dropped, and
        with ``repair`` cut from the file so that appending continues cleanly."""
        path = self.node_path(task_id)
        if not path.exists():
            return []
        data = path.read_bytes()
        lines = data.splitlines(keepends=True)
        nodes: list[Node] = []
        good = 0
        for i, line in enumerate(lines):
            node = None
            if line.endswith(b"\n"):
                try:
                    node = Node.from_json(json.loads(line))
                except (ValueError, KeyError, TypeError):
                    node = None
            if node is None:
                if i < len(lines) - 1:
                    raise RunDirError(f"{path}: line {i + 1} is not a node record")
                break  # the last line was being written when the run stopped
            nodes.append(node)
            good += len(line)
        if repair and good < len(data):
            with open(path, "r+b") as f:
                f.truncate(good)
        return nodes

    def all_nodes(self) -> dict[str, list[Node]]:
        return {task_id: self.read_nodes(task_id) for task_id in self.task_ids()}

    def append_nodes(self, task_id: str, nodes: Iterable[Node]) -> None:
        """Append nodes, handed to the operating system before returning. The file is opened for
        each call (once per task per batch, a few microseconds a program), so a run directory
        holds no open files and needs no closing."""
        text = "".join(json.dumps(n.to_json(), separators=(",", ":")) + "\n" for n in nodes)
        with open(self.node_path(task_id), "a") as handle:
            handle.write(text)

    # -------------------------------------------------------------------- attempts and scores

    def write_attempts(self, attempts: dict[str, list[dict[str, list]]]) -> None:
        _atomic_write(self.path / ATTEMPTS, json.dumps(attempts))

    def read_attempts(self) -> dict[str, list[dict[str, list]]]:
        path = self.path / ATTEMPTS
        if not path.exists():
            raise RunDirError(f"{self.path}: no {ATTEMPTS} yet (the run has not finished a vote)")
        return json.loads(path.read_text())

    def write_scores(self, scores: dict[str, Any]) -> None:
        _atomic_write(self.path / SCORES, json.dumps(scores, indent=2))

    def read_scores(self) -> dict[str, Any]:
        return json.loads((self.path / SCORES).read_text())

    @property
    def report_dir(self) -> Path:
        return self.path / REPORT
