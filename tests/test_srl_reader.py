"""CoNLL-2009 reading / writing (glyce_allennlp.formats.conll2009) and the `conll2009_srl` dataset reader: fixtures,
gold vs predicted columns, pruning candidates, unannotated input, and malformed input (ReaderError naming file:line)."""
import os

import pytest

from conftest import FIXTURES

SRL = os.path.join(FIXTURES, "srl")
TRAIN = os.path.join(SRL, "train.txt")


@pytest.fixture(scope="module")
def reader_cls(components):
    from glyce_allennlp.dataset_readers.conll2009_srl import Conll2009SrlDatasetReader

    return Conll2009SrlDatasetReader


def instances(reader, path):
    return list(reader.read(path))


def test_format_reader_on_the_fixtures():
    from glyce_allennlp.formats.conll2009 import read_conll2009

    sentences = list(read_conll2009(TRAIN))
    assert len(sentences) == 12
    second = sentences[1]
    assert second.words == ["政府", "决定", "提高", "工人", "的", "工资", "。"]
    assert second.predicates == [1, 2] and second.annotated
    view = second.view("gold")
    assert view.senses == ["决定.01", "提高.01"]
    assert view.arguments == [{0: "A0", 2: "A1"}, {0: "A0", 5: "A1"}]
    assert view.heads == [2, 0, 2, 5, 6, 3, 2]
    assert sentences[5].predicates == [] and sentences[5].annotated  # no predicate: 14 columns
    assert second.linenos[0] == 9  # after the first sentence (7 rows) and its blank line


def test_reader_one_instance_per_predicate(reader_cls):
    reader = reader_cls()
    result = instances(reader, TRAIN)
    assert len(result) == 14  # predicates in train.txt; the sentence without predicates gives none
    first = result[0]
    assert [t.text for t in first["tokens"].tokens] == ["我们", "明天", "在", "北京", "召开", "会议", "。"]
    assert first["pos_tags"].labels == ["PN", "NT", "P", "NR", "VV", "NN", "PU"]
    assert first["predicate_indicator"].labels == [0, 0, 0, 0, 1, 0, 0]
    assert first["predicate_index"].sequence_index == 4
    assert first["roles"].labels == ["A0", "TMP", "LOC", "_", "_", "A1", "_"]
    assert first["sense"].label == "01"
    assert first["candidates"].labels == [1] * 7  # pruning_k = 0: no pruning
    meta = first["metadata"].metadata
    assert meta["predicate_lemma"] == "召开" and meta["gold_sense"] == "召开.01"
    assert meta["gold_arguments"] == {0: "A0", 1: "TMP", 2: "LOC", 5: "A1"}
    senses = [i["sense"].label for i in result]
    assert senses.count("02") == 1  # 开.02
    # the second predicate of a sentence reads its own APRED column
    assert result[2]["roles"].labels == ["A0", "_", "_", "_", "_", "A1", "_"]


def test_pruning_candidates_and_gold_arguments_outside_them(reader_cls):
    reader = reader_cls(pruning_k=1)
    growth = [i for i in instances(reader, TRAIN) if i["metadata"].metadata["gold_sense"] == "增长.01"][0]
    # 公司 去年 的 出口 迅速 增长 。: k = 1 keeps the children of 增长 (the root) and itself
    assert growth["candidates"].labels == [0, 0, 0, 1, 1, 1, 1]
    # 去年 (TMP) is not a candidate, but stays a gold argument (the metric counts it as missed)
    assert growth["metadata"].metadata["gold_arguments"][1] == "TMP"
    assert growth["roles"].labels[1] == "TMP"
    reader3 = reader_cls(pruning_k=3)
    growth3 = [i for i in instances(reader3, TRAIN) if i["metadata"].metadata["gold_sense"] == "增长.01"][0]
    assert growth3["candidates"].labels == [1] * 7


def test_gold_vs_predicted_columns(reader_cls):
    gold = instances(reader_cls(columns="gold", pruning_k=1), TRAIN)
    predicted = instances(reader_cls(columns="predicted", pruning_k=1), TRAIN)
    # sentence 4: the "parser" tagged 认真 VA (gold AD)
    assert gold[4]["pos_tags"].labels[1] == "AD" and predicted[4]["pos_tags"].labels[1] == "VA"
    # sentence 5: PHEAD attaches 去年 to the verb, so k = 1 keeps it with the predicted columns
    assert gold[5]["candidates"].labels[1] == 0 and predicted[5]["candidates"].labels[1] == 1


