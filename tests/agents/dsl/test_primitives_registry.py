"""The primitive registry (the contract the grammar builds on), the modules' exports and imports,
and their doctests."""

from __future__ import annotations

import ast
import doctest
import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soar.agents.dsl.primitives as primitives_module
from soar.agents.dsl.primitives import PARAM_KINDS, PRIMITIVES, Primitive, primitive
from soar.agents.dsl.primitives_base import COLOUR_KINDS, COLOUR_ROLES, role_colour
from soar.agents.dsl.primitives_object_rules import object_rule, stamp_rule
from soar.agents.dsl.primitives_rules import cell_rule, relative_cell_rule

DSL_DIR = Path(primitives_module.__file__).parent
PRIMITIVE_MODULES = sorted(p.stem for p in DSL_DIR.glob("primitives*.py"))
WORKER_MODULES = [*PRIMITIVE_MODULES, "selection", "fast_load", "program"]
"""What executor workers import with ``soar.agents.dsl.primitives`` (the program loader and its
source format come along)."""


def test_registry_holds_many_primitives_under_their_own_names():
    assert len(PRIMITIVES) >= 50
    for name, p in PRIMITIVES.items():
        assert isinstance(p, Primitive) and p.name == name == p.fn.__name__
    assert len({id(p.fn) for p in PRIMITIVES.values()}) == len(PRIMITIVES)


@pytest.mark.parametrize("name", list(PRIMITIVES))
def test_entry_matches_its_function(name):
    p = PRIMITIVES[name]
    assert all(kind in PARAM_KINDS for kind in p.params)
    # parameters are named after their kinds, one per kind, after the grid
    assert list(inspect.signature(p.fn).parameters) == ["grid", *p.params]
    assert p.doc and p.doc == p.fn.__doc__.strip().splitlines()[0] and p.doc.endswith(".")
    assert ">>> " in p.fn.__doc__, f"{name} has no doctest"


def test_param_kinds_are_the_documented_set():
    assert PARAM_KINDS == {
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


def test_every_kind_is_used():
    assert {kind for p in PRIMITIVES.values() for kind in p.params} == set(PARAM_KINDS)


def test_registering_twice_or_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="registered twice"):
        primitive()(PRIMITIVES["flip_h"].fn)
    with pytest.raises(ValueError, match="unknown parameter kind"):
        primitive("size")
    assert PRIMITIVES["flip_h"].params == ()


def test_star_import_brings_the_primitives_and_np():
    namespace: dict = {}
    exec("from soar.agents.dsl.primitives import *", namespace)
    names = set(namespace) - {"__builtins__"}
    rules = {
        "cell_rule": cell_rule,
        "relative_cell_rule": relative_cell_rule,
        "object_rule": object_rule,
        "stamp_rule": stamp_rule,
    }
    assert names == {"np", *rules, *PRIMITIVES}  # rules are learned, not drawn
    assert namespace["np"] is np
    for name, fn in rules.items():
        assert namespace[name] is fn and name not in PRIMITIVES
    assert all(namespace[name] is p.fn for name, p in PRIMITIVES.items())
    assert len(primitives_module.__all__) == len(set(primitives_module.__all__))


def test_order_does_not_depend_on_which_module_is_imported_first():
    code = (
        "import soar.agents.dsl.primitives_parts, soar.agents.dsl.primitives_objects\n"
        "from soar.agents.dsl.primitives import PRIMITIVES\n"
        "print(' '.join(PRIMITIVES))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == list(PRIMITIVES)
    assert list(PRIMITIVES)[:3] == ["rotate_90", "rotate_180", "rotate_270"]


def _allowed(node: ast.Import | ast.ImportFrom) -> bool:
    if isinstance(node, ast.ImportFrom) and node.level:  # relative: a sibling worker module
        return node.level == 1 and node.module in WORKER_MODULES
    names = [node.module] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
    for name in names:
        top = (name or "").split(".")[0]
        if name not in ("numpy", "scipy", "scipy.ndimage") and (
            top in ("agents", "arc_env", "training", "evaluate")
            or top not in sys.stdlib_module_names | {"__future__"}
        ):
            return False
    return True


@pytest.mark.parametrize("module", WORKER_MODULES)
def test_primitive_modules_import_only_numpy_scipy_and_the_standard_library(module):
    tree = ast.parse((DSL_DIR / f"{module}.py").read_text())
    imports = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert imports
    bad = [ast.unparse(n) for n in imports if not _allowed(n)]
    assert not bad, f"{module} imports {bad}"


def test_primitives_module_set_is_what_the_import_check_covers():
    assert PRIMITIVE_MODULES == [
        "primitives",
        "primitives_base",
        "primitives_colour",
        "primitives_geometry",
        "primitives_lines",
        "primitives_object_rules",
        "primitives_objects",
        "primitives_parts",
        "primitives_patterns",
        "primitives_regions",
        "primitives_rules",
        "primitives_tiling",
    ]
    assert {p.fn.__module__ for p in PRIMITIVES.values()} == {
        f"soar.agents.dsl.{m}"
        for m in PRIMITIVE_MODULES
        if m not in ("primitives", "primitives_base", "primitives_rules", "primitives_object_rules")
    }


@pytest.mark.parametrize("module", [*PRIMITIVE_MODULES, "selection"])
def test_doctests(module):
    result = doctest.testmod(importlib.import_module(f"soar.agents.dsl.{module}"))
    if module != "primitives":  # the entry module only re-exports
        assert result.attempted > 0, f"{module} has no doctests"
    assert result.failed == 0, f"{result.failed} of {result.attempted} doctests failed in {module}"


def test_colour_roles_name_a_colour_of_the_grid_given():
    grid = np.array([[0, 0, 0, 0], [3, 3, 5, 7]])
    assert [role_colour(grid, r) for r in COLOUR_ROLES] == [0, 5, 3, 5]  # ties: the smallest
    assert role_colour([[4, 4], [2, 0]], "least_common") == 0  # the background counts
    with pytest.raises(ValueError, match="no colour but the background"):
        role_colour(np.zeros((2, 2), dtype=int), "most_common_fg")
    with pytest.raises(ValueError, match=r"colour role \['most_common'"):
        role_colour(grid, "rarest")


def test_every_colour_parameter_takes_a_role_resolved_on_its_own_grid():
    recolour, count_cells_row = PRIMITIVES["recolour"].fn, PRIMITIVES["count_cells_row"].fn
    grid = np.array([[1, 1, 2], [0, 1, 0]])
    assert recolour(grid, "least_common_fg", "most_common").tolist() == [[1, 1, 1], [0, 1, 0]]
    assert recolour(grid, colour_from="most_common_fg", colour_to=5).tolist() == [
        [5, 5, 2],
        [0, 5, 0],
    ]
    assert count_cells_row(grid, "most_common_fg").tolist() == [[1, 1, 1]]
    with pytest.raises(ValueError, match="colour role"):
        recolour(grid, "red", 1)
    with pytest.raises(ValueError, match="expected an integer 0..9"):
        recolour(grid, 1, 12)
    # every primitive with a colour parameter is wrapped; the others are the functions themselves
    for name, p in PRIMITIVES.items():
        wrapped = hasattr(p.fn, "__wrapped__")
        assert wrapped == bool(set(p.params) & set(COLOUR_KINDS)), name
