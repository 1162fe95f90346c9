"""Every primitive on small hand-made grids, with outputs worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest
from soar.agents.dsl.primitives import PRIMITIVES

G23 = [[1, 2, 3], [4, 5, 6]]
G22 = [[1, 2], [3, 4]]
GRAVITY = [[1, 0, 2], [0, 3, 0], [4, 0, 0]]
# 4-connected objects: a 2x2 square of 1 (label 1), a 2 at (0, 4), 3s at (2, 3) and (3, 2);
# 8-connected, the two 3s form one object.
OBJECTS = [
    [1, 1, 0, 0, 2],
    [1, 1, 0, 0, 0],
    [0, 0, 0, 3, 0],
    [0, 0, 3, 0, 0],
]
# 4-connected: a vertical pair of 1, a single 1, a vertical pair of 2 (the only colour-2 object).
UNIQUE = [[1, 0, 1, 0, 2], [1, 0, 0, 0, 2]]
EXTEND = [[0, 1, 0, 0], [0, 0, 0, 2], [3, 0, 0, 0]]
HALVES = [[1, 0, 5, 2, 2], [0, 0, 5, 0, 2]]

CASES = [
    # rotations and flips
    ("rotate_90", (), G23, [[4, 1], [5, 2], [6, 3]]),
    ("rotate_180", (), G23, [[6, 5, 4], [3, 2, 1]]),
    ("rotate_270", (), G23, [[3, 6], [2, 5], [1, 4]]),
    ("flip_h", (), G23, [[3, 2, 1], [6, 5, 4]]),
    ("flip_v", (), G23, [[4, 5, 6], [1, 2, 3]]),
    ("transpose", (), G23, [[1, 4], [2, 5], [3, 6]]),
    ("anti_transpose", (), G23, [[6, 3], [5, 2], [4, 1]]),
    # scaling
    ("scale_up", (2,), [[1, 2], [3, 0]], [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 0, 0], [3, 3, 0, 0]]),
    ("scale_up", (3,), [[7]], [[7, 7, 7], [7, 7, 7], [7, 7, 7]]),
    (
        "scale_down",
        (2,),
        [[1, 1, 2, 2], [1, 0, 2, 2], [3, 3, 0, 0], [3, 4, 0, 5]],
        [[1, 2], [3, 0]],
    ),
    ("scale_down", (2,), [[1, 2], [2, 1]], [[1]]),  # a tie goes to the smaller colour
    ("scale_down", (3,), [[4, 4, 4], [4, 0, 4], [4, 4, 4]], [[4]]),
    (
        "scale_down_sample",
        (2,),
        [[1, 0, 2, 0], [0, 0, 0, 0], [3, 9, 4, 4], [9, 9, 4, 4]],
        [[1, 2], [3, 4]],
    ),
    # tiling and mirroring
    ("tile", (2,), [[1, 2]], [[1, 2, 1, 2], [1, 2, 1, 2]]),
    ("tile_h", (2,), [[1], [2]], [[1, 1], [2, 2]]),
    ("tile_v", (3,), [[1, 2]], [[1, 2], [1, 2], [1, 2]]),
    ("mirror_h", (), G22, [[1, 2, 2, 1], [3, 4, 4, 3]]),
    ("mirror_v", (), G22, [[1, 2], [3, 4], [3, 4], [1, 2]]),
    ("mirror_4", (), G22, [[1, 2, 2, 1], [3, 4, 4, 3], [3, 4, 4, 3], [1, 2, 2, 1]]),
    ("tile_rotations", (), G22, [[1, 2, 2, 4], [3, 4, 1, 3], [4, 3, 3, 1], [2, 1, 4, 2]]),
    ("scale_by_colour_count", (), [[1, 0]], [[1, 1, 0, 0], [1, 1, 0, 0]]),
    ("scale_by_colour_count", (), [[4]], [[4]]),
    ("scale_by_foreground_count", (), [[4]], [[4]]),
    (
        "scale_by_foreground_count",
        (),
        [[0, 4], [3, 0]],
        [[0, 0, 4, 4], [0, 0, 4, 4], [3, 3, 0, 0], [3, 3, 0, 0]],
    ),
    ("tile_by_colour_count", (), [[1, 0]], [[1, 0, 1, 0], [1, 0, 1, 0]]),
    ("tile_by_colour_count", (), [[2, 3, 4]], [[2, 3, 4] * 3] * 3),
    ("tile_by_size", (), [[1], [2]], [[1], [2], [1], [2]]),
    ("tile_by_size", (), [[1, 2]], [[1, 2, 1, 2]]),
    ("fractal", (), [[1, 0], [0, 2]], [[1, 0, 0, 0], [0, 2, 0, 0], [0, 0, 1, 0], [0, 0, 0, 2]]),
    ("fractal_of_colour", (5,), [[5, 2]], [[5, 2, 0, 0]]),
    ("fractal_of_colour", (2,), [[5, 2]], [[0, 0, 5, 2]]),
    (
        "fractal_inverted",
        (),
        [[3, 0], [0, 0]],
        [[0, 3, 0, 0], [3, 3, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]],
    ),
    # moving cells
    ("shift", ("down",), G22, [[0, 0], [1, 2]]),
    ("shift", ("up",), G22, [[3, 4], [0, 0]]),
    ("shift", ("left",), G22, [[2, 0], [4, 0]]),
    ("shift", ("right",), G22, [[0, 1], [0, 3]]),
    ("roll", ("down",), G22, [[3, 4], [1, 2]]),
    ("roll", ("right",), [[1, 2, 3]], [[3, 1, 2]]),
    ("roll", ("left",), [[1, 2, 3]], [[2, 3, 1]]),
    ("roll", ("up",), [[1], [2], [3]], [[2], [3], [1]]),
    ("gravity", ("down",), GRAVITY, [[0, 0, 0], [1, 0, 0], [4, 3, 2]]),
    ("gravity", ("up",), GRAVITY, [[1, 3, 2], [4, 0, 0], [0, 0, 0]]),
    ("gravity", ("left",), GRAVITY, [[1, 2, 0], [3, 0, 0], [4, 0, 0]]),
    ("gravity", ("right",), GRAVITY, [[0, 1, 2], [0, 0, 3], [0, 0, 4]]),
    ("dedup_rows", (), [[1, 2], [1, 2], [3, 4], [3, 4], [1, 2]], [[1, 2], [3, 4], [1, 2]]),
    ("dedup_cols", (), [[1, 1, 2, 2, 2], [3, 3, 4, 4, 4]], [[1, 2], [3, 4]]),
    ("dedup_cols", (), [[1, 1, 2], [3, 4, 4]], [[1, 1, 2], [3, 4, 4]]),
    # cropping and borders
    (
        "crop_to_content",
        (),
        [[0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 2, 0], [0, 0, 0, 0]],
        [[1, 0], [0, 2]],
    ),
    ("crop_to_colour", (3,), [[0, 3, 0, 0], [0, 0, 3, 1], [0, 0, 0, 0]], [[3, 0], [0, 3]]),
    ("pad_border", (3,), [[1, 2]], [[3, 3, 3, 3], [3, 1, 2, 3], [3, 3, 3, 3]]),
    (
        "strip_border",
        (),
        [[1, 1, 1, 1], [1, 2, 3, 1], [1, 4, 5, 1], [1, 1, 1, 1]],
        [[2, 3], [4, 5]],
    ),
    ("draw_border", (2,), [[0, 0, 0], [0, 5, 0], [0, 0, 0]], [[2, 2, 2], [2, 5, 2], [2, 2, 2]]),
    ("draw_border", (3,), [[0]], [[3]]),
    ("half", ("up",), [[1, 2], [3, 4], [5, 6]], [[1, 2]]),
    ("half", ("down",), [[1, 2], [3, 4], [5, 6]], [[5, 6]]),
    ("half", ("left",), [[1, 2, 3, 4]], [[1, 2]]),
    ("half", ("right",), [[1, 2, 3, 4]], [[3, 4]]),
    # symmetry completion
    ("symmetry_h", (0,), [[1, 2, 0, 0], [0, 3, 4, 0]], [[1, 2, 2, 1], [0, 3, 4, 0]]),
    ("symmetry_v", (5,), [[1, 2], [5, 5], [5, 3]], [[1, 2], [5, 5], [1, 3]]),
    ("symmetry_hv", (0,), [[1, 0, 0], [0, 0, 0], [0, 0, 2]], [[1, 0, 1], [0, 0, 0], [2, 0, 2]]),
    ("symmetry_rot180", (0,), [[1, 2, 3], [0, 0, 0], [0, 0, 0]], [[1, 2, 3], [0, 0, 0], [3, 2, 1]]),
    ("symmetry_rot90", (0,), [[1, 2, 0], [0, 5, 0], [0, 0, 0]], [[1, 2, 1], [2, 5, 2], [1, 2, 1]]),
    ("symmetry_diag", (0,), [[1, 2, 3], [0, 4, 5], [0, 0, 6]], [[1, 2, 3], [2, 4, 5], [3, 5, 6]]),
    ("complete_pattern", (0,), [[7, 1, 2, 1, 0]], [[7, 1, 2, 1, 7]]),  # a mirror off the centre
    ("complete_pattern", (0,), [[1, 2, 3, 1, 2, 3, 1, 0]], [[1, 2, 3, 1, 2, 3, 1, 2]]),  # a period
    (
        "complete_pattern",
        (5,),
        [[1, 2, 1, 2], [3, 4, 3, 4], [1, 2, 5, 5], [3, 4, 5, 5]],
        [[1, 2, 1, 2], [3, 4, 3, 4], [1, 2, 1, 2], [3, 4, 3, 4]],
    ),
    (
        "complete_pattern",
        (5,),
        [[5, 1, 2], [3, 4, 3], [2, 1, 5]],
        [[2, 1, 2], [3, 4, 3], [2, 1, 2]],
    ),
    (
        "complete_pattern",
        (0,),
        [[1, 2, 3], [2, 4, 5], [0, 5, 6]],
        [[1, 2, 3], [2, 4, 5], [3, 5, 6]],
    ),
    ("complete_pattern_patch", (0,), [[1, 2, 1, 2], [3, 4, 0, 0]], [[3, 4]]),
    ("complete_pattern_patch", (9,), [[1, 2, 3, 1, 2, 3], [4, 5, 6, 9, 9, 6]], [[4, 5]]),
    # colour maps
    ("recolour", (1, 3), [[1, 2], [1, 0]], [[3, 2], [3, 0]]),
    ("swap_colours", (1, 2), [[1, 2], [2, 0]], [[2, 1], [1, 0]]),
    ("keep_colour", (2,), [[1, 2], [2, 0]], [[0, 2], [2, 0]]),
    ("remove_colour", (2,), [[1, 2], [2, 0]], [[1, 0], [0, 0]]),
    ("fill_background", (7,), [[1, 0], [0, 2]], [[1, 7], [7, 2]]),
    ("recolour_foreground", (4,), [[1, 0], [3, 2]], [[4, 0], [4, 4]]),
    ("recolour_to_most_common", (), [[1, 2, 2], [0, 3, 0]], [[2, 2, 2], [0, 2, 0]]),
    ("recolour_to_least_common", (), [[1, 2, 2], [0, 3, 0]], [[1, 1, 1], [0, 1, 0]]),
    ("invert", (), [[0, 3], [3, 0]], [[3, 0], [0, 3]]),
    ("most_common_colour", (), [[0, 0, 0, 1], [2, 2, 0, 1], [2, 0, 0, 0]], [[2]]),
    ("least_common_colour", (), [[0, 0, 0, 1], [2, 2, 0, 1], [2, 0, 0, 0]], [[1]]),
    # counting
    ("count_objects_row", (1,), [[1, 0, 1], [0, 0, 0], [1, 1, 0]], [[1, 1, 1]]),
    ("count_objects_col", (1,), [[1, 0, 1], [0, 0, 0], [1, 1, 0]], [[1], [1], [1]]),
    ("count_cells_row", (1,), [[1, 0, 1], [0, 0, 0], [1, 1, 0]], [[1, 1, 1, 1]]),
    ("count_cells_col", (2,), [[2, 0, 2]], [[2], [2]]),
    # selected objects
    ("crop_object", ("largest",), OBJECTS, [[1, 1], [1, 1]]),
    ("crop_object", ("smallest",), OBJECTS, [[2]]),
    ("crop_object", ("top_left",), OBJECTS, [[1, 1], [1, 1]]),
    ("crop_object", ("bottom_right",), OBJECTS, [[3]]),
    ("crop_object", ("most_common_colour",), OBJECTS, [[1, 1], [1, 1]]),
    ("crop_object", ("least_common_colour",), OBJECTS, [[2]]),
    ("crop_object", ("unique_colour",), UNIQUE, [[2], [2]]),
    ("crop_object", ("largest",), [[1, 2, 0], [0, 0, 0], [3, 0, 0]], [[1, 2]]),  # two colours
    ("crop_object8", ("smallest",), OBJECTS, [[2]]),
    ("crop_object8", ("bottom_right",), OBJECTS, [[0, 3], [3, 0]]),
    ("crop_object8", ("unique_shape",), [[1, 0, 1, 0, 1], [0, 0, 0, 0, 1]], [[1], [1]]),
    ("crop_object8", ("unique_shape",), [[1, 0, 1, 0, 2]], [[2]]),  # alike but for colour
    ("crop_object", ("symmetric",), [[1, 1, 1, 0, 3], [1, 0, 0, 0, 0]], [[3]]),
    ("crop_object", ("asymmetric",), [[1, 1, 1, 0, 3], [1, 0, 0, 0, 3]], [[1, 1, 1], [1, 0, 0]]),
    # objects count mirror images in vertical and horizontal lines only: an L of three cells
    # (its own image in a diagonal) is asymmetric
    ("crop_object", ("symmetric",), [[1, 1, 0, 3], [0, 1, 0, 0]], [[3]]),
    # one-colour objects: the frame of 2s is one object, the 1s inside it are others
    (
        "crop_colour_object",
        ("largest",),
        [[2, 2, 2, 0], [2, 1, 2, 3], [2, 2, 2, 1]],
        [[2, 2, 2], [2, 1, 2], [2, 2, 2]],
    ),
    ("crop_colour_object", ("smallest",), [[2, 2, 2, 0], [2, 1, 2, 3], [2, 2, 2, 1]], [[1]]),
    ("crop_object_most", (3,), [[3, 3, 0, 1, 3], [0, 0, 0, 3, 3]], [[1, 3], [3, 3]]),
    # the 2s are the rarest colour: the object with the most of them, whatever its size
    (
        "crop_object",
        ("most_rare_cells",),
        [[1, 2, 0, 1, 1, 1], [2, 2, 0, 1, 2, 1]],
        [[1, 2], [2, 2]],
    ),
    # two 1s touch at a corner: one 8-connected object with two of the three 1s
    (
        "crop_object8",
        ("most_rare_cells",),
        [[1, 0, 0, 3, 3], [0, 1, 0, 3, 1], [0, 0, 0, 3, 3]],
        [[1, 0], [0, 1]],
    ),
    ("crop_object", ("most_colours",), [[1, 2, 0, 3], [0, 0, 0, 3]], [[1, 2]]),
    ("crop_object", ("most_colours",), [[1, 0, 3, 4], [1, 1, 0, 0]], [[3, 4]]),  # shape aside
    ("keep_object", ("largest",), OBJECTS, [[1, 1, 0, 0, 0], [1, 1, 0, 0, 0], [0] * 5, [0] * 5]),
    ("keep_object", ("unique_colour",), UNIQUE, [[0, 0, 0, 0, 2], [0, 0, 0, 0, 2]]),
    ("keep_object", ("most_common_colour",), UNIQUE, [[1, 0, 0, 0, 0], [1, 0, 0, 0, 0]]),
    (
        "keep_object8",
        ("bottom_right",),
        OBJECTS,
        [[0] * 5, [0] * 5, [0, 0, 0, 3, 0], [0, 0, 3, 0, 0]],
    ),
    (
        "remove_object",
        ("top_left",),
        OBJECTS,
        [[0, 0, 0, 0, 2], [0] * 5, [0, 0, 0, 3, 0], [0, 0, 3, 0, 0]],
    ),
    (
        "remove_object8",
        ("least_common_colour",),
        OBJECTS,
        [[1, 1, 0, 0, 0], [1, 1, 0, 0, 0], [0, 0, 0, 3, 0], [0, 0, 3, 0, 0]],
    ),
    (
        "recolour_object",
        ("smallest", 7),
        OBJECTS,
        [[1, 1, 0, 0, 7], [1, 1, 0, 0, 0], [0, 0, 0, 3, 0], [0, 0, 3, 0, 0]],
    ),
    # all objects
    (
        "remove_noise",
        (),
        [[1, 0, 0, 0], [0, 0, 2, 2], [3, 0, 0, 0], [0, 4, 0, 5]],
        [[0, 0, 0, 0], [0, 0, 2, 2], [3, 0, 0, 0], [0, 4, 0, 0]],
    ),
    (
        "recolour_large_objects",
        (2, 7),
        [[1, 1, 0, 2], [0, 0, 0, 2], [3, 3, 3, 0]],
        [[1, 1, 0, 2], [0, 0, 0, 2], [7, 7, 7, 0]],
    ),
    (
        "recolour_large_objects",
        (1, 5),
        [[1, 0], [0, 1]],
        [[1, 0], [0, 1]],
    ),  # 4-connected: single cells
    (
        "fill_object_boxes",
        (4,),
        [[1, 0, 0, 0], [0, 1, 0, 2], [0, 0, 0, 0]],
        [[1, 4, 0, 0], [4, 1, 0, 2], [0, 0, 0, 0]],
    ),
    (
        "remove_small_objects",
        (2,),
        [[1, 1, 0, 2], [0, 0, 0, 2], [3, 3, 3, 0], [0, 0, 0, 4]],
        [[0, 0, 0, 0], [0, 0, 0, 0], [3, 3, 3, 0], [0, 0, 0, 0]],
    ),
    (
        "remove_small_objects",
        (1,),
        [[1, 1, 0, 2], [0, 0, 0, 2], [3, 3, 3, 0], [0, 0, 0, 4]],
        [[1, 1, 0, 2], [0, 0, 0, 2], [3, 3, 3, 0], [0, 0, 0, 0]],
    ),
    (
        "recolour_by_size_rank",
        (),
        [[5, 5, 5, 0, 5], [0, 0, 0, 0, 5], [5, 0, 5, 0, 0]],
        [[1, 1, 1, 0, 2], [0, 0, 0, 0, 2], [3, 0, 3, 0, 0]],
    ),
    ("recolour_by_size_rank", (), [[0, 0]], [[0, 0]]),
    (
        "hollow",
        (),
        [[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1], [0, 2, 0, 0]],
        [[1, 1, 1, 1], [1, 0, 0, 1], [1, 1, 1, 1], [0, 2, 0, 0]],
    ),
    (
        "outline",
        (2,),
        [[0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]],
        [[2, 2, 2, 0], [2, 1, 2, 0], [2, 2, 2, 0], [0, 0, 0, 0]],
    ),
    (
        "fill_enclosed",
        (4,),
        [[0, 1, 1, 1, 0], [0, 1, 0, 1, 0], [0, 1, 1, 1, 0], [0, 0, 0, 0, 0]],
        [[0, 1, 1, 1, 0], [0, 1, 4, 1, 0], [0, 1, 1, 1, 0], [0, 0, 0, 0, 0]],
    ),
    # a corner gap does not let the background out: it connects through edge neighbours only
    ("fill_enclosed", (4,), [[1, 1, 0], [1, 0, 1], [0, 1, 1]], [[1, 1, 0], [1, 4, 1], [0, 1, 1]]),
    (
        "fill_largest_rectangle",
        (1, 5),
        [[1, 1, 0, 0], [1, 1, 1, 0], [0, 1, 1, 0]],
        [[5, 5, 0, 0], [5, 5, 1, 0], [0, 1, 1, 0]],
    ),
    (
        "fill_largest_rectangle",
        (0, 3),
        [[1, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1]],
        [[1, 0, 1, 0], [3, 3, 3, 1], [3, 3, 3, 1]],
    ),
    # lines
    ("extend", ("right",), EXTEND, [[0, 1, 1, 1], [0, 0, 0, 2], [3, 3, 3, 3]]),
    ("extend", ("down",), EXTEND, [[0, 1, 0, 0], [0, 1, 0, 2], [3, 1, 0, 2]]),
    ("extend", ("left",), EXTEND, [[1, 1, 0, 0], [2, 2, 2, 2], [3, 0, 0, 0]]),
    ("extend", ("up",), EXTEND, [[3, 1, 0, 2], [3, 0, 0, 2], [3, 0, 0, 0]]),
    ("extend", ("right",), [[1, 0, 2, 0]], [[1, 1, 2, 2]]),
    (
        "extend_colour",
        (1, "right"),
        [[1, 0, 2, 0, 0], [0, 0, 0, 0, 1]],
        [[1, 1, 2, 0, 0], [0, 0, 0, 0, 1]],
    ),
    (
        "extend_colour",
        (1, "left"),
        [[1, 0, 2, 0, 0], [0, 0, 0, 0, 1]],
        [[1, 0, 2, 0, 0], [1, 1, 1, 1, 1]],
    ),
    ("extend_colour", (1, "up"), [[0, 0], [0, 0], [1, 2]], [[1, 0], [1, 0], [1, 2]]),
    (
        "connect_same_colour",
        ("horizontal",),
        [[1, 0, 0, 1], [2, 0, 2, 0], [3, 0, 0, 0]],
        [[1, 1, 1, 1], [2, 2, 2, 0], [3, 0, 0, 0]],
    ),
    ("connect_same_colour", ("vertical",), [[1, 0], [0, 0], [1, 2]], [[1, 0], [1, 0], [1, 2]]),
    (
        "connect_same_colour",
        ("horizontal",),
        [[0, 2, 0], [1, 0, 1], [0, 2, 0]],
        [[0, 2, 0], [1, 1, 1], [0, 2, 0]],
    ),
    (
        "connect_same_colour",
        ("vertical",),
        [[0, 2, 0], [1, 0, 1], [0, 2, 0]],
        [[0, 2, 0], [1, 2, 1], [0, 2, 0]],
    ),
    ("cross_lines", (1,), [[0, 0, 0], [0, 1, 0], [0, 0, 2]], [[0, 1, 0], [1, 1, 1], [0, 1, 2]]),
    ("cross_lines", (3,), [[3, 0, 0], [0, 0, 0], [0, 0, 5]], [[3, 3, 3], [3, 0, 0], [3, 0, 5]]),
    # parts
    ("combine_halves", ("horizontal", "and", 3), HALVES, [[3, 0], [0, 0]]),
    ("combine_halves", ("horizontal", "or", 3), HALVES, [[3, 3], [0, 3]]),
    ("combine_halves", ("horizontal", "xor", 3), HALVES, [[0, 3], [0, 3]]),
    (
        "combine_halves",
        ("vertical", "left_minus_right", 3),
        [[1, 1], [0, 1], [1, 0], [0, 0]],
        [[0, 3], [0, 3]],
    ),
    ("combine_parts", ("or", 3), HALVES, [[3, 3], [0, 3]]),
    ("combine_parts", ("and", 6), [[1, 5, 1], [1, 5, 0]], [[6], [0]]),
    ("combine_parts", ("xor", 7), [[1, 0], [5, 5], [0, 2]], [[7, 7]]),
    ("combine_parts", ("xor", 4), [[1, 5, 1, 5, 0], [0, 5, 1, 5, 1]], [[0], [0]]),  # 2 of 3 parts
    ("combine_parts", ("left_minus_right", 4), [[1, 5, 0, 5, 0], [1, 5, 1, 5, 0]], [[4], [0]]),
    ("overlay_halves", ("vertical",), [[1, 1], [0, 2], [3, 0], [0, 0]], [[3, 1], [0, 2]]),
    ("overlay_halves", ("horizontal",), [[1, 0, 2, 0], [0, 3, 0, 4]], [[2, 0], [0, 4]]),
    ("overlay_parts", (), [[1, 1, 5, 0, 2], [0, 0, 5, 3, 0]], [[1, 2], [3, 0]]),
    ("unique_part", (), [[1, 5, 1, 5, 2, 5, 1], [0, 5, 0, 5, 0, 5, 0]], [[2], [0]]),
    ("crop_block", ("top_left",), [[0, 0, 1, 0, 2, 2]], [[1]]),  # the empty block is never picked
    (
        "crop_block",
        ("asymmetric",),
        [[5, 5], [5, 5], [1, 2], [3, 4], [6, 0], [0, 6]],
        [[1, 2], [3, 4]],
    ),
    # blocks count diagonal mirror images too: [[1, 0], [1, 1]] is symmetric, [[1, 2], [3, 0]] not
    ("crop_block", ("asymmetric",), [[1, 0, 1, 2], [1, 1, 3, 0]], [[1, 2], [3, 0]]),
    ("crop_block", ("unique_colour",), [[4, 4, 3, 0, 4, 0], [4, 4, 3, 0, 4, 0]], [[3, 0], [3, 0]]),
    (
        "downscale_parts",
        (),
        [[1, 1, 5, 0], [0, 1, 5, 0], [5, 5, 5, 5], [2, 0, 5, 3]],
        [[1, 0], [2, 3]],
    ),
    ("downscale_parts", (), [[4, 6, 4, 1], [4, 6, 1, 4]], [[4, 1]]),  # a tie: the smallest
    ("remove_separators", (), [[1, 5, 2], [5, 5, 5], [3, 5, 4]], [[1, 2], [3, 4]]),
    ("remove_separators", (), [[5, 5, 5], [1, 5, 2]], [[1, 2]]),  # an edge line goes too
    ("combine_halves", ("horizontal", "neither", 3), HALVES, [[0, 0], [3, 0]]),
    # repetitions, rankings, regions
    ("tile_unit", (), [[1, 2, 1, 2, 1], [3, 4, 3, 4, 3]], [[1, 2], [3, 4]]),
    ("tile_unit", (), [[1, 1], [1, 1]], [[1]]),
    ("tile_unit", (), [[1, 2], [1, 2], [1, 2]], [[1, 2]]),
    ("colours_by_count", (), [[1, 2, 2, 0, 3, 3, 3]], [[3], [2], [1]]),
    ("colours_by_count", (), [[2, 1]], [[1], [2]]),  # a tie: the smaller colour first
    ("colours_by_size", (), OBJECTS, [[1], [3], [2]]),  # 8-connected: the two 3s are one
    (
        "move_objects",
        ("down",),
        [[1, 1, 0], [0, 0, 0], [0, 2, 0], [0, 0, 0]],
        [[0, 0, 0], [0, 0, 0], [1, 1, 0], [0, 2, 0]],
    ),
    ("move_objects", ("left",), [[0, 0, 3], [0, 2, 0]], [[0, 3, 0], [2, 0, 0]]),  # one object
    ("move_objects", ("up",), [[0, 0], [0, 0]], [[0, 0], [0, 0]]),
    (
        "attract",
        (5,),
        [[2, 0, 0, 0], [0, 0, 0, 0], [0, 0, 5, 5], [3, 0, 5, 5], [0, 0, 0, 0], [0, 4, 0, 0]],
        [[0, 0, 0, 0], [0, 2, 0, 0], [0, 0, 5, 5], [0, 3, 5, 5], [0, 0, 0, 0], [0, 4, 0, 0]],
    ),  # 2 on the square's diagonal, 3 on its row; 4 on no line through it: stays
    ("attract", (5,), [[1, 0, 0, 5]], [[0, 0, 1, 5]]),
    (
        "recolour_by_nearest",
        (5,),
        [[2, 0, 5, 5, 0, 0, 3], [0, 0, 0, 0, 0, 5, 0]],
        [[2, 0, 2, 2, 0, 0, 3], [0, 0, 0, 0, 0, 3, 0]],
    ),  # the bar is one object (nearest: the 2), the lone 5 another (nearest: the 3)
    # a silhouette of the template's size takes it (its cells outside the template's shape go),
    # a single cell takes its centre (clipped at the edge), a bar of another size stays
    (
        "copy_onto",
        (5,),
        [[0, 1, 0, 0, 5, 5, 0], [2, 3, 4, 0, 5, 5, 5], [0] * 7, [5, 5, 0, 0, 0, 0, 0]],
        [[0, 1, 0, 0, 0, 1, 0], [2, 3, 4, 0, 2, 3, 4], [0] * 7, [5, 5, 0, 0, 0, 0, 0]],
    ),
    (
        "copy_onto",
        (5,),
        [[0, 1, 0, 0, 0], [2, 3, 4, 0, 0], [0, 6, 0, 0, 0], [0, 0, 0, 0, 5]],
        [[0, 1, 0, 0, 0], [2, 3, 4, 0, 0], [0, 6, 0, 0, 1], [0, 0, 0, 2, 3]],
    ),
    ("move_onto", (5,), [[1, 2, 0, 5, 5]], [[0, 0, 0, 1, 2]]),
    # corner neighbours are two objects: the 7 is nearer one, the 2 the other
    (
        "recolour_by_nearest",
        (5,),
        [[5, 0, 0], [0, 5, 7], [2, 0, 0]],
        [[2, 0, 0], [0, 7, 7], [2, 0, 0]],
    ),
    (
        "recolour_enclosing",
        (3,),
        [[1, 1, 1, 0, 1], [1, 0, 1, 0, 1], [1, 1, 1, 0, 0]],
        [[3, 3, 3, 0, 1], [3, 0, 3, 0, 1], [3, 3, 3, 0, 0]],
    ),
    ("recolour_enclosing", (3,), [[1, 0], [0, 1]], [[1, 0], [0, 1]]),
    ("fill_colour_boxes", (), [[1, 0, 0], [0, 0, 1], [2, 0, 2]], [[1, 1, 1], [1, 1, 1], [2, 2, 2]]),
    (
        "colour_empty_lines",
        (2,),
        [[1, 0, 1], [0, 0, 0], [1, 0, 1]],
        [[1, 2, 1], [2, 2, 2], [1, 2, 1]],
    ),
    (
        "bridge_same_colour",
        (3,),
        [[1, 0, 2, 0, 2], [0, 0, 0, 0, 0], [1, 0, 0, 0, 0]],
        [[1, 0, 2, 3, 2], [3, 0, 0, 0, 0], [1, 0, 0, 0, 0]],
    ),
    ("continue_lines", ("left",), [[0, 0, 0, 3, 4, 4, 3, 4]], [[3, 4, 4, 3, 4, 4, 3, 4]]),
    ("continue_lines", ("up",), [[0], [0], [1], [1]], [[1], [1], [1], [1]]),
    ("reverse_rings", (), [[1, 1, 1], [1, 2, 1], [1, 1, 1]], [[2, 2, 2], [2, 1, 2], [2, 2, 2]]),
    ("reverse_rings", (), [[7, 7], [7, 7]], [[7, 7], [7, 7]]),  # one ring: nothing to reverse
]

ERRORS = [
    ("scale_down", (2,), [[1, 2, 3], [4, 5, 6], [7, 8, 9]]),
    ("scale_down_sample", (2,), [[1, 2, 3], [4, 5, 6]]),
    ("crop_to_content", (), [[0, 0], [0, 0]]),
    ("crop_to_colour", (5,), [[1, 2]]),
    ("attract", (5,), [[1, 0, 2]]),  # no cell of 5
    ("attract", (0,), [[1, 0, 2]]),  # background
    ("attract", (5,), [[5, 1, 0]]),  # the 1 already touches: nothing moves
    ("attract", (5,), [[5, 0] + [1, 0] * 31]),  # 31 objects: noise
    ("copy_onto", (5,), [[1, 0, 2, 5]]),  # two objects without 5: no one template
    (
        "copy_onto",
        (5,),
        [[1, 2, 0, 5, 5, 5]],
    ),  # the 5s are neither the template's size nor one cell
    ("move_onto", (5,), [[1, 2]]),  # no cell of 5
    ("recolour_by_nearest", (5,), [[1, 0, 2]]),  # no cell of 5
    ("recolour_by_nearest", (5,), [[5, 0, 5]]),  # no other colour
    ("strip_border", (), [[1, 2, 3, 4, 5], [1, 2, 3, 4, 5]]),
    ("half", ("up",), [[1, 2]]),
    ("symmetry_rot90", (0,), [[1, 2, 0]]),
    ("symmetry_diag", (0,), [[1, 2, 0]]),
    ("tile_rotations", (), [[1, 2]]),  # not square
    ("complete_pattern", (0,), [[1, 2]]),  # no holes
    ("complete_pattern", (0,), [[1, 2, 3, 0]]),  # no symmetry
    ("complete_pattern_patch", (0,), [[1, 2, 3, 0]]),
    ("complete_pattern_patch", (0,), [[1, 2, 1, 2, 1, 2], [0] * 6]),  # no relation reaches row 2
    ("tile_by_size", (), [[1] * 6] * 6),  # 36x36
    ("scale_by_colour_count", (), [[1, 2, 3, 4]] * 8),
    ("scale_by_foreground_count", (), [[0, 0]]),  # no foreground
    ("scale_by_foreground_count", (), [[1, 2, 3, 4]] * 8),
    ("tile_by_colour_count", (), [[1, 2, 3, 4]] * 8),
    ("fractal", (), [[1] * 6]),
    ("fractal_of_colour", (1,), [[1] * 6]),
    ("fractal_inverted", (), [[0, 0]]),  # no foreground
    ("fractal_inverted", (), [[1] * 6]),
    ("recolour_to_most_common", (), [[0]]),
    ("recolour_to_least_common", (), [[0, 0]]),
    ("invert", (), [[1, 2]]),
    ("invert", (), [[0]]),
    ("most_common_colour", (), [[0]]),
    ("least_common_colour", (), [[0]]),
    ("count_objects_row", (5,), [[1, 0, 1]]),
    ("count_objects_col", (5,), [[1, 0, 1]]),
    ("count_cells_row", (5,), [[1, 0, 1]]),
    ("count_cells_col", (5,), [[1, 0, 1]]),
    ("crop_object", ("largest",), [[0, 0]]),
    ("crop_object", ("unique_colour",), OBJECTS),  # the 1s and the 2 both have their own colour
    ("crop_object8", ("unique_colour",), OBJECTS),
    ("crop_object8", ("unique_shape",), [[1, 0, 1]]),  # no object differs from the others
    ("crop_object", ("symmetric",), [[1, 0, 2]]),  # two symmetric objects
    ("crop_object", ("asymmetric",), [[1, 0, 2]]),  # none
    ("crop_object", ("most_colours",), [[1, 0, 2]]),  # a tie
    ("keep_object", ("unique_colour",), [[1, 0, 1]]),  # no object has a colour of its own
    ("keep_object8", ("smallest",), [[0]]),
    ("remove_object", ("largest",), [[0]]),
    ("remove_object8", ("largest",), [[0]]),
    ("recolour_object", ("largest", 3), [[0]]),
    ("fill_largest_rectangle", (2, 3), [[1]]),
    ("combine_halves", ("horizontal", "or", 1), [[1], [2]]),
    ("combine_parts", ("or", 1), [[1, 2], [3, 4]]),  # no separator
    ("combine_parts", ("or", 1), [[2, 5, 1, 3], [3, 5, 4, 2]]),  # parts of different shapes
    ("combine_parts", ("or", 1), [[5, 5], [5, 5]]),  # separators only
    ("overlay_halves", ("vertical",), [[1, 2]]),
    ("overlay_parts", (), [[1, 2], [3, 4]]),
    ("unique_part", (), [[1, 5, 2], [1, 5, 2]]),  # two parts: neither is the odd one
    ("unique_part", (), [[1, 5, 1, 5, 1], [1, 5, 1, 5, 1]]),
    ("remove_separators", (), [[1, 2], [3, 4]]),
    ("crop_block", ("largest",), [[1, 2, 3], [4, 5, 6]]),  # not a row of square blocks
    ("crop_colour_object", ("largest",), [[0, 0]]),
    ("crop_object_most", (2,), [[2, 0, 2]]),  # a tie
    ("crop_object_most", (2,), [[1, 0, 1]]),  # no object has the colour
    ("crop_object_most", (2,), [[0, 0]]),  # no object
    ("crop_colour_object", ("unique_colour",), [[1, 0, 1]]),
    ("crop_block", ("largest",), [[0, 0, 0]]),  # no block has a foreground cell
    ("crop_block", ("symmetric",), [[1, 0, 2]]),  # two symmetric blocks
    ("crop_object", ("most_rare_cells",), [[2, 0, 2, 0, 1, 1, 1]]),  # two objects with one 2
    ("downscale_parts", (), [[1, 2], [3, 4]]),  # no separator
    ("tile_unit", (), [[1, 2], [3, 4]]),
    ("colours_by_count", (), [[0, 0]]),
    ("colours_by_size", (), [[0]]),
    ("fill_colour_boxes", (), [[0, 0]]),
    ("colour_empty_lines", (2,), [[1, 2], [3, 0]]),
    ("reverse_rings", (), [[1, 2, 1], [1, 0, 1], [1, 1, 1]]),  # a ring of two colours
    ("reverse_rings", (), [[1] * 5, [1, 2, 2, 2, 1], [1, 2, 1, 2, 1], [1, 2, 2, 2, 1], [1] * 5]),
]


def _id(case: tuple) -> str:
    name, args = case[0], case[1]
    return f"{name}({', '.join(map(str, args))})" if args else name


@pytest.mark.parametrize(("name", "args", "grid", "expected"), CASES, ids=map(_id, CASES))
def test_primitive_on_hand_made_grid(name, args, grid, expected):
    source = np.array(grid)
    before = source.copy()
    out = PRIMITIVES[name].fn(source, *args)
    assert isinstance(out, np.ndarray) and out.dtype.kind == "i"
    assert out.tolist() == expected
    assert np.array_equal(source, before)


@pytest.mark.parametrize(("name", "args", "grid"), ERRORS, ids=map(_id, ERRORS))
def test_impossible_arguments_raise_value_error(name, args, grid):
    with pytest.raises(ValueError):
        PRIMITIVES[name].fn(np.array(grid), *args)


def test_every_primitive_has_a_hand_made_case():
    assert {case[0] for case in CASES} == set(PRIMITIVES)


def test_every_documented_error_has_a_case():
    documented = {name for name, p in PRIMITIVES.items() if "ValueError" in (p.fn.__doc__ or "")}
    assert {case[0] for case in ERRORS} == documented
