"""Executor worker: runs untrusted ``transform`` programs inside the sandbox, one job at a time.

The parent starts this file as a script (``python -B _worker.py CONFIG``), so it imports only the
standard library, numpy and its sibling modules. Untrusted code runs only here. Protocol (see
``_wire``; a frame holds several messages): the parent sends jobs ``[job_id, source, indices,
inputs]`` (``inputs``: see :func:`task_inputs`); the worker runs the program on input ``i`` for
each ``i`` in ``indices`` and answers ``[job_id, final, results, taint]`` where each result is
``[i, status, output, message, seconds]``. Results are sent once per job, plus early (``final`` =
0) whenever more than ``FLUSH_AFTER`` seconds passed since the last message, so slow work is never
lost. Before each input the worker writes ``(job_id, i)`` into a shared progress page; if the
parent must kill the worker, that says which input was running. ``taint`` is None or the reason
why this worker must not run another program (the program changed state later programs would
see); the worker then exits, before starting any job it holds, and the parent starts a fresh one.
"""

from __future__ import annotations

import collections
import dis
import gc
import importlib
import io
import itertools
import json
import mmap
import operator
import os
import random
import select
import signal
import sys
import time
import types
import warnings

try:  # started as a script: siblings are importable from the script's directory
    import _sandbox
    import _wire
except ImportError:  # imported as part of the package (tests, tools)
    from . import _sandbox, _wire

from _signal import getsignal as _handler  # signal.getsignal's enum conversion costs ~5 us

import numpy as np

OK, ERROR, TIMEOUT, MEMORY, INVALID = "ok", "error", "timeout", "memory", "invalid-output"
PROGRAM_FILENAME = "<program>"
MAX_MESSAGE = 400
MAX_SIDE = 30


class _Timeout(BaseException):
    """Raised by the SIGALRM handler; BaseException so ``except Exception`` does not swallow it."""


class _Clock:
    """The running input's time. An object's attributes, not module globals: the state guard
    compares module globals after programs, and these change with every input."""

    __slots__ = ("timing", "deadline", "pending")

    def __init__(self) -> None:
        self.timing = False  # a program's time is running: a timer firing otherwise does nothing
        self.deadline = 0.0  # when the running input's time is up (time.perf_counter)
        self.pending = False  # the timer is set


_CLOCK = _Clock()


def _on_alarm(signum, frame):
    clock = _CLOCK
    if not clock.timing:
        clock.pending = False
        return
    left = clock.deadline - time.perf_counter()
    if left > 0:  # the timer was set for an earlier input: this one gets its full time
        signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))
        return
    clock.timing = clock.pending = False  # once per input: what follows is the worker's own code
    raise _Timeout


# ----------------------------------------------------------------------------------- outputs

_INT_CELL = (int, bool, np.integer, np.bool_)
_FLOAT_CELL = (float, np.floating)


