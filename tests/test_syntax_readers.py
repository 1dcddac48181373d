"""CoNLL-U / CoNLL-X readers: dependency instances for biaffine_parser, character BMES-POS instances for the
crf_tagger configs, multi-word tokens / empty nodes per the UD spec, malformed rows → ReaderError naming file:line."""
import os

import pytest

from conftest import FIXTURES

UD = os.path.join(FIXTURES, "ud")


def write(tmp_path, text, name="f.conllu", encoding="utf-8", newline="\n"):
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return str(path)


def row(i, form, upos="NOUN", xpos="NN", head="0", rel="root", misc="_"):
    return f"{i}\t{form}\t_\t{upos}\t{xpos}\t_\t{head}\t{rel}\t_\t{misc}\n"


@pytest.fixture
def parser_reader(components):
    from glyce_allennlp.dataset_readers.conll_dependencies import ConllDependenciesDatasetReader

    return ConllDependenciesDatasetReader


# ------------------------------------------------------------------------------------------------ pure parsing
def test_read_conll_fixture_words_heads_relations():
    from glyce_allennlp.formats.conll import read_conll

    sentences = list(read_conll(os.path.join(UD, "train.conllu")))
    assert len(sentences) == 120
    first = sentences[0]
    assert first.words == ["李娜", "是", "新華社", "的", "教授", "。"]
    assert first.upos == ["PROPN", "VERB", "PROPN", "PART", "NOUN", "PUNCT"]
    assert first.xpos == ["NNP", "VC", "NNP", "DEC", "NN", "."]
    assert first.heads == [5, 5, 5, 3, 0, 5]
    assert first.deprels == ["nsubj", "cop", "nmod", "case:dec", "root", "punct"]
    assert first.comments == ["# sent_id = train-1", "# text = 李娜是新華社的教授。"]
    assert first.linenos == [3, 4, 5, 6, 7, 8]
    for s in sentences:
        assert s.heads.count(0) == 1 and len(s.words) == len(s.heads) == len(s.deprels)


def test_multiword_tokens_and_empty_nodes_per_ud_spec():
    from glyce_allennlp.formats.conll import read_conll

    first, second = read_conll(os.path.join(UD, "mwt_empty.conllu"))  # no blank line at the end of the file
    # the range 2-3 is recorded; its words 2 and 3 are read; the empty node 3.1 is skipped
    assert first.words == ["我們", "到", "了", "北京", "。"]
    assert first.heads == [2, 0, 2, 2, 2]
    assert first.multiword_tokens == [(2, 3, "到了")]
    assert first.linenos == [3, 5, 6, 8, 9]
    # an empty node 0.1 before the first word
    assert second.words == ["好"] and second.heads == [0] and second.deprels == ["root"]


def test_conllx_matches_conllu_and_accepts_space_separated_rows(tmp_path):
    from glyce_allennlp.formats.conll import read_conll

    conllu = list(read_conll(os.path.join(UD, "train.conllu")))[:20]
    conllx = list(read_conll(os.path.join(UD, "train.conllx"), fmt="conllx"))
    assert [(s.words, s.upos, s.xpos, s.heads, s.deprels) for s in conllx] == \
           [(s.words, s.upos, s.xpos, s.heads, s.deprels) for s in conllu]
    spaced = write(tmp_path, "1 上海 _ NR NR _ 2 nsubj _ _\n2 發展 _ VV VV _ 0 ROOT _ _\n", "s.conll")
    (sentence,) = read_conll(spaced, fmt="conllx")
    assert sentence.words == ["上海", "發展"] and sentence.heads == [2, 0] and sentence.upos == ["NR", "VV"]


def test_crlf_bom_comments_and_several_blank_lines(tmp_path):
    from glyce_allennlp.formats.conll import read_conll

    text = "# a\n" + row(1, "好") + "\n\n\n# only a comment block\n\n" + row(1, "你", head="2", rel="nsubj") + \
           row(2, "好") + "\n"
    path = write(tmp_path, "\ufeff" + text, newline="\r\n")
    sentences = list(read_conll(path))
    assert [s.words for s in sentences] == [["好"], ["你", "好"]]
    assert sentences[1].heads == [2, 0]


def test_unannotated_heads_give_no_dependencies(tmp_path, parser_reader):
    path = write(tmp_path, row(1, "你", head="_", rel="_") + row(2, "好", head="_", rel="_"))
    (instance,) = parser_reader().read(path)
    assert "head_tags" not in instance.fields and "head_indices" not in instance.fields
    assert instance["metadata"].metadata == {"words": ["你", "好"], "pos": ["NOUN", "NOUN"]}


