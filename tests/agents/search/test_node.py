"""Search nodes as run-log lines: grids as rows of digits, older logs still readable."""

from __future__ import annotations

import dataclasses
import json

import pytest
from soar.agents.search.node import Node
from soar.arc_env import InputResult, Status
from soar.arc_env.error import GridError
from soar.arc_env.grid import from_rows, to_rows

GRID = ((0, 1, 2), (9, 8, 7))


def node() -> Node:
    return Node(
        task_id="t",
        node_id=3,
        parent_id=1,
        kind="refine",
        policy_id="dsl:default",
        program="def transform(grid):\n    return grid\n",
        train=(InputResult(Status.OK, GRID), InputResult(Status.ERROR, None, "boom")),
        test=(InputResult(Status.OK, ((5,),)),),
        train_correct=(True, False),
    )


def test_a_node_round_trips_through_its_log_line():
    line = json.dumps(node().to_json())
    data = json.loads(line)
    assert data["train"][0]["output"] == ["012", "987"]  # compact rows of digits
    assert Node.from_json(data) == node()


def test_logs_with_grids_as_lists_of_ints_still_read():
    data = node().to_json()
    data["train"][0]["output"] = [list(row) for row in GRID]
    assert Node.from_json(data).train[0].output == GRID


@pytest.mark.parametrize("rows", [[], ["01", "0"], ["0x"], ["0" * 31], [1, 2], ["\u0661"]])
def test_malformed_rows_are_refused(rows):
    with pytest.raises(GridError, match="expected"):
        from_rows(rows)


def test_rows_of_the_extreme_sizes():
    for grid in (((7,),), tuple(tuple((r + c) % 10 for c in range(30)) for r in range(30))):
        assert from_rows(to_rows(grid)) == grid


def test_a_grid_written_again_gives_the_same_rows_and_a_caller_cannot_change_them():
    first = node().to_json()
    first["train"][0]["output"].append("555")  # a caller changes what it was given
    again = node().to_json()  # the same grid object: its rows are remembered
    assert again["train"][0]["output"] == ["012", "987"]
    assert again["test"][0]["output"] == ["5"]
    listed = [list(row) for row in GRID]  # a mutable grid is converted every time
    with_list = dataclasses.replace(node(), train=(InputResult(Status.OK, listed),))
    assert with_list.to_json()["train"][0]["output"] == ["012", "987"]
    listed[0][0] = 4
    assert with_list.to_json()["train"][0]["output"] == ["412", "987"]
