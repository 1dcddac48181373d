"""SoftLexicon's word sets, frequencies and weights (glyce_allennlp.vectors.lexicon), the lexicon file, and
``glyce-allennlp lexicon`` on the fixtures."""
import json
import os

import pytest

from conftest import FIXTURES
from glyce_allennlp.formats.io import ReaderError
from glyce_allennlp.vectors.lexicon import (NONE_ID, Lexicon, build_lexicon, count_frequencies, read_vector_words,
                                            softlexicon_inputs, word_sets)
from glyce_allennlp.vectors.manifest import forbidden_inputs

VECTORS = os.path.join(FIXTURES, "vectors")
SENTENCE = list("南京市长江大桥")


def assert_close(actual, expected):
    """Nested lists of the same shape, leaves equal up to float rounding."""
    assert [len(x) for x in actual] == [len(x) for x in expected]
    assert [v for x in actual for v in x] == pytest.approx([v for x in expected for v in x])


COUNTS = {"南京": 5, "南京市": 3, "市长": 4, "长江": 10, "长江大桥": 2, "大桥": 3, "江": 0, "市": 1, "京": 7,
          "桥梁": 9}


def test_matches_are_every_lexicon_word_in_the_sentence_by_start_then_end():
    lexicon = Lexicon(COUNTS)
    text = "".join(SENTENCE)
    assert [text[s:e] for s, e in lexicon.matches(SENTENCE)] == ["南京", "南京市", "京", "市", "市长", "长江",
                                                                 "长江大桥", "江", "大桥"]


def test_word_sets_are_exactly_the_begin_middle_end_single_words_of_each_character():
    sets = word_sets(SENTENCE, Lexicon(COUNTS))
    assert sets == [
        {"B": ["南京", "南京市"], "M": [], "E": [], "S": []},          # 南
        {"B": [], "M": ["南京市"], "E": ["南京"], "S": ["京"]},        # 京
        {"B": ["市长"], "M": [], "E": ["南京市"], "S": ["市"]},        # 市
        {"B": ["长江", "长江大桥"], "M": [], "E": ["市长"], "S": []},  # 长
        {"B": [], "M": ["长江大桥"], "E": ["长江"], "S": ["江"]},      # 江
        {"B": ["大桥"], "M": ["长江大桥"], "E": [], "S": []},          # 大
        {"B": [], "M": [], "E": ["长江大桥", "大桥"], "S": []},        # 桥
    ]


def test_weights_are_four_z_over_z_total_with_none_for_empty_sets():
    lexicon = Lexicon(COUNTS)
    ids, weights = softlexicon_inputs(SENTENCE, lexicon)
    # 市: B {市长: 4}, M empty → NONE (z 1), E {南京市: 3}, S {市: 1}; Z = 9
    assert ids[2] == [[lexicon.ids["市长"]], [NONE_ID], [lexicon.ids["南京市"]], [lexicon.ids["市"]]]
    assert_close(weights[2], [[16 / 9], [4 / 9], [12 / 9], [4 / 9]])
    # 南: B {南京: 5, 南京市: 3}, M, E, S empty; Z = 5 + 3 + 1 + 1 + 1 = 11
    assert ids[0] == [[lexicon.ids["南京"], lexicon.ids["南京市"]], [NONE_ID], [NONE_ID], [NONE_ID]]
    assert_close(weights[0], [[20 / 11, 12 / 11], [4 / 11], [4 / 11], [4 / 11]])
    for char_weights in weights:  # the weights of a character always add up to 4
        assert sum(sum(w) for w in char_weights) == pytest.approx(4.0)


def test_a_set_whose_words_were_never_counted_counts_each_as_one_and_a_zero_beside_counted_words_weighs_zero():
    lexicon = Lexicon({"江": 0, "长江": 10, "江大": 0, "大江": 0})
    ids, weights = softlexicon_inputs(list("长江大"), lexicon)
    # 江: B {江大: 0} → counted as 1; M empty → NONE 1; E {长江: 10}; S {江: 0} → 1; Z = 13
    assert ids[1] == [[lexicon.ids["江大"]], [NONE_ID], [lexicon.ids["长江"]], [lexicon.ids["江"]]]
    assert_close(weights[1], [[4 / 13], [4 / 13], [40 / 13], [4 / 13]])
    lexicon = Lexicon({"长江": 0, "长": 2, "长城": 5})
    ids, weights = softlexicon_inputs(list("长江"), lexicon)
    assert ids[0][0] == [lexicon.ids["长江"]] and weights[0][0] == pytest.approx([4 / 5])  # z = 1 (all zero)
    lexicon = Lexicon({"长江": 0, "长江口": 3})
    ids, weights = softlexicon_inputs(list("长江口"), lexicon)
    assert ids[0][0] == [lexicon.ids["长江"], lexicon.ids["长江口"]]
    assert weights[0][0] == pytest.approx([0.0, 2.0])  # 长: B {长江: 0, 长江口: 3}, Z = 3 + 3 (NONE)


