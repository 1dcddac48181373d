"""glyce_allennlp.formats: every module imports and parses its fixtures without AllenNLP (and without torch); the
parsing functions the readers are built on."""
import json
import os
import subprocess
import sys

import pytest

from conftest import FIXTURES, REPO
from glyce_allennlp.formats.char_ner import read_char_ner, sentence_to_bioul
from glyce_allennlp.formats.char_pos import parse_ctb_pos_line, read_ctb_pos, words_to_char_tags
from glyce_allennlp.formats.classification import read_classification
from glyce_allennlp.formats.cws import read_cws
from glyce_allennlp.formats.io import ReaderError
from glyce_allennlp.formats.sentence_pair import read_sentence_pairs

# Runs in a fresh interpreter where `import allennlp` and `import torch` fail.
_WITHOUT_ALLENNLP = r"""
import importlib, json, os, pkgutil, sys
for blocked in ("allennlp", "allennlp_models", "torch"):
    sys.modules[blocked] = None
import glyce_allennlp.formats as formats
modules = sorted(m.name for m in pkgutil.iter_modules(formats.__path__))
for name in modules:
    importlib.import_module("glyce_allennlp.formats." + name)

from glyce_allennlp.formats.char_ner import detect_file_scheme, read_char_ner, sentence_to_bioul
from glyce_allennlp.formats.char_pos import read_conll_char_pos, read_ctb_pos
from glyce_allennlp.formats.classification import read_classification
from glyce_allennlp.formats.conll import read_conll
from glyce_allennlp.formats.conll2009 import format_conll2009, read_conll2009
from glyce_allennlp.formats.cws import read_cws
from glyce_allennlp.formats.io import read_lines
from glyce_allennlp.formats.sentence_pair import read_sentence_pairs
from glyce_allennlp.formats.srl_pruning import k_order_candidates
from glyce_allennlp.formats.srl_report import srl_pruning_report
from glyce_allennlp.formats.srl_scores import SrlScorer
from glyce_allennlp.formats.tag_schemes import is_valid_bioul

fixtures = sys.argv[1]
path = lambda *parts: os.path.join(fixtures, *parts)
ner = path("ner", "train.bmes")
scheme = detect_file_scheme(ner)
ner_tags = [sentence_to_bioul(ner, first, tags, scheme)[0] for first, _, tags in read_char_ner(ner, scheme=scheme)]
srl = list(read_conll2009(path("srl", "train.txt")))
scorer = SrlScorer()
for sentence in srl:
    view = sentence.view("gold")
    for predicate, arguments in zip(view.predicates, view.arguments):
        candidates = set(k_order_candidates(view.heads, predicate, 1))
        scorer.add(arguments, {i: role for i, role in arguments.items() if i in candidates})
print(json.dumps({
    "modules": modules,
    "lines": sum(1 for _ in read_lines(path("raw.txt"))),
    "cws": len(list(read_cws(path("cws", "train.txt")))),
    "ner": [scheme, len(ner_tags), all(is_valid_bioul(tags) for tags in ner_tags)],
    "ctb_pos": len(list(read_ctb_pos(path("pos", "train.txt")))),
    "conllu": len(list(read_conll(path("ud", "train.conllu")))),
    "conllx": len(list(read_conll(path("ud", "train.conllx"), fmt="conllx"))),
    "conll_char_pos": len(list(read_conll_char_pos(path("ud", "train.conllu")))),
    "conll2009": [len(srl), "".join(format_conll2009(s) + "\n" for s in srl) == open(path("srl", "train.txt"),
                                                                                      encoding="utf-8").read()],
    "srl_recall_k1": scorer.get_metric()["arg_recall"],
    "srl_report": [s.as_dict()["arguments"] for s in srl_pruning_report([path("srl", "train.txt")], [1])],
    "classification": len(list(read_classification(path("classification", "train.tsv")))),
    "jsonl": len(list(read_classification(path("classification", "generic.jsonl"), format="jsonl"))),
    "pairs": len(list(read_sentence_pairs(path("pair", "train.txt")))),
    "bq": len(list(read_sentence_pairs(path("pair", "bq.csv"), format="bq"))),
    "loaded": sorted(m for m in ("allennlp", "allennlp_models", "torch") if sys.modules.get(m) is not None),
}))
"""


