"""The primitive registry, the parameter kinds and the helpers the primitive modules share.

Imports only numpy, scipy and the standard library: generated programs import the primitives
inside sandboxed executor workers. Module-level state is immutable (tuples) or never read by a
primitive at call time (the registry), so a program that changes it cannot change what primitives
compute for later programs in the same worker.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NoReturn, TypeVar

import numpy as np
from scipy import ndimage

BACKGROUND = 0
"""The background colour: primitives treat every other colour as foreground."""

MAX_REPEAT = 30
"""The largest ``count`` or ``factor`` a primitive accepts (the sampler draws far smaller ones)."""

PARAM_KINDS: dict[str, tuple | None] = {
    "colour": None,
    "colour_from": None,
    "colour_to": None,
    "count": (1, 2, 3, 4, 5),
    "factor": (2, 3, 4, 5),
    "direction": ("up", "down", "left", "right"),
    "selector": (
        "largest",
        "smallest",
        "most_common_colour",
        "least_common_colour",
        "unique_colour",
        "top_left",
        "bottom_right",
        "unique_shape",
        "symmetric",
        "asymmetric",
        "most_colours",
        "most_rare_cells",
    ),
    "combine": ("and", "or", "xor", "left_minus_right", "neither"),
    "axis": ("horizontal", "vertical"),
}
"""Every parameter kind and its finite domain; ``None`` for colour kinds, which the sampler draws
from the task:

- ``colour``: a colour 0..9 that a primitive paints with, keeps, removes or looks for.
- ``colour_from``, ``colour_to``: the two colours of a map (``recolour``, ``swap_colours``): one
  present in the input, and the one it becomes.

  Every colour kind also takes a *colour role* (:data:`COLOUR_ROLES`), a colour named by what
  it is in the grid the primitive is given: ``most_common`` and ``least_common`` (of the colours
  present), ``most_common_fg`` and ``least_common_fg`` (of those but the background); ties go
  to the smallest colour (see :func:`role_colour`). A rule whose colour changes from pair to
  pair ("the rarest colour") is then one program.
- ``count``: a small number of cells (1..5).
- ``factor``: a scale or repetition factor (2..5).
- ``direction``: ``up``, ``down``, ``left`` or ``right``.
- ``selector``: which object to pick (see :func:`~soar.agents.dsl.selection.select_object`).
- ``combine``: how to combine the parts of a split grid cell by cell (a cell counts when it is
  not background): ``and`` (in every part), ``or`` (in any), ``xor`` (in exactly one),
  ``left_minus_right`` (in the first part and in no other), ``neither`` (in no part).
- ``axis``: how parts lie: ``horizontal`` side by side (left and right), ``vertical`` one above
  the other (top and bottom).

