"""Prompts: the released SOAR format byte for byte (golden files rendered with the original code,
see golden/README.md), where it departs from it, and the plain style."""

from __future__ import annotations

import doctest
import importlib.util
import os
import re
from pathlib import Path

import numpy as np
import pytest
from soar.agents import prompts as prompts_module
from soar.agents.extraction import extract_program
from soar.agents.prompts import (
    COLOUR_LEGEND,
    SYSTEM_PROMPT,
    FewShotExample,
    PromptConfig,
    answer_message,
    prediction_text,
    refine_messages,
    refine_prompt,
    sample_messages,
    sample_prompt,
)
from soar.agents.prompts_plain import PLAIN_COLOUR_LEGEND, PLAIN_SYSTEM_PROMPT
from soar.arc_env import Executor, Status, load_tasks
from soar.arc_env.executor.result import InputResult, ProgramResult
from soar.arc_env.task import Pair, Task

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("SOAR_UPDATE_GOLDEN") == "1"  # regenerate the plain style's files

_spec = importlib.util.spec_from_file_location("render_original", GOLDEN / "render_original.py")
CASES = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(CASES)  # the answers the golden files were rendered for


def golden(name: str) -> str:
    return (GOLDEN / name).read_text()


def check_plain_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text)
    assert path.exists(), f"missing golden file {path}; run with SOAR_UPDATE_GOLDEN=1 to create it"
    assert text == path.read_text(), (
        f"{name} changed; if deliberate, rerun with SOAR_UPDATE_GOLDEN=1"
    )


@pytest.fixture(scope="module")
def tasks():
    return {t.id: t for t in load_tasks("arc1/train:3c9b0459,007bbfb7,25ff71a9,8d5021e8")}


@pytest.fixture(scope="module")
def refined(tasks):
    """Each golden refinement case: (task, program extracted from its answer, result)."""
    answers = {
        "refine_3c9b0459_wrong_grids": ("3c9b0459", CASES.ANSWER.format(CASES.IDENTITY)),
        "refine_3c9b0459_error_timeout": ("3c9b0459", CASES.ANSWER.format(CASES.FAULTY)),
        "refine_25ff71a9_every_train_pair": ("25ff71a9", CASES.ROLL_ANSWER),
        "refine_8d5021e8_some_pairs": (
            "8d5021e8",
            CASES.ANSWER.format(CASES.first_pair_program(tasks["8d5021e8"])),
        ),
    }
    jobs = {}
    for name, (task_id, answer) in answers.items():
        program, why = extract_program(answer)
        assert why is None
        jobs[name] = (tasks[task_id], program)
    with Executor(workers=2, timeout=0.5) as ex:
        results = ex.run(list(jobs.values()))
    return {name: (*job, result) for (name, job), result in zip(jobs.items(), results, strict=True)}


@pytest.mark.parametrize("task_id", ["3c9b0459", "007bbfb7", "25ff71a9", "8d5021e8"])
def test_sampling_prompt_is_the_released_format(tasks, task_id):
    messages = sample_messages(tasks[task_id])
    assert messages == [
        {"role": "system", "content": golden("system.txt")},
        {"role": "user", "content": golden(f"sample_{task_id}.txt")},
    ]


def test_fewshot_prompt_is_the_released_format(tasks):
    example = FewShotExample(tasks["3c9b0459"], CASES.ROTATE_EXAMPLE)
    text = sample_prompt(tasks["007bbfb7"], PromptConfig(fewshot=(example,)))
    assert text == golden("fewshot_007bbfb7.txt")
    assert "# Rotate" not in text  # the example program is shown normalised, as the original did


@pytest.mark.parametrize(
    "name",
    [
        "refine_3c9b0459_wrong_grids",
        "refine_3c9b0459_error_timeout",
        "refine_25ff71a9_every_train_pair",
        "refine_8d5021e8_some_pairs",
    ],
)
def test_refinement_prompt_is_the_released_format(refined, name):
    task, program, result = refined[name]
    assert refine_messages(task, program, result) == [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": golden(f"{name}.txt")},
    ]


