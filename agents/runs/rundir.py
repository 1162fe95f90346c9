"""A run is a directory: its resolved configuration, the search nodes of each task, the attempts in
the Kaggle submission format, scores and a report.

::

    RUN/
      config.json             resolved configuration, package and library versions, seed
      nodes/<task_id>.jsonl   a task in progress: one line per program tried, appended as produced
      nodes/<task_id>.parquet a finished task: its nodes as one Parquet table (zstd), in SOAR's
                              released dataset's schema (see ``soar.agents.runs.node_table``)
      attempts.json           {task_id: [{"attempt_1": grid, "attempt_2": grid}, ...]}
      scores.json             official score, oracle, per task, score against programs spent
      report/                 index.html and PNG plots

While a task runs its log is append-only JSONL. A run killed at any point (SIGKILL included) loses
at most a partly written last line, which :meth:`RunDir.read_nodes` drops (and truncates away when
resuming), so resuming neither loses nor duplicates a node.

When a task finishes, :meth:`RunDir.finish_task` makes its log columnar: the table is written to
``<task_id>.parquet.tmp``, flushed to disk, renamed to ``<task_id>.parquet`` (atomic), and only
then is the JSONL removed. Readers take a task's nodes from its Parquet table when there is one,
and from the JSONL only the nodes after those (none, unless the task was continued with a larger
budget), so a run killed anywhere in the switch still reads every node exactly once.
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

import pyarrow as pa
import pyarrow.parquet as pq
from soar.agents.search.node import Node
from soar.arc_env.error import InputError

from .node_table import TableError, columns_for, nodes_to_table, table_to_nodes

CONFIG, NODES, ATTEMPTS, SCORES, REPORT = (
    "config.json",
    "nodes",
    "attempts.json",
    "scores.json",
    "report",
)
JSONL, TABLE, PARTIAL = ".jsonl", ".parquet", ".parquet.tmp"
_VERSIONED = (
    "soar-arc",
    "numpy",
    "pyarrow",
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


def _fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (where the platform allows opening a directory)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


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
        """The task's JSONL log (while it runs)."""
        return self.path / NODES / f"{task_id}{JSONL}"

    def table_path(self, task_id: str) -> Path:
        """The task's Parquet log (once finished)."""
        return self.path / NODES / f"{task_id}{TABLE}"

    def task_ids(self) -> list[str]:
        """The tasks with a node log, in either form."""
        found = {p.name[: -len(JSONL)] for p in (self.path / NODES).glob(f"*{JSONL}")}
        found.update(p.name[: -len(TABLE)] for p in (self.path / NODES).glob(f"*{TABLE}"))
        return sorted(found)

    def read_nodes(
        self, task_id: str, *, repair: bool = False, train_outputs: bool = True
    ) -> list[Node]:
        """The task's nodes in order: those of its Parquet log if it has one, then those of its
        JSONL log that come after them.

        With ``train_outputs=False`` the nodes' train results are left out (``train == ()``,
        ``train_correct`` and the accuracy stay): what voting and scoring need, read from a
        Parquet log in about half the time, since train outputs are most of its cells.

        A partly written last JSONL line (a killed run) is dropped. With ``repair`` (resuming) it
        is cut from the file so that appending continues cleanly, and what a switch to Parquet
        killed midway left behind goes: an unfinished ``.parquet.tmp``, and a JSONL log whose
        nodes are all in the Parquet log.

        Raises:
            RunDirError: a log is corrupt (a JSONL line before the last that is no node record,
                or a Parquet file that is not a node table).
        """
        table = self._read_table(task_id, train_outputs)
        lines = self._read_jsonl(task_id, repair=repair, train_outputs=train_outputs)
        if repair:
            self.path.joinpath(NODES, f"{task_id}{PARTIAL}").unlink(missing_ok=True)
        if table is None:
            return lines
        later = [node for node in lines if node.node_id >= len(table)]
        if repair and lines and not later:
            self.node_path(task_id).unlink()
        return table + later

    def _read_table(self, task_id: str, train_outputs: bool) -> list[Node] | None:
        path = self.table_path(task_id)
        try:
            handle = pq.ParquetFile(path)
            names = handle.schema_arrow.names
            wanted = [n for n in columns_for(train_outputs=train_outputs) if n in names]
            table = handle.read(columns=wanted)
        except FileNotFoundError:
            return None
        except (OSError, pa.ArrowException) as err:
            raise RunDirError(f"{path}: expected a Parquet node table ({err})") from None
        try:
            return table_to_nodes(table, where=str(path), train_outputs=train_outputs)
        except TableError as err:
            raise RunDirError(str(err)) from None

    def _read_jsonl(self, task_id: str, *, repair: bool, train_outputs: bool = True) -> list[Node]:
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
                    data = json.loads(line)
                    if not train_outputs:
                        data["train"] = []
                    node = Node.from_json(data)
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
        """Append nodes to the task's JSONL log, handed to the operating system before returning.
        The file is opened for each call (once per task per batch, a few microseconds a program),
        so a run directory holds no open files and needs no closing."""
        text = "".join(json.dumps(n.to_json(), separators=(",", ":")) + "\n" for n in nodes)
        with open(self.node_path(task_id), "a") as handle:
            handle.write(text)

    def finish_task(self, task_id: str, nodes: list[Node] | None = None) -> bool:
        """Make a finished task's log columnar: write its Parquet table, then remove its JSONL log
        (see the module docstring for why a kill at any point loses nothing).

        Args:
            task_id: the task.
            nodes: all its nodes, in order, if the caller has them in memory (they are checked
                against the number of lines logged, and read from the logs if they differ).

        Returns:
            Whether there was anything to do (False: no JSONL log, the task is columnar already
            or has no node).
        """
        jsonl = self.node_path(task_id)
        if not jsonl.exists():
            return False
        table_path = self.table_path(task_id)
        if nodes is None or not self._matches_logs(task_id, nodes):
            nodes = self.read_nodes(task_id)
        partial = self.path / NODES / f"{task_id}{PARTIAL}"
        with open(partial, "wb") as handle:
            pq.write_table(nodes_to_table(nodes), handle, compression="zstd")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, table_path)
        _fsync_dir(table_path.parent)
        jsonl.unlink()
        return True

    def _matches_logs(self, task_id: str, nodes: list[Node]) -> bool:
        """Whether ``nodes`` are the task's logged nodes: ids 0..n-1, as many as the complete
        lines of its JSONL log, and no Parquet log (a continued task is read from disk)."""
        if self.table_path(task_id).exists():
            return False
        if [node.node_id for node in nodes] != list(range(len(nodes))):
            return False
        return self.node_path(task_id).read_bytes().count(b"\n") == len(nodes)

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
