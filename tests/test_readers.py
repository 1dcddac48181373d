"""The tagging dataset readers (sighan_cws, char_ner, ctb_pos), formats.io.read_lines, and the fixtures."""
import filecmp
import importlib.util
import logging
import pickle
from pathlib import Path

import pytest

from allennlp.common import Params
from allennlp.data import DatasetReader, Vocabulary
from allennlp.data.dataset_readers.dataset_utils.span_utils import bioul_tags_to_spans
from glyce_allennlp.dataset_readers import (TAG_OUTPUTS, CharNerDatasetReader, CtbPosDatasetReader,
                                            SighanCwsDatasetReader)
from glyce_allennlp.formats.io import ReaderError, read_lines, warn_if_empty
from glyce_allennlp.formats.tag_schemes import is_valid_bioul

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SIZES = {"train": 300, "dev": 60, "test": 60}


def _write(tmp_path, name, data, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return str(path)


def _tokens(instance):
    return [t.text for t in instance["tokens"].tokens]


def _labels(instance):
    return list(instance["tags"].labels)


def _check_fields(instance, metadata_keys):
    assert set(instance.fields) == {"tokens", "tags", "metadata"}
    assert instance["tags"]._label_namespace == "labels"
    tokens = _tokens(instance)
    assert len(tokens) == len(_labels(instance)) > 0
    assert all(len(t) == 1 and not t.isspace() for t in tokens)
    assert instance["metadata"]["chars"] == tokens
    assert set(instance["metadata"].metadata) == set(metadata_keys)


# ---------------------------------------------------------------- io.read_lines / ReaderError
def test_read_lines_crlf_and_final_newline(tmp_path):
    path = _write(tmp_path, "a.txt", b"one\r\ntwo\r\n\r\nthree")
    assert list(read_lines(path, "utf-8")) == [(1, "one"), (2, "two"), (3, ""), (4, "three")]
    path = _write(tmp_path, "b.txt", b"one\ntwo\n")
    assert list(read_lines(path, "utf-8")) == [(1, "one"), (2, "two")]
    assert list(read_lines(_write(tmp_path, "empty.txt", b""), "utf-8")) == []


def test_read_lines_splits_on_newline_only(tmp_path):
    path = _write(tmp_path, "a.txt", "a\u2028b\x85c\rd\n")
    assert list(read_lines(path, "utf-8")) == [(1, "a\u2028b\x85c\rd")]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "UTF8"])
def test_read_lines_strips_bom_on_line_one_only(tmp_path, encoding):
    path = _write(tmp_path, "a.txt", "\ufeffone\n\ufefftwo\n")
    assert list(read_lines(path, encoding)) == [(1, "one"), (2, "\ufefftwo")]


def test_read_lines_decode_error_names_path_and_line(tmp_path):
    path = _write(tmp_path, "bad.txt", "好\n好\n".encode("utf-8") + b"\xff\xfe\n")
    with pytest.raises(ReaderError, match=r"bad\.txt:3: cannot decode as utf-8: "):
        list(read_lines(path, "utf-8"))


def test_read_lines_rejects_unsupported_encodings(tmp_path):
    path = _write(tmp_path, "a.txt", b"x\n")
    for encoding in ("utf-16", "latin-1", "no-such-codec"):
        with pytest.raises(ValueError, match="unsupported encoding"):
            list(read_lines(path, encoding))
    with pytest.raises(ValueError):
        SighanCwsDatasetReader(encoding="utf-16")


def test_reader_error_is_a_value_error_and_pickles():
    error = ReaderError("x/y.txt", 7, "boom")
    assert isinstance(error, ValueError)
    assert str(error) == "x/y.txt:7: boom"
    copy = pickle.loads(pickle.dumps(error))
    assert (str(copy), copy.path, copy.lineno, copy.message) == ("x/y.txt:7: boom", "x/y.txt", 7, "boom")