def test_unannotated_input_has_no_gold_fields(reader_cls):
    result = instances(reader_cls(pruning_k=1), os.path.join(SRL, "test_srl_only.txt"))
    assert len(result) == 4
    assert all("roles" not in i.fields and "sense" not in i.fields for i in result)
    assert result[0]["metadata"].metadata["gold_arguments"] is None


def test_sentence_instances_without_gold(reader_cls):
    from glyce_allennlp.formats.conll2009 import read_conll2009

    sentence = list(read_conll2009(TRAIN))[1]
    assert len(reader_cls().sentence_instances(sentence, gold=False)) == 2
    assert all("roles" not in i.fields for i in reader_cls().sentence_instances(sentence, gold=False))


def test_crlf_and_bom_read_the_same(reader_cls, tmp_path):
    data = open(TRAIN, "rb").read()
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n"))
    a = [i["roles"].labels for i in instances(reader_cls(), TRAIN)]
    b = [i["roles"].labels for i in instances(reader_cls(), str(path))]
    assert a == b


def test_dash_means_none_as_in_eval09(tmp_path):
    from glyce_allennlp.formats.conll2009 import read_conll2009

    text = open(TRAIN, encoding="utf-8").read().split("\n\n")[0] + "\n"
    rows = [r.split("\t") for r in text.strip().split("\n")]
    for cols in rows:
        cols[14:] = ["-" if c == "_" else c for c in cols[14:]]
        if cols[12] == "_":
            cols[13] = "-"
    path = tmp_path / "dash.txt"
    path.write_text("\n".join("\t".join(c) for c in rows) + "\n", encoding="utf-8")
    view = list(read_conll2009(str(path)))[0].view()
    assert view.arguments == [{0: "A0", 1: "TMP", 2: "LOC", 5: "A1"}]


def test_writer_round_trip(tmp_path):
    from glyce_allennlp.formats.conll2009 import format_conll2009, read_conll2009, write_conll2009

    sentences = list(read_conll2009(TRAIN))
    out = tmp_path / "out.txt"
    write_conll2009(str(out), [format_conll2009(s) for s in sentences])
    assert out.read_bytes() == open(TRAIN, "rb").read()
    # replacing senses and roles
    block = format_conll2009(sentences[1], ["决定.02", "提高.01"], [{0: "A0"}, {}])
    rows = [r.split("\t") for r in block.strip().split("\n")]
    assert rows[1][13] == "决定.02" and rows[0][14:] == ["A0", "_"] and rows[5][14:] == ["_", "_"]
    # unannotated input gets its APRED columns
    bare = list(read_conll2009(os.path.join(SRL, "test_srl_only.txt")))[2]
    rows = [r.split("\t") for r in format_conll2009(bare).strip().split("\n")]
    assert all(len(r) == 16 for r in rows)
    with pytest.raises(ValueError, match="predicates"):
        format_conll2009(bare, ["x.01"])


def test_sense_split_as_eval09():
    from glyce_allennlp.formats.conll2009 import join_sense, split_sense

    assert split_sense("发现.01") == ("发现", "01")
    assert split_sense("XX") == ("", "XX")
    assert split_sense("a.b.01") == ("", "a.b.01")  # eval09.pl: not "no dots, dot, no dots" → all sense
    assert join_sense("发现", "02") == "发现.02" and join_sense("", "XX") == "XX"


# ------------------------------------------------------------------------------------------------ malformed input
GOOD = ("1\t他\t他\t他\tPN\tPN\t_\t_\t2\t2\tSBJ\tSBJ\t_\t_\tA0\n"
        "2\t来\t来\t来\tVV\tVV\t_\t_\t0\t0\tROOT\tROOT\tY\t来.01\t_\n"
        "3\t了\t了\t了\tAS\tAS\t_\t_\t2\t2\tAUX\tAUX\t_\t_\t_\n")


def broken(row, column, value):
    rows = [r.split("\t") for r in GOOD.strip().split("\n")]
    if value is None:
        del rows[row][column]
    else:
        rows[row][column] = value
    return "\n".join("\t".join(r) for r in rows) + "\n"