def to_plain_grid(value: object) -> tuple[list[list[int]] | None, str]:
    """Convert a program's return value to a plain grid, or explain why it is not one.

    Containers are accepted by exact type (list, tuple, numpy array), so a returned object's own
    ``__iter__``/``__len__``/``__eq__`` is never called. Whole floats count as integers.
    """
    kind = type(value)
    if kind is np.ndarray:
        if value.ndim != 2:
            return None, f"expected a 2-D grid, got a {value.ndim}-D array of shape {value.shape}"
        if value.dtype.kind in "iub":
            rows = value.astype(np.int64).tolist()
        elif value.dtype.kind == "f":
            if value.size and not (np.isfinite(value).all() and (value == np.round(value)).all()):
                return None, "expected whole numbers, got fractional or non-finite floats"
            rows = value.astype(np.int64).tolist()
        else:
            return None, f"expected integer cells, got an array of dtype {value.dtype}"
    elif kind is list or kind is tuple:
        rows = []
        for row in value:
            row_kind = type(row)
            if row_kind is list or row_kind is tuple:
                rows.append(row)
            elif row_kind is np.ndarray and row.ndim == 1:
                rows.append(row.tolist())
            else:
                return None, f"expected each row to be a list, got {row_kind.__name__}"
    else:
        return None, f"expected a list of lists or a 2-D numpy array, got {kind.__name__}"
    height = len(rows)
    if not 1 <= height <= MAX_SIDE:
        return None, f"expected 1..{MAX_SIDE} rows, got {height}"
    width = len(rows[0])
    if not 1 <= width <= MAX_SIDE:
        return None, f"expected 1..{MAX_SIDE} columns, got {width}"
    grid = []
    for r, row in enumerate(rows, start=1):
        if len(row) != width:
            return (
                None,
                f"row {r} has {len(row)} cells, expected {width} (rows must have equal length)",
            )
        if set(map(type, row)) <= {int}:
            cells = row if type(row) is list else list(row)
        else:
            cells = []
            for cell in row:
                if (
                    isinstance(cell, _INT_CELL)
                    or isinstance(cell, _FLOAT_CELL)
                    and float(cell).is_integer()
                ):
                    cells.append(int(cell))
                else:
                    return None, f"row {r}: expected integer cells, got {type(cell).__name__}"
        if cells and (min(cells) < 0 or max(cells) > 9):
            bad = next(c for c in cells if not 0 <= c <= 9)
            return None, f"row {r}: expected colours 0..9, got {bad}"
        grid.append(cells)
    return grid, ""


_DIGITS = bytes(range(48, 58)).ljust(256, b"?")  # byte value v (0..9) -> ASCII digit


def pack_grid(grid: list[list[int]]) -> list:
    """``[rows, columns, "digits row by row"]``: compact, and cheap to validate for the parent."""
    flat = b"".join(map(bytes, grid))
    return [len(grid), len(grid[0]), flat.translate(_DIGITS).decode("ascii")]


def _packed_int_lists(value: list) -> list | None:
    """``value`` packed if it is 1..30 lists (exactly), all of one length 1..30, of ints (exactly)
    0..9, else None. Checked and packed by builtins over all cells at once (the usual output of a
    list program; no method of a returned object is called)."""
    if not 1 <= len(value) <= MAX_SIDE or set(map(type, value)) != {list}:
        return None
    widths = set(map(len, value))
    if len(widths) != 1 or not 1 <= (width := widths.pop()) <= MAX_SIDE:
        return None
    cells = itertools.chain.from_iterable
    if set(map(type, cells(value))) != {int}:
        return None
    try:
        digits = bytes(cells(value)).translate(_DIGITS)  # ValueError: a cell outside 0..255
    except ValueError:
        return None
    return None if b"?" in digits else [len(value), width, digits.decode("ascii")]


def packed_output(value: object) -> tuple[list | None, str]:
    """A program's return value as a packed grid (see :func:`pack_grid`), or why it is not one.

    The same rules as :func:`to_plain_grid`; lists of int lists and numpy arrays are checked and
    packed without a loop in Python (most list programs return the one, DSL and numpy programs
    the other).
    """
    if type(value) is list:
        packed = _packed_int_lists(value)
        if packed is not None:
            return packed, ""
    if type(value) is not np.ndarray or value.ndim != 2 or value.dtype.kind not in "iubf":
        grid, why = to_plain_grid(value)
        return (None, why) if grid is None else (pack_grid(grid), "")
    height, width = value.shape
    if not 1 <= height <= MAX_SIDE:
        return None, f"expected 1..{MAX_SIDE} rows, got {height}"
    if not 1 <= width <= MAX_SIDE:
        return None, f"expected 1..{MAX_SIDE} columns, got {width}"
    if value.dtype.kind == "f" and not (
        np.isfinite(value).all() and (value == np.round(value)).all()
    ):
        return None, "expected whole numbers, got fractional or non-finite floats"
    if value.min() < 0 or value.max() > 9:
        r, c = np.argwhere((value < 0) | (value > 9))[0]
        return None, f"row {r + 1}: expected colours 0..9, got {int(value[r, c])}"
    digits = (value.astype(np.uint8) + 48).tobytes().decode("ascii")
    return [height, width, digits], ""


