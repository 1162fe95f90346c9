"""Reading a program out of a model's answer, and the normalised program text of the SOAR format.

Which block is the program:

1. The released SOAR pipeline's rule first (``extract_transform`` in its ``soar/llm_utils.py``):
   among the blocks opened by ```` ```python ```` and a newline and closed by the next ```` ``` ````
   (anywhere, even at the end of a code line), the last one containing ``def transform(``, else
   the last one. It is taken if it parses and defines ``transform``.
2. Otherwise this project's rule: the last fenced block that defines ``transform`` (fences on
   their own lines; Python-tagged or untagged blocks; an unterminated final block counts, since
   answers are often cut at the token limit), else the last block; a bare program without fences.

So every answer the released pipeline could run is read the same way, and answers it could not
read (an untagged block, a block cut at the token limit) still give a program.

The block is then cleaned of code that only runs when the module loads, as the released pipeline
did (it kept only functions and imports): the ``test_transform`` and ``check_transform``
functions, expression statements (calls such as ``print(transform(example))``, docstrings),
``assert`` statements and ``if __name__ == "__main__":`` blocks. Everything else stays: imports,
constants, classes, helpers, comments. An answer whose block does not parse, or defines no
``transform``, is *invalid*: the reason is returned, never raised, so the completion is still
logged and counted.

:func:`normalise_program` gives a program as the released pipeline showed it to its models (in
refinement prompts) and trained them on (assistant answers): parsed and unparsed, ``import numpy
as np`` prepended when ``np.`` is used without it.
"""

from __future__ import annotations

import ast
import re

_FENCE = re.compile(r"^[ \t]*```[ \t]*([\w+.-]*)[^\n]*$", re.MULTILINE)
_CODE_LANGS = {"", "python", "py", "python3"}
_SOAR_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
"""The released pipeline's code-block pattern (``soar/llm_utils.py``, ``extract_transform``)."""
TEST_FUNCTIONS = ("test_transform", "check_transform")
"""Top-level functions dropped from programs, as the released pipeline dropped them."""


def code_blocks(text: str) -> list[str]:
    """Contents of the fenced code blocks in ``text`` that are Python or untagged, in order.

    >>> code_blocks("see\\n```python\\nx = 1\\n```\\n```json\\n{}\\n```\\n```\\ny = 2\\n")
    ['x = 1', 'y = 2']
    """
    fences = list(_FENCE.finditer(text))
    blocks = []
    i = 0
    while i < len(fences):
        opening = fences[i]
        body_start = opening.end() + 1
        closing = fences[i + 1] if i + 1 < len(fences) else None
        body = text[body_start : closing.start()] if closing else text[body_start:]
        if opening.group(1).lower() in _CODE_LANGS:
            blocks.append(body.rstrip("\n"))
        i += 2
    return blocks


def soar_block(text: str) -> str | None:
    """The block the released SOAR pipeline takes as the program, or None if it finds none.

    >>> soar_block("```python\\ndef transform(g):\\n    return g```\\n```python\\nprint(1)\\n```")
    'def transform(g):\\n    return g'
    >>> soar_block("```Python\\ndef transform(g):\\n    return g\\n```") is None
    True
    """
    chosen, found_transform = None, False
    for block in _SOAR_BLOCK.findall(text):
        if "def transform(" in block:
            chosen, found_transform = block, True
        elif not found_transform:
            chosen = block
    return chosen


def defines_transform(tree: ast.Module) -> bool:
    """Whether a module binds ``transform`` at top level (def, assignment or import)."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "transform":
            return True
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "transform" for t in node.targets
        ):
            return True
        if isinstance(node, (ast.Import, ast.ImportFrom)) and any(
            (alias.asname or alias.name) == "transform" for alias in node.names
        ):
            return True
    return False


def runs_at_load_only(node: ast.stmt) -> bool:
    """Whether a top-level statement is dropped from programs: a test function, an expression
    statement, an ``assert``, an ``if __name__ == "__main__":`` block."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return node.name in TEST_FUNCTIONS
    if isinstance(node, (ast.Expr, ast.Assert)):
        return True
    if isinstance(node, ast.If) and isinstance(node.test, ast.Compare):
        sides = [node.test.left, *node.test.comparators]
        names = {s.id for s in sides if isinstance(s, ast.Name)}
        values = {s.value for s in sides if isinstance(s, ast.Constant)}
        return names == {"__name__"} and values == {"__main__"}
    return False


