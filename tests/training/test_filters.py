"""Each filter drops what it names and nothing else; switches turn filters off; counts add up."""

from __future__ import annotations

import dataclasses

import pytest
from soar.arc_env import InputResult, Pair, Status, Task
from soar.training.filters import FILTERS, UNUSABLE, FilterConfig, apply_filters, first_failed

from tests.training.nodes import TASK, A, B, C, D, E, F, X, Y, Z, make_node, right

WRONG = make_node(1, [X, Z], [Y])  # wrong everywhere, but a fine program to relabel


@pytest.mark.parametrize(
    ("node", "name"),
    [
        (make_node(1, [B, Status.ERROR], [F]), "error"),
        (make_node(1, [B, D], [Status.TIMEOUT]), "error"),
        (make_node(1, [Status.MEMORY, D], [F]), "error"),
        (make_node(1, [B, D], [Status.INVALID_OUTPUT]), "invalid-grid"),
        (make_node(1, [X, X], [X]), "constant-output"),
        (make_node(1, [A, C], [E]), "identity-output"),
        (
            make_node(1, [X, D], [F], program="def transform(grid):\n    return ((7,7),\n(7,7),)"),
            "hard-coded",
        ),
        (
            make_node(1, [X, Z], [Y], program="def transform(g):\n    return [[8, 8], [8, 8]]"),
            "hard-coded",
        ),
        (make_node(1, [X, Z], [Y], program="x = 1\n" * 401), "absurd-source"),
        (make_node(1, [X, Z], [Y], program="x = '" + "a" * 400 + "'\n"), "absurd-source"),
    ],
)
def test_each_filter_drops_what_it_names(node, name):
    assert first_failed(TASK, node) == name
    assert first_failed(TASK, node, FilterConfig().without([name])) != name
    result = apply_filters(TASK, [node, right(2)])
    assert result.kept == [right(2)]
    assert result.dropped[name] == 1


def test_fine_programs_pass_every_filter():
    fine = [WRONG, right(2), make_node(3, [B, Z], [E], program="def transform(g):\n    pass\n")]
    result = apply_filters(TASK, fine)
    assert result.kept == fine
    assert set(result.dropped) == {UNUSABLE, *FILTERS}
    assert not any(result.dropped.values())


def test_unusable_nodes_are_always_dropped():
    no_program = dataclasses.replace(WRONG, program=None)
    too_few = dataclasses.replace(WRONG, test=())
    other_task = dataclasses.replace(WRONG, task_id="other")
    everything_off = FilterConfig().without(FILTERS)
    for node in (no_program, too_few, other_task):
        assert first_failed(TASK, node, everything_off) == UNUSABLE


def test_error_filter_off_keeps_programs_with_a_grid_on_some_train_and_test_input():
    config = FilterConfig().without(["error"])
    assert config.drop_failed
    assert first_failed(TASK, make_node(1, [B, Status.ERROR], [F]), config) is None
    assert first_failed(TASK, make_node(1, [Status.ERROR] * 2, [F]), config) == UNUSABLE
    assert first_failed(TASK, make_node(1, [B, D], [Status.ERROR]), config) == UNUSABLE
    assert first_failed(TASK, make_node(1, [B, D], [Status.INVALID_OUTPUT]), config) == (
        "invalid-grid"
    )


def test_an_ok_status_without_a_grid_is_an_invalid_grid():
    node = dataclasses.replace(WRONG, test=(InputResult(Status.OK, None),))
    assert first_failed(TASK, node) == "invalid-grid"


def test_constant_output_is_kept_when_it_is_the_real_output():
    task = Task("const", (Pair(A, X), Pair(C, X)), (Pair(E, X),))
    assert first_failed(task, make_node(1, [X, X], [X], task=task)) is None
    hidden = Task("const", task.train, (Pair(E),))  # test output unknown: train outputs decide
    assert first_failed(hidden, make_node(1, [X, X], [X], task=hidden)) is None


def test_identity_is_kept_where_every_known_output_is_its_input():
    task = Task("same", (Pair(A, A), Pair(C, C)), (Pair(E),))
    assert first_failed(task, make_node(1, [A, C], [E], task=task)) is None
    # Returning the input on some inputs only is not degenerate.
    assert first_failed(TASK, make_node(1, [A, D], [F])) is None


def test_hard_coded_ignores_one_cell_grids_and_grids_not_in_the_source():
    task = Task("one", (Pair(A, ((3,),)), Pair(C, ((4,),))), (Pair(E),))
    node = make_node(1, [((3,),), ((4,),)], [((3,),)], task=task, program="return [[3]]")
    assert first_failed(task, node) is None
    assert first_failed(TASK, make_node(1, [X, Z], [Y], program="k = [[7, 7], [8, 8]]")) is None


def test_thresholds_are_settings():
    long_line = make_node(1, [X, Z], [Y], program="x = '" + "a" * 50 + "'\n")
    assert first_failed(TASK, long_line) is None
    assert first_failed(TASK, long_line, FilterConfig(max_line_length=40)) == "absurd-source"
    assert first_failed(TASK, long_line, FilterConfig(max_lines=0)) == "absurd-source"


def test_duplicate_code_keeps_the_first():
    first, again = right(1), right(2)
    result = apply_filters(TASK, [first, again, WRONG])
    assert result.kept == [first, WRONG]
    assert result.dropped["duplicate-code"] == 1
    off = apply_filters(TASK, [first, again], FilterConfig(duplicate_code=False))
    assert off.kept == [first, again]
    assert "duplicate-code" not in off.dropped


def test_counts_name_the_first_filter_only():
    node = make_node(1, [X, X], [Status.ERROR], program="x = 1\n" * 500)  # error, absurd too
    result = apply_filters(TASK, [node])
    assert result.dropped["error"] == 1 and sum(result.dropped.values()) == 1


def test_unknown_filter_names_are_refused():
    with pytest.raises(ValueError, match="expected one of error, invalid-grid"):
        FilterConfig().without(["errors"])
    assert FilterConfig().without(["hard-coded", "error"]).disabled == ["error", "hard-coded"]