# ------------------------------------------------------------------------------------ errors


def describe(exc: BaseException) -> str:
    """``Type: message (line N)``, N being the deepest line of the program in the traceback."""
    line = None
    tb = exc.__traceback__
    while tb is not None:  # walk frames directly: no source lookup, no file system access
        if tb.tb_frame.f_code.co_filename == PROGRAM_FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    if isinstance(exc, SyntaxError):
        line = exc.lineno
        text = exc.msg
    else:
        text = str(exc)
    text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    if len(text) > MAX_MESSAGE:
        text = text[: MAX_MESSAGE - 3] + "..."
    return f"{text} (line {line})" if line else text


def _failure(exc: BaseException) -> tuple[str, str]:
    if isinstance(exc, MemoryError):
        return MEMORY, describe(exc)
    return ERROR, describe(exc)


# ---------------------------------------------------------------------------------------- jobs


_STORE_ATTR, _DELETE_ATTR = dis.opmap["STORE_ATTR"], dis.opmap["DELETE_ATTR"]
_REACHING_NAMES = frozenset(
    [
        "setattr",
        "delattr",
        "getattr",
        "vars",
        "globals",
        "locals",
        "exec",
        "eval",
        "compile",
        "__import__",
        "__dict__",
        "__setattr__",
        "__delattr__",
        "__globals__",
        "__builtins__",
        "__code__",
        "__defaults__",
        "__kwdefaults__",
        "__class__",
        "__bases__",
        "__subclasses__",
        "__mro__",
        "builtins",
        "sys",
        "os",
        "environ",
        "putenv",
        "unsetenv",
        "gc",
        "ctypes",
        "importlib",
        "inspect",
        "signal",
        "threading",
        "_thread",
        "atexit",
        "warnings",
        "open",
    ]
)


def may_change_shared_state(code: types.CodeType) -> bool:
    """Whether compiled code could change state that outlives it (a cheap, conservative scan).

    True when any code object in the program writes or deletes an attribute, or names one of the
    ways to reach shared objects (``setattr``, ``__dict__``, ``sys``, ``builtins``, ...). Only such
    programs pay for the full state comparison after they run.
    """
    return _scan(code)[0]


def _scan(code: types.CodeType) -> tuple[bool, frozenset[str]]:
    """:func:`may_change_shared_state`, and the global and attribute names of the code and of the
    code nested in it, in one walk."""
    codes = [code]
    for current in codes:  # grows while walked: every nested function, class, comprehension
        codes.extend([c for c in current.co_consts if type(c) is types.CodeType])
    names = frozenset().union(*[c.co_names for c in codes])
    opcodes = b"".join([c.co_code[::2] for c in codes])
    shared = (
        _STORE_ATTR in opcodes or _DELETE_ATTR in opcodes or not _REACHING_NAMES.isdisjoint(names)
    )
    return shared, names


def _arm(timeout: float) -> None:
    """Start a program's time (its first input's): the timer is set afresh."""
    clock = _CLOCK
    clock.deadline = time.perf_counter() + timeout
    clock.pending = True
    signal.setitimer(signal.ITIMER_REAL, timeout)
    clock.timing = True


def _next_input(timeout: float) -> None:
    """Start the time of a program's next input without a system call: the timer set for an
    earlier input fires no later than this one's time is up, and the handler then sets it again
    for the time this input has left (short inputs never get there)."""
    clock = _CLOCK
    clock.deadline = time.perf_counter() + timeout
    clock.timing = True
    if not clock.pending:  # it fired while the worker's own code ran
        _arm(timeout)


def _disarm() -> None:
    """Stop a program's time. The timer itself is left running: if it fires before the program's
    next input or the next program starts, the handler ignores it."""
    _CLOCK.timing = False


_COMPILED: dict[str, tuple[types.CodeType, bool, frozenset[str]]] = {}
MAX_COMPILED = 4096


