"""Near-duplicate programs: by syntax tree (the default), by text, and by code embeddings from a
sentence-transformers model given by path (a tiny one built locally)."""

from __future__ import annotations

import numpy as np
import pytest
from soar.training.dedup import ast_key, keep_first, near_duplicates
from soar.training.filters import FilterConfig, apply_filters
from soar.training.sft_config import TrainError

from tests.training.nodes import TASK, make_node

PLAIN = "def transform(grid):\n    return grid\n"
COMMENTED = "def transform(grid):\n    # give it back\n    return grid  # as it is\n"
DOCUMENTED = 'def transform(grid):\n    """The input."""\n    return (grid)\n'
RENAMED = "def transform(g):\n    return g\n"
ROTATE = "def transform(grid):\n    return [row[::-1] for row in grid[::-1]]\n"
ROTATE_R = "def transform(grid):\n    return [r[::-1] for r in grid[::-1]]\n"
NOTED = "def transform(grid):\n    return grid  # same\n"
KRON = (
    "import numpy as np\n\n\ndef transform(grid):\n    pattern = np.array(grid)\n"
    "    return np.kron(pattern != 0, pattern).tolist()\n"
)


def test_ast_keys_ignore_layout_comments_and_docstrings_only():
    assert ast_key(PLAIN) == ast_key(COMMENTED) == ast_key(DOCUMENTED)
    assert ast_key(PLAIN) != ast_key(RENAMED)  # another name is another tree
    assert ast_key("def transform(grid): return 'a'") == ast_key('def transform(grid): return "a"')
    assert ast_key("def transform(:\n") == "def transform(:"  # no tree: the text


def test_the_first_of_each_group_is_kept():
    programs = [PLAIN, ROTATE, COMMENTED, f"  {PLAIN}\n", DOCUMENTED, RENAMED]
    assert keep_first(programs) == [True, True, False, False, False, True]
    assert keep_first(programs, "exact") == [True, True, True, False, True, True]
    assert keep_first([]) == []


def test_near_duplicates_at_a_cosine_threshold():
    vectors = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 2.0], [1.0, 1.0], [0.0, 0.0]])
    # cosines with row 0: 0.9939, 0, 0.7071; row 3 with row 2: 0.7071; a zero vector: 0
    assert near_duplicates(vectors, 0.9) == [False, True, False, False, False]
    assert near_duplicates(vectors, 0.7) == [False, True, False, True, False]
    assert near_duplicates(vectors, 0.995) == [False, False, False, False, False]
    assert near_duplicates(np.zeros((0, 3))) == []


def test_embedding_dedup_with_a_sentence_transformers_model(tiny_embedder_dir):
    from sentence_transformers import SentenceTransformer

    programs = [PLAIN, NOTED, ROTATE, ROTATE_R, KRON]
    model = SentenceTransformer(str(tiny_embedder_dir), device="cpu")
    vectors = model.encode([p.strip() for p in programs])
    vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    similar = vectors @ vectors.T
    # what the tiny (bag-of-tokens) model says: a short comment or a renamed loop variable keeps
    # a program close (>= 0.9); another rule is far
    assert similar[0, 1] >= 0.9 and similar[2, 3] >= 0.9
    assert max(similar[0, 2], similar[0, 4], similar[2, 4], similar[1, 3]) < 0.9
    path = str(tiny_embedder_dir)
    assert keep_first(programs, "embedding", model=path) == [True, False, True, False, True]
    assert keep_first(programs, "embedding", model=path, threshold=1.0) == [True] * 5
    assert keep_first(programs, "ast") == [True, False, True, True, True]  # the tree differs

    # as the training filter's duplicate-code
    nodes = [
        make_node(i, [((1,),), ((2,),)], [((3, 4),)], program=p) for i, p in enumerate(programs)
    ]
    embedded = FilterConfig(dedup="embedding", embedding_model=path)
    result = apply_filters(TASK, nodes, embedded)
    assert [n.node_id for n in result.kept] == [0, 2, 4]
    assert result.dropped["duplicate-code"] == 2


def test_bad_dedup_settings_say_what_was_expected(tmp_path):
    with pytest.raises(TrainError, match="dedup: expected one of exact, ast, embedding"):
        FilterConfig(dedup="minhash")
    with pytest.raises(TrainError, match="needs embedding_model"):
        FilterConfig(dedup="embedding")
    with pytest.raises(TrainError, match=r"embedding_threshold: expected a cosine similarity"):
        FilterConfig(embedding_threshold=0)
    pytest.importorskip("sentence_transformers")
    with pytest.raises(TrainError, match="cannot load it"):
        keep_first([PLAIN], "embedding", model=str(tmp_path / "no-model"))
