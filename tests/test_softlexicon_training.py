"""End to end: a ``crf_tagger`` whose text field is char vectors ⊕ bigram vectors ⊕ SoftLexicon ⊕ the glyph-only
``glyce`` embedder, all pretrained parts read from the fixture files, trains one epoch on the NER fixtures, and its
archive loads and tags without the pretrained vector files (the lexicon file stays)."""
import json
import os
import shutil

import pytest

from conftest import FIXTURES

pytestmark = pytest.mark.slow

VECTORS = os.path.join(FIXTURES, "vectors")


def config(folder):
    paths = {name: str(folder / name) for name in ("chars.vec", "bigrams.vec.gz", "words.vec")}
    lexicon = os.path.join(VECTORS, "lexicon.tsv")
    return {
        "dataset_reader": {"type": "char_ner", "token_indexers": {
            "chars": {"type": "single_id", "namespace": "chars"},
            "bigrams": {"type": "char_bigrams"},
            "lexicon": {"type": "softlexicon", "lexicon_file": lexicon},
            "glyce": {"type": "glyce_characters"}}},
        "train_data_path": os.path.join(FIXTURES, "ner", "train.bmes"),
        "validation_data_path": os.path.join(FIXTURES, "ner", "dev.bmes"),
        "vocabulary": {"type": "from_instances", "pretrained_files": {"char_bigrams": paths["bigrams.vec.gz"]},
                       "min_pretrained_embeddings": {"char_bigrams": -1}},
        "model": {
            "type": "crf_tagger", "label_encoding": "BIOUL", "constrain_crf_decoding": True,
            "calculate_span_f1": True, "dropout": 0.1,
            "text_field_embedder": {"token_embedders": {
                "chars": {"type": "embedding", "embedding_dim": 8, "vocab_namespace": "chars",
                          "pretrained_file": paths["chars.vec"]},
                "bigrams": {"type": "embedding", "embedding_dim": 4, "vocab_namespace": "char_bigrams",
                            "pretrained_file": paths["bigrams.vec.gz"]},
                "lexicon": {"type": "softlexicon", "lexicon_file": lexicon, "embedding_dim": 4,
                            "pretrained_file": paths["words.vec"]},
                "glyce": {"type": "glyce", "fonts": ["song"], "glyph_dim": 64, "char_id_dim": 0,
                          "aux_classifier": False}}},
            "encoder": {"type": "lstm", "input_size": 8 + 4 + 16 + 64, "hidden_size": 8, "bidirectional": True}},
        "data_loader": {"batch_size": 16, "shuffle": True},
        "trainer": {"num_epochs": 1, "optimizer": {"type": "adam", "lr": 0.01}, "cuda_device": -1},
    }


def test_char_bigram_softlexicon_glyce_tagger_trains_and_loads_without_the_vector_files(tmp_path, components):
    from allennlp.commands.train import train_model
    from allennlp.common import Params
    from allennlp.models.archival import load_archive

    copies = tmp_path / "vectors"
    copies.mkdir()
    for name in ("chars.vec", "bigrams.vec.gz", "words.vec"):
        shutil.copy(os.path.join(VECTORS, name), copies / name)
    model = train_model(Params(config(copies)), str(tmp_path / "run"))
    vocab = model.vocab
    assert vocab.get_vocab_size("char_bigrams") == 2 + 10
    bigram_weight = model.text_field_embedder.token_embedder_bigrams.weight
    assert bigram_weight.shape == (12, 4)
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert "validation_f1-measure-overall" in metrics
    shutil.rmtree(copies)  # the archive holds the trained vectors; only the lexicon file is read again
    archive = load_archive(str(tmp_path / "run" / "model.tar.gz"))
    dev = list(archive.dataset_reader.read(os.path.join(FIXTURES, "ner", "dev.bmes")))
    outputs = archive.model.forward_on_instances(dev[:3])
    assert [len(o["tags"]) for o in outputs] == [len(i["tokens"]) for i in dev[:3]]
