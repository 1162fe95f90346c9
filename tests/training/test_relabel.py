"""Hindsight relabeling: on its relabeled task every program is right on every train and test pair,
checked by running ~40 varied programs (10 of them the tasks' solutions) on 10 real tasks and each valid node again on its task."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from soar.agents.search.node import Node
from soar.arc_env import Status, Task
from soar.training.relabel import relabel, relabel_id, usable

from tests.training.nodes import TASK, B, D, F, X, Y, Z, make_node

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "programs"
TASK_IDS = sorted(p.stem for p in EXAMPLES.glob("*.py"))


def body(code: str) -> str:
    return "def transform(grid):\n" + "".join(f"    {line}\n" for line in code.splitlines())


GENERIC = [
    body("return grid"),
    body("return [row[::-1] for row in grid]"),
    body("return grid[::-1]"),
    body("return [row[::-1] for row in grid[::-1]]"),
    body("return [list(r) for r in zip(*grid)]"),
    "import numpy as np\n\ndef transform(grid):\n    return np.rot90(np.array(grid)).tolist()\n",
    "import numpy as np\n\ndef transform(grid):\n    return np.tile(np.array(grid), (2, 2))\n",
    "import numpy as np\n\ndef transform(grid):\n"
    "    return np.kron(np.array(grid), np.ones((2, 2), dtype=int))\n",
    "import numpy as np\n\ndef transform(grid):\n    g = np.array(grid)\n"
    "    r, c = np.nonzero(g)\n    return g[r.min():r.max() + 1, c.min():c.max() + 1]\n",
    body("return [[(c + 1) % 10 for c in row] for row in grid]"),
    body("return [[9 - c for c in row] for row in grid]"),
    body("return [[5 if c else 0 for c in row] for row in grid]"),
    body("return [row + row[::-1] for row in grid]"),
    body("return grid + grid[::-1]"),
    body("return [grid[0]]"),
    body("return [[row[0]] for row in grid]"),
    body("return [row[:3] for row in grid[:3]]"),
    body("return sorted(grid)"),
    body("return [sorted(row) for row in grid]"),
    body("n = len({c for row in grid for c in row})\nreturn [[n] * n]"),
    body(
        "from collections import Counter\n"
        "c = Counter(v for row in grid for v in row).most_common(1)[0][0]\n"
        "return [[c] * len(grid[0]) for _ in grid]"
    ),
    body(
        "cols = list(zip(*grid))\n"
        "out = [sorted(col, key=lambda v: v != 0) for col in cols]\n"
        "return [list(r) for r in zip(*out)]"
    ),
    body(
        "h, w = len(grid), len(grid[0])\n"
        "return [[grid[i][j] if i in (0, h - 1) or j in (0, w - 1) else 0 for j in range(w)]"
        " for i in range(h)]"
    ),
    "import scipy.ndimage as nd\nimport numpy as np\n\ndef transform(grid):\n"
    "    g = np.array(grid)\n    return (nd.binary_dilation(g > 0) * 3).astype(int)\n",
    body("return [[max(max(r) for r in grid)]]"),
    body("if len(grid) > 3:\n    raise ValueError('too big')\nreturn grid[::-1]"),
    body("return [[c for c in row if c] or [0] for row in grid]"),  # ragged: invalid output
    body("return [[10] * 2]"),  # not a colour: invalid output
    body("return [[grid[i][j] for i in range(len(grid))] for j in range(len(grid[0]))][::-1]"),
    body("return [row[1:] + row[:1] for row in grid]"),
    body("return [[sum(row) % 10 for row in grid]]"),
    body("return [r for r in grid if any(r)] or [[0]]"),
]


@pytest.fixture(scope="module")
def nodes(arc1_train, executor) -> list[tuple[Task, Node]]:
    """Every program run on every task (``executor``: the shared module-scoped fixture)."""
    tasks = [arc1_train[task_id] for task_id in TASK_IDS]
    programs = GENERIC + [p.read_text() for p in sorted(EXAMPLES.glob("*.py"))]
    jobs = [(task.public(), program) for task in tasks for program in programs]
    results = executor.run(jobs)
    return [
        (
            task,
            Node(
                task.id, i, None, "sample", "test", program,
                train=r.train, test=r.test, train_correct=r.train_correct,
            ),
        )
        for i, ((_, program), r, task) in enumerate(
            zip(jobs, results, [t for t in tasks for _ in programs], strict=True)
        )
    ]  # fmt: skip


def test_every_program_solves_its_relabeled_task(nodes, executor):
    valid = [(task, node) for task, node in nodes if usable(task, node)]
    assert len(valid) >= 200, f"only {len(valid)} valid nodes of {len(nodes)}"
    assert len(valid) < len(nodes)  # some programs failed somewhere and are not relabeled
    relabeled = [relabel(task, node) for task, node in valid]
    results = executor.run(
        [
            (synthetic.public(), node.program)
            for synthetic, (_, node) in zip(relabeled, valid, strict=True)
        ]
    )
    for synthetic, (task, node), result in zip(relabeled, valid, results, strict=True):
        assert synthetic.id == relabel_id(task.id, node.node_id)
        assert synthetic.train_inputs == task.train_inputs
        assert synthetic.test_inputs == task.test_inputs
        assert result.train_correct and all(result.train_correct), (task.id, node.program)
        assert result.test_outputs == synthetic.test_outputs, (task.id, node.program)


def test_failed_inputs_are_dropped_only_on_request(nodes, executor):
    partial = [
        (task, node)
        for task, node in nodes
        if not usable(task, node) and usable(task, node, drop_failed=True)
    ]
    assert partial
    for task, node in partial:
        with pytest.raises(ValueError, match="gave no grid on some input"):
            relabel(task, node)
    relabeled = [relabel(task, node, drop_failed=True) for task, node in partial]
    results = executor.run(
        [
            (synthetic.public(), node.program)
            for synthetic, (_, node) in zip(relabeled, partial, strict=True)
        ]
    )
    for synthetic, result in zip(relabeled, results, strict=True):
        assert all(result.train_correct)
        assert result.test_outputs == synthetic.test_outputs


def test_relabel_refuses_nodes_it_cannot_relabel():
    node = make_node(3, [X, Z], [Y])
    synthetic = relabel(TASK, node)
    assert [p.output for p in synthetic.train] == [X, Z]
    assert synthetic.test_outputs == (Y,)
    with pytest.raises(ValueError, match="found no program"):
        relabel(TASK, dataclasses.replace(node, program=None))
    with pytest.raises(ValueError, match="found task mirror, 2 train and 0 test results"):
        relabel(TASK, dataclasses.replace(node, test=()))
    with pytest.raises(ValueError, match="every train or every test input"):
        relabel(TASK, make_node(3, [B, D], [Status.ERROR]), drop_failed=True)
    assert relabel(TASK, make_node(3, [B, Status.ERROR], [F]), drop_failed=True).train == (
        TASK.train[0],
    )
