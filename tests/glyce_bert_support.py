"""A tiny random BERT for the Glyce-BERT tests (no checkpoint can be downloaded here).

Vocabulary: the special tokens, every (lower-cased) character of the fixture files, a few ASCII letters and digits.
Size: hidden 32, 2 layers, 2 heads, and only ``MAX_POSITIONS`` = 64 positions, so that the fixtures' longer sentences
already exercise the long-sequence paths (overlapping windows for tagging, truncation for classification).
"""
import glob
import os
from typing import Dict

import pytest

from conftest import FIXTURES

MAX_POSITIONS = 64
HIDDEN = 32
GLYPH_DIM = 64
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
NOT_IN_VOCAB = "鑫"  # a character no fixture has: [UNK] on the BERT side, a real glyph on the glyph side


def fixture_chars():
    chars = set("abcdefghijklmnopqrstuvwxyz0123456789")
    for pattern in ("ner/*.bmes", "classification/*.tsv", "classification/raw.txt", "pair/*.txt", "raw.txt",
                    "cws/train.txt", "pos/train.txt"):
        for path in glob.glob(os.path.join(FIXTURES, pattern)):
            with open(path, encoding="utf-8", errors="ignore") as f:
                chars.update(c.lower() for c in f.read() if not c.isspace())
    chars.discard(NOT_IN_VOCAB)
    return sorted(c for c in chars if len(c) == 1 and c.isprintable())


def build_tiny_bert(folder: str) -> str:
    """Write a random tiny BERT (config, weights, vocab.txt, tokenizer files) into ``folder``; returns it."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizer

    os.makedirs(folder, exist_ok=True)
    vocab_file = os.path.join(folder, "vocab.txt")
    with open(vocab_file, "w", encoding="utf-8") as f:
        f.write("\n".join(SPECIAL + fixture_chars()) + "\n")
    config = BertConfig(vocab_size=len(SPECIAL) + len(fixture_chars()), hidden_size=HIDDEN, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=MAX_POSITIONS)
    torch.manual_seed(0)
    BertModel(config).save_pretrained(folder)
    BertTokenizer(vocab_file).save_pretrained(folder)
    return folder


_BUILT: Dict[str, str] = {}


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory):
    """Path of the tiny BERT folder (built once per test process)."""
    if "path" not in _BUILT:
        _BUILT["path"] = build_tiny_bert(str(tmp_path_factory.mktemp("tiny_bert")))
    return _BUILT["path"]


@pytest.fixture()
def bert_vars(tiny_bert, monkeypatch):
    """BERT_MODEL / BERT_DIM set for the configs (restored after the test)."""
    for name, value in bert_env(tiny_bert).items():
        monkeypatch.setenv(name, value)
    return tiny_bert


def bert_env(folder: str) -> Dict[str, str]:
    return {"BERT_MODEL": folder, "BERT_DIM": str(HIDDEN)}


# dotted overrides (a nested object would replace the whole one) for fast tests: glyph D = 64, hence the Glyce
# layers' input 32 + 64
def overrides(kind: str, glyce: bool, epochs: int = 1) -> Dict:
    result = {"trainer.num_epochs": epochs, "data_loader.batch_sampler.batch_size": 32}
    if glyce:
        model = "model.model."
        result[model + "text_field_embedder.token_embedders.glyph.glyph_dim"] = GLYPH_DIM
        encoder = "encoder" if kind == "tagger" else "seq2seq_encoder"
        result[model + encoder + ".input_dim"] = HIDDEN + GLYPH_DIM
        result[model + encoder + ".feedforward_hidden_dim"] = 128
        if kind != "tagger":
            result[model + "seq2vec_encoder.embedding_dim"] = HIDDEN + GLYPH_DIM
    return result
