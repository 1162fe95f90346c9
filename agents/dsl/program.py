"""DSL programs: a sequence of primitive calls, and the Python source that runs them.

A program is a tuple of *steps*; each step is a primitive name and the tuple of its arguments
(after the grid), applied to the grid in order. The source is ordinary Python that the executor
runs like any other program. Its first line repeats the steps as JSON, so that a refinement can
recover the parent's steps without parsing Python:

>>> print(to_source((("flip", ("horizontal",)), ("recolour", (1, 2)))), end="")
# dsl: [["flip", ["horizontal"]], ["recolour", [1, 2]]]
from soar.agents.dsl.primitives import *
<BLANKLINE>
<BLANKLINE>
def transform(grid):
    g = np.array(grid)
    g = flip(g, 'horizontal')
    g = recolour(g, 1, 2)
    return g
>>> parse_source(to_source((("flip", ("horizontal",)),)))
(('flip', ('horizontal',)),)
"""

from __future__ import annotations

import json

Arg = int | str | tuple[tuple[int, ...], ...]
"""An argument value: a colour, count or factor (int), a name from a finite domain (str), or a
table of ints (rows of equal length; a learned cell or object rule, see
:mod:`~soar.agents.dsl.primitives_rules` and :mod:`~soar.agents.dsl.primitives_object_rules`)."""
Step = tuple[str, tuple[Arg, ...]]
"""One primitive call: the primitive's name and its arguments after the grid."""
Steps = tuple[Step, ...]
"""A whole program, applied first step first."""

HEADER = "# dsl: "
"""How the first line of a DSL program's source starts (the steps follow as JSON)."""
IMPORT = "from soar.agents.dsl.primitives import *"
"""The import line of every DSL program."""

_PRELUDE = f"{IMPORT}\n\n\ndef transform(grid):\n    g = np.array(grid)\n"
_RETURN = "    return g\n"  # an array: the executor checks and packs it without making lists


def _is_table(arg: object) -> bool:
    return (
        type(arg) is tuple
        and len(arg) > 0
        and all(type(row) is tuple and len(row) == len(arg[0]) for row in arg)
        and all(type(v) is int for row in arg for v in row)
    )


def _is_arg(arg: object) -> bool:
    return type(arg) is int or (type(arg) is str and arg.isidentifier()) or _is_table(arg)


def _as_arg(raw: object) -> object:
    """An argument from its JSON form (a table's rows come back as lists)."""
    if type(raw) is list:
        return tuple(tuple(row) if type(row) is list else row for row in raw)
    return raw


def _check_steps(steps: Steps) -> None:
    for step in steps:
        if not (isinstance(step, tuple) and len(step) == 2):
            raise ValueError(f"expected a step (name, args), got {step!r}")
        name, args = step
        if not (isinstance(name, str) and name.isidentifier()):
            raise ValueError(f"expected a primitive name, got {name!r}")
        if not isinstance(args, tuple) or not all(_is_arg(a) for a in args):
            raise ValueError(
                f"{name}: expected a tuple of int, name or int-table arguments, got {args!r}"
            )


def to_source(steps: Steps, *, check: bool = True) -> str:
    """The Python source of a DSL program.

    Args:
        steps: the program (may be empty: the source then returns the grid unchanged).
        check: validate the steps first (names are identifiers, arguments ints, identifier
            strings or tuples of equal-length tuples of ints), so that the source cannot be
            anything but a chain of primitive calls.

    Returns:
        Source defining ``transform(grid)``, headed by a ``# dsl:`` line with the steps as JSON.

    Raises:
        ValueError: ``check`` is set and a step is malformed.

    >>> compile(to_source(()), "<dsl>", "exec") is not None
    True
    """
    if check:
        _check_steps(steps)
    header = json.dumps([[name, list(args)] for name, args in steps])
    lines = [HEADER, header, "\n", _PRELUDE]
    for name, args in steps:
        lines.append(f"    g = {name}(g")
        for arg in args:
            lines.append(f", {arg!r}")
        lines.append(")\n")
    lines.append(_RETURN)
    return "".join(lines)


def parse_source(source: str) -> Steps | None:
    """The steps of a DSL program from its ``# dsl:`` header line.

    Args:
        source: any program source.

    Returns:
        The steps, or None when the source does not start with a well-formed header (a program
        that is not a DSL program, or one whose header was damaged).

    >>> parse_source("def transform(grid):\\n    return grid\\n") is None
    True
    >>> parse_source('# dsl: [["scale_up", [2]]]\\n')
    (('scale_up', (2,)),)
    """
    if not source.startswith(HEADER):
        return None
    line = source[len(HEADER) :].split("\n", 1)[0]
    try:
        raw = json.loads(line)
        steps = tuple((name, tuple(map(_as_arg, args))) for name, args in raw)
        _check_steps(steps)
    except (ValueError, TypeError):
        return None
    return steps


def describe(steps: Steps) -> str:
    """A one-line, human-readable form of a program, for logs and reports.

    >>> describe((("rotate", (1,)), ("crop_to_content", ())))
    'rotate(1) | crop_to_content()'
    >>> describe(())
    'identity'
    >>> describe((("cell_rule", ("count8", ((0, 1, 2), (1, 0, 1)))),))
    "cell_rule('count8', <2 rows>)"
    """
    if not steps:
        return "identity"

    def shown(arg: Arg) -> str:
        return f"<{len(arg)} rows>" if isinstance(arg, tuple) else repr(arg)

    return " | ".join(f"{name}({', '.join(map(shown, args))})" for name, args in steps)