def test_warn_if_empty_passes_items_through_and_warns_only_when_there_are_none(caplog):
    log = logging.getLogger("glyce_allennlp.dataset_readers.some_reader")
    pulled = []

    def items():
        for item in ["b", "a", "c"]:
            pulled.append(item)
            yield item

    with caplog.at_level(logging.WARNING):
        lazy = warn_if_empty(items(), "x/full.txt", "blank lines", log)
        assert pulled == []  # nothing is read before the first item is asked for
        assert next(lazy) == "b" and pulled == ["b"]
        assert list(lazy) == ["a", "c"]
        assert list(warn_if_empty(iter([]), "x/empty.txt", "a header", log)) == []
    warnings = [(r.name, r.levelno, r.getMessage()) for r in caplog.records]
    assert warnings == [(log.name, logging.WARNING,
                         "x/empty.txt: no sentences (the file is empty or holds only a header)")]


# ---------------------------------------------------------------- registration
@pytest.mark.parametrize("name, cls", [("sighan_cws", SighanCwsDatasetReader), ("char_ner", CharNerDatasetReader),
                                       ("ctb_pos", CtbPosDatasetReader)])
def test_registered(name, cls):
    assert DatasetReader.by_name(name) is cls
    reader = DatasetReader.from_params(Params({"type": name, "encoding": "utf-8"}))
    assert isinstance(reader, cls)


# ---------------------------------------------------------------- tag_output
# The readers of this package that do not tag characters (their instances carry no per-character "tags" field).
NOT_TAGGING = {"chinese_sentence_pair", "chinese_text_classification", "conll_dependencies", "bert_sentence_input",
               "conll2009_srl"}
TAGGING_FIXTURES = {"char_ner": ("ner/train.bmes", {}), "sighan_cws": ("cws/train.txt", {}),
                    "ctb_pos": ("pos/train.txt", {}), "conll_char_pos": ("ud/train.conllu", {})}


def _package_readers():
    import glyce_allennlp.dataset_readers  # noqa: F401  (registers them)
    return {name: DatasetReader.by_name(name) for name in DatasetReader.list_available()
            if DatasetReader.by_name(name).__module__.startswith("glyce_allennlp.")}


def test_every_tagging_reader_declares_tag_output():
    readers = _package_readers()
    assert NOT_TAGGING < set(readers)
    tagging = {name: cls for name, cls in readers.items() if name not in NOT_TAGGING}
    assert {name: cls.tag_output for name, cls in tagging.items()} == {
        "char_ner": "entities", "sighan_cws": "words", "ctb_pos": "word_pos", "conll_char_pos": "word_pos"}
    assert all(cls.tag_output in TAG_OUTPUTS for cls in tagging.values())
    assert not any(hasattr(readers[name], "tag_output") for name in NOT_TAGGING)


@pytest.mark.parametrize("name", sorted(TAGGING_FIXTURES))
def test_tag_output_matches_the_tags_read(name):
    path, params = TAGGING_FIXTURES[name]
    reader = DatasetReader.by_name(name)(**params)
    tags = {tag for instance in reader.read(FIXTURES / path) for tag in _labels(instance)}
    prefixes = {tag.split("-", 1)[0] for tag in tags}
    if reader.tag_output == "entities":
        assert "O" in tags and prefixes <= {"B", "I", "L", "U", "O"}
    elif reader.tag_output == "words":
        assert tags == {"B", "M", "E", "S"}
    else:
        assert prefixes == {"B", "M", "E", "S"} and all(tag[:2] in ("B-", "M-", "E-", "S-") for tag in tags)


# ---------------------------------------------------------------- sighan_cws
@pytest.mark.parametrize("split", list(SIZES))
def test_sighan_cws_fixture(split):
    instances = list(SighanCwsDatasetReader().read(FIXTURES / "cws" / f"{split}.txt"))
    assert len(instances) == SIZES[split]
    for instance in instances:
        _check_fields(instance, {"chars", "words"})
        assert "".join(instance["metadata"]["words"]) == "".join(_tokens(instance))
        assert set(_labels(instance)) <= {"B", "M", "E", "S"}


def test_sighan_cws_first_sentence():
    instance = next(iter(SighanCwsDatasetReader().read(FIXTURES / "cws" / "train.txt")))
    line = (FIXTURES / "cws" / "train.txt").read_text(encoding="utf-8").splitlines()[0]
    words = line.split(" ")
    assert instance["metadata"]["words"] == words
    assert _tokens(instance) == list("".join(words))
    expected = []
    for word in words:
        expected += ["S"] if len(word) == 1 else ["B"] + ["M"] * (len(word) - 2) + ["E"]
    assert _labels(instance) == expected