def _compiled(source: str) -> tuple[types.CodeType, bool, frozenset[str]]:
    """The program's code, whether it may change shared state, and the names it uses.

    Kept for the last few thousand sources (code objects are immutable): searches send the same
    program for many tasks, and refinements repeat programs. Raises what ``compile`` raises.
    """
    found = _COMPILED.get(source)
    if found is None:
        code = compile(source, PROGRAM_FILENAME, "exec")
        if len(_COMPILED) >= MAX_COMPILED:
            _COMPILED.clear()
        found = _COMPILED[source] = (code, *_scan(code))
    return found


def program_globals() -> dict:
    """The names a program finds bound before its own code runs: ``np`` (numpy), ``math``,
    ``scipy``, ``List`` and ``Tuple`` (from ``typing``).

    The released SOAR pipeline ran programs in a namespace where these were already bound, so its
    models write programs that use them without importing them. A program's own imports and
    assignments rebind them as usual. Built once per worker, before its state is recorded.
    """
    global _PROGRAM_GLOBALS
    if _PROGRAM_GLOBALS is None:
        import math
        import typing

        typing_names = {"List": typing.List, "Tuple": typing.Tuple}  # noqa: UP006 - the old names
        bound: dict = {"np": np, "math": math, **typing_names}
        try:
            import scipy

            bound["scipy"] = scipy
        except ImportError:  # an optional dependency missing: programs import what they need
            pass
        _PROGRAM_GLOBALS = bound
    return _PROGRAM_GLOBALS


_PROGRAM_GLOBALS: dict | None = None


LOADER_ATTRIBUTE = "__arc_program_loader__"
_LOADERS: list = []
"""Program loaders of the preloaded modules (see :func:`_preload`)."""


def _load(source: str, timeout: float, guard: StateGuard):
    """Compile and execute the program's module; return (transform, None) or (None, (status, msg)).

    A preloaded module may offer a faster way for the programs it knows: a callable named
    ``__arc_program_loader__`` that takes the source and returns the very ``transform`` executing
    the source would define (with the same behaviour, errors included), or None for any other
    source. Loaders are asked first; one that raises is ignored.

    The timer is left running on success: loading shares the first input's time window.
    """
    for loader in _LOADERS:
        try:
            transform = loader(source)
        except Exception:
            continue
        if transform is not None:
            _arm(timeout)
            return transform, None
    namespace = {"__name__": "__arc_program__", "__builtins__": __builtins__, **program_globals()}
    try:
        try:
            _arm(timeout)
            code, shared, names = _compiled(source)
            if shared:
                guard.full_check = True
            if "random" in names:
                random.seed(0)  # a program's randomness does not depend on its worker's history
                np.random.seed(0)
            exec(code, namespace)
            transform = namespace.get("transform")
            if callable(transform):
                return transform, None
            _disarm()
            return None, (ERROR, "the program defines no function `transform(grid)`")
        except _Timeout:
            raise
        except BaseException as exc:  # the program may raise anything, SystemExit included
            _disarm()
            return None, _failure(exc)
    except _Timeout:
        return None, (TIMEOUT, "the program's module-level code ran past the timeout")


def _call(transform, grid: list[list[int]]) -> tuple[str, list | None, str]:
    """Run ``transform`` on one input (the timer is already armed); its packed output or why
    there is none."""
    try:
        try:
            out, why = packed_output(transform(grid))
            _disarm()
            return (OK, out, "") if out is not None else (INVALID, None, why)
        except _Timeout:
            raise
        except BaseException as exc:
            _disarm()
            status, message = _failure(exc)
            return status, None, message
    except _Timeout:
        return TIMEOUT, None, "ran past the timeout"


FLUSH_AFTER = 0.05


