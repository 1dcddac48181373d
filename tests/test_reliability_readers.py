"""Bad input never crashes a dataset reader or loses data (issue 8, "Bad input").

Every file a reader is given ends in exactly one of
  * instances that are exactly what the file holds (checked against an independent, deliberately simple parse of the
    file: the *oracle*), one per sentence: sentences in == instances out, nothing skipped;
  * a ``ReaderError`` whose message starts with ``"{path}:{lineno}: "`` for a line that exists (and that the oracle
    also finds wrong).
Any other exception type fails the test ("a bare traceback from deep inside").

Generators (hypothesis): random sentences over an alphabet of common and traditional hanzi, CJK extension B, emoji,
full-width Latin/digits, ASCII, punctuation, C0/C1 control and zero-width characters; random word separators (space,
tab, U+3000), blank and whitespace-only lines, mixed CRLF/LF, a UTF-8 BOM, GBK/Big5 files; and corruptions: random
truncation (of generated files and of the real fixtures), a line with the wrong number of columns, flipped bytes, a
NUL byte, GBK/Big5 bytes read as UTF-8, UTF-8 read as GBK/Big5, UTF-16/32 read as UTF-8.

How to add a reader (e.g. the sentence-level or CoNLL readers of issues 3 and 4): write a ``Format`` (how one
sentence is written, what the reader must return for it, and the oracle's parse of decoded lines), append it to
``FORMATS`` with its reader name, params and a fixture; every test below is parametrized over ``FORMATS``.
"""
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Set

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glyce_allennlp.dataset_readers.io import UTF8_SNIFF_MIN_CHARS, ReaderError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SETTINGS = settings(max_examples=30, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

HANZI = "中国人我们的是在北京上海龍鑫说话爱门"
ALPHABET = (HANZI + "\U00020000\U0002A6A5" + "😀🚀" + "ＡＢｃ１２３！" + "aZ09-_.#" + "，。《》“”、"
            + "\x01\x07\x1b\x7f\x80\x9f" + "\u200b\u200d\u0301")
WORD_SEPARATORS = [" ", "\t", "\u3000", "  ", " \t "]
BLANK_LINES = ["", " ", "\t", "\u3000", " \u3000\t"]
ENCODINGS = ["utf-8", "utf-8-sig", "gbk", "big5"]


def encodable(chars: str, encoding: str) -> str:
    out = []
    for ch in chars:
        try:
            ch.encode(encoding)
            out.append(ch)
        except UnicodeEncodeError:
            pass
    return "".join(out)


# ------------------------------------------------------------------------------------------------------ the oracle
class OracleError(Exception):
    def __init__(self, lines: Set[int]):
        super().__init__(sorted(lines))
        self.lines = lines


def oracle_decode(data: bytes, encoding: str) -> List[Optional[str]]:
    """The documented contract of io.read_lines: split on b"\\n", drop one b"\\r", strict decode, BOM on line 1;
    for GBK/Big5 a file that is evidently UTF-8 is an error at its first non-ASCII line. Undecodable lines → None."""
    codec = "utf-8" if encoding.startswith("utf-8") else encoding
    if codec != "utf-8":
        if data.startswith(b"\xef\xbb\xbf"):
            raise OracleError({1})
        try:
            text = data[: 1 << 20].decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None:
            non_ascii = [i for i, ch in enumerate(text) if ord(ch) > 127]
            if len(non_ascii) >= UTF8_SNIFF_MIN_CHARS:
                raise OracleError({text.count("\n", 0, non_ascii[0]) + 1})
    raws = data.split(b"\n")
    if raws and raws[-1] == b"":
        raws.pop()
    lines: List[Optional[str]] = []
    for i, raw in enumerate(raws):
        raw = raw[:-1] if raw.endswith(b"\r") else raw
        try:
            line = raw.decode(codec)
        except UnicodeDecodeError:
            line = None
        if i == 0 and codec == "utf-8" and line is not None and line.startswith("\ufeff"):
            line = line[1:]
        lines.append(None if line is not None and "\x00" in line else line)  # NUL: binary / UTF-16 data
    return lines


# ------------------------------------------------------------------------------------------------------ formats
@dataclass
class Format:
    reader: str  # registered name
    params: Dict
    fixture: str  # a real file, relative to fixtures/
    sentence: Callable  # strategy factory: alphabet -> strategy of one gold sentence
    write: Callable  # (gold sentence, draw) -> list of lines
    expected: Callable  # gold sentence -> (chars, tags) the reader must return
    parse: Callable  # decoded lines (None = undecodable) -> list of char lists; raises OracleError(problem lines)
    blank_line_between_sentences: bool = False
    in_order_errors: bool = True  # the reader reports the first problem line (single pass)
    bad_lines: List[str] = field(default_factory=list)  # lines the reader must reject


def _words(alphabet):
    word = st.text(alphabet=alphabet, min_size=1, max_size=4)
    return st.lists(word, min_size=1, max_size=6)


def _bmes(word: str) -> List[str]:
    return ["S"] if len(word) == 1 else ["B"] + ["M"] * (len(word) - 2) + ["E"]


# SIGHAN CWS: words separated by whitespace, one sentence per non-blank line.
def cws_write(words, draw):
    sep = draw(st.sampled_from(WORD_SEPARATORS))
    lead, trail = draw(st.sampled_from(["", " ", "\u3000"])), draw(st.sampled_from(["", " ", "\t"]))
    return [lead + sep.join(words) + trail]


def cws_expected(words):
    return [c for w in words for c in w], [t for w in words for t in _bmes(w)]


def cws_parse(lines):
    bad = {i + 1 for i, line in enumerate(lines) if line is None}
    if bad:
        raise OracleError({min(bad)})
    return [list("".join(line.split())) for line in lines if line.split()]


# CTB POS: word_TAG tokens, one sentence per non-blank line.
POS_TAGS = st.sampled_from(["NN", "VV", "PU", "NR", "AD", "M"])


def pos_sentence(alphabet):
    return st.lists(st.tuples(st.text(alphabet=alphabet, min_size=1, max_size=3), POS_TAGS), min_size=1, max_size=6)


def pos_write(pairs, draw):
    sep = draw(st.sampled_from(WORD_SEPARATORS))
    return [sep.join(f"{w}_{t}" for w, t in pairs)]


def pos_expected(pairs):
    return [c for w, _ in pairs for c in w], [f"{b}-{t}" for w, t in pairs for b in _bmes(w)]


def pos_parse(lines):
    sentences = []
    for i, line in enumerate(lines):
        if line is None:
            raise OracleError({i + 1})
        if not line.split():
            continue
        chars = []
        for token in line.split():
            word, sep, tag = token.rpartition("_")
            if not (sep and word and tag):
                raise OracleError({i + 1})
            chars.extend(word)
        sentences.append(chars)
    return sentences


# Character NER: "char tag" lines, blank line between sentences; written in a random scheme, read back as BIOUL.
NER_TYPES = st.sampled_from(["PER", "LOC", "ORG"])
SCHEME_PREFIXES = {  # single, begin, inside, end
    "BMES": ("S", "B", "M", "E"), "BIOES": ("S", "B", "I", "E"), "BIOUL": ("U", "B", "I", "L"),
    "BIO": ("B", "B", "I", "I"),
}


def ner_sentence(alphabet):
    char = st.text(alphabet=alphabet, min_size=1, max_size=1)
    span = st.one_of(st.tuples(st.just("O"), st.lists(char, min_size=1, max_size=1)),
                     st.tuples(NER_TYPES, st.lists(char, min_size=1, max_size=4)))
    return st.tuples(st.sampled_from(sorted(SCHEME_PREFIXES)), st.lists(span, min_size=1, max_size=5))


def _span_tags(label, chars, prefixes):
    single, begin, inside, end = prefixes
    if label == "O":
        return ["O"]
    if len(chars) == 1:
        return [f"{single}-{label}"]
    return [f"{begin}-{label}"] + [f"{inside}-{label}"] * (len(chars) - 2) + [f"{end}-{label}"]


def ner_write(sentence, draw):
    scheme, spans = sentence
    sep = draw(st.sampled_from([" ", "\t"]))
    lines = []
    for label, chars in spans:
        for char, tag in zip(chars, _span_tags(label, chars, SCHEME_PREFIXES[scheme])):
            lines.append(f"{char}{sep}{tag}")
    return lines


def ner_expected(sentence):
    _, spans = sentence
    chars = [c for _, cs in spans for c in cs]
    return chars, [t for label, cs in spans for t in _span_tags(label, cs, SCHEME_PREFIXES["BIOUL"])]


NER_TAG = re.compile(r"O|[BIMESLU]-.+")


def ner_parse(lines):
    sentences, current, bad = [], [], set()
    for i, line in enumerate(lines):
        if line is None:
            bad.add(i + 1)
            continue
        fields = line.split()
        if not fields:
            if current:
                sentences.append(current)
            current = []
            continue
        if len(fields) != 2 or len(fields[0]) != 1 or not NER_TAG.fullmatch(fields[1]):
            bad.add(i + 1)
            continue
        current.append(fields[0])
    if current:
        sentences.append(current)
    if bad:
        raise OracleError(bad)
    return sentences


def _ner_one_scheme(sentences):  # "auto" needs one scheme per file
    return [(sentences[0][0], spans) for _, spans in sentences] if sentences else sentences


FORMATS = {
    "sighan_cws": Format("sighan_cws", {}, "cws/train.txt", _words, cws_write, cws_expected, cws_parse,
                         bad_lines=[]),
    "ctb_pos": Format("ctb_pos", {}, "pos/train.txt", pos_sentence, pos_write, pos_expected, pos_parse,
                      bad_lines=["张三", "张三_", "_NN", "好_NN 坏"]),
    "char_ner": Format("char_ner", {"tag_scheme": "auto", "ill_formed": "repair"}, "ner/train.bmes", ner_sentence,
                       ner_write, ner_expected, ner_parse, blank_line_between_sentences=True, in_order_errors=False,
                       bad_lines=["张", "张 B-PER extra", "张三 O", "张 X-PER", "张 B-"]),
}


# ------------------------------------------------------------------------------------------------------ helpers
def make_reader(fmt: Format, encoding: str):
    from allennlp.common import Params
    from allennlp.data import DatasetReader

    return DatasetReader.from_params(Params({"type": fmt.reader, "encoding": encoding, **fmt.params}))


def read_all(fmt: Format, path: Path, encoding: str):
    """(list of (chars, tags), None) or (None, ReaderError); any other exception propagates (= test failure)."""
    try:
        instances = list(make_reader(fmt, encoding).read(str(path)))
    except ReaderError as error:
        return None, error
    return [([t.text for t in i["tokens"].tokens], list(i["tags"].labels)) for i in instances], None


def assert_clean_error(error: ReaderError, path: Path, data: bytes):
    n_lines = len(data.split(b"\n")) - (1 if data.endswith(b"\n") else 0)
    assert str(error).startswith(f"{path}:{error.lineno}: "), str(error)
    assert 1 <= error.lineno <= max(n_lines, 1), (error.lineno, n_lines)


def check_against_oracle(fmt: Format, path: Path, data: bytes, encoding: str):
    """The reader's outcome on ``data`` agrees with the oracle: same sentences, or an error at a problem line."""
    path.write_bytes(data)
    got, error = read_all(fmt, path, encoding)
    try:
        expected = fmt.parse(oracle_decode(data, encoding))
        problems: Set[int] = set()
    except OracleError as oracle_error:
        expected, problems = None, oracle_error.lines
    if error is not None:
        assert_clean_error(error, path, data)
        if problems:
            if fmt.in_order_errors:
                assert error.lineno == min(problems), (str(error), sorted(problems))
        else:  # the oracle accepts every line: only a reader with checks the oracle lacks may refuse (NER tags)
            assert not fmt.in_order_errors, f"unexpected {error}"
        return "error"
    assert expected is not None, f"the reader accepted a file with problem lines {sorted(problems)}"
    assert [chars for chars, _ in got] == expected  # sentences in == instances out, in order, every character
    for chars, tags in got:
        assert len(tags) == len(chars) and all(not c.isspace() for c in chars)
    return "ok"


@st.composite
def files(draw, fmt: Format, encodings=ENCODINGS):
    """(bytes, encoding, gold sentences) for a well-formed file."""
    encoding = draw(st.sampled_from(encodings))
    alphabet = ALPHABET if encoding.startswith("utf-8") else encodable(ALPHABET, encoding)
    sentences = draw(st.lists(fmt.sentence(alphabet), max_size=5))
    if fmt.reader == "char_ner":
        sentences = _ner_one_scheme(sentences)
    lines: List[str] = []
    for k, sentence in enumerate(sentences):
        blanks = draw(st.lists(st.sampled_from(BLANK_LINES), min_size=1 if fmt.blank_line_between_sentences and k
                               else 0, max_size=2))
        lines.extend(blanks)
        lines.extend(fmt.write(sentence, draw))
    lines.extend(draw(st.lists(st.sampled_from(BLANK_LINES), max_size=2)))
    endings = [draw(st.sampled_from(["\n", "\r\n"])) for _ in lines]
    final = draw(st.booleans())
    text = "".join(line + (end if (i < len(lines) - 1 or final) else "") for i, (line, end) in
                   enumerate(zip(lines, endings)))
    bom = encoding == "utf-8-sig" or (encoding == "utf-8" and draw(st.booleans()))
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8" if encoding.startswith("utf-8") else encoding)
    return data, encoding, sentences


# ------------------------------------------------------------------------------------------------------ tests
@pytest.mark.parametrize("name", sorted(FORMATS))
def test_wellformed_random_files_are_read_exactly(name, tmp_path, components):
    fmt = FORMATS[name]

    @SETTINGS
    @given(files(fmt))
    def run(generated):
        data, encoding, sentences = generated
        path = tmp_path / "data.txt"
        path.write_bytes(data)
        got, error = read_all(fmt, path, encoding)
        assert error is None, f"{error} ({encoding})"
        assert len(got) == len(sentences), "sentences in != instances out"
        assert got == [fmt.expected(s) for s in sentences]
        check_against_oracle(fmt, path, data, encoding)

    run()


CORRUPTIONS = ["truncate", "flip_byte", "bad_line", "nul_char", "gbk_as_utf8", "big5_as_utf8", "utf8_as_gbk",
               "utf8_as_big5", "utf16_as_utf8"]


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_corrupted_files_give_instances_or_an_error_naming_file_and_line(name, tmp_path, components):
    fmt = FORMATS[name]
    outcomes = set()

    @SETTINGS
    @given(st.data())
    def run(data):
        corruption = data.draw(st.sampled_from(CORRUPTIONS))
        encodings = {"gbk_as_utf8": ["gbk"], "big5_as_utf8": ["big5"]}.get(corruption, ["utf-8"])
        raw, encoding, _ = data.draw(files(fmt, encodings))
        read_as = encoding
        if corruption == "truncate":
            raw = raw[: data.draw(st.integers(0, len(raw)))]
        elif corruption == "flip_byte" and raw:
            i = data.draw(st.integers(0, len(raw) - 1))
            raw = raw[:i] + bytes([raw[i] ^ data.draw(st.integers(1, 255))]) + raw[i + 1:]
        elif corruption == "bad_line":
            lines = raw.split(b"\n")
            bad = data.draw(st.sampled_from(fmt.bad_lines or ["随便 什么"]))
            lines.insert(data.draw(st.integers(0, len(lines))), bad.encode("utf-8"))
            raw = b"\n".join(lines)
        elif corruption == "nul_char":
            i = data.draw(st.integers(0, len(raw)))
            raw = raw[:i] + b"\x00" + raw[i:]
        elif corruption == "utf16_as_utf8":
            raw = raw.decode(encoding).encode(data.draw(st.sampled_from(["utf-16-le", "utf-16", "utf-32-le"])))
        elif corruption in ("gbk_as_utf8", "big5_as_utf8"):
            read_as = "utf-8"
        elif corruption in ("utf8_as_gbk", "utf8_as_big5"):
            read_as = corruption.rsplit("_", 1)[1]
        outcomes.add(check_against_oracle(fmt, tmp_path / "data.txt", raw, read_as))

    run()
    assert outcomes == {"ok", "error"}, outcomes  # the generators exercised both outcomes


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_random_truncation_of_the_real_fixture(name, tmp_path, components):
    fmt = FORMATS[name]
    original = (FIXTURES / fmt.fixture).read_bytes()

    @settings(max_examples=15, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.integers(0, len(original)))
    def run(cut):
        check_against_oracle(fmt, tmp_path / "cut.txt", original[:cut], "utf-8")

    run()
    # cutting inside a multi-byte character makes the last line undecodable: an error naming that line
    cut = next(i for i in range(len(original) // 2, len(original)) if original[i] >= 0xC0) + 1
    (tmp_path / "mid.txt").write_bytes(original[:cut])
    _, error = read_all(fmt, tmp_path / "mid.txt", "utf-8")
    assert isinstance(error, ReaderError) and "cannot decode as utf-8" in str(error)
    assert error.lineno == original[:cut].count(b"\n") + 1


@pytest.mark.parametrize("name", sorted(FORMATS))
@pytest.mark.parametrize("content", [b"", b"\n", b"\r\n\r\n", b" \t\n\xe3\x80\x80\r\n\n", b"\xef\xbb\xbf",
                                     b"\xef\xbb\xbf\r\n  \n"])
def test_empty_and_blank_only_files_give_no_instances_and_a_warning(name, content, tmp_path, caplog, components):
    path = tmp_path / "blank.txt"
    path.write_bytes(content)
    with caplog.at_level(logging.WARNING):
        got, error = read_all(FORMATS[name], path, "utf-8")
    assert error is None and got == []
    assert any("no sentences" in r.getMessage() and str(path) in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("name", sorted(FORMATS))
@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "big5", "cp950"])
def test_utf8_file_read_as_legacy_encoding_is_an_error_not_mojibake(name, encoding, tmp_path, components):
    fmt = FORMATS[name]
    data = (FIXTURES / fmt.fixture).read_bytes()
    path = tmp_path / "utf8.txt"
    path.write_bytes(data)
    _, error = read_all(fmt, path, encoding)
    assert isinstance(error, ReaderError) and f"read as {encoding}" in str(error) and "utf-8" in str(error)
    assert error.lineno == 1
    path.write_bytes(b"\xef\xbb\xbf" + data)
    _, error = read_all(fmt, path, encoding)
    assert isinstance(error, ReaderError) and "byte-order mark" in str(error)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_bad_lines_name_file_and_line(name, tmp_path, components):
    fmt = FORMATS[name]
    good = (FIXTURES / fmt.fixture).read_text(encoding="utf-8").split("\n")[:12]
    for bad in fmt.bad_lines:
        lines = good[:5] + [bad] + good[5:]
        path = tmp_path / "bad.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        _, error = read_all(fmt, path, "utf-8")
        assert isinstance(error, ReaderError), bad
        assert str(error).startswith(f"{path}:6: "), str(error)


@pytest.mark.parametrize("name", sorted(FORMATS))
@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-32"])
def test_utf16_or_nul_bytes_are_an_error_not_garbage_tokens(name, codec, tmp_path, components):
    fmt = FORMATS[name]
    text = (FIXTURES / fmt.fixture).read_text(encoding="utf-8")
    path = tmp_path / "wide.txt"
    path.write_bytes(text.encode(codec))
    _, error = read_all(fmt, path, "utf-8")
    assert isinstance(error, ReaderError) and str(error).startswith(f"{path}:1: ")
    lines = text.split("\n")
    lines[3] = lines[3][:1] + "\x00" + lines[3][1:]
    path.write_text("\n".join(lines), encoding="utf-8")
    _, error = read_all(fmt, path, "utf-8")
    assert isinstance(error, ReaderError) and str(error).startswith(f"{path}:4: NUL character (U+0000) at column 2")