MALFORMED = [
    # (file content, line of the error, part of the message)
    (row(1, "好") + "1\t好\t_\tNOUN\tNN\t_\t0\n", 2, "expected 10"),
    (row(1, "你", head="2", rel="nsubj") + row(3, "好"), 2, "out of sequence"),
    (row(1, "你", head="2", rel="nsubj") + row("x", "好"), 2, "bad ID"),
    (row(1, "", head="0"), 1, "empty FORM"),
    (row(1, "你", head="2", rel="nsubj") + row(2, "好", head="-1"), 2, "HEAD"),
    (row(1, "你", head="3", rel="nsubj") + row(2, "好"), 1, "outside the sentence"),
    (row(1, "你", head="1", rel="nsubj") + row(2, "好"), 1, "itself"),
    (row(1, "你", head="2", rel="_") + row(2, "好"), 1, "give both or neither"),
    ("# c\n" + row(1, "你", head="_", rel="_") + row(2, "好"), 2, "HEAD is '_'"),
    ("1-3\t到了\t_\t_\t_\t_\t_\t_\t_\t_\n" + row(1, "到") + row(2, "了", head="1", rel="dep"), 1, "not followed"),
    ("2-3\t到了\t_\t_\t_\t_\t_\t_\t_\t_\n" + row(1, "到"), 1, "next word id"),
    (row(1, "好") + "1.1\t去\t_\t_\t_\t_\t_\t_\t_\t_\n" + "\n" + "2.1\t去\t_\t_\t_\t_\t_\t_\t_\t_\n", 4, "empty node"),
    ("1-2\t到了\t_\t_\t_\t_\t_\t_\t_\t_\n\n", 1, "not followed"),
    ("0.1\t去\t_\t_\t_\t_\t_\t_\t_\t_\n\n", 1, "no words"),
]


@pytest.mark.parametrize("text,lineno,message", MALFORMED)
def test_malformed_rows_raise_reader_error_with_file_and_line(tmp_path, text, lineno, message, parser_reader):
    from glyce_allennlp.formats.io import ReaderError

    path = write(tmp_path, text)
    with pytest.raises(ReaderError) as info:
        list(parser_reader().read(path))
    assert info.value.lineno == lineno
    assert str(info.value).startswith(f"{path}:{lineno}: ")
    assert message in str(info.value)


def test_conllx_rejects_ranges_and_empty_nodes(tmp_path):
    from glyce_allennlp.formats.conll import read_conll
    from glyce_allennlp.formats.io import ReaderError

    with pytest.raises(ReaderError, match=r"mwt_empty.conllu:4: bad ID '2-3'.*CoNLL-X"):
        list(read_conll(os.path.join(UD, "mwt_empty.conllu"), fmt="conllx"))
    path = write(tmp_path, row(1, "好") + "1.1\t去\t_\t_\t_\t_\t_\t_\t_\t_\n")
    with pytest.raises(ReaderError, match=r":2: bad ID"):
        list(read_conll(path, fmt="conllx"))


def test_undecodable_line_names_file_and_line(tmp_path, parser_reader):
    from glyce_allennlp.formats.io import ReaderError

    path = tmp_path / "bad.conllu"
    path.write_bytes(row(1, "好").encode("utf-8") + b"\n" + row(1, "x").encode("utf-8").replace(b"x", b"\xff"))
    with pytest.raises(ReaderError, match=r"bad.conllu:3: cannot decode"):
        list(parser_reader().read(str(path)))


# ------------------------------------------------------------------------------------------------ parser instances
def test_dependency_instances_match_biaffine_parser_forward(parser_reader):
    import inspect

    from allennlp_models.structured_prediction.models.biaffine_dependency_parser import BiaffineDependencyParser

    instance = next(iter(parser_reader().read(os.path.join(UD, "train.conllu"))))
    forward_args = set(inspect.signature(BiaffineDependencyParser.forward).parameters) - {"self"}
    assert set(instance.fields) == forward_args == {"words", "pos_tags", "metadata", "head_tags", "head_indices"}
    assert [t.text for t in instance["words"].tokens] == ["李娜", "是", "新華社", "的", "教授", "。"]
    assert instance["pos_tags"].labels == ["PROPN", "VERB", "PROPN", "PART", "NOUN", "PUNCT"]
    assert instance["pos_tags"]._label_namespace == "pos"
    assert instance["head_tags"].labels == ["nsubj", "cop", "nmod", "case:dec", "root", "punct"]
    assert instance["head_tags"]._label_namespace == "head_tags"
    assert instance["head_indices"].labels == [5, 5, 5, 3, 0, 5]
    assert instance["metadata"].metadata == {"words": ["李娜", "是", "新華社", "的", "教授", "。"],
                                             "pos": ["PROPN", "VERB", "PROPN", "PART", "NOUN", "PUNCT"]}


