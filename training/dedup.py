"""Near-duplicate programs, removed before selection so that a task's examples differ.

Three ways to say two programs are the same (the ``duplicate-code`` filter's ``dedup`` setting):

- ``exact``: the same source, surrounding whitespace ignored;
- ``ast`` (the default, cheap): the same syntax tree once parsed, so spacing, comments, docstrings
  and the quoting of strings do not count; a source that does not parse falls back to ``exact``;
- ``embedding``: code embeddings whose cosine similarity is at least ``threshold`` (SOAR paper,
  section 3.4: 0.9 with CodeRankEmbed), from any sentence-transformers model given by its path or
  name (``nomic-ai/CodeRankEmbed`` as the paper; it needs ``trust_remote_code``).

In every case the first program of a group is kept and later ones are dropped, in the order given
(as SOAR's released code does: a program is compared with those kept before it).
sentence-transformers (the ``hf`` extra) is imported only for ``embedding``.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from .sft_config import TrainError

__all__ = ["DEDUP_MODES", "ast_key", "keep_first", "load_embedder", "near_duplicates"]

DEDUP_MODES = ("exact", "ast", "embedding")


def ast_key(source: str) -> str:
    """The program's syntax tree without docstrings, as text (its stripped source if it does not
    parse): equal keys mean the same program written differently.

    >>> ast_key("def f(x):\\n    '''doc'''\\n    return x  # same\\n") == ast_key("def f( x ):  return x")
    True
    >>> ast_key("def f(x): return x") == ast_key("def f(y): return y")
    False
    """
    try:
        tree = ast.parse(textwrap.dedent(source).strip())
    except (SyntaxError, ValueError):
        return source.strip()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree, annotate_fields=False)


@lru_cache(maxsize=2)
def load_embedder(model: str, trust_remote_code: bool = True) -> Any:
    """The sentence-transformers model at ``model`` (a directory or a hub name), loaded once.

    Raises:
        TrainError: sentence-transformers is not installed, or the model cannot be loaded.
    """
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        raise TrainError(
            "embedding deduplication needs sentence-transformers: pip install 'soar-arc[hf]'"
        ) from None
    try:
        return SentenceTransformer(model, trust_remote_code=trust_remote_code)
    except Exception as err:  # a missing path, a hub name offline, a malformed model folder
        raise TrainError(f"dedup model {model!r}: cannot load it ({err})") from None


def near_duplicates(embeddings: np.ndarray, threshold: float = 0.9) -> list[bool]:
    """Per row, whether it is a near duplicate of an earlier row that was kept: cosine
    similarity >= ``threshold``.

    >>> near_duplicates(np.array([[1.0, 0.0], [0.99, 0.1], [0.0, 1.0], [0.7, 0.7]]))
    [False, True, False, False]
    """
    if len(embeddings) == 0:
        return []
    vectors = np.asarray(embeddings, dtype=np.float64)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = vectors / np.where(norms == 0, 1.0, norms)
    kept: list[int] = []
    dropped = []
    for i, vector in enumerate(vectors):
        duplicate = bool(kept) and float((vectors[kept] @ vector).max()) >= threshold
        dropped.append(duplicate)
        if not duplicate:
            kept.append(i)
    return dropped


def keep_first(
    programs: Sequence[str],
    mode: str = "ast",
    *,
    model: str | None = None,
    threshold: float = 0.9,
) -> list[bool]:
    """Per program, whether it is kept: the first of each group of duplicates is.

    Args:
        programs: sources, in the order that decides which of a group is kept.
        mode: ``exact``, ``ast`` or ``embedding`` (see the module's notes).
        model: the sentence-transformers model for ``embedding``.
        threshold: the cosine similarity from which two programs are duplicates.

    Raises:
        TrainError: an unknown mode, ``embedding`` without a model, or the model fails to load.
    """
    if mode not in DEDUP_MODES:
        raise TrainError(f"dedup: expected one of {', '.join(DEDUP_MODES)}, got {mode!r}")
    if mode == "embedding":
        if not model:
            raise TrainError("dedup: 'embedding' needs a sentence-transformers model path")
        if not programs:
            return []
        embedder = load_embedder(model)
        vectors = embedder.encode(
            [program.strip() for program in programs], convert_to_numpy=True, batch_size=32
        )
        return [not duplicate for duplicate in near_duplicates(vectors, threshold)]
    key = ast_key if mode == "ast" else str.strip
    seen: set[str] = set()
    kept = []
    for program in programs:
        k = key(program)
        kept.append(k not in seen)
        seen.add(k)
    return kept
