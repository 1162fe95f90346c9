"""Reading a program out of a model's answer.

The rule: take the last fenced code block that defines ``transform`` (Python-tagged or untagged
blocks; an unterminated final block counts, since answers are often cut at the token limit), else
the last block. The whole block is the program — imports, module constants and helper functions
included. An answer whose block does not parse, or defines no ``transform``, is *invalid*: the
reason is returned, never raised, so the completion is still logged and counted.
"""

from __future__ import annotations

import ast
import re

_FENCE = re.compile(r"^[ \t]*```[ \t]*([\w+.-]*)[^\n]*$", re.MULTILINE)
_CODE_LANGS = {"", "python", "py", "python3"}


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


def extract_program(text: str) -> tuple[str | None, str | None]:
    """``(program, None)`` for a usable answer, else ``(None, why it is invalid)``.

    >>> extract_program("Reasoning...\\n```python\\nK = 2\\ndef transform(g):\\n    return g * K\\n```")
    ('K = 2\\ndef transform(g):\\n    return g * K', None)
    >>> extract_program("I cannot solve this.")
    (None, 'no code block in the answer')
    """
    blocks = code_blocks(text)
    if not blocks:
        stripped = text.strip()
        if "def transform" in stripped and "```" not in stripped:  # a bare program, no fences
            blocks = [stripped]
        else:
            return None, "no code block in the answer"
    parsed: list[tuple[str, ast.Module | SyntaxError]] = []
    for block in blocks:
        try:
            parsed.append((block, ast.parse(block)))
        except (SyntaxError, ValueError) as err:  # ValueError: null bytes in the source
            parsed.append((block, err if isinstance(err, SyntaxError) else SyntaxError(str(err))))
    for block, tree in reversed(parsed):
        if isinstance(tree, ast.Module):
            if defines_transform(tree):
                return block, None
        elif "def transform" in block:  # the last attempt at `transform` does not parse
            return None, _syntax_reason(tree)
    block, last = parsed[-1]
    if isinstance(last, SyntaxError):
        return None, _syntax_reason(last)
    return None, "the code defines no function `transform`"


def _syntax_reason(err: SyntaxError) -> str:
    where = f" (line {err.lineno})" if err.lineno else ""
    return f"syntax error: {err.msg}{where}"
