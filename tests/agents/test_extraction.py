"""Code extraction: which block is the program, and why an answer is invalid."""

from __future__ import annotations

import pytest
from soar.agents import SampleRequest, ScriptedPolicy, extract_program
from soar.agents.extraction import code_blocks
from soar.arc_env import Executor, load_tasks

FENCE = "```"


def block(code: str, lang: str = "python") -> str:
    return f"{FENCE}{lang}\n{code}\n{FENCE}"


def test_keeps_module_constants_helpers_and_imports():
    code = "import numpy as np\n\nSCALE = 3\n\ndef helper(a):\n    return np.kron(a, np.ones((SCALE, SCALE), int))\n\ndef transform(grid):\n    return helper(np.array(grid)).tolist()"
    program, reason = extract_program(f"Reasoning first.\n\n{block(code)}\nDone.")
    assert reason is None and program == code


def test_takes_the_last_block_defining_transform():
    first = "def transform(grid):\n    return grid"
    second = "def transform(grid):\n    return grid[::-1]"
    text = f"{block(first)}\nBetter:\n{block(second)}\nExample use:\n{block('print(transform([[1]]))')}"
    assert extract_program(text) == (second, None)


def test_untagged_and_py_blocks_count_other_languages_do_not():
    code = "def transform(grid):\n    return grid"
    assert extract_program(block(code, lang=""))[0] == code
    assert extract_program(block(code, lang="py"))[0] == code
    assert extract_program(block(code, lang="json")) == (None, "no code block in the answer")


def test_unterminated_last_block_is_read():
    text = f"{FENCE}python\ndef transform(grid):\n    return [row[::-1] for row in grid]\n"
    assert extract_program(text) == (
        "def transform(grid):\n    return [row[::-1] for row in grid]",
        None,
    )


def test_bare_program_without_fences():
    assert extract_program("def transform(grid):\n    return grid\n") == (
        "def transform(grid):\n    return grid",
        None,
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "no code block in the answer"),
        ("I am not sure how to solve this task.", "no code block in the answer"),
        (block("def transform(grid)\n    return grid"), "syntax error: expected ':' (line 1)"),
        (block("def solve(grid):\n    return grid"), "the code defines no function `transform`"),
        (block("x = 1"), "the code defines no function `transform`"),
        (
            block("def transform(grid):\n    return grid")
            + "\n"
            + block("def transform(grid):\n  return (grid"),
            "syntax error",
        ),
        (block("def transform(g):\n    return g\x00"), "syntax error"),
    ],
)
def test_invalid_answers_say_why(text, reason):
    program, why = extract_program(text)
    assert program is None and why is not None and why.startswith(reason)


def test_transform_bound_by_assignment_or_import():
    assert extract_program(block("import numpy as np\ntransform = np.fliplr"))[1] is None
    assert extract_program(block("from numpy import fliplr as transform"))[1] is None


def test_code_blocks_in_order():
    text = f"{block('a = 1')}\n{block('{}', 'json')}\n{block('b = 2', '')}"
    assert code_blocks(text) == ["a = 1", "b = 2"]


def test_invalid_completions_are_records_not_exceptions():
    task = load_tasks("arc1/train:3c9b0459")[0]
    answers = [
        "no code here",
        block("def transform(grid)\n  pass"),
        block("def transform(grid):\n    return [r[::-1] for r in grid[::-1]]"),
    ]
    completions = ScriptedPolicy(answers=answers).generate([SampleRequest(task, n=3)])[0]
    assert [c.valid for c in completions] == [False, False, True]
    assert completions[0].invalid_reason == "no code block in the answer"
    assert completions[1].invalid_reason.startswith("syntax error")
    with Executor(workers=1) as ex:
        assert ex.run([(task, completions[2].program)])[0].all_train_correct
