"""Two-step programs that say again what another program says, which the enumeration skips.

- a step repeated (``crop_to_content`` twice; a flip twice is nothing, a rotation twice another
  rotation);
- two rotations or mirrors (their composition is one of them);
- a colour map that works cell by cell (``recolour``, ``swap_colours``, ...) followed by a
  primitive that only moves cells (rotations, mirrors, scaling, tiling): the same program with
  the two steps the other way round is given instead.
"""

from __future__ import annotations

from .program import Step

ISOMETRIES = frozenset(
    {"rotate_90", "rotate_180", "rotate_270", "flip_h", "flip_v", "transpose", "anti_transpose"}
)
"""Primitives that turn or mirror the grid: any two make one of them (or nothing)."""
MOVERS = ISOMETRIES | {
    "scale_up",
    "tile",
    "tile_h",
    "tile_v",
    "mirror_h",
    "mirror_v",
    "mirror_4",
    "tile_rotations",
    "roll",
}
"""Primitives that only move or copy cells, whatever their colours."""
CELL_MAPS = frozenset(
    {
        "recolour",
        "swap_colours",
        "keep_colour",
        "remove_colour",
        "fill_background",
        "recolour_foreground",
    }
)
"""Primitives that map each cell's colour to a colour, cell by cell."""


def redundant(first: Step, second: Step) -> bool:
    """Whether the two-step program ``first, second`` says again what another program says.

    >>> redundant(("flip_h", ()), ("rotate_90", ()))
    True
    >>> redundant(("recolour", (1, 2)), ("flip_h", ())), redundant(("flip_h", ()), ("recolour", (1, 2)))
    (True, False)
    >>> redundant(("crop_to_content", ()), ("crop_to_content", ()))
    True
    """
    a, b = first[0], second[0]
    if first == second:
        return True
    if a in ISOMETRIES and b in ISOMETRIES:
        return True
    return a in CELL_MAPS and b in MOVERS