def task_inputs(field: int | list, cache: dict[int, tuple]) -> tuple:
    """A job's input grids: ``key`` names grids sent before; ``[key, grids(, 1 = clear first)]``
    brings new ones. Kept as tuples so that no program can change them for the next one."""
    if type(field) is int:
        return cache[field]
    if len(field) > 2:
        cache.clear()
    grids = cache[field[0]] = tuple(tuple(map(tuple, grid)) for grid in field[1])
    return grids


def run_job(job: list, timeout: float, send, guard: StateGuard, progress, inputs: tuple) -> list:
    """Run one job; send early results when it is slow; return the results not yet sent."""
    job_id, source, indices, _ = job
    progress[0], progress[1] = job_id, indices[0]
    if _ON_DEMAND and import_on_demand(source, guard):
        send([job_id, 0, [], None])  # the import took time: the parent's deadline starts afresh
    if _handler(signal.SIGALRM) is not _on_alarm:  # a program replaced the handler
        signal.signal(signal.SIGALRM, _on_alarm)
    began = last_sent = time.perf_counter()
    transform, failed = _load(source, timeout, guard)
    if failed is not None:
        status, message = failed
        return [[i, status, None, message, 0.0] for i in indices]
    results = []
    for k, i in enumerate(indices):
        progress[1] = i
        if k:
            _next_input(timeout)
        status, out, message = _call(transform, [list(row) for row in inputs[i]])
        now = time.perf_counter()
        results.append([i, status, out, message, round(now - began, 6)])
        began = now
        if now - last_sent > FLUSH_AFTER and k + 1 < len(indices):
            send([job_id, 0, results, None])
            results = []
            last_sent = now
    return results


# ---------------------------------------------------------------------------------- the guard


def _count(path: str) -> int:
    try:
        return len(os.listdir(path))
    except OSError:
        return -1