def test_sighan_cws_gbk_crlf():
    # GBK, CRLF line ends, a blank line (skipped) and U+3000 ideographic spaces between words
    instances = list(SighanCwsDatasetReader(encoding="gbk").read(FIXTURES / "cws" / "gbk.txt"))
    assert [i["metadata"]["words"] for i in instances] == [
        ["张伟", "今天", "在", "北京", "工作", "。"],
        ["李娜", "是", "清华大学", "的", "老师", "。"],
        ["他们", "喜欢", "学习", "中文", "。"],
    ]
    assert _labels(instances[1]) == ["B", "E", "S", "B", "M", "M", "E", "S", "B", "E", "S"]
    for instance in instances:
        _check_fields(instance, {"chars", "words"})
        assert "\r" not in _tokens(instance)
    assert len(list(SighanCwsDatasetReader(encoding="gb18030").read(FIXTURES / "cws" / "gbk.txt"))) == 3
    with pytest.raises(ReaderError, match=r"gbk\.txt:1: cannot decode as utf-8"):
        list(SighanCwsDatasetReader().read(FIXTURES / "cws" / "gbk.txt"))


@pytest.mark.parametrize("encoding", ["big5", "cp950"])
def test_sighan_cws_big5(encoding):
    instances = list(SighanCwsDatasetReader(encoding=encoding).read(FIXTURES / "cws" / "big5.txt"))
    assert [i["metadata"]["words"] for i in instances] == [
        ["張偉", "今天", "在", "臺北", "工作", "。"],
        ["李娜", "是", "清華大學", "的", "老師", "。"],
        ["他們", "喜歡", "學習", "中文", "。"],
    ]


def test_sighan_cws_big5_is_not_utf8():
    with pytest.raises(ReaderError, match=r"big5\.txt:1: cannot decode as utf-8"):
        list(SighanCwsDatasetReader().read(FIXTURES / "cws" / "big5.txt"))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_sighan_cws_bom(encoding):
    assert (FIXTURES / "cws" / "bom.txt").read_bytes().startswith(b"\xef\xbb\xbf")
    instances = list(SighanCwsDatasetReader(encoding=encoding).read(FIXTURES / "cws" / "bom.txt"))
    assert [i["metadata"]["words"] for i in instances] == [
        ["张伟", "今天", "在", "北京", "工作", "。"],
        ["李娜", "是", "清华大学", "的", "老师", "。"],  # tab-separated in the file
    ]
    assert _tokens(instances[0])[0] == "张"


def test_sighan_cws_whitespace_and_blank_lines(tmp_path):
    path = _write(tmp_path, "ws.txt", "  \n\t\n张伟\u3000在\t北京  工作 。 \n\u3000\n好\n")
    instances = list(SighanCwsDatasetReader().read(path))
    assert [i["metadata"]["words"] for i in instances] == [["张伟", "在", "北京", "工作", "。"], ["好"]]
    assert _labels(instances[0]) == ["B", "E", "S", "B", "E", "B", "E", "S"]


def test_sighan_cws_text_to_instance_drops_whitespace():
    reader = SighanCwsDatasetReader()
    instance = reader.text_to_instance(list(" 张 伟\u3000好\t"))
    assert _tokens(instance) == ["张", "伟", "好"]
    assert set(instance.fields) == {"tokens", "metadata"}
    # "words" is always there (crf_tagger reads it): the characters when there is no gold segmentation
    assert instance["metadata"].metadata == {"chars": ["张", "伟", "好"], "words": ["张", "伟", "好"]}
    instance = reader.text_to_instance("张 伟好", ["B", "S", "E", "S"])
    assert _tokens(instance) == ["张", "伟", "好"]
    assert _labels(instance) == ["B", "E", "S"]
    assert instance["metadata"]["words"] == ["张伟", "好"]
    with pytest.raises(ValueError):
        reader.text_to_instance(["张伟"])
    with pytest.raises(ValueError):
        reader.text_to_instance(list("张伟"), ["S"])