def test_refinement_golden_cases_cover_wrong_right_and_failed(refined):
    _, _, wrong = refined["refine_3c9b0459_wrong_grids"]
    assert not any(wrong.train_correct) and not wrong.errored
    _, _, right = refined["refine_25ff71a9_every_train_pair"]
    assert right.all_train_correct and len(right.test) == 2
    _, _, some = refined["refine_8d5021e8_some_pairs"]
    assert some.train_correct[0] and not all(some.train_correct)
    _, _, failed = refined["refine_3c9b0459_error_timeout"]
    assert [r.status for r in failed.train[:2]] == [Status.ERROR, Status.TIMEOUT]


def test_refinement_lines(refined):
    task, program, result = refined["refine_3c9b0459_error_timeout"]
    text = refine_prompt(task, program, result)
    assert (
        "## Output 1 computed by `transform` is incorrect.\n"
        "The execution gave the following results ():\n"
        "The execution failed (error): ValueError: unexpected corner (line 6)\n"
        "## Output 2 computed by `transform` is incorrect.\n"
        "The execution gave the following results ():\n"
        "The execution failed (timeout): ran past the timeout\n"
    ) in text
    assert text.endswith(
        "The previous code give incorrect output for: Output 1, Output 2, Output 3, Output 4. "
        "Now, you need to fix the code to produce correct output for all inputs."
    )
    task, program, result = refined["refine_25ff71a9_every_train_pair"]
    text = refine_prompt(task, program, result)
    assert text.endswith(
        "The previous code give correct output for all Train input.\n\n"
        "The previous code give incorrect output for: . Now, you need to fix the code to produce "
        "correct output for all inputs."
    )
    # shown as the original showed it: comment gone, numpy import added, test code dropped
    assert "```python\nimport numpy as np\n\ndef transform(grid_lst" in text
    assert "# Move" not in text and "test_transform" not in text and "print(" not in text


def test_error_after_a_grid_has_no_shape():
    """The original repeated the last grid's shape for an input without a grid (a left-over
    variable); here the parentheses stay empty."""
    task = Task("t", (Pair(((1,),), ((2,),)), Pair(((3,),), ((4,),))), (Pair(((5,),)),))
    result = ProgramResult(
        "t",
        "p",
        (InputResult(Status.OK, ((7, 7),)), InputResult(Status.ERROR, None, "KeyError: 3")),
        (InputResult(Status.INVALID_OUTPUT, None, "expected 1..30 rows, got 40"),),
        (False, False),
        0.0,
    )
    text = refine_prompt(task, "def transform(grid):\n    return grid", result)
    assert (
        "## Output 1 computed by `transform` is incorrect.\n"
        "The execution gave the following results (grid shape: 1 by 2):\n[[7 7]]\n"
        "## Output 2 computed by `transform` is incorrect.\n"
        "The execution gave the following results ():\nThe execution failed (error): KeyError: 3\n"
        "## Output Test 1 computed by `transform` (we don't know if it is correct or not) "
        "The execution gave the following results ():\n"
        "The execution failed (invalid-output): expected 1..30 rows, got 40\n"
    ) in text


def test_module_constants_stay_in_the_program_shown(tasks):
    """The original dropped module-level assignments from the program it showed, which breaks
    programs that use constants; they stay here."""
    program = "K = 2  # turns\nimport numpy as np\ndef transform(grid):\n    return np.rot90(np.array(grid), K).tolist()\n"
    with Executor(workers=1) as ex:
        result = ex.run([(tasks["3c9b0459"], program)])[0]
    assert result.all_train_correct
    text = refine_prompt(tasks["3c9b0459"], program, result)
    assert "```python\nK = 2\nimport numpy as np\n\ndef transform(grid):\n" in text


