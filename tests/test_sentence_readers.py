"""Sentence-level readers (chinese_sentence_pair, chinese_text_classification) on the fixtures in fixtures/pair and
fixtures/classification: every format, BOM, CRLF, quoted commas, header / no header, and one malformed row per
error kind, which must raise ReaderError naming file and line."""
import os

import pytest

from conftest import FIXTURES

PAIR = os.path.join(FIXTURES, "pair")
CLS = os.path.join(FIXTURES, "classification")


def chars(field):
    return "".join(t.text for t in field.tokens)


def pair_reader(**kwargs):
    from glyce_allennlp.dataset_readers.sentence_pair import ChineseSentencePairDatasetReader

    return ChineseSentencePairDatasetReader(**kwargs)


def text_reader(**kwargs):
    from glyce_allennlp.dataset_readers.text_classification import ChineseTextClassificationDatasetReader

    return ChineseTextClassificationDatasetReader(**kwargs)


def read_pairs(name, **kwargs):
    return [(chars(i["premise"]), chars(i["hypothesis"]), i["label"].label)
            for i in pair_reader(**kwargs).read(os.path.join(PAIR, name))]


def read_texts(name, **kwargs):
    return [(chars(i["tokens"]), i["label"].label) for i in text_reader(**kwargs).read(os.path.join(CLS, name))]


# ------------------------------------------------------------------------------------------------ pairs
def test_lcqmc_reads_every_line_in_order(components):
    rows = read_pairs("train.txt", format="lcqmc")
    with open(os.path.join(PAIR, "train.txt"), encoding="utf-8") as f:
        lines = f.read().splitlines()
    assert len(rows) == len(lines) == 120
    for (s1, s2, label), line in zip(rows, lines):
        assert [s1, s2, label] == line.split("\t")
    assert {label for _, _, label in rows} == {"0", "1"}


def test_bq_csv_with_bom_header_crlf_and_quoted_commas(components):
    rows = read_pairs("bq.csv", format="bq")
    assert rows == [
        ("借款怎么还,能提前还吗", "可以提前还款吗", "1"),
        ("我的额度是多少", "额度,怎么查", "1"),
        ('他说"还款失败"怎么办', "为什么不能借钱", "0"),
        ("怎么修改手机号", "如何更换绑定的手机号码", "1"),
    ]


def test_bq_columns_found_by_name_in_any_order(components, tmp_path):
    path = tmp_path / "bq.csv"
    path.write_text('id,label,sentence2,sentence1\n7,0,"b,c",a\n', encoding="utf-8")
    assert read_pairs(str(path), format="bq") == [("a", "b,c", "0")]


def test_xnli_mt_header_and_contradictory_and_whitespace_dropped(components):
    rows = read_pairs("xnli_zh.tsv", format="xnli")
    assert rows == [("他说他会来的。", "他会来。", "entailment"),
                    ('"我们"明天去北京。', "我们今天在上海。", "contradiction"),
                    ("她喜欢读书。", "她是老师。", "neutral")]


def test_xnli_multilanguage_file_keeps_only_zh(components):
    rows = read_pairs("xnli_multi.tsv", format="xnli")
    assert rows == [("他说。", "他来了。", "neutral"), ("他说了。", "他讲话了。", "entailment"),
                    ("天很黑。", "天很亮。", "contradiction")]
    assert read_pairs("xnli_multi.tsv", format="xnli", language="fr") == [("Iladit.", "Ilaparlé.", "entailment")]  # whitespace dropped


def test_nlpcc_dbqa_label_first(components):
    rows = read_pairs("dbqa.tsv", format="nlpcc_dbqa")
    assert rows[0] == ("长城有多长？", "长城全长两万多公里。", "1")
    assert [r[2] for r in rows] == ["1", "0", "1"]


def test_pair_header_option(components, tmp_path):
    path = tmp_path / "with_header.txt"
    path.write_text("text_a\ttext_b\tlabel\n你好\t您好\t1\n", encoding="utf-8")
    assert read_pairs(str(path), format="lcqmc", header=True) == [("你好", "您好", "1")]
    with pytest.raises(Exception, match=r"with_header.txt:1: label 'label' .*header: true"):
        read_pairs(str(path), format="lcqmc")
    # header: true on a file without a header is an error, not a silently dropped first pair
    with pytest.raises(Exception, match=r"train.txt:1: header: true, but line 1 is a data row"):
        read_pairs("train.txt", format="lcqmc", header=True)