@pytest.mark.parametrize("text,lineno,message", [
    (broken(1, 14, None), 2, "columns, but the sentence's first row has 15"),
    (GOOD + "\n" + GOOD.replace("AUX\t_\t_", "AUX\tY\t了.01"), 5, "2 predicate(s) (FILLPRED = Y) but 1 APRED"),
    (GOOD + "\n" + "\n".join(r + "\t_" for r in GOOD.strip().split("\n")) + "\n", 5, "but 2 APRED"),
    ("1\t他\t他\t他\tPN\tPN\t_\t_\t2\t2\tSBJ\tSBJ\t_\n", 1, "at least 14"),
    (broken(2, 0, "4"), 3, "ID '4' out of sequence"),
    (broken(0, 8, "x"), 1, "HEAD 'x' is not a non-negative integer"),
    (broken(0, 8, "9"), 1, "HEAD 9 points outside the sentence"),
    (broken(0, 9, "1"), 1, "PHEAD 1 points to the word itself"),
    (broken(0, 8, "_"), 1, "HEAD is '_' here but given on other words"),
    (broken(1, 8, "3"), 2, "cycle"),
    (broken(1, 12, "N"), 2, "FILLPRED must be 'Y' or '_'"),
    (broken(0, 13, "他.01"), 1, "PRED '他.01' on a row whose FILLPRED is not 'Y'"),
    (broken(2, 4, ""), 3, "column 5 (POS) is empty"),
])
def test_malformed_rows_name_file_and_line(text, lineno, message, tmp_path):
    from glyce_allennlp.formats.io import ReaderError
    from glyce_allennlp.formats.conll2009 import read_conll2009

    path = tmp_path / "bad.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReaderError) as info:
        list(read_conll2009(str(path)))
    assert info.value.lineno == lineno and message in info.value.message, str(info.value)
    assert str(info.value).startswith(f"{path}:{lineno}: ")


def test_a_sentence_without_apred_columns_is_unannotated_input(tmp_path):
    from glyce_allennlp.formats.conll2009 import read_conll2009

    path = tmp_path / "bare.txt"
    path.write_text("\n".join(r.rsplit("\t", 1)[0] for r in GOOD.strip().split("\n")) + "\n\n" + GOOD,
                    encoding="utf-8")
    bare, annotated = read_conll2009(str(path))
    assert not bare.annotated and bare.view().arguments is None
    assert annotated.view().arguments == [{0: "A0"}]


def test_undecodable_bytes_and_missing_heads(reader_cls, tmp_path):
    from glyce_allennlp.formats.io import ReaderError

    path = tmp_path / "bytes.txt"
    path.write_bytes(GOOD.encode("utf-8") + b"\n4\t\xff\n")
    with pytest.raises(ReaderError, match=r"bytes.txt:5: cannot decode"):
        instances(reader_cls(), str(path))
    # no heads at all is fine without pruning, an error with it
    no_heads = tmp_path / "no_heads.txt"
    no_heads.write_text(broken(0, 8, "_").replace("\t2\t2\tAUX", "\t_\t2\tAUX").replace("\t0\t0\tROOT", "\t_\t0\tROOT"),
                        encoding="utf-8")
    assert len(instances(reader_cls(pruning_k=0), str(no_heads))) == 1
    assert len(instances(reader_cls(pruning_k=1, columns="predicted"), str(no_heads))) == 1
    with pytest.raises(ReaderError, match=r"no_heads.txt:1: the HEAD column is '_'"):
        instances(reader_cls(pruning_k=1), str(no_heads))


def test_reader_parameters(reader_cls):
    with pytest.raises(ValueError, match="columns"):
        reader_cls(columns="silver")
    with pytest.raises(ValueError, match="pruning_k"):
        reader_cls(pruning_k=-1)
    with pytest.raises(ValueError, match="encoding"):
        reader_cls(encoding="latin-1")
    reader = reader_cls()
    with pytest.raises(ValueError, match="both"):
        reader.text_to_instance(["他", "来"], None, None, 1, sense="来.01")
    instance = reader.text_to_instance(["他", "来"], None, None, 1)
    assert instance["pos_tags"].labels == ["@@UNKNOWN@@"] * 2