def test_predictions_are_shown_as_numpy_printed_them():
    wide = [[(r + c) % 10 for c in range(40)] for r in range(3)]  # numpy wraps rows past 36 cells
    big = [[(r * c) % 10 for c in range(40)] for r in range(40)]  # and elides past 1,000 cells
    for grid in (wide, big, [[5]]):
        shape, text = prediction_text(grid)
        assert text == str(np.array(grid))
        assert shape == f"grid shape: {len(grid)} by {len(grid[0])}"
    assert "..." in prediction_text(big)[1]
    expected = [prediction_text(grid)[1] for grid in (wide, big)]
    with np.printoptions(threshold=10**6, linewidth=1000):  # the process's settings do not count
        assert [prediction_text(grid)[1] for grid in (wide, big)] == expected
    for rows, columns in ((50, 2), (2, 50), (60, 60)):
        grid = [[1] * columns for _ in range(rows)]
        assert prediction_text(grid) == (
            f"grid shape: {rows} by {columns}",
            f"Output is too large to display ({rows}x{columns}).\n\n",
        )


def test_task_grids_are_never_elided():
    big = tuple(tuple((r * 31 + c) % 10 for c in range(30)) for r in range(30))
    task = Task("big", (Pair(big, big),), (Pair(big),))
    for style in ("numpy", "digits", "colour-names"):
        for prompt_style in ("soar", "plain"):
            text = sample_prompt(task, PromptConfig(style=prompt_style, grid_style=style))
            assert "..." not in text
            if style != "colour-names":
                assert len(re.findall(r"\d", text.split("# Task to solve:")[1])) >= 3 * 900


def test_layout_and_options(tasks):
    task = tasks["25ff71a9"]
    text = sample_prompt(task)
    assert COLOUR_LEGEND in text
    assert (
        "\n# Task to solve:\n## Input 1 (grid shape: 3 by 3):\n[[1 1 1]\n [0 0 0]\n [0 0 0]]"
        in text
    )
    assert text.count("## Input ") == len(task.train)
    assert text.count("## Test Input ") == len(task.test) == 2
    assert "Test Output" not in text  # test outputs are never shown
    no_legend = sample_prompt(task, PromptConfig(colour_legend=False))
    assert COLOUR_LEGEND not in no_legend and "pairs).\n\nNow, solve" in no_legend
    digits = sample_prompt(task, PromptConfig(grid_style="digits"))
    assert "## Input 1 (grid shape: 3 by 3):\n111\n000\n000" in digits
    with pytest.raises(ValueError, match="grid_style: expected one of numpy, digits, colour-names"):
        PromptConfig(grid_style="ascii")
    with pytest.raises(ValueError, match="style: expected one of soar, plain, got 'paper'"):
        PromptConfig(style="paper")


def test_answer_is_the_normalised_program():
    program = "def transform(grid):\n    # flip\n    return np.flipud(grid).tolist()\n"
    assert answer_message(program) == {
        "role": "assistant",
        "content": "```python\nimport numpy as np\ndef transform(grid):\n    return np.flipud(grid).tolist()\n```",
    }
    assert answer_message(program, PromptConfig(style="plain"))["content"] == (
        f"```python\n{program.strip()}\n```"
    )


def test_plain_style(tasks, refined):
    plain = PromptConfig(style="plain")
    assert sample_messages(tasks["3c9b0459"], plain)[0]["content"] == PLAIN_SYSTEM_PROMPT
    check_plain_golden("plain_sample_3c9b0459.txt", sample_prompt(tasks["3c9b0459"], plain))
    check_plain_golden("plain_sample_007bbfb7.txt", sample_prompt(tasks["007bbfb7"], plain))
    task, program, result = refined["refine_3c9b0459_error_timeout"]
    text = refine_prompt(task, CASES.FAULTY, result, plain)
    check_plain_golden("plain_refine_3c9b0459_error_timeout.txt", text)
    assert PLAIN_COLOUR_LEGEND in text
    assert refine_messages(task, CASES.FAULTY, result, plain)[1]["content"] == text
    example = FewShotExample(tasks["3c9b0459"], CASES.ROTATE_EXAMPLE)
    fewshot = sample_prompt(tasks["007bbfb7"], PromptConfig(style="plain", fewshot=(example,)))
    assert (
        fewshot.index("# Task 1:")
        < fewshot.index("## Solution:\n```python\ndef transform(grid):\n    # Rotate")
        < fewshot.index("# Task to solve:")
    )


def test_doctests():
    result = doctest.testmod(prompts_module)
    assert result.attempted > 0 and result.failed == 0