class StateGuard:
    """Resets cheap interpreter state between programs and detects what it cannot reset.

    Reset before every job: recursion limit, tracing, garbage collection, working directory,
    standard streams, numpy error and print settings, warning filters (and, for programs that name
    ``random``, the seeds of ``random`` and ``numpy.random``, when the program is loaded).

    Detected after a job (the worker is then replaced): new modules, a changed ``__code__`` or
    defaults of an existing function (audit hook), and — for programs that
    :func:`may_change_shared_state` — any changed attribute of an existing module or class
    (``numpy.array = ...``, ``builtins.len = ...``), changed ``sys.modules``/import machinery or
    environment variables, threads or file descriptors left behind, files left in the temporary
    directory. The full comparison costs about a millisecond, so only those programs pay for it.
    """

    def __init__(self, tmpdir: str, stdout) -> None:
        self.tmpdir = tmpdir
        self.stdout = stdout
        self.stdin = sys.stdin
        self.recursion_limit = sys.getrecursionlimit()
        self.np_err = np.geterr()
        self.np_print = np.get_printoptions()
        self.warning_filters = list(warnings.filters)
        self.patched: str | None = None
        self.full_check = False
        self.snapshot()
        sys.addaudithook(self._audit)

    def snapshot(self) -> None:
        """Record the state later programs must find unchanged (again after an import on demand)."""
        self.module_names = list(sys.modules)
        self.modules = list(sys.modules.values())
        namespaces: list[tuple[str, dict]] = []
        seen: set[int] = set()
        functions: set[int] = set()
        for name, module in zip(self.module_names, self.modules, strict=True):
            namespace = getattr(module, "__dict__", None)
            if type(namespace) is not dict or id(namespace) in seen:
                continue
            seen.add(id(namespace))
            namespaces.append((name, namespace))
            for value in namespace.values():
                if isinstance(value, types.FunctionType):
                    functions.add(id(value))
                elif isinstance(value, type) and not value.__flags__ & _IMMUTABLE_TYPE:
                    referents = gc.get_referents(vars(value))
                    if (
                        len(referents) == 1
                        and type(referents[0]) is dict
                        and id(referents[0]) not in seen
                    ):
                        seen.add(id(referents[0]))
                        namespaces.append((f"{name}.{value.__qualname__}", referents[0]))
                        functions.update(
                            id(v)
                            for v in referents[0].values()
                            if isinstance(v, types.FunctionType)
                        )
        self.namespaces = [(name, d, list(d), list(d.values())) for name, d in namespaces]
        self.functions = functions
        self.sys_lists = {
            name: list(getattr(sys, name)) for name in ("path", "meta_path", "path_hooks")
        }
        self.environ = dict(os.environ)
        self.threads = _count("/proc/self/task")
        self.fds = _count("/proc/self/fd")

    def _audit(self, event: str, args: tuple) -> None:
        if event == "object.__setattr__" and self.patched is None and id(args[0]) in self.functions:
            self.patched = f"changed {args[1]} of function {args[0].__qualname__}"

    def reset(self) -> None:
        self.full_check = False
        if sys.getrecursionlimit() != self.recursion_limit:
            sys.setrecursionlimit(self.recursion_limit)
        if sys.gettrace() is not None:
            sys.settrace(None)
        if sys.getprofile() is not None:
            sys.setprofile(None)
        if not gc.isenabled():
            gc.enable()
        if os.getcwd() != self.tmpdir:
            os.chdir(self.tmpdir)
        sys.stdout = sys.stderr = self.stdout
        sys.stdin = self.stdin
        if np.geterr() != self.np_err:
            np.seterr(**self.np_err)
        if np.get_printoptions() != self.np_print:
            np.set_printoptions(**self.np_print)
        if warnings.filters != self.warning_filters:
            warnings.filters[:] = self.warning_filters

    def check(self) -> str | None:
        """Why this worker must not run another program, or None."""
        if self.patched:
            return self.patched
        if len(sys.modules) != len(self.modules):
            known = set(self.module_names)
            new = sorted(name for name in list(sys.modules) if name not in known)
            return "imported " + ",".join(new) if new else "removed modules from sys.modules"
        if not self.full_check:
            return None
        if not all(map(operator.is_, sys.modules.values(), self.modules)):
            return "replaced a module in sys.modules"
        for name, namespace, keys, values in self.namespaces:
            if len(namespace) != len(values) or not all(
                map(operator.is_, namespace.values(), values)
            ):
                return f"changed {name}.{_first_difference(namespace, keys, values)}"
        for name, saved in self.sys_lists.items():
            current = getattr(sys, name)
            if len(current) != len(saved) or not all(map(operator.is_, current, saved)):
                return f"changed sys.{name}"
        if os.environ != self.environ:
            return "changed environment variables"
        if _count("/proc/self/task") > self.threads:
            return "left a thread running"
        if _count("/proc/self/fd") > self.fds:
            return "left a file descriptor open"
        if os.listdir(self.tmpdir):
            return "left files in its temporary directory"
        return None


_IMMUTABLE_TYPE = 1 << 8  # Py_TPFLAGS_IMMUTABLETYPE: C types whose attributes cannot be set


def _first_difference(namespace: dict, keys: list, values: list) -> str:
    before = dict(zip(keys, values, strict=True))
    for key, value in namespace.items():
        if key not in before or before[key] is not value:
            return str(key)
    return next((str(key) for key in keys if key not in namespace), "?")


# ----------------------------------------------------------------------------------------- main