def test_xpos_and_conllx_options(parser_reader):
    instance = next(iter(parser_reader(pos="xpos").read(os.path.join(UD, "train.conllu"))))
    assert instance["pos_tags"].labels == ["NNP", "VC", "NNP", "DEC", "NN", "."]
    conllx = list(parser_reader(format="conllx").read(os.path.join(UD, "train.conllx")))
    assert len(conllx) == 20 and conllx[0]["head_indices"].labels == [5, 5, 5, 3, 0, 5]
    with pytest.raises(ValueError):
        parser_reader(pos="cpos")
    with pytest.raises(ValueError):
        parser_reader(format="conll09")


def test_text_to_instance_without_pos_uses_the_oov_label(parser_reader):
    from allennlp.data.vocabulary import DEFAULT_OOV_TOKEN

    instance = parser_reader().text_to_instance(["你", "好"], [None, "ADJ"])
    assert instance["pos_tags"].labels == [DEFAULT_OOV_TOKEN, "ADJ"]
    assert instance["metadata"].metadata["pos"] == ["_", "ADJ"]
    assert "head_indices" not in instance.fields


# ------------------------------------------------------------------------------------------------ char-level POS
def test_char_pos_reader_gives_ctb_pos_fields(components):
    from glyce_allennlp.dataset_readers.ctb_pos import CtbPosDatasetReader
    from glyce_allennlp.dataset_readers.ud_char_pos import ConllCharPosDatasetReader

    reader = ConllCharPosDatasetReader()
    assert isinstance(reader, CtbPosDatasetReader)
    instances = list(reader.read(os.path.join(UD, "train.conllu")))
    assert len(instances) == 120
    first = instances[0]
    assert set(first.fields) == {"tokens", "tags", "metadata"}
    assert [t.text for t in first["tokens"].tokens] == list("李娜是新華社的教授。")
    assert first["tags"].labels == ["B-PROPN", "E-PROPN", "S-VERB", "B-PROPN", "M-PROPN", "E-PROPN", "S-PART",
                                    "B-NOUN", "E-NOUN", "S-PUNCT"]
    assert first["tags"]._label_namespace == "labels"
    assert first["metadata"].metadata == {"chars": list("李娜是新華社的教授。"),
                                          "words": ["李娜", "是", "新華社", "的", "教授", "。"],
                                          "pos": ["PROPN", "VERB", "PROPN", "PART", "NOUN", "PUNCT"]}
    xpos = next(iter(ConllCharPosDatasetReader(pos="xpos").read(os.path.join(UD, "train.conllu"))))
    assert xpos["tags"].labels[:3] == ["B-NNP", "E-NNP", "S-VC"]


def test_char_pos_reader_multiword_whitespace_and_errors(tmp_path, components):
    from glyce_allennlp.formats.io import ReaderError
    from glyce_allennlp.dataset_readers.ud_char_pos import ConllCharPosDatasetReader

    first, second = ConllCharPosDatasetReader().read(os.path.join(UD, "mwt_empty.conllu"))
    assert first["tags"].labels == ["B-PRON", "E-PRON", "S-VERB", "S-PART", "B-PROPN", "E-PROPN", "S-PUNCT"]
    assert second["tags"].labels == ["S-ADJ"]
    path = write(tmp_path, row(1, "10 000", "NUM", "CD", "2", "nummod") + row(2, "人"))
    (instance,) = ConllCharPosDatasetReader().read(path)
    assert [t.text for t in instance["tokens"].tokens] == list("10000人")
    assert instance["tags"].labels == ["B-NUM", "M-NUM", "M-NUM", "M-NUM", "E-NUM", "S-NOUN"]
    bad = write(tmp_path, row(1, "好") + "2\t好\n", "bad.conllu")
    with pytest.raises(ReaderError, match=r"bad.conllu:2: expected 10"):
        list(ConllCharPosDatasetReader().read(bad))


def test_syntax_components_are_registered(components):
    from allennlp.data import DatasetReader, TokenIndexer
    from allennlp.models import Model
    from allennlp.modules.token_embedders import TokenEmbedder
    from allennlp.predictors import Predictor

    assert {"conll_dependencies", "conll_char_pos"} <= set(DatasetReader.list_available())
    assert "glyce_word_characters" in TokenIndexer.list_available()
    assert "glyce_word" in TokenEmbedder.list_available()
    assert "chinese_dependency_parser" in Predictor.list_available()
    assert "biaffine_parser" in Model.list_available()  # allennlp-models' structured_prediction plugin