Primitives check their arguments when called: colours must be 0..9 or a colour role, counts and
factors 1..30, and the other kinds one of the values listed here (anything else raises
``ValueError``).
"""

COLOUR_KINDS = ("colour", "colour_from", "colour_to")
"""The parameter kinds whose values are colours (drawn from the task; colour roles too)."""
COLOUR_ROLES = ("most_common", "least_common", "most_common_fg", "least_common_fg")
"""The colour roles every colour parameter takes besides 0..9 (see :func:`role_colour`)."""


@dataclass(frozen=True)
class Primitive:
    """A registered primitive: ``fn(grid, *args)`` with one argument per entry of ``params``.

    Attributes:
        name: the function's name, as generated programs call it.
        fn: the function; it takes a 2-D integer array and the parameters, in order.
        params: the kind (a key of :data:`PARAM_KINDS`) of each parameter after the grid.
        doc: the first line of the function's docstring.
    """

    name: str
    fn: Callable[..., np.ndarray]
    params: tuple[str, ...]
    doc: str


PRIMITIVES: dict[str, Primitive] = {}
"""Every primitive by name. Read it from :mod:`soar.agents.dsl.primitives`, which imports every
primitive module and puts the entries in a fixed order."""

_F = TypeVar("_F", bound=Callable[..., np.ndarray])


def primitive(*params: str) -> Callable[[_F], _F]:
    """Register the decorated function in :data:`PRIMITIVES` with parameter kinds ``params``.

    The function is registered and returned as it is, except that a primitive with colour
    parameters (:data:`COLOUR_KINDS`) is wrapped to accept a colour role there: the role is
    resolved on the grid the primitive is given (:func:`role_colour`) before it runs.

    Args:
        *params: the kind of each parameter after the grid, keys of :data:`PARAM_KINDS`.

    Raises:
        ValueError: for an unknown kind or a name registered before.
    """
    for kind in params:
        if kind not in PARAM_KINDS:
            raise ValueError(
                f"unknown parameter kind {kind!r}; expected one of {list(PARAM_KINDS)}"
            )

    def register(fn: _F) -> _F:
        name = fn.__name__
        if name in PRIMITIVES:
            raise ValueError(f"primitive {name!r} is registered twice")
        doc = (fn.__doc__ or "").strip().split("\n", 1)[0]
        slots = [j for j, kind in enumerate(params) if kind in COLOUR_KINDS]
        if slots:
            fn = _with_roles(fn, slots)
        PRIMITIVES[name] = Primitive(name, fn, tuple(params), doc)
        return fn

    return register


def _with_roles(fn: _F, slots: list[int]) -> _F:
    """``fn``, taking a colour role wherever parameter ``j`` (after the grid) is a colour, for
    ``j`` in ``slots``."""
    names = list(inspect.signature(fn).parameters)[1:]
    by_name = {names[j] for j in slots}

    @functools.wraps(fn)
    def with_roles(grid: Any, *args: Any, **kwargs: Any) -> np.ndarray:
        for j in slots:
            if j < len(args) and isinstance(args[j], str):
                args = (*args[:j], role_colour(grid, args[j]), *args[j + 1 :])
        if kwargs:  # programs pass arguments by position: keep their calls cheap
            for key in by_name.intersection(kwargs):
                if isinstance(kwargs[key], str):
                    kwargs[key] = role_colour(grid, kwargs[key])
        return fn(grid, *args, **kwargs)

    return with_roles  # type: ignore[return-value]


def role_colour(grid: Any, role: str) -> int:
    """The colour that ``role`` (one of :data:`COLOUR_ROLES`) names in ``grid``.

    ``most_common`` and ``least_common`` count every colour present; the ``_fg`` roles leave
    the background out. Ties go to the smallest colour.

    Raises:
        ValueError: for an unknown role, a grid that is not one, or an ``_fg`` role on a grid
            that has only the background.

    >>> grid = [[0, 0, 0], [3, 3, 5]]
    >>> [role_colour(grid, role) for role in COLOUR_ROLES]
    [0, 5, 3, 5]
    """
    if role not in COLOUR_ROLES:
        raise ValueError(
            f"colour: expected an integer 0..9 or a colour role {list(COLOUR_ROLES)}, got {role!r}"
        )
    try:
        return ranked_colour(as_grid(grid), role.startswith("most"), role.endswith("_fg"))
    except ValueError as err:
        raise ValueError(f"{role}: {err}") from None


def ranked_colour(grid: np.ndarray, most: bool, foreground: bool) -> int:
    """The most (``most``) or least common colour present in ``grid``, among its colours but the
    background with ``foreground``; the smallest on ties.

    Raises:
        ValueError: with ``foreground``, for a grid that has only the background.

    >>> ranked_colour(np.array([[0, 0, 0], [3, 3, 5]]), most=True, foreground=True)
    3
    """
    counts = colour_counts(grid)
    if foreground:
        counts[BACKGROUND] = 0
        if not counts.any():
            raise ValueError("the grid has no colour but the background")
    if most:
        return int(counts.argmax())
    return int(np.where(counts > 0, counts, counts.max() + 1).argmin())


# ------------------------------------------------------------------------------ argument checks


def as_grid(grid: Any) -> np.ndarray:
    """A fresh int64 copy of ``grid``, checked to be a non-empty 2-D array of colours 0..9.

    Args:
        grid: a 2-D integer numpy array or a list of equal-length lists of ints.

    Returns:
        The copy: primitives may write to it and return it (or views of it).

    Raises:
        ValueError: if ``grid`` is not a non-empty 2-D grid of integers 0..9.

    >>> as_grid([[1, 2], [3, 4]]).tolist()
    [[1, 2], [3, 4]]
    >>> as_grid([[1, 12]])
    Traceback (most recent call last):
    ...
    ValueError: grid: expected colours 0..9, got values from 1 to 12
    """
    try:
        array = np.array(grid)
    except ValueError as exc:  # ragged rows
        raise ValueError(f"grid: expected equal-length rows ({exc})") from None
    if array.ndim != 2 or array.size == 0:
        raise ValueError(f"grid: expected a non-empty 2-D array, got shape {array.shape}")
    if array.dtype == np.int64:  # the usual case: one pass, negative values read as huge ones
        if array.view(np.uint64).max() > 9:
            _bad_colours(array)
        return array  # np.array copied it
    if array.dtype.kind not in "iu":
        raise ValueError(f"grid: expected integer cells, got dtype {array.dtype}")
    if array.min() < 0 or array.max() > 9:  # before the cast could wrap a value around
        _bad_colours(array)
    return array.astype(np.int64)


def _bad_colours(array: np.ndarray) -> NoReturn:
    low, high = int(array.min()), int(array.max())
    raise ValueError(f"grid: expected colours 0..9, got values from {low} to {high}")


def check_colour(value: Any) -> int:
    """``value`` as a colour 0..9.

    Raises:
        ValueError: if ``value`` is not an integer 0..9.

    >>> check_colour(3)
    3
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value <= 9:
        raise ValueError(
            f"colour: expected an integer 0..9 (or a colour role {list(COLOUR_ROLES)}, which "
            f"primitives resolve on their grid), got {value!r}"
        )
    return int(value)