def test_every_formats_module_imports_and_parses_its_fixtures_without_allennlp_or_torch():
    proc = subprocess.run([sys.executable, "-c", _WITHOUT_ALLENNLP, FIXTURES], capture_output=True, text=True,
                          cwd=REPO, env=os.environ)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["modules"] == sorted(["io", "tag_schemes", "cws", "char_ner", "char_pos", "conll", "conll2009",
                                        "sentences", "classification", "sentence_pair", "srl_pruning", "srl_scores",
                                        "srl_report"])
    assert result["loaded"] == []
    assert result["cws"] == result["ctb_pos"] == 300 and result["ner"] == ["BMES", 300, True]
    assert result["conllu"] == result["conll_char_pos"] > 0 and result["conllx"] > 0
    assert result["conll2009"] == [12, True]
    assert 0 < result["srl_recall_k1"] <= 1 and result["srl_report"][0] > 0
    assert result["classification"] == 120 and result["jsonl"] > 0
    assert result["pairs"] == 120 and result["bq"] > 0
    assert result["lines"] > 0


def test_read_cws_gives_characters_and_bmes_tags(tmp_path):
    path = tmp_path / "cws.txt"
    path.write_text("张伟　在 北京\n\n 。\n", encoding="utf-8")
    assert list(read_cws(path)) == [(1, ["张", "伟", "在", "北", "京"], ["B", "E", "S", "B", "E"]),
                                    (3, ["。"], ["S"])]


def test_read_char_ner_and_sentence_to_bioul(tmp_path):
    path = tmp_path / "ner.bmes"
    path.write_text("\n张 S-ORG\n伟 M-ORG\n在 E-ORG\n\n京 S-LOC\n", encoding="utf-8")
    sentences = list(read_char_ner(path, scheme="BMES"))
    assert sentences == [(2, ["张", "伟", "在"], ["S-ORG", "M-ORG", "E-ORG"]), (6, ["京"], ["S-LOC"])]
    assert sentence_to_bioul(path, 2, sentences[0][2], "BMES") == (["U-ORG", "B-ORG", "L-ORG"], True)
    assert sentence_to_bioul(path, 6, sentences[1][2], "BMES") == (["U-LOC"], False)
    with pytest.raises(ReaderError, match=r"ner.bmes:2: ill-formed BMES"):
        sentence_to_bioul(path, 2, sentences[0][2], "BMES", ill_formed="error")


def test_char_pos_words_to_char_tags_and_ctb_lines(tmp_path):
    assert words_to_char_tags(["看似", "10 000", " ", "了"], ["VERB", "NUM", "X", "PART"]) == (
        ["看", "似", "1", "0", "0", "0", "0", "了"],
        ["B-VERB", "E-VERB", "B-NUM", "M-NUM", "M-NUM", "M-NUM", "E-NUM", "S-PART"])
    assert parse_ctb_pos_line("f", 1, "__PU 张伟_NR") == (["_", "张伟"], ["PU", "NR"])
    with pytest.raises(ReaderError, match=r"^f:7: token '张伟' has no '_'"):
        parse_ctb_pos_line("f", 7, "张伟")
    path = tmp_path / "pos.txt"
    path.write_text("张伟_NR 在_P\n\n", encoding="utf-8")
    assert list(read_ctb_pos(path)) == [(1, ["张", "伟", "在"], ["B-NR", "E-NR", "S-P"])]


def test_sentence_level_rows(tmp_path):
    path = tmp_path / "c.tsv"
    path.write_text("label\ttext_a\n1\t好\n", encoding="utf-8")
    assert list(read_classification(path)) == [(2, "1", "好")]
    with pytest.raises(ValueError, match="format must be one of"):
        read_classification(path, format="csv")
    pairs = tmp_path / "p.txt"
    pairs.write_text("甲\t乙\t2\n", encoding="utf-8")
    with pytest.raises(ReaderError, match=r"p.txt:1: label '2' is not one of \['0', '1'\]"):
        list(read_sentence_pairs(pairs))
    with pytest.raises(ValueError, match="needs its header line"):
        read_sentence_pairs(pairs, format="bq", header=False)


@pytest.mark.parametrize("ending", ["\n\n", ""], ids=["blank_line", "end_of_file"])
def test_conllu_multiword_token_cut_off_names_the_range_line(tmp_path, ending):
    from glyce_allennlp.formats.conll import read_conll

    path = tmp_path / "cut.conllu"
    path.write_text("# text = 北京大学\n1-2\t北京大学\t_\t_\t_\t_\t_\t_\t_\t_\n"
                    "1\t北京\t_\tPROPN\t_\t_\t0\troot\t_\t_" + ending, encoding="utf-8")
    with pytest.raises(ReaderError, match=r"cut\.conllu:2: multi-word token 1-2 is not followed by all its words"):
        list(read_conll(str(path), fmt="conllu"))
