"""Where training data's programs come from: run directories, and Parquet files in SOAR's released
schema (``soar export`` files, or the shards of SOAR's released dataset ``julien31/soar_arc_train_5M``).

Both give a task's nodes with ``read_nodes(task_id)`` (:class:`NodeSource`), so relabeling,
filters, selection and refinement pairs treat them alike.

A :class:`ParquetSource` reads its files one task at a time and never holds more than one task's
rows (plus one batch) in memory, however many rows the files have:

- At opening it reads only the ``task_id`` column, row group by row group, to learn which row
  groups hold which task; rows of tasks that were not requested are skipped (and counted).
- When each task's rows sit in few row groups (files written task by task, as run exports and,
  in practice, released datasets are), a task's rows are read from those row groups, streamed in
  batches (``ParquetFile.iter_batches``). Otherwise the requested rows are first streamed once
  into a temporary copy partitioned by task (``pyarrow.dataset.write_dataset``), removed on
  :meth:`ParquetSource.close`.
- Rows with statuses (this project's columns) become nodes as they are. Rows without them (the
  released dataset has outputs and correctness but no statuses or messages, which the filters and
  refinement prompts need) are run again with the real :class:`~soar.arc_env.Executor`; how many
  gave other outputs than the file says is counted.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from soar.agents.search.node import Node
from soar.arc_env.error import InputError
from soar.arc_env.task import Task

from .grid_column import grid_outputs
from .node_table import SCHEMA, TableError, has_results, table_to_nodes
from .rundir import CONFIG, RunDir

__all__ = ["NodeSource", "ParquetSource", "SourceError", "open_source", "parquet_files"]


class SourceError(InputError):
    """A path that is neither a run directory nor Parquet files of programs."""


class NodeSource(Protocol):
    """Anything training data can read programs from: a name and each task's nodes."""

    @property
    def path(self) -> Path: ...

    def read_nodes(self, task_id: str) -> list[Node]: ...


REQUIRED = ("task_id", "code")
"""The columns a Parquet source must have (the rest of :data:`~.node_table.SCHEMA` is optional)."""
_ROW = "__soar_row"
_TASK = "__soar_task"


def parquet_files(path: str | os.PathLike) -> list[Path]:
    """The Parquet files of ``path``: the file itself, or every ``*.parquet`` file under the
    directory, in path order (a downloaded dataset's shards, ``data/train-0000x-of-0000n.parquet``).

    Raises:
        SourceError: nothing there, or no Parquet file under the directory.
    """
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise SourceError(f"{path}: expected a run directory or Parquet files, found nothing")
    found = sorted(p for p in path.rglob("*.parquet") if p.is_file())
    if not found:
        raise SourceError(
            f"{path}: expected a run directory (with {CONFIG}) or a directory of *.parquet "
            "files, found neither"
        )
    return found


def open_source(
    path: str | os.PathLike, tasks: Sequence[Task], **options: Any
) -> RunDir | ParquetSource:
    """A run directory (one holding ``config.json``), else Parquet files (one file, or a directory
    of them); ``options`` go to :class:`ParquetSource`."""
    if (Path(path) / CONFIG).is_file():
        return RunDir.open(path)
    return ParquetSource(path, tasks, **options)