@pytest.mark.parametrize("name,fmt,line,message", [
    ("bad_columns.txt", "lcqmc", 2, "expected 3 tab-separated columns"),
    ("bad_label.txt", "lcqmc", 3, "label 'yes' is not one of"),
    ("bad_empty_sentence.txt", "lcqmc", 2, "the first sentence has no characters"),
    ("bad_blank_line.txt", "lcqmc", 2, "empty line"),
    ("bad_quote.csv", "bq", 3, "malformed CSV"),
    ("bad_csv_fields.csv", "bq", 3, "expected 3 CSV fields"),
    ("bad_header.csv", "bq", 1, "the header has no sentence1"),
    ("bad_xnli_label.tsv", "xnli", 3, "label 'maybe'"),
    ("dbqa.tsv", "lcqmc", 1, "label '长城全长两万多公里。' is not one of"),  # wrong format → first row fails
])
def test_pair_malformed_rows_name_file_and_line(components, name, fmt, line, message):
    from glyce_allennlp.formats.io import ReaderError

    with pytest.raises(ReaderError) as info:
        read_pairs(name, format=fmt)
    assert str(info.value).startswith(f"{os.path.join(PAIR, name)}:{line}: ")
    assert message in str(info.value)
    assert info.value.lineno == line


def test_pair_configuration_errors(components):
    from allennlp.common.checks import ConfigurationError

    with pytest.raises(ConfigurationError):
        pair_reader(format="quora")
    with pytest.raises(ConfigurationError):
        pair_reader(format="bq", header=False)


def test_pair_text_to_instance_and_max_chars(components):
    reader = pair_reader(max_chars=3)
    instance = reader.text_to_instance(" 北 京 的天气", "上海\t天气", "1")
    assert chars(instance["premise"]) == "北京的" and chars(instance["hypothesis"]) == "上海天"
    assert instance["label"].label == "1"
    assert "label" not in reader.text_to_instance("你好", "您好").fields
    with pytest.raises(ValueError):
        reader.text_to_instance("  ", "您好")


# ------------------------------------------------------------------------------------------------ single texts
def test_chnsenticorp_header_skipped_bom_crlf(components):
    rows = read_texts("train.tsv")
    assert len(rows) == 120 and {label for _, label in rows} == {"0", "1"}
    assert read_texts("bom.tsv") == [("房间很干净，服务非常好。", "1"), ("早餐太差了，非常失望。", "0")]


def test_no_header_file(components):
    assert read_texts("no_header.tsv", header=False) == [("房间很干净。", "1"), ("早餐太差了。", "0")]
    with pytest.raises(Exception, match=r"no_header.tsv:1: header: true, but line 1 is a data row"):
        read_texts("no_header.tsv")  # chnsenticorp expects its header: the first review is not dropped silently
    with pytest.raises(Exception, match=r"train.tsv:1: label 'label' .*set header: true"):
        read_texts("train.tsv", header=False)


def test_generic_tsv_and_jsonl_agree(components):
    tsv = read_texts("generic.tsv", format="tsv")
    jsonl = read_texts("generic.jsonl", format="jsonl")
    assert tsv == jsonl and len(tsv) == 12
    assert {label for _, label in tsv} <= {"体育", "财经", "科技"}


def test_jsonl_keys_and_integer_labels(components, tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_text('{"y": 1, "review": "好 吃"}\n{"y": 0, "review": "难吃"}\n', encoding="utf-8")
    assert read_texts(str(path), format="jsonl", text_key="review", label_key="y") == [("好吃", "1"), ("难吃", "0")]
    path.write_text('{"label": true, "text": "好吃"}\n', encoding="utf-8")
    with pytest.raises(Exception, match=r"data.jsonl:1: the label must be a string or an integer"):
        read_texts(str(path), format="jsonl")


@pytest.mark.parametrize("name,fmt,line,message", [
    ("bad_columns.tsv", "chnsenticorp", 3, "expected 2 tab-separated columns"),
    ("bad_label.tsv", "chnsenticorp", 3, "label '2' is not one of"),
    ("bad_empty_text.tsv", "chnsenticorp", 3, "the text has no characters"),
    ("bad_blank_line.tsv", "chnsenticorp", 3, "empty line"),
    ("bad_json.jsonl", "jsonl", 2, "invalid JSON"),
    ("bad_json_key.jsonl", "jsonl", 2, "no 'text' key"),
])
def test_text_malformed_rows_name_file_and_line(components, name, fmt, line, message):
    from glyce_allennlp.formats.io import ReaderError

    with pytest.raises(ReaderError) as info:
        read_texts(name, format=fmt)
    assert str(info.value).startswith(f"{os.path.join(CLS, name)}:{line}: ")
    assert message in str(info.value)


def test_undecodable_bytes_name_the_line(components, tmp_path):
    from glyce_allennlp.formats.io import ReaderError

    path = tmp_path / "gbk.tsv"
    path.write_bytes("label\ttext_a\n1\t好\n".encode("utf-8") + "0\t差评\n".encode("gbk"))
    with pytest.raises(ReaderError, match=r"gbk.tsv:3: cannot decode"):
        read_texts(str(path))


def test_text_max_chars_and_text_to_instance(components):
    rows = read_texts("bom.tsv", max_chars=4)
    assert [text for text, _ in rows] == ["房间很干", "早餐太差"]
    reader = text_reader()
    assert chars(reader.text_to_instance("很 好\u3000吃", "1")["tokens"]) == "很好吃"
    with pytest.raises(ValueError):
        reader.text_to_instance(" \t ")
