"""A tiny sentence-transformers code embedder built locally, for the embedding-dedup tests.

A WordPiece tokenizer trained here on the project's example programs, a BERT sized to it and mean
pooling, saved with ``save`` so tests load it by path exactly as a real model (CodeRankEmbed) is
loaded. Nothing is downloaded. The BERT has no attention layer and no position information, and
random token embeddings: a program's embedding is then about the mean of its tokens' vectors, so
two programs are as similar as their bags of tokens (a random deep model finds every pair of
programs alike, which would test nothing). Needs sentence-transformers (the ``hf`` extra);
importing this module imports it.
"""

from __future__ import annotations

from pathlib import Path

import torch
from sentence_transformers import SentenceTransformer

try:  # sentence-transformers >= 6
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
except ImportError:  # earlier versions
    from sentence_transformers.models import Pooling, Transformer
from tokenizers import Tokenizer, decoders, normalizers, pre_tokenizers, trainers
from tokenizers.models import WordPiece
from transformers import BertConfig, BertModel, BertTokenizerFast

REPO = Path(__file__).resolve().parents[2]
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def code_corpus() -> list[str]:
    """The example programs under ``examples/programs``."""
    return [path.read_text() for path in sorted((REPO / "examples/programs").glob("*.py"))]


def build_tiny_embedder(directory: str | Path, *, seed: int = 0, dim: int = 256) -> Path:
    """Write a tiny bag-of-tokens BERT code embedder with mean pooling to ``directory``; return
    its path."""
    directory = Path(directory)
    backend = Tokenizer(WordPiece(unk_token="[UNK]"))
    backend.normalizer = normalizers.BertNormalizer(lowercase=False)
    backend.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    backend.decoder = decoders.WordPiece()
    trainer = trainers.WordPieceTrainer(vocab_size=600, special_tokens=SPECIAL, show_progress=False)
    backend.train_from_iterator(code_corpus(), trainer=trainer)
    tokenizer = BertTokenizerFast(
        tokenizer_object=backend,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
    )
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=dim,
        intermediate_size=2 * dim,
        num_hidden_layers=0,
        num_attention_heads=2,
        max_position_embeddings=512,
    )
    torch.manual_seed(seed)
    bert = BertModel(config)
    with torch.no_grad():
        bert.embeddings.word_embeddings.weight.normal_(0.0, 1.0)
        bert.embeddings.position_embeddings.weight.zero_()
        bert.embeddings.token_type_embeddings.weight.zero_()
    bert_dir = directory / "bert"
    bert.save_pretrained(bert_dir)
    tokenizer.save_pretrained(bert_dir)
    word = Transformer(str(bert_dir), max_seq_length=256)
    size = getattr(word, "get_embedding_dimension", None) or word.get_word_embedding_dimension
    pooling = Pooling(size(), pooling_mode="mean")
    SentenceTransformer(modules=[word, pooling], device="cpu").save(str(directory / "model"))
    return directory / "model"