class ParquetSource:
    """The programs of Parquet files in SOAR's released schema, for the requested tasks.

    Args:
        path: one Parquet file, or a directory of them (searched recursively).
        tasks: the requested tasks; rows of other tasks are skipped and counted. Their train
            outputs are what re-executed programs are checked against.
        workers, timeout, memory_mb: the executor's settings, for files without statuses.
        batch_rows: rows per batch read.
        copy: whether to copy the requested rows by task first (None: when it reads less, see
            the module docstring).
        spill_dir: where that copy goes (default: the system's temporary folder).

    Raises:
        SourceError: no Parquet file, a file that cannot be read, or without ``task_id`` and
            ``code`` columns, or files with different columns.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        tasks: Sequence[Task],
        *,
        workers: int | None = None,
        timeout: float = 1.0,
        memory_mb: int | None = 1024,
        batch_rows: int = 65_536,
        copy: bool | None = None,
        spill_dir: str | os.PathLike | None = None,
    ) -> None:
        self.path = Path(path)
        self.files = parquet_files(path)
        self.tasks = {task.id: task for task in tasks}
        self.executor_options = {"workers": workers, "timeout": timeout, "memory_mb": memory_mb}
        self.batch_rows = batch_rows
        self.spill_dir = spill_dir
        self.copy = copy
        self._handles: list[pq.ParquetFile] = []
        names: list[str] | None = None
        for file in self.files:
            try:
                handle = pq.ParquetFile(file)
            except (OSError, pa.ArrowException) as err:
                raise SourceError(f"{file}: expected a Parquet file ({err})") from None
            columns = handle.schema_arrow.names
            missing = [name for name in REQUIRED if name not in columns]
            if missing:
                raise SourceError(
                    f"{file}: expected the columns {', '.join(REQUIRED)} of SOAR's released "
                    f"dataset, found no {', '.join(missing)} (columns: {', '.join(columns)})"
                )
            if names is not None and set(columns) != set(names):
                raise SourceError(
                    f"{file}: expected the same columns as {self.files[0]}, found others"
                )
            names = columns
            self._handles.append(handle)
        assert names is not None
        self.columns = [name for name in SCHEMA.names if name in names]
        self.has_results = has_results(names)
        self.stats: Counter[str] = Counter()
        """``rows`` (of requested tasks), ``skipped_rows`` and ``skipped_tasks`` (not requested),
        and, as tasks are read, ``run_again`` (programs re-executed) and ``outputs_differ``
        (those whose outputs differ from the file's)."""
        self._groups: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self._index()
        self._spilled: Path | None = None
        self._executor: Any = None

    # ------------------------------------------------------------------------------ reading

    def task_ids(self) -> list[str]:
        """The requested tasks that have rows, in file order."""
        return list(self._groups)

    def read_nodes(self, task_id: str) -> list[Node]:
        """The task's programs as nodes, in file order (``node_id`` from the file when it has
        one, else the row's place among the task's rows); [] for a task without rows or not
        requested."""
        if task_id not in self._groups:
            return []
        table = self._task_table(task_id)
        if self.has_results:
            try:
                return table_to_nodes(table, where=f"{self.path} (task {task_id})")
            except TableError as err:
                raise SourceError(str(err)) from None
        return self._run_again(self.tasks[task_id], table)

    def close(self) -> None:
        """Stop the executor and remove the temporary copy, if any."""
        if self._executor is not None:
            self._executor.close()
            self._executor = None
        if self._spilled is not None:
            shutil.rmtree(self._spilled, ignore_errors=True)
            self._spilled = None

    def __enter__(self) -> ParquetSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------------------ layout

    def _index(self) -> None:
        """Which row groups hold which requested task (reading the ``task_id`` column only)."""
        skipped: set[str] = set()
        self._sizes: list[list[int]] = []
        for f, handle in enumerate(self._handles):
            sizes = []
            for g in range(handle.num_row_groups):
                ids = handle.read_row_group(g, columns=["task_id"]).column(0)
                sizes.append(len(ids))
                for item in pc.value_counts(ids).to_pylist():
                    task_id, count = item["values"], item["counts"]
                    if task_id in self.tasks:
                        self._groups[task_id].append((f, g))
                        self.stats["rows"] += count
                    else:
                        skipped.add(str(task_id))
                        self.stats["skipped_rows"] += count
            self._sizes.append(sizes)
        self.stats["skipped_tasks"] = len(skipped)

    def _clustered(self) -> bool:
        """Whether reading each task from its row groups reads less than copying the requested
        rows once (reading everything, writing and reading them again)."""
        direct = sum(self._sizes[f][g] for groups in self._groups.values() for f, g in groups)
        total = sum(sum(sizes) for sizes in self._sizes)
        return direct <= total + 2 * self.stats["rows"]

    def _task_table(self, task_id: str) -> pa.Table:
        if self._spilled is None and (self.copy or (self.copy is None and not self._clustered())):
            self._spill()
        if self._spilled is not None:
            part = self._spilled / str(self._task_index[task_id])
            table = pa.concat_tables(
                [pq.ParquetFile(p).read() for p in sorted(part.glob("*.parquet"))]
            )
            table = table.take(pc.sort_indices(table, [(_ROW, "ascending")]))
            return table.select(self.columns)
        batches = []
        for f, g in self._groups[task_id]:
            for batch in self._handles[f].iter_batches(
                batch_size=self.batch_rows, row_groups=[g], columns=self.columns
            ):
                batches.append(batch.filter(pc.equal(batch.column("task_id"), task_id)))
        return pa.Table.from_batches(batches)

    def _spill(self) -> None:
        """Copy the requested rows once into a temporary dataset partitioned by task."""
        import pyarrow.dataset as ds  # imports pandas: only when a copy is needed

        self._task_index = {task_id: k for k, task_id in enumerate(self._groups)}
        wanted = pa.array(list(self._task_index), type=pa.string())
        schema = self._handles[0].schema_arrow
        fields = [schema.field(name) for name in self.columns]
        out = pa.schema([*fields, pa.field(_ROW, pa.int64()), pa.field(_TASK, pa.int32())])

        def batches() -> Iterator[pa.RecordBatch]:
            row = 0
            for handle in self._handles:
                for batch in handle.iter_batches(batch_size=self.batch_rows, columns=self.columns):
                    task = pc.index_in(batch.column("task_id"), value_set=wanted)
                    rows = pa.array(range(row, row + batch.num_rows), type=pa.int64())
                    row += batch.num_rows
                    extended = pa.RecordBatch.from_arrays(
                        [*batch.columns, rows, task.cast(pa.int32())], schema=out
                    )
                    yield extended.filter(pc.is_valid(task))

        self._spilled = Path(tempfile.mkdtemp(prefix="soar-parquet-", dir=self.spill_dir))
        ds.write_dataset(
            pa.RecordBatchReader.from_batches(out, batches()),
            self._spilled,
            format="parquet",
            partitioning=ds.partitioning(pa.schema([pa.field(_TASK, pa.int32())])),
            existing_data_behavior="overwrite_or_ignore",
            max_partitions=len(self._task_index) + 1,
        )

    # -------------------------------------------------------------------------- execution

    def _run_again(self, task: Task, table: pa.Table) -> list[Node]:
        """The rows' programs run on ``task`` (its public form), as sample nodes."""
        from soar.arc_env import Executor

        if self._executor is None:  # DSL programs, if any, get their module imported on demand
            self._executor = Executor(**self.executor_options)
        codes = table.column("code").to_pylist()
        models = table.column("model").to_pylist() if "model" in self.columns else [""] * len(codes)
        public = task.public()
        results = iter(self._executor.run([(public, code) for code in codes if code]))
        files = {
            side: grid_outputs(table.column(f"predicted_{side}_output"))
            for side in ("train", "test")
            if f"predicted_{side}_output" in self.columns
        }
        nodes = []
        for row, (code, model) in enumerate(zip(codes, models, strict=True)):
            if not code:
                nodes.append(
                    Node(task.id, row, None, "sample", model or "", None, "no code in the file")
                )
                continue
            result = next(results)
            self.stats["run_again"] += 1
            said = [files[side][row] for side in files]
            got = [tuple(r.output for r in getattr(result, side)) for side in files]
            if said != got:
                self.stats["outputs_differ"] += 1
            nodes.append(
                Node(
                    task_id=task.id,
                    node_id=row,
                    parent_id=None,
                    kind="sample",
                    policy_id=model or "",
                    program=code,
                    train=result.train,
                    test=result.test,
                    train_correct=result.train_correct,
                    execute_seconds=result.seconds,
                )
            )
        return nodes
