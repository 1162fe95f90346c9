"""Code extraction: which block is the program, and why an answer is invalid."""

from __future__ import annotations

import pytest
from soar.agents import SampleRequest, ScriptedPolicy, extract_program
from soar.agents.extraction import code_blocks, normalise_program, soar_block
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


IDENTITY_BLOCK = f"{FENCE}python\ndef transform(g):\n    return g\n{FENCE}"

# The released SOAR pipeline's reading of answers (soar/llm_utils.py: extract_transform, then
# check_and_remove_test_transform). The expected programs below are what the original's functions
# return for these answers, normalised (normalise_program): run once with the original code.
ORIGINAL_READS = {
    "closing fence at the end of a code line": (
        f"Here it is: {FENCE}python\ndef transform(g):\n    return g[::-1]{FENCE}",
        "def transform(g):\n    return g[::-1]",
    ),
    "last block cut at the token limit: the complete one before it": (
        f"{IDENTITY_BLOCK}\nImproved:\n"
        f"{FENCE}python\ndef transform(g):\n    return [r[::-1] for r in g",
        "def transform(g):\n    return g",
    ),
    "a later block without `def transform(` does not count": (
        f"{IDENTITY_BLOCK}\n{block('print(transform([[1]]))')}",
        "def transform(g):\n    return g",
    ),
    "test functions, calls, prints, main block and comments go": (
        block(
            "import numpy as np\n\n# helper\ndef helper(a):\n    return np.flipud(a)  # flip\n\n"
            'def transform(grid):\n    """Doc."""\n    return helper(np.array(grid)).tolist()\n\n'
            "def test_transform():\n    assert transform([[1], [2]]) == [[2], [1]]\n\n"
            'def check_transform():\n    pass\n\ntest_transform()\nprint("ok")\n\n'
            "if __name__ == '__main__':\n    check_transform()"
        ),
        "import numpy as np\n\ndef helper(a):\n    return np.flipud(a)\n\n"
        'def transform(grid):\n    """Doc."""\n    return helper(np.array(grid)).tolist()',
    ),
    "numpy used without import, with a test function": (
        block(
            "def transform(grid):\n    return np.array(grid).T.tolist()\n\n"
            "def test_transform():\n    print(transform([[1, 2]]))"
        ),
        "import numpy as np\n\ndef transform(grid):\n    return np.array(grid).T.tolist()",
    ),
    "numpy used in the test function only": (
        block(
            "def transform(grid):\n    return grid\n\n"
            "def test_transform():\n    assert np.array_equal(transform([[1]]), [[1]])"
        ),
        "import numpy as np\n\ndef transform(grid):\n    return grid",
    ),
    "numpy used without import": (
        block("def transform(grid):\n    # transpose\n    return np.array(grid).T.tolist()"),
        "import numpy as np\ndef transform(grid):\n    return np.array(grid).T.tolist()",
    ),
    "quotes and spacing normalised": (
        block(
            "def transform(grid):\n    colours = {\"a\": 1,'b':2}\n"
            "    return [[colours.get( 'a' , 0 ) for _ in row] for row in grid]"
        ),
        "def transform(grid):\n    colours = {'a': 1, 'b': 2}\n"
        "    return [[colours.get('a', 0) for _ in row] for row in grid]",
    ),
}


@pytest.mark.parametrize("case", list(ORIGINAL_READS))
def test_reads_answers_as_the_released_pipeline(case):
    answer, original = ORIGINAL_READS[case]
    program, why = extract_program(answer)
    assert why is None
    assert normalise_program(program) == original


def test_cleaning_keeps_comments_constants_and_layout():
    code = (
        "import numpy as np\n\nK = 2  # turns\n\n# rotate\ndef transform(grid):\n"
        "    return np.rot90(np.array(grid), K).tolist()\n\n"
        "def test_transform():\n    assert transform([[1]]) == [[1]]\n\n"
        "test_transform()\n# Example\nprint(transform([[1, 2]]))\n"
    )
    program, why = extract_program(block(code))
    assert why is None
    assert program == (
        "import numpy as np\n\nK = 2  # turns\n\n# rotate\ndef transform(grid):\n"
        "    return np.rot90(np.array(grid), K).tolist()"
    )
    assert normalise_program(program) == (
        "import numpy as np\nK = 2\n\ndef transform(grid):\n"
        "    return np.rot90(np.array(grid), K).tolist()"
    )


def test_cleaning_unparses_when_statements_share_a_line():
    program, why = extract_program(block("def transform(g):\n    return g\nx = 1; print(x)"))
    assert why is None and program == "def transform(g):\n    return g\nx = 1"


def test_accepted_here_though_the_original_could_not_run_it():
    # An untagged block (the original reads ```python blocks only) ...
    assert extract_program(block("def transform(g):\n    return g", lang="")) == (
        "def transform(g):\n    return g",
        None,
    )
    # ... and a program binding transform by assignment (the original dropped assignments).
    program, why = extract_program(block("import numpy as np\ntransform = np.fliplr"))
    assert why is None and normalise_program(program) == "import numpy as np\ntransform = np.fliplr"


def test_normalise_leaves_dsl_and_unparsable_programs_alone():
    from soar.agents.dsl.program import to_source

    source = to_source((("flip_h", ()),))
    assert normalise_program(source) == source.strip()
    assert normalise_program("def transform(g)\n  return g") == "def transform(g)\n  return g"


def test_soar_block_rule():
    assert soar_block("no code") is None
    assert soar_block(f"{block('x = 1')}\n{block('y = 2')}") == "y = 2\n"
    text = f"{IDENTITY_BLOCK}\n{block('z = 3')}"
    assert soar_block(text) == "def transform(g):\n    return g\n"


def test_doctests():
    import doctest

    from soar.agents import extraction

    result = doctest.testmod(extraction)
    assert result.attempted > 0 and result.failed == 0
