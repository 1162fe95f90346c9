"""Grid primitives for ``transform`` programs, and their registry.

Generated programs use them as ``from soar.agents.dsl.primitives import *`` (which also brings ``np``)::

    from soar.agents.dsl.primitives import *

    def transform(grid):
        return flip_h(np.array(grid)).tolist()

Every primitive takes a grid — a 2-D integer array of colours 0..9, 1x1 to 30x30 (lists of lists
are accepted too) — and the parameters its :class:`Primitive` entry names, and returns a new 2-D
int64 array; the input is never changed. Impossible arguments (a crop of an empty grid, a scale
that does not divide the size, a colour outside 0..9) raise ``ValueError``. Results may be larger
than 30x30 where the input allows it (``scale_up`` of a large grid): callers validate.

Colour 0 is the background. Objects are connected components of non-background cells.

The registry: :data:`PRIMITIVES` maps each name to a :class:`Primitive` (``name``, ``fn``,
``params``, ``doc``); ``params`` lists the kind of each parameter after the grid, a key of
:data:`PARAM_KINDS`, which gives the finite domain of each kind (``None`` for the colour kinds,
drawn from the task). A sampler calls ``PRIMITIVES[name].fn(grid, *args)`` with one argument per
kind. The entries come in a fixed order (geometry, tiling, colour, objects, lines, parts, patterns;
each module's in source order), whatever was imported first.

The primitives live in the ``primitives_*`` modules beside this one; like this module they import
only numpy, scipy and the standard library, since generated programs import them inside sandboxed
executor workers.
"""

from __future__ import annotations

import inspect as _inspect

import numpy as np

from .fast_load import load_worker_program as __arc_program_loader__  # noqa: F401 (executor hook)

# The registry, re-exported; `import *` brings only the primitives and np (see __all__).
from .primitives_base import PARAM_KINDS as PARAM_KINDS
from .primitives_base import PRIMITIVES as PRIMITIVES
from .primitives_base import Primitive as Primitive
from .primitives_base import primitive as primitive
from .primitives_colour import (
    colours_by_count,
    colours_by_size,
    count_cells_col,
    count_cells_row,
    count_objects_col,
    count_objects_row,
    fill_background,
    invert,
    keep_colour,
    least_common_colour,
    most_common_colour,
    recolour,
    recolour_foreground,
    recolour_to_least_common,
    recolour_to_most_common,
    remove_colour,
    swap_colours,
)
from .primitives_geometry import (
    anti_transpose,
    crop_to_colour,
    crop_to_content,
    dedup_cols,
    dedup_rows,
    draw_border,
    flip_h,
    flip_v,
    gravity,
    half,
    pad_border,
    roll,
    rotate_90,
    rotate_180,
    rotate_270,
    shift,
    strip_border,
    transpose,
)
from .primitives_lines import (
    bridge_same_colour,
    connect_same_colour,
    continue_lines,
    cross_lines,
    extend,
    extend_colour,
)
from .primitives_object_rules import object_rule, stamp_rule
from .primitives_objects import (
    crop_colour_object,
    crop_object,
    crop_object8,
    crop_object_most,
    fill_enclosed,
    fill_largest_rectangle,
    fill_object_boxes,
    hollow,
    keep_object,
    keep_object8,
    outline,
    recolour_by_size_rank,
    recolour_large_objects,
    recolour_object,
    remove_noise,
    remove_object,
    remove_object8,
    remove_small_objects,
)
from .primitives_parts import (
    combine_halves,
    combine_parts,
    crop_block,
    downscale_parts,
    overlay_halves,
    overlay_parts,
    remove_separators,
    unique_part,
)
from .primitives_patterns import (
    complete_pattern,
    complete_pattern_patch,
    symmetry_diag,
    symmetry_h,
    symmetry_hv,
    symmetry_rot90,
    symmetry_rot180,
    symmetry_v,
)
from .primitives_regions import (
    attract,
    colour_empty_lines,
    copy_onto,
    fill_colour_boxes,
    move_objects,
    move_onto,
    recolour_by_nearest,
    recolour_enclosing,
    reverse_rings,
)
from .primitives_rules import cell_rule, relative_cell_rule
from .primitives_tiling import (
    fractal,
    fractal_inverted,
    fractal_of_colour,
    mirror_4,
    mirror_h,
    mirror_v,
    scale_by_colour_count,
    scale_by_foreground_count,
    scale_down,
    scale_down_sample,
    scale_up,
    tile,
    tile_by_colour_count,
    tile_by_size,
    tile_h,
    tile_rotations,
    tile_unit,
    tile_v,
)

