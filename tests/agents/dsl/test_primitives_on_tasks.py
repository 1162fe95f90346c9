"""Primitives on real ARC tasks whose whole rule they are: right on every train and test pair."""

from __future__ import annotations

import numpy as np
import pytest
from soar.agents.dsl.primitives import PRIMITIVES
from soar.arc_env import load_tasks

# (task spec, primitive, arguments): ARC-AGI-1 training tasks where there is one, else evaluation
CASES = [
    ("arc1/train:0dfd9992", "complete_pattern", (0,)),  # a periodic wallpaper with holes
    ("arc1/train:484b58aa", "complete_pattern", (0,)),
    ("arc1/train:3631a71a", "complete_pattern", (9,)),  # a symmetric picture, centre off the grid's
    ("arc1/train:b8825c91", "complete_pattern", (4,)),
    ("arc1/eval:981571dc", "complete_pattern", (0,)),  # a diagonal mirror
    ("arc1/eval:f823c43c", "complete_pattern", (6,)),  # noise on a periodic pattern
    ("arc1/train:9ecd008a", "complete_pattern_patch", (0,)),  # what the hole hides
    ("arc1/train:ff805c23", "complete_pattern_patch", (1,)),
    ("arc1/train:007bbfb7", "fractal", ()),
    ("arc1/train:cce03e0d", "fractal_of_colour", (2,)),
    ("arc1/eval:0692e18c", "fractal_inverted", ()),
    ("arc1/eval:7953d61e", "tile_rotations", ()),
    ("arc1/eval:d4b1c2b1", "scale_by_colour_count", ()),
    ("arc1/train:ac0a08a4", "scale_by_foreground_count", ()),  # background left out
    ("arc1/eval:a59b95c0", "tile_by_colour_count", ()),
    ("arc1/eval:ccd554ac", "tile_by_size", ()),
    ("arc1/eval:d56f2372", "crop_object8", ("symmetric",)),
    ("arc1/eval:ae58858e", "recolour_large_objects", (3, 6)),
    ("arc1/train:6d75e8bb", "fill_object_boxes", (2,)),
    ("arc1/train:d8c310e9", "continue_lines", ("right",)),  # a frieze continued to the edge
    ("arc1/train:85c4e7cd", "reverse_rings", ()),
    ("arc1/train:253bf280", "bridge_same_colour", (3,)),
    ("arc1/train:05f2a901", "attract", (8,)),  # a shape slides until it meets the square
    ("arc1/train:a48eeaf7", "attract", (2,)),  # grey cells slide, some diagonally, to the square
    ("arc1/train:ddf7fa4f", "recolour_by_nearest", (5,)),  # each grey block takes its marker's
    ("arc1/train:2204b7a8", "recolour_by_nearest", (3,)),  # each green cell the nearer border's
    ("arc1/train:e76a88a6", "copy_onto", (5,)),  # grey silhouettes take the pattern
    ("arc1/train:88a10436", "copy_onto", (5,)),  # the shape centred on the grey cell
    ("arc1/train:321b1fc6", "move_onto", (8,)),  # the pattern leaves for the silhouettes
    # colour roles: the colour changes from pair to pair, the role does not
    ("arc1/train:c3e719e8", "fractal_of_colour", ("most_common",)),
    ("arc1/train:3345333e", "complete_pattern", ("least_common",)),
    ("arc1/train:d631b094", "count_cells_row", ("most_common_fg",)),
]


@pytest.mark.parametrize(("spec", "name", "args"), CASES, ids=[c[0] for c in CASES])
def test_primitive_is_the_rule_of_a_real_task(spec, name, args):
    (task,) = load_tasks(spec)
    fn = PRIMITIVES[name].fn
    for pair in (*task.train, *task.test):
        assert fn(np.array(pair.input), *args).tolist() == [list(row) for row in pair.output]


def test_continue_lines_leaves_lines_that_do_not_repeat():
    fn = PRIMITIVES["continue_lines"].fn
    grid = np.array([[1, 2, 3, 0, 0], [0, 4, 0, 0, 0], [5, 0, 5, 0, 0]])
    # 1 2 3 has no repeat and 4 is one cell: left alone; 5 . 5 repeats every 2 cells.
    assert fn(grid, "right").tolist() == [[1, 2, 3, 0, 0], [0, 4, 0, 0, 0], [5, 0, 5, 0, 5]]
    assert fn(grid, "down").tolist() == grid.tolist()  # no column repeats
    assert fn(grid.T, "down").tolist() == fn(grid, "right").T.tolist()


def test_reverse_rings_refuses_rings_of_several_colours():
    fn = PRIMITIVES["reverse_rings"].fn
    with pytest.raises(ValueError, match="ring 0 has 2 colours"):
        fn(np.array([[1, 1, 1], [1, 5, 2], [1, 1, 1]]))
    rings = np.ones((5, 5), dtype=int)
    rings[1:4, 1:4] = 2
    rings[2, 2] = 1  # colour 1 outside and in the middle: two layers
    with pytest.raises(ValueError, match="each colour in one layer"):
        fn(rings)