# ---------------------------------------------------------------- char_ner
@pytest.mark.parametrize("split", list(SIZES))
@pytest.mark.parametrize("scheme", ["auto", "BMES"])
def test_char_ner_fixture(split, scheme):
    reader = CharNerDatasetReader(tag_scheme=scheme)
    path = FIXTURES / "ner" / f"{split}.bmes"
    instances = list(reader.read(path))
    assert len(instances) == SIZES[split]
    for instance in instances:
        _check_fields(instance, {"chars", "words"})
        assert instance["metadata"]["words"] == _tokens(instance)
        labels = _labels(instance)
        assert is_valid_bioul(labels)
        assert {l.partition("-")[0] for l in labels} <= set("BIOLU")
        assert {l.partition("-")[2] for l in labels} <= {"", "PER", "LOC", "ORG"}
    assert reader.repair_counts == {str(path): 0}


def test_char_ner_converts_bmes_to_bioul(tmp_path):
    path = _write(tmp_path, "s.bmes", "王\tS-PER\n老\tO\n师\tO\n在\tO\n乌 B-LOC\n鲁 M-LOC\n木 M-LOC\n齐 E-LOC\n")
    (instance,) = CharNerDatasetReader().read(path)
    assert _tokens(instance) == list("王老师在乌鲁木齐")
    assert _labels(instance) == ["U-PER", "O", "O", "O", "B-LOC", "I-LOC", "I-LOC", "L-LOC"]


@pytest.mark.parametrize("scheme", ["auto", "BIO"])
def test_char_ner_bio(scheme):
    instances = list(CharNerDatasetReader(tag_scheme=scheme).read(FIXTURES / "ner" / "bio.txt"))
    assert [_labels(i) for i in instances] == [
        ["B-PER", "L-PER", "O", "B-LOC", "L-LOC", "O", "O"],
        ["U-LOC", "O"],
    ]


@pytest.mark.parametrize("scheme", ["auto", "BIOES"])
def test_char_ner_bioes(scheme):
    instances = list(CharNerDatasetReader(tag_scheme=scheme).read(FIXTURES / "ner" / "bioes.txt"))
    assert [_labels(i) for i in instances] == [
        ["B-PER", "L-PER", "O", "B-LOC", "L-LOC"],
        ["U-LOC", "O", "B-ORG", "I-ORG", "L-ORG"],
    ]


def test_char_ner_bioul_input(tmp_path):
    path = _write(tmp_path, "u.txt", "a U-X\nb O\n\nc B-Y\nd L-Y\n")
    assert [_labels(i) for i in CharNerDatasetReader().read(path)] == [["U-X", "O"], ["B-Y", "L-Y"]]


def test_char_ner_tag_not_in_declared_scheme():
    # bioes.txt line 2 is "伟 E-PER": not a BIO tag
    with pytest.raises(ReaderError, match=r"bioes\.txt:2: tag 'E-PER' is not a BIO tag"):
        list(CharNerDatasetReader(tag_scheme="BIO").read(FIXTURES / "ner" / "bioes.txt"))
    # bio.txt line 2 is "伟 I-PER": not a BMES tag
    with pytest.raises(ReaderError, match=r"bio\.txt:2: "):
        list(CharNerDatasetReader(tag_scheme="BMES").read(FIXTURES / "ner" / "bio.txt"))


def test_char_ner_auto_rejects_mixed_schemes(tmp_path):
    path = _write(tmp_path, "mixed.bmes", "a B-X\nb M-X\nc E-X\n\nd B-X\ne I-X\n")
    with pytest.raises(ReaderError, match=r"mixed\.bmes:6: tag 'I-X' mixes tag schemes"):
        list(CharNerDatasetReader().read(path))


def test_char_ner_bad_columns():
    path = FIXTURES / "ner" / "bad_columns.bmes"
    assert len(path.read_text(encoding="utf-8").splitlines()[6].split()) == 3  # line 7
    for scheme in ("auto", "BMES"):
        with pytest.raises(ReaderError, match=r"bad_columns\.bmes:7: expected 2 columns"):
            list(CharNerDatasetReader(tag_scheme=scheme).read(path))


@pytest.mark.parametrize(
    "content, lineno, message",
    [
        ("a O\nb\n", 2, "expected 2 columns"),
        ("a O\n\nbc O\n", 3, "not a single character"),
        ("a O\nb B\n", 2, "is not a BIO tag"),  # entity tags need a type
        ("a O\nb O-X\n", 2, "is not a"),
        ("a O\nb X-PER\n", 2, "mixes tag schemes"),
    ],
)
def test_char_ner_malformed_lines(tmp_path, content, lineno, message):
    path = _write(tmp_path, "m.bmes", content)
    with pytest.raises(ReaderError, match=rf"m\.bmes:{lineno}: .*{message}"):
        list(CharNerDatasetReader().read(path))