class _NullWriter(io.TextIOBase):
    """``sys.stdout``/``sys.stderr`` for programs: accepts any text and keeps none of it."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        return len(text)


def _preload(names: list[str]) -> list[str]:
    """Import ``names``, collecting their program loaders (see :func:`_load`); the modules that
    could not be imported, with why."""
    missing = []
    for name in names:
        try:
            module = importlib.import_module(name)
        except Exception as exc:  # an optional module that is not installed
            missing.append(f"{name}: {type(exc).__name__}")
            continue
        loader = getattr(module, LOADER_ATTRIBUTE, None)
        if callable(loader):
            _LOADERS.append(loader)
    return missing


_ON_DEMAND: dict[str, str] = {}
"""A name a program may import (an on-demand module or a package above it) -> that module."""


def offer_on_demand(names: list[str]) -> None:
    """Let programs import ``names`` without their worker being replaced (see
    :func:`import_on_demand`); modules already imported need nothing."""
    for module in names:
        if module not in sys.modules:
            parts = module.split(".")
            for i in range(1, len(parts) + 1):
                _ON_DEMAND.setdefault(".".join(parts[:i]), module)


def import_on_demand(source: str, guard: StateGuard) -> bool:
    """Before a program runs, import the on-demand modules it names, as if preloaded: outside its
    time limit and state checks (the guard's snapshot then includes them). Whether any was.

    A program names a module by importing it or a package above it (``import soar`` counts too:
    importing more than needed is harmless for such modules, which must have no side effects).
    """
    if not any(name in source for name in _ON_DEMAND):  # a text test first: most programs pass
        return False
    try:
        names = _compiled(source)[2]
    except Exception:  # the program's own load reports why it does not compile
        return False
    wanted = {_ON_DEMAND[name] for name in names if name in _ON_DEMAND}
    if not wanted:
        return False
    for name, module in list(_ON_DEMAND.items()):
        if module in wanted:
            del _ON_DEMAND[name]
    _preload(sorted(wanted))  # one that fails to import fails the program's own import
    guard.snapshot()
    gc.freeze()
    return True


def main() -> None:
    config = json.loads(sys.argv[1])
    job_fd, result_fd, tmpdir = config["job_fd"], config["result_fd"], config["tmpdir"]
    progress = memoryview(mmap.mmap(config["progress_fd"], 16)).cast("q")
    timeout = float(config["timeout"])

    outbox: list[bytes] = []  # finished jobs' results, held back while more jobs are waiting

    def flush() -> None:
        if outbox:
            _wire.write_all(result_fd, _wire.frame(outbox))
            outbox.clear()

    def send(message: object) -> None:
        outbox.append(_wire.encode(message))
        flush()

    poller = select.poll()
    poller.register(job_fd, select.POLLIN)

    try:
        _sandbox.die_with_parent()
        os.chdir(tmpdir)
        sys.dont_write_bytecode = True
        missing = _preload(config["preload"])
        program_globals()  # imported now, so that no program is blamed for importing them
        offer_on_demand(config["on_demand"])
        devnull = _NullWriter()
        sys.stdout = sys.stderr = devnull
        sys.stdin = open(os.devnull)  # noqa: SIM115
        signal.signal(signal.SIGALRM, _on_alarm)
        layers, problems = (
            _sandbox.apply(tmpdir, config["memory_mb"]) if config["sandbox"] else ([], ["disabled"])
        )
        guard = StateGuard(tmpdir, devnull)
        gc.freeze()  # what is loaded now lives as long as the worker: keep it out of collections
    except BaseException as exc:  # report why the worker cannot start, then die
        send(["fatal", f"{type(exc).__name__}: {exc}"])
        raise
    send(["ready", os.getpid(), layers, problems, missing])
    held_since = 0.0
    cache: dict[int, tuple] = {}
    jobs: collections.deque[list] = collections.deque()  # received, not started
    while True:
        # Results go back in batches (fewer wake-ups for the parent) but never wait while this
        # worker idles, never for more than FLUSH_AFTER seconds and never more than 8 at a time.
        if outbox and (
            len(outbox) >= 8
            or time.perf_counter() - held_since > FLUSH_AFTER
            or not (jobs or poller.poll(0))
        ):
            flush()
        while not jobs:
            received = _wire.read_frame(job_fd)
            if received is None:  # the parent closed the pipe: we are done
                flush()
                return
            jobs.extend(received)
        job = jobs.popleft()
        guard.reset()
        inputs = task_inputs(job[3], cache)
        results = run_job(job, timeout, send, guard, progress, inputs)
        taint = guard.check()
        if not outbox:
            held_since = time.perf_counter()
        outbox.append(_wire.encode([job[0], 1, results, taint]))
        if taint is not None:
            flush()
            os._exit(0)


if __name__ == "__main__":
    main()
