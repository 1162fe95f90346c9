"""Prompts: golden texts for real tasks, the layout the SOAR models expect, grids never elided."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from soar.agents.prompts import (
    COLOUR_LEGEND,
    SYSTEM_PROMPT,
    FewShotExample,
    PromptConfig,
    answer_message,
    refine_messages,
    refine_prompt,
    sample_messages,
    sample_prompt,
)
from soar.arc_env import Executor, Status, load_tasks
from soar.arc_env.task import Pair, Task

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("SOAR_UPDATE_GOLDEN") == "1"  # regenerate after a deliberate change

# Raises on the first train input, loops forever on the second, answers the others.
FAULTY = """\
import numpy as np

def transform(grid):
    a = np.array(grid)
    if a[0, 0] == 2 and a[0, 1] == 2:
        raise ValueError("unexpected corner")
    if a[0, 0] == 9:
        while True:
            pass
    return np.fliplr(a).tolist()
"""


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text)
    assert path.exists(), f"missing golden file {path}; run with SOAR_UPDATE_GOLDEN=1 to create it"
    assert text == path.read_text(), (
        f"{name} changed; if deliberate, rerun with SOAR_UPDATE_GOLDEN=1"
    )


@pytest.fixture(scope="module")
def tasks():
    return {t.id: t for t in load_tasks("arc1/train:3c9b0459,007bbfb7")}


@pytest.fixture(scope="module")
def faulty_result(tasks):
    with Executor(workers=1, timeout=0.5) as ex:
        return ex.run([(tasks["3c9b0459"], FAULTY)])[0]


def test_sample_prompt_golden(tasks):
    check_golden("sample_3c9b0459.txt", sample_prompt(tasks["3c9b0459"]))
    check_golden("sample_007bbfb7.txt", sample_prompt(tasks["007bbfb7"]))


def test_sample_prompt_layout(tasks):
    task = tasks["007bbfb7"]
    text = sample_prompt(task)
    assert "```python" in text and "`transform`" in text and "list[list[int]]" in text
    assert COLOUR_LEGEND in text
    assert (
        "0:Black; 1:Blue; 2:Red; 3:Green; 4:Yellow; 5:Grey; 6:Pink; 7:Orange; 8:Purple; 9:Brown"
        in text
    )
    assert (
        "\n# Task to solve:\n## Input 1 (grid shape: 3 by 3):\n[[0 7 7]\n [7 7 7]\n [0 7 7]]"
        in text
    )
    assert "## Output 1 (grid shape: 9 by 9):" in text
    assert text.count("## Input ") == len(task.train)
    assert text.count("## Test Input ") == len(task.test)
    assert "Test Output" not in text  # test outputs are never shown


def test_messages_have_system_and_user(tasks):
    messages = sample_messages(tasks["3c9b0459"])
    assert [m["role"] for m in messages] == ["system", "user"]
    assert messages[0]["content"] == SYSTEM_PROMPT
    assert answer_message("def transform(g):\n    return g\n") == {
        "role": "assistant",
        "content": "```python\ndef transform(g):\n    return g\n```",
    }


def test_refine_prompt_for_error_and_timeout_golden(tasks, faulty_result):
    statuses = [r.status for r in faulty_result.train]
    assert statuses[0] is Status.ERROR and statuses[1] is Status.TIMEOUT
    text = refine_prompt(tasks["3c9b0459"], FAULTY, faulty_result)
    check_golden("refine_3c9b0459_error_timeout.txt", text)
    right = sum(faulty_result.train_correct)
    assert f"correctly worked on {right}/4 train input-output pairs" in text
    assert (
        "## Output 1 computed by `transform` is incorrect.\nThe execution failed (error): ValueError: unexpected corner (line 6)"
        in text
    )
    assert (
        "## Output 2 computed by `transform` is incorrect.\nThe execution failed (timeout)" in text
    )
    assert "## Output Test 1 computed by `transform` (not verified" in text
    assert "Previous implementation:\n```python\nimport numpy as np" in text
    assert text.index("# Task to solve:") < text.index("Previous implementation:")
    assert refine_messages(tasks["3c9b0459"], FAULTY, faulty_result)[1]["content"] == text


def test_refine_prompt_shows_wrong_outputs_in_full(tasks):
    task = tasks["3c9b0459"]
    with Executor(workers=1, timeout=1.0) as ex:
        result = ex.run([(task, "def transform(grid):\n    return grid\n")])[0]
    text = refine_prompt(task, "def transform(grid):\n    return grid\n", result)
    for i, (pair, right) in enumerate(zip(task.train, result.train_correct, strict=True), 1):
        if not right:
            block = "\n".join(
                ("[[" if r == 0 else " [")
                + " ".join(map(str, row))
                + ("]]" if r == len(pair.input) - 1 else "]")
                for r, row in enumerate(pair.input)
            )
            assert (
                f"## Output {i} computed by `transform` is incorrect.\nThe execution gave the following results (grid shape: 3 by 3):\n{block}"
                in text
            )


def test_large_grids_are_never_elided():
    big = tuple(tuple((r * 31 + c) % 10 for c in range(30)) for r in range(30))
    task = Task("big", (Pair(big, big),), (Pair(big),))
    for style in ("numpy", "digits", "colour-names"):
        text = sample_prompt(task, PromptConfig(grid_style=style))
        assert "..." not in text
        if style != "colour-names":
            assert len(re.findall(r"\d", text.split("# Task to solve:")[1])) >= 3 * 900


def test_fewshot_example_and_config_validation(tasks):
    example = FewShotExample(
        tasks["3c9b0459"], "def transform(grid):\n    return [r[::-1] for r in grid[::-1]]"
    )
    text = sample_prompt(tasks["007bbfb7"], PromptConfig(fewshot=(example,)))
    assert (
        text.index("# Task 1:")
        < text.index("## Solution:\n```python\ndef transform")
        < text.index("# Task to solve:")
    )
    assert "## Test Output" not in text
    with pytest.raises(ValueError, match="grid_style: expected one of numpy, digits, colour-names"):
        PromptConfig(grid_style="ascii")
    no_legend = sample_prompt(tasks["007bbfb7"], PromptConfig(colour_legend=False))
    assert COLOUR_LEGEND not in no_legend