def test_char_ner_blank_line_handling(tmp_path):
    # several blank / whitespace-only separator lines, CRLF, no final newline
    path = _write(tmp_path, "b.bmes", "\r\n \r\na O\r\nb S-X\r\n\r\n\t\r\n\u3000\r\nc O\r\nd O")
    instances = list(CharNerDatasetReader().read(path))
    assert [_tokens(i) for i in instances] == [["a", "b"], ["c", "d"]]
    assert [_labels(i) for i in instances] == [["O", "U-X"], ["O", "O"]]


def test_char_ner_strip_char_suffix_digits(tmp_path):
    # weiboNER_2nd_conll layout: char + word-position digit(s), tab, BIO tag
    content = "科0\tO\n技1\tO\n张0\tB-PER.NAM\n伟1\tI-PER.NAM\n80\tO\n11\tO\n\n好0\tO\n"
    path = _write(tmp_path, "weiboNER_2nd_conll.train", content)
    instances = list(CharNerDatasetReader(strip_char_suffix_digits=True).read(path))
    assert [_tokens(i) for i in instances] == [list("科技张伟81"), ["好"]]
    assert _labels(instances[0]) == ["O", "O", "B-PER.NAM", "L-PER.NAM", "O", "O"]
    with pytest.raises(ReaderError, match=r"weiboNER_2nd_conll\.train:1: the first column '科0'"):
        list(CharNerDatasetReader().read(path))
    # only one character may precede the digits
    path = _write(tmp_path, "two.conll", "科技0\tO\n")
    with pytest.raises(ReaderError, match=r"two\.conll:1: the first column '科技0' is not a single character"):
        list(CharNerDatasetReader(strip_char_suffix_digits=True).read(path))


def test_char_ner_ill_formed_repair(caplog):
    path = FIXTURES / "ner" / "ill_formed.bmes"
    reader = CharNerDatasetReader(tag_scheme="BMES", ill_formed="repair")
    with caplog.at_level(logging.WARNING, logger="glyce_allennlp.dataset_readers.char_ner"):
        instances = list(reader.read(path))
    assert [_labels(i) for i in instances] == [
        ["B-PER", "L-PER", "O", "U-LOC"],
        ["U-ORG", "B-ORG", "I-ORG", "L-ORG", "O"],  # S-ORG M-ORG M-ORG E-ORG O
        ["U-PER", "O", "O"],  # E-PER O O
        ["B-PER", "L-PER"],
    ]
    assert reader.repair_counts == {str(path): 2}
    for instance in instances:
        assert is_valid_bioul(_labels(instance))
        bioul_tags_to_spans(_labels(instance))  # AllenNLP accepts every repaired sequence
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert str(path) in warnings[0] and "repaired 2 " in warnings[0]
    # auto detection reads the same file the same way
    auto = CharNerDatasetReader()
    assert [_labels(i) for i in auto.read(path)] == [_labels(i) for i in instances]
    assert auto.repair_counts == {str(path): 2}


def test_char_ner_repair_counts_per_file():
    reader = CharNerDatasetReader()
    list(reader.read(FIXTURES / "ner" / "ill_formed.bmes"))
    list(reader.read(FIXTURES / "ner" / "dev.bmes"))
    list(reader.read(FIXTURES / "ner" / "ill_formed.bmes"))  # a second pass does not double count
    assert reader.repair_counts == {str(FIXTURES / "ner" / "ill_formed.bmes"): 2, str(FIXTURES / "ner" / "dev.bmes"): 0}


def test_char_ner_ill_formed_error():
    reader = CharNerDatasetReader(tag_scheme="BMES", ill_formed="error")
    with pytest.raises(ReaderError, match=r"ill_formed\.bmes:6: ill-formed BMES tag sequence .*S-ORG M-ORG"):
        list(reader.read(FIXTURES / "ner" / "ill_formed.bmes"))