def clean_program(source: str, tree: ast.Module) -> str:
    """``source`` without its load-time-only statements (see :func:`runs_at_load_only`).

    Lines are cut from the source, so comments and layout stay; trailing blank and comment lines
    go too. When a dropped statement shares a line with a kept one, the kept statements are
    unparsed instead. When a test function goes from a program that uses ``np.`` without
    importing numpy, ``import numpy as np`` is added at the top, as the original did.

    >>> src = "def transform(g):\\n    return g\\n\\n# Try it\\nprint(transform([[1]]))\\n"
    >>> clean_program(src, ast.parse(src))
    'def transform(g):\\n    return g'
    """
    dropped = [node for node in tree.body if runs_at_load_only(node)]
    if not dropped:
        return source
    kept = [node for node in tree.body if not runs_at_load_only(node)]
    cut = set().union(*(_lines(node) for node in dropped))
    if cut & set().union(*(_lines(node) for node in kept)):
        lines = ast.unparse(ast.Module(body=kept, type_ignores=[])).splitlines()
    else:
        lines = [line for n, line in enumerate(source.splitlines(), 1) if n not in cut]
    while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith("#")):
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    cleaned = "\n".join(lines)
    tests = [node for node in dropped if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if tests and needs_numpy_import(ast.unparse(ast.Module(kept + tests, []))):
        # The original added this import before it dropped the test functions (see
        # normalise_program): adding it here keeps the program it showed, blank lines included.
        cleaned = "import numpy as np\n" + cleaned
    return cleaned


def _lines(node: ast.stmt) -> set[int]:
    decorators = getattr(node, "decorator_list", [])
    first = min([node.lineno, *(d.lineno for d in decorators)])
    return set(range(first, (node.end_lineno or node.lineno) + 1))


def _parse(block: str) -> ast.Module | SyntaxError:
    try:
        return ast.parse(block)
    except SyntaxError as err:
        return err
    except ValueError as err:  # null bytes in the source
        return SyntaxError(str(err))


def extract_program(text: str) -> tuple[str | None, str | None]:
    """``(program, None)`` for a usable answer, else ``(None, why it is invalid)``.

    >>> extract_program("Reasoning...\\n```python\\nK = 2\\ndef transform(g):\\n    return g * K\\n```")
    ('K = 2\\ndef transform(g):\\n    return g * K', None)
    >>> extract_program("I cannot solve this.")
    (None, 'no code block in the answer')
    """
    block = soar_block(text)
    if block is not None:
        tree = _parse(block.rstrip("\n"))
        if isinstance(tree, ast.Module) and defines_transform(tree):
            return clean_program(block.rstrip("\n"), tree), None
    blocks = code_blocks(text)
    if not blocks:
        stripped = text.strip()
        if "def transform" in stripped and "```" not in stripped:  # a bare program, no fences
            blocks = [stripped]
        else:
            return None, "no code block in the answer"
    parsed = [(block, _parse(block)) for block in blocks]
    for block, tree in reversed(parsed):
        if isinstance(tree, ast.Module):
            if defines_transform(tree):
                return clean_program(block, tree), None
        elif "def transform" in block:  # the last attempt at `transform` does not parse
            return None, _syntax_reason(tree)
    block, last = parsed[-1]
    if isinstance(last, SyntaxError):
        return None, _syntax_reason(last)
    return None, "the code defines no function `transform`"


def _syntax_reason(err: SyntaxError) -> str:
    where = f" (line {err.lineno})" if err.lineno else ""
    return f"syntax error: {err.msg}{where}"


def normalise_program(program: str) -> str:
    """The program as the released SOAR pipeline showed it and trained on it.

    As its ``postprocess_transform`` (``soar/llm_utils.py``) did: parse, drop what runs only at load
    (:func:`runs_at_load_only`; the original kept functions and imports only), unparse (comments
    go, quotes and spacing are normalised), prepend ``import numpy as np`` when ``np.`` appears
    without it, drop ``test_transform``/``check_transform``. Unlike the original, module-level
    assignments, classes and other statements stay (the program needs them; for programs without
    them the text is the same). A DSL program (``# dsl:`` header, which ``soar train --base dsl``
    reads back) and a program that does not parse are returned unchanged.

    >>> print(normalise_program("def transform(g):  # flip\\n    return np.flipud(g)\\n"))
    import numpy as np
    def transform(g):
        return np.flipud(g)
    """
    from .dsl.program import parse_source

    if parse_source(program) is not None:
        return program.strip()
    tree = _parse(program)
    if not isinstance(tree, ast.Module):
        return program
    code = ast.unparse(ast.Module([n for n in tree.body if not _dropped(n)], [])).strip()
    if needs_numpy_import(code):
        code = "import numpy as np\n" + code
    if any(f"def {name}" in code for name in TEST_FUNCTIONS):
        tree = ast.parse(code)
        tree.body = [n for n in tree.body if not runs_at_load_only(n)]
        code = "\n".join(ast.unparse(tree).splitlines())
    return code


def needs_numpy_import(code: str) -> bool:
    """The original's test for prepending ``import numpy as np`` (on unparsed code)."""
    return "np." in code and "import numpy as np" not in code


def _dropped(node: ast.stmt) -> bool:
    # The original drops test functions only after the numpy check: keep them for it.
    is_test = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    return runs_at_load_only(node) and not is_test