def check_repeat(value: Any, kind: str) -> int:
    """``value`` as a ``count`` or ``factor``: an integer 1..:data:`MAX_REPEAT`.

    Raises:
        ValueError: if ``value`` is not such an integer.

    >>> check_repeat(2, "factor")
    2
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, np.integer))
        or not 1 <= value <= MAX_REPEAT
    ):
        raise ValueError(f"{kind}: expected an integer 1..{MAX_REPEAT}, got {value!r}")
    return int(value)


def check_choice(value: Any, kind: str) -> str:
    """``value`` checked to be in the finite domain of ``kind``.

    Raises:
        ValueError: if it is not.

    >>> check_choice("up", "direction")
    'up'
    >>> check_choice("north", "direction")
    Traceback (most recent call last):
    ...
    ValueError: direction: expected one of ('up', 'down', 'left', 'right'), got 'north'
    """
    domain = _DOMAINS[kind]
    if not isinstance(value, str) or value not in domain:
        raise ValueError(f"{kind}: expected one of {domain}, got {value!r}")
    return value


# what check_choice reads: a copy programs cannot change (PARAM_KINDS is a plain dict)
_DOMAINS = MappingProxyType({k: v for k, v in PARAM_KINDS.items() if v is not None})


# -------------------------------------------------------------------------------------- helpers


def in_direction(
    grid: np.ndarray, direction: str, fn: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """Apply ``fn``, written for ``down`` (along axis 0, towards higher rows), in ``direction``.

    >>> in_direction(np.array([[1, 2]]), "left", lambda g: g * 10).tolist()
    [[10, 20]]
    """
    direction = check_choice(direction, "direction")
    if direction == "down":
        return fn(grid)
    if direction == "up":
        return fn(grid[::-1])[::-1]
    if direction == "right":
        return fn(grid.T).T
    return fn(grid[:, ::-1].T).T[:, ::-1]


def bounding_box(mask: np.ndarray, what: str) -> tuple[slice, slice]:
    """The row and column slices of the smallest rectangle holding every true cell of ``mask``.

    Raises:
        ValueError: if ``mask`` has no true cell (``what`` names what is missing).

    >>> bounding_box(np.array([[0, 0, 0], [0, 1, 1]], dtype=bool), "content")
    (slice(1, 2, None), slice(1, 3, None))
    """
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        raise ValueError(f"no {what} in the grid")
    cols = np.flatnonzero(mask.any(axis=0))
    return slice(int(rows[0]), int(rows[-1]) + 1), slice(int(cols[0]), int(cols[-1]) + 1)


_CROSS = ((0, 1, 0), (1, 1, 1), (0, 1, 0))  # tuples: no program can change them
_SQUARE = ((1, 1, 1), (1, 1, 1), (1, 1, 1))


def clipped(
    top: int, left: int, size: tuple[int, int], shape: tuple[int, int]
) -> tuple[tuple[slice, slice], tuple[slice, slice]]:
    """Where a patch of ``size`` placed with its corner at (``top``, ``left``) meets a grid of
    ``shape``: the grid's part it covers and the patch's part inside the grid (empty slices
    when it misses the grid).

    >>> clipped(-1, 2, (3, 3), (4, 4))
    ((slice(0, 2, None), slice(2, 4, None)), (slice(1, 3, None), slice(0, 2, None)))
    """
    y0, x0 = max(top, 0), max(left, 0)
    y1, x1 = min(top + size[0], shape[0]), min(left + size[1], shape[1])
    return (slice(y0, y1), slice(x0, x1)), (slice(y0 - top, y1 - top), slice(x0 - left, x1 - left))


def label(mask: np.ndarray, connectivity: int) -> tuple[np.ndarray, int]:
    """Connected components of ``mask``: (labels 1..n, 0 outside; n), numbered in reading order.

    The labels are read-only (they are kept for the next call with an equal mask).

    Args:
        mask: boolean array.
        connectivity: 4 (edge neighbours) or 8 (edge and corner neighbours).

    >>> label(np.array([[1, 0, 1], [0, 1, 0]], dtype=bool), 4)[1]
    3
    >>> label(np.array([[1, 0, 1], [0, 1, 0]], dtype=bool), 8)[1]
    1
    """
    mask = np.asarray(mask, dtype=bool)
    key = (mask.shape, connectivity, mask.tobytes())
    found = _LABELS.get(key)
    if found is None:
        labels, n = ndimage.label(mask, structure=_CROSS if connectivity == 4 else _SQUARE)
        labels.flags.writeable = False
        if len(_LABELS) >= MAX_LABELS:
            _LABELS.clear()
        found = _LABELS[key] = (labels, int(n))
    return found


_LABELS: dict[tuple, tuple[np.ndarray, int]] = {}
MAX_LABELS = 1024
"""Masks whose labelling :func:`label` keeps: programs of one task label the same few input
grids over and over (the results are read-only, so no caller can change what the next one gets)."""


def cell_sizes(mask: np.ndarray, connectivity: int) -> np.ndarray:
    """For each cell of ``mask``, the number of cells of its connected part (0 off the mask).

    >>> cell_sizes(np.array([[1, 1, 0, 2]]) != 0, 4).tolist()
    [[2, 2, 0, 1]]
    """
    labels, n = label(mask, connectivity)
    sizes = np.bincount(labels.ravel(), minlength=n + 1)
    sizes[0] = 0
    return sizes[labels]


def colours_of(grid: np.ndarray) -> list[int]:
    """The colours present in ``grid`` (an integer array of colours 0..9), smallest first: what
    ``np.unique(grid).tolist()`` gives, in a tenth of its time.

    >>> colours_of(np.array([[0, 3, 3]])), colours_of(np.zeros((0,), dtype=np.int64))
    ([0, 3], [])
    """
    return np.flatnonzero(np.bincount(grid.ravel(), minlength=10)).tolist()


def colour_counts(grid: np.ndarray) -> np.ndarray:
    """How many cells of each colour 0..9 ``grid`` has.

    >>> colour_counts(np.array([[0, 3, 3]])).tolist()
    [1, 0, 0, 2, 0, 0, 0, 0, 0, 0]
    """
    return np.bincount(grid.ravel(), minlength=10)