def test_char_ner_ill_formed_bio_repaired(tmp_path):
    path = _write(tmp_path, "bio.txt", "a I-X\nb I-X\nc O\n\nd B-X\ne I-Y\n")
    reader = CharNerDatasetReader(tag_scheme="BIO")
    assert [_labels(i) for i in reader.read(path)] == [["B-X", "L-X", "O"], ["U-X", "U-Y"]]
    assert reader.repair_counts == {path: 2}
    with pytest.raises(ReaderError, match=r"bio\.txt:1: ill-formed"):
        list(CharNerDatasetReader(tag_scheme="BIO", ill_formed="error").read(path))


def test_char_ner_bad_configuration():
    from allennlp.common.checks import ConfigurationError

    with pytest.raises(ConfigurationError):
        CharNerDatasetReader(tag_scheme="IOB1")
    with pytest.raises(ConfigurationError):
        CharNerDatasetReader(ill_formed="skip")


def test_char_ner_text_to_instance():
    instance = CharNerDatasetReader().text_to_instance(list("张伟 在\u3000北京"))
    assert _tokens(instance) == list("张伟在北京")
    assert set(instance.fields) == {"tokens", "metadata"}
    assert instance["metadata"].metadata == {"chars": list("张伟在北京"), "words": list("张伟在北京")}


# ---------------------------------------------------------------- ctb_pos
@pytest.mark.parametrize("split", list(SIZES))
def test_ctb_pos_fixture(split):
    instances = list(CtbPosDatasetReader().read(FIXTURES / "pos" / f"{split}.txt"))
    assert len(instances) == SIZES[split]
    for instance in instances:
        _check_fields(instance, {"chars", "words", "pos"})
        labels = _labels(instance)
        assert all(l[:2] in ("B-", "M-", "E-", "S-") for l in labels)
        assert len(instance["metadata"]["words"]) == len(instance["metadata"]["pos"])


def test_ctb_pos_first_sentence():
    instance = next(iter(CtbPosDatasetReader().read(FIXTURES / "pos" / "train.txt")))
    pairs = [t.rsplit("_", 1) for t in (FIXTURES / "pos" / "train.txt").read_text("utf-8").splitlines()[0].split()]
    assert instance["metadata"]["words"] == [w for w, _ in pairs]
    assert instance["metadata"]["pos"] == [p for _, p in pairs]


def test_ctb_pos_tags(tmp_path):
    path = _write(tmp_path, "p.txt", "乌鲁木齐_NR 在_P\u3000a_b_NN __PU\t。_PU\n\n   \n好_VA\n")
    instances = list(CtbPosDatasetReader().read(path))
    assert _tokens(instances[0]) == list("乌鲁木齐在a_b_。")
    assert _labels(instances[0]) == ["B-NR", "M-NR", "M-NR", "E-NR", "S-P", "B-NN", "M-NN", "E-NN", "S-PU", "S-PU"]
    assert instances[0]["metadata"]["words"] == ["乌鲁木齐", "在", "a_b", "_", "。"]
    assert instances[0]["metadata"]["pos"] == ["NR", "P", "NN", "PU", "PU"]
    assert _labels(instances[1]) == ["S-VA"]


def test_ctb_pos_bad_fixture():
    with pytest.raises(ReaderError, match=r"bad\.txt:2: token '是' has no '_'"):
        list(CtbPosDatasetReader().read(FIXTURES / "pos" / "bad.txt"))


@pytest.mark.parametrize("token", ["好_", "_NN", "_"])
def test_ctb_pos_empty_word_or_tag(tmp_path, token):
    path = _write(tmp_path, "p.txt", f"好_VA\n在_P {token}\n")
    with pytest.raises(ReaderError, match=r"p\.txt:2: .*empty word or tag"):
        list(CtbPosDatasetReader().read(path))


def test_ctb_pos_text_to_instance():
    reader = CtbPosDatasetReader()
    instance = reader.text_to_instance(list("张伟 好"))
    assert _tokens(instance) == ["张", "伟", "好"]
    assert set(instance.fields) == {"tokens", "metadata"}
    assert instance["metadata"].metadata == {"chars": ["张", "伟", "好"], "words": ["张", "伟", "好"]}
    instance = reader.text_to_instance(list("张伟好"), ["B-NR", "E-NR", "S-VA"])
    assert instance["metadata"]["words"] == ["张伟", "好"] and instance["metadata"]["pos"] == ["NR", "VA"]