def test_characters_and_words_outside_the_lexicon_get_only_none():
    ids, weights = softlexicon_inputs(list("ab猫"), Lexicon(COUNTS))
    assert ids == [[[NONE_ID]] * 4] * 3
    assert weights == [[[1.0]] * 4] * 3
    assert softlexicon_inputs([], Lexicon(COUNTS)) == ([], [])


def test_frequencies_count_an_occurrence_only_when_no_longer_matched_word_covers_it():
    lexicon = Lexicon(dict.fromkeys(COUNTS, 0))
    counts = count_frequencies(lexicon, [SENTENCE, list("长江长江"), list("市长江")])
    # 南京市长江大桥: 南京市 and 长江大桥 are maximal; 市长 overlaps both without being covered.
    # 长江长江: 长江 twice (江 covered each time). 市长江: 市长 and 长江 overlap, neither covers the other.
    assert counts == {"南京": 0, "南京市": 1, "市长": 2, "长江": 3, "长江大桥": 1, "大桥": 0, "江": 0, "市": 0,
                      "京": 0, "桥梁": 0}


def test_lexicon_file_round_trip_and_errors_name_file_and_line(tmp_path):
    path = tmp_path / "lexicon.tsv"
    Lexicon(COUNTS).write(path)
    again = Lexicon.read(path)
    assert again.words == list(COUNTS) and again.counts == COUNTS
    assert again.ids["南京"] == 2 and again.ids["桥梁"] == len(COUNTS) + 1  # 0 padding, 1 NONE
    for bad, message in (["南京\t5", "市长 4"], "expected word<TAB>count"), (["南京\tfive"], "not an integer"), \
                        (["南京\t1", "南京\t2"], "occurs twice"), (["南京\t-1"], "not an integer >= 0"):
        path.write_text("\n".join(bad) + "\n", encoding="utf-8")
        with pytest.raises(ReaderError, match=message) as error:
            Lexicon.read(path)
        assert str(error.value).startswith(f"{path}:{len(bad)}:")


def test_build_lexicon_from_word_list_and_vectors_counts_only_the_count_text(tmp_path):
    words = tmp_path / "words.txt"
    words.write_text("中国 3 n\n中国移动\n国家\n银行\n上海\n不在向量里\n", encoding="utf-8")
    train = tmp_path / "train.txt"
    train.write_text("中国移动和中国银行\n上海银行在上海\n", encoding="utf-8")
    test = tmp_path / "test.txt"
    test.write_text("中国人\n", encoding="utf-8")
    out = tmp_path / "lexicon.tsv"
    manifest = build_lexicon(out, word_lists=[words], vectors=os.path.join(VECTORS, "words.vec"),
                             count_files=[train], restrict_to=[train, test])
    # kept: in the list and with a vector (国家, 不在向量里 have none), and occurring in train or test
    assert out.read_text(encoding="utf-8") == "银行\t2\n上海\t2\n中国\t1\n中国移动\t1\n"  # ties: list order
    assert manifest["words"] == 4 and manifest["words_counted"] == 4
    assert [r["path"] for r in manifest["inputs"]] == [str(train)]
    assert json.loads((tmp_path / "lexicon.tsv.json").read_text(encoding="utf-8")) == manifest
    assert forbidden_inputs(manifest, [test]) == []  # test text only chose rows, it counted nothing
    assert forbidden_inputs(str(out) + ".json", [train, test]) == [str(train)]


def test_build_lexicon_from_jieba_and_char_ner_training_file(tmp_path):
    out = tmp_path / "lexicon.tsv"
    train = os.path.join(FIXTURES, "ner", "train.bmes")
    manifest = build_lexicon(out, jieba=True, max_word_length=4, count_files=[train], restrict_to=[train],
                             fmt="char_ner")
    lexicon = Lexicon.read(out)
    assert manifest["sources"]["jieba"]["version"] and len(lexicon) == manifest["words"] > 50
    assert lexicon.max_length <= 4 and "中国银行" in lexicon and "北京" in lexicon
    assert list(lexicon.counts.values()) == sorted(lexicon.counts.values(), reverse=True)


def test_vector_words_skip_the_header_line():
    assert read_vector_words(os.path.join(VECTORS, "words.vec"))[:2] == ["中国", "中国移动"]
    assert read_vector_words(os.path.join(VECTORS, "bigrams.vec.gz"))[-1] == "国银"


def test_lexicon_command(tmp_path, capsys):
    from glyce_allennlp.cli import main

    train = os.path.join(FIXTURES, "cws", "train.txt")
    out = tmp_path / "lexicon.tsv"
    assert main(["lexicon", str(out), "--vectors", os.path.join(VECTORS, "words.vec"), "--count", train,
                 "--format", "cws"]) == 0
    lexicon = Lexicon.read(out)
    assert sorted(lexicon.words) == sorted(read_vector_words(os.path.join(VECTORS, "words.vec")))
    assert f"{len(lexicon)} words" in capsys.readouterr().out
    assert json.loads((tmp_path / "lexicon.tsv.json").read_text(encoding="utf-8"))["format"] == "cws"