# The registry in a fixed order, whichever primitives module was imported first: geometry, tiling,
# colour, objects, lines, parts, patterns, regions, each in source order (a seeded sampler relies on the order).
_MODULES = ("geometry", "tiling", "colour", "objects", "lines", "parts", "patterns", "regions")
_ordered = sorted(
    PRIMITIVES.values(),
    key=lambda p: (
        _MODULES.index(p.fn.__module__.rsplit("_", 1)[1]),
        _inspect.unwrap(p.fn).__code__.co_firstlineno,  # colour primitives are wrapped
    ),
)
PRIMITIVES.clear()
PRIMITIVES.update((p.name, p) for p in _ordered)
del _ordered

__all__ = [
    "np",
    # Rules are learned from a task's train pairs (see .rules, .object_rules), not drawn: they
    # are not in the registry.
    "cell_rule",
    "relative_cell_rule",
    "object_rule",
    "stamp_rule",
    "tile_unit",
    "recolour_enclosing",
    "move_objects",
    "attract",
    "copy_onto",
    "move_onto",
    "recolour_by_nearest",
    "fill_colour_boxes",
    "continue_lines",
    "reverse_rings",
    "bridge_same_colour",
    "colours_by_size",
    "colours_by_count",
    "colour_empty_lines",
    "anti_transpose",
    "combine_halves",
    "combine_parts",
    "complete_pattern",
    "complete_pattern_patch",
    "connect_same_colour",
    "count_cells_col",
    "count_cells_row",
    "count_objects_col",
    "count_objects_row",
    "crop_block",
    "crop_colour_object",
    "crop_object",
    "crop_object8",
    "crop_object_most",
    "crop_to_colour",
    "crop_to_content",
    "cross_lines",
    "dedup_cols",
    "dedup_rows",
    "downscale_parts",
    "draw_border",
    "extend",
    "extend_colour",
    "fill_background",
    "fill_enclosed",
    "fill_largest_rectangle",
    "fill_object_boxes",
    "flip_h",
    "flip_v",
    "fractal",
    "fractal_inverted",
    "fractal_of_colour",
    "gravity",
    "half",
    "hollow",
    "invert",
    "keep_colour",
    "keep_object",
    "keep_object8",
    "least_common_colour",
    "mirror_4",
    "mirror_h",
    "mirror_v",
    "most_common_colour",
    "outline",
    "overlay_halves",
    "overlay_parts",
    "pad_border",
    "recolour",
    "recolour_by_size_rank",
    "recolour_large_objects",
    "recolour_foreground",
    "recolour_object",
    "recolour_to_least_common",
    "recolour_to_most_common",
    "remove_colour",
    "remove_noise",
    "remove_object",
    "remove_object8",
    "remove_separators",
    "remove_small_objects",
    "roll",
    "rotate_180",
    "rotate_270",
    "rotate_90",
    "scale_by_colour_count",
    "scale_by_foreground_count",
    "scale_down",
    "scale_down_sample",
    "scale_up",
    "shift",
    "strip_border",
    "swap_colours",
    "symmetry_diag",
    "symmetry_h",
    "symmetry_hv",
    "symmetry_rot180",
    "symmetry_rot90",
    "symmetry_v",
    "tile",
    "tile_by_colour_count",
    "tile_by_size",
    "tile_h",
    "tile_rotations",
    "tile_v",
    "transpose",
    "unique_part",
]