# ---------------------------------------------------------------- fixtures: consistency, raw text, regeneration
@pytest.mark.parametrize("split", list(SIZES))
def test_fixture_formats_agree(split):
    cws = list(SighanCwsDatasetReader().read(FIXTURES / "cws" / f"{split}.txt"))
    pos = list(CtbPosDatasetReader().read(FIXTURES / "pos" / f"{split}.txt"))
    ner = list(CharNerDatasetReader().read(FIXTURES / "ner" / f"{split}.bmes"))
    assert [_tokens(i) for i in cws] == [_tokens(i) for i in pos] == [_tokens(i) for i in ner]
    assert [i["metadata"]["words"] for i in cws] == [i["metadata"]["words"] for i in pos]
    assert [_labels(i) for i in cws] == [[l[0] for l in _labels(i)] for i in pos]


def test_fixture_label_sets():
    ner = list(CharNerDatasetReader().read(FIXTURES / "ner" / "train.bmes"))
    spans = {label for i in ner for label, _ in bioul_tags_to_spans(_labels(i))}
    assert spans == {"PER", "LOC", "ORG"}
    prefixes = {l[0] for i in ner for l in _labels(i)}
    assert prefixes == set("BIOLU")
    vocab = Vocabulary.from_instances(list(CtbPosDatasetReader().read(FIXTURES / "pos" / "train.txt")))
    pos_tags = {l.partition("-")[2] for l in vocab.get_token_to_index_vocabulary("labels")}
    assert {"NR", "NN", "VV", "P", "PU", "NT", "CD", "AD", "DEG"} <= pos_tags


def test_raw_fixture():
    lines = (FIXTURES / "raw.txt").read_text(encoding="utf-8").split("\n")
    assert lines[-1] == ""  # final newline
    lines = lines[:-1]
    assert 6 <= len(lines) <= 10
    assert "" in lines
    assert any(" " in line for line in lines)
    assert any(c.isdigit() for line in lines for c in line)
    assert any(c.isascii() and c.isalpha() for line in lines for c in line)
    train_chars = set((FIXTURES / "cws" / "train.txt").read_text(encoding="utf-8"))
    unseen = {c for line in lines for c in line if c not in train_chars and not c.isspace()}
    assert "鑫" in unseen


def test_fixtures_are_reproducible(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "HERE", str(tmp_path))
    module.main()
    generated = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert generated
    for rel in generated:
        assert filecmp.cmp(tmp_path / rel, FIXTURES / rel, shallow=False), f"fixtures/{rel} is stale: rerun the script"


@pytest.mark.parametrize(
    "reader, path, encoding",
    [
        (SighanCwsDatasetReader(), FIXTURES / "cws" / "dev.txt", "BMES"),
        (CharNerDatasetReader(), FIXTURES / "ner" / "dev.bmes", "BIOUL"),
        (CtbPosDatasetReader(), FIXTURES / "pos" / "dev.txt", "BMES"),
    ],
)
def test_instances_run_through_crf_tagger(reader, path, encoding):
    # crf_tagger reads metadata["words"]: gold instances and tagless (prediction) instances must both work
    import torch
    from allennlp.modules.seq2seq_encoders import PassThroughEncoder
    from allennlp.modules.text_field_embedders import BasicTextFieldEmbedder
    from allennlp.modules.token_embedders import Embedding
    from allennlp_models.tagging.models import CrfTagger

    torch.manual_seed(0)
    instances = list(reader.read(path))[:8]
    vocab = Vocabulary.from_instances(instances)
    embedder = BasicTextFieldEmbedder({"tokens": Embedding(8, vocab=vocab, vocab_namespace="tokens")})
    model = CrfTagger(vocab, embedder, PassThroughEncoder(8), label_encoding=encoding,
                      constrain_crf_decoding=True, calculate_span_f1=encoding == "BIOUL")
    model.eval()
    outputs = model.forward_on_instances(instances[:2])
    assert outputs[0]["words"] == instances[0]["metadata"]["words"]
    tagless = [reader.text_to_instance(list("张伟在北京工作。")), reader.text_to_instance(list("王鑫 来了"))]
    outputs = model.forward_on_instances(tagless)
    assert [len(o["tags"]) for o in outputs] == [8, 4]
    assert outputs[1]["words"] == list("王鑫来了")
