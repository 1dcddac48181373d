"""Bad input never crashes a dataset reader or loses data.

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

How to add a reader (e.g. like the sentence-level or CoNLL readers below): write a ``Format`` (how one
sentence is written, what the reader must return for it, and the oracle's parse of decoded lines), append it to
``FORMATS`` with its reader name, params and a fixture; every test below is parametrized over ``FORMATS``.
Readers whose instances are not ``tokens`` + ``tags`` give an ``extract`` (instance → record); formats with a header
line, or in which a blank line is an error (TSV, CSV, JSON lines), say so with ``header`` and ``blank_lines``.

Covered: the character taggers' readers (``sighan_cws``, ``ctb_pos``, ``char_ner``), the sentence-level readers
(``chinese_sentence_pair``: lcqmc, nlpcc_dbqa, bq, xnli, multi-language xnli; ``chinese_text_classification``:
chnsenticorp, tsv, jsonl), the CoNLL readers (``conll_dependencies``, ``conll_char_pos``: CoNLL-U with
comments, multi-word tokens and empty nodes, CoNLL-X) and the CoNLL-2009 reader (``conll2009_srl``: gold and
predicted columns, with pruning).
"""
import csv
import json
import logging
import re
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Callable, Dict, List, Optional, Set

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glyce_allennlp.formats.io import UTF8_SNIFF_MIN_CHARS, ReaderError

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
    if codec == "utf-8" and data == b"\xef\xbb\xbf":  # only a byte-order mark: an empty file
        return []
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
def _tokens(field) -> List[str]:
    return [t.text for t in field.tokens]


def tagged_record(instance):
    """The record of a character-tagger instance: (characters, tags)."""
    return _tokens(instance["tokens"]), list(instance["tags"].labels)


def tagged_sanity(record):
    chars, tags = record
    assert len(tags) == len(chars) and all(not c.isspace() for c in chars)


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
    # for readers whose instances are not one (tokens, tags) per sentence (sentence-level, CoNLL, CoNLL-2009):
    extract: Callable = tagged_record  # instance -> record (``expected`` gives the same for a gold sentence)
    key: Callable = itemgetter(0)  # record -> what ``parse`` returns per instance
    sanity: Optional[Callable] = tagged_sanity  # asserts on each record read from a file the oracle accepts
    instances: Optional[Callable] = None  # gold sentence -> list of records (default: [expected(sentence)])
    header: List[str] = field(default_factory=list)  # lines written before the first sentence
    blank_lines: bool = True  # False: a blank line is an error (TSV, CSV, JSON lines): none are generated
    prepare: Optional[Callable] = None  # gold sentences of one file -> the sentences to write (e.g. one NER scheme)

    def gold(self, sentences) -> List:
        if self.instances is not None:
            return [record for sentence in sentences for record in self.instances(sentence)]
        return [self.expected(sentence) for sentence in sentences]


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


# ------------------------------------------------------------------------ sentence-level readers
# Texts: pieces of the alphabet joined by spaces / U+3000, maybe padded; never a tab. Whitespace is not a character.
def _text(alphabet):
    piece = st.text(alphabet=alphabet, min_size=1, max_size=4)
    return st.tuples(st.sampled_from(["", " "]), st.lists(piece, min_size=1, max_size=3),
                     st.sampled_from(["", " ", "\u3000"]), st.sampled_from(["", "\u3000"])).map(
        lambda t: t[0] + t[2].join(t[1]) + t[3])


def _chars(text: str) -> List[str]:
    return [c for c in text if not c.isspace()]


def _padded(label: str, draw) -> str:  # labels are stripped by the readers
    return draw(st.sampled_from(["", " "])) + label + draw(st.sampled_from(["", " "]))


def pair_record(instance):
    return _tokens(instance["premise"]), _tokens(instance["hypothesis"]), instance["label"].label


def text_record(instance):
    return _tokens(instance["tokens"]), instance["label"].label


def chars_sanity(record):
    for part in record[:-1]:
        assert part and all(len(c) == 1 and not c.isspace() and c != "\x00" for c in part), part


BINARY = ("0", "1")
XNLI = ("entailment", "neutral", "contradiction")
XNLI_ALIASES = {"contradictory": "contradiction"}
TOPICS = ("體育", "中文", "pos", "B")  # encodable in GBK and Big5


def pair_sentence(labels, extra_chars=""):
    return lambda alphabet: st.tuples(_text(alphabet + extra_chars), _text(alphabet + extra_chars),
                                      st.sampled_from(labels))


def pair_expected(sentence):
    s1, s2, label = sentence
    return _chars(s1), _chars(s2), XNLI_ALIASES.get(label, label)


def tsv_write(*columns, label: int):
    """One TSV row: the cells are the gold tuple's elements ``columns``; the label (element ``label``) is padded
    with spaces."""
    def write(sentence, draw):
        return ["\t".join(_padded(sentence[c], draw) if c == label else sentence[c] for c in columns)]
    return write


def pair_row(i1, i2, il, labels):
    def make(fields):
        label = fields[il].strip()
        label = XNLI_ALIASES.get(label, label)
        c1, c2 = _chars(fields[i1]), _chars(fields[i2])
        if label not in labels or not c1 or not c2:
            raise ValueError
        return c1, c2, label
    return make


def text_row(labels):
    def make(fields):
        label = fields[0].strip()
        chars = _chars(fields[1])
        if not label or (labels is not None and label not in labels) or not chars:
            raise ValueError
        return chars, label
    return make


def tsv_parse(n_columns, row, header=None):
    """Oracle of the TSV formats: no blank line anywhere, ``n_columns`` tab-separated fields per row, ``row(fields)``
    → record, or ``None`` for a row left out by design, or ``ValueError``. ``header(line)`` reads line 1 and returns
    ``(n_columns, row)`` (or raises ``ValueError``)."""
    def parse(lines):
        records, columns, make = [], n_columns, row
        for i, line in enumerate(lines, 1):
            if line is None:
                raise OracleError({i})
            try:
                if header is not None and i == 1:
                    columns, make = header(line)
                    continue
                fields = line.split("\t")
                if not line.strip() or len(fields) != columns:
                    raise ValueError
                record = make(fields)
            except ValueError:
                raise OracleError({i}) from None
            if record is not None:
                records.append(record)
        return records
    return parse


def _find(names, *aliases):
    for alias in aliases:
        if alias in names:
            return names.index(alias)
    raise ValueError(aliases)


def xnli_header(line):
    names = [name.strip().lower() for name in line.split("\t")]
    if "language" in names:  # the multi-language file: only the Chinese rows are read
        language = names.index("language")
        zh = pair_row(_find(names, "sentence1"), _find(names, "sentence2"), _find(names, "gold_label"), XNLI)
        return len(names), lambda fields: zh(fields) if fields[language].strip() == "zh" else None
    return len(names), pair_row(_find(names, "premise", "sentence1"), _find(names, "hypo", "hypothesis", "sentence2"),
                                _find(names, "label", "gold_label"), XNLI)


def chnsenticorp_header(line):
    fields = line.split("\t")
    if not line.strip() or len(fields) != 2 or fields[0].strip() in BINARY:  # a data row is not a header
        raise ValueError
    return 2, text_row(BINARY)


def xnli_multi_sentence(alphabet):
    return st.tuples(pair_sentence(XNLI + ("contradictory",))(alphabet), st.sampled_from(["zh", "zh", "en", "fr"]))


def xnli_multi_write(sentence, draw):
    (s1, s2, label), language = sentence
    return [f"{language}\t{_padded(label, draw)}\t{s1}\t{s2}"]


# BQ: CSV with a header; fields quoted when they hold a comma or a quote (or at random), "" inside quotes.
def _csv_cell(text: str, draw) -> str:
    if any(c in text for c in ',"') or draw(st.booleans()):
        return '"' + text.replace('"', '""') + '"'
    return text


def bq_write(sentence, draw):
    return [",".join(_csv_cell(cell, draw) for cell in sentence)]


def bq_parse(lines):
    """Oracle of the BQ format: Python's csv module (strict) over the decoded lines, records checked as the header
    says; an error names the line where the record (or the quoting problem) is."""
    state = {"line": 0}

    def feed():
        for i, line in enumerate(lines, 1):
            state["line"] = i
            if line is None:
                raise OracleError({i})
            yield line + "\n"

    reader = csv.reader(feed(), strict=True)

    def record():
        first = state["line"] + 1
        try:
            return first, next(reader)
        except StopIteration:
            return first, None
        except csv.Error:
            raise OracleError({state["line"]}) from None

    _, header = record()
    if header is None:
        return []
    names = [name.strip().lower() for name in header]
    try:
        make = pair_row(_find(names, "sentence1", "text_a"), _find(names, "sentence2", "text_b"),
                        _find(names, "label"), BINARY)
    except ValueError:
        raise OracleError({1}) from None
    records = []
    while True:
        first, fields = record()
        if fields is None:
            return records
        try:
            if not fields or (len(fields) == 1 and not fields[0].strip()) or len(fields) != len(header):
                raise ValueError
            records.append(make(fields))
        except ValueError:
            raise OracleError({first}) from None


# Text classification, JSON lines: {"label": ..., "text": ...}, a numeric label reads as its string.
def jsonl_sentence(alphabet):
    return st.tuples(st.one_of(st.sampled_from(TOPICS), st.integers(0, 3)), _text(alphabet))


def jsonl_write(sentence, draw):
    label, text = sentence
    items = [("label", label), ("text", text)] + draw(st.sampled_from([[], [("id", 7)]]))
    return [json.dumps(dict(draw(st.permutations(items))), ensure_ascii=draw(st.booleans()))]


def jsonl_expected(sentence):
    label, text = sentence
    return _chars(text), str(label)


def jsonl_parse(lines):
    records = []
    for i, line in enumerate(lines, 1):
        try:
            obj = json.loads(line)  # TypeError for None (an undecodable line)
            label, text = obj["label"], obj["text"]  # TypeError / KeyError if not an object with both
            if isinstance(label, bool) or not isinstance(label, (str, int)) or not isinstance(text, str):
                raise ValueError
            label = str(label)
            if any(c == "\x00" or "\ud800" <= c <= "\udfff" for c in label + text):
                raise ValueError
            records.append(text_row(None)([label, text]))
        except (ValueError, TypeError, KeyError, RecursionError):
            raise OracleError({i}) from None
    return records


def text_sentence(labels):
    return lambda alphabet: st.tuples(st.sampled_from(labels), _text(alphabet))


def text_expected(sentence):
    label, text = sentence
    return _chars(text), label


def _pair_format(params, fixture, sentence, write, parse, header=(), bad_lines=(), instances=None):
    return Format("chinese_sentence_pair", params, fixture, sentence, write, pair_expected, parse,
                  bad_lines=list(bad_lines), extract=pair_record, key=lambda record: record,
                  sanity=chars_sanity, header=list(header), blank_lines=False, instances=instances)


def _text_format(params, fixture, sentence, write, expected, parse, header=(), bad_lines=()):
    return Format("chinese_text_classification", params, fixture, sentence, write, expected, parse,
                  bad_lines=list(bad_lines), extract=text_record, key=lambda record: record,
                  sanity=chars_sanity, header=list(header), blank_lines=False)


PAIR_BAD_LINES = ["张三\t李四", "张三\t李四\t2", "\t李四\t1", "张三\t \t1", "张三\t李四\t1\t多", "", "  "]
SENTENCE_LEVEL_FORMATS = {
    "pair_lcqmc": _pair_format({"format": "lcqmc"}, "pair/train.txt", pair_sentence(BINARY),
                               tsv_write(0, 1, 2, label=2), tsv_parse(3, pair_row(0, 1, 2, BINARY)),
                               bad_lines=PAIR_BAD_LINES),
    "pair_nlpcc_dbqa": _pair_format({"format": "nlpcc_dbqa"}, "pair/dbqa.tsv", pair_sentence(BINARY),
                                    tsv_write(2, 0, 1, label=2), tsv_parse(3, pair_row(1, 2, 0, BINARY)),
                                    bad_lines=["1\t问题", "2\t问题\t答案", "1\t\t答案", "1\t问\t答\t多", ""]),
    "pair_bq": _pair_format({"format": "bq"}, "pair/bq.csv", pair_sentence(BINARY, ',"'), bq_write, bq_parse,
                            header=["sentence1,sentence2,label"],
                            bad_lines=["借款,还款", "借款,还款,2", '"借款,还款,1', '借款,"还"款,1', ",还款,1", ""]),
    "pair_xnli": _pair_format({"format": "xnli"}, "pair/xnli_zh.tsv", pair_sentence(XNLI + ("contradictory",)),
                              tsv_write(0, 1, 2, label=2), tsv_parse(None, None, xnli_header),
                              header=["premise\thypo\tlabel"], bad_lines=["他\t她", "他\t她\tentails", "他\t\tneutral", ""]),
    "pair_xnli_multi": _pair_format({"format": "xnli"}, "pair/xnli_multi.tsv", xnli_multi_sentence,
                                    xnli_multi_write, tsv_parse(None, None, xnli_header),
                                    header=["language\tgold_label\tsentence1\tsentence2"],
                                    instances=lambda s: [pair_expected(s[0])] if s[1] == "zh" else []),
    "text_chnsenticorp": _text_format({"format": "chnsenticorp"}, "classification/train.tsv",
                                      text_sentence(BINARY), tsv_write(0, 1, label=0), text_expected,
                                      tsv_parse(None, None, chnsenticorp_header), header=["label\ttext_a"],
                                      bad_lines=["1", "2\t好", "1\t  ", "\t好", "1\t好\t多", ""]),
    "text_tsv": _text_format({"format": "tsv"}, "classification/generic.tsv", text_sentence(TOPICS),
                             tsv_write(0, 1, label=0), text_expected, tsv_parse(2, text_row(None)),
                             bad_lines=["体育", " \t好", "体育\t ", "体育\t好\t多", ""]),
    "text_jsonl": _text_format({"format": "jsonl"}, "classification/generic.jsonl", jsonl_sentence, jsonl_write,
                               jsonl_expected, jsonl_parse,
                               bad_lines=["{", "[1]", '{"label": "1"}', '{"text": "好"}',
                                          '{"label": true, "text": "好"}', '{"label": 1.5, "text": "好"}',
                                          '{"label": "1", "text": 5}', '{"label": " ", "text": "好"}',
                                          '{"label": "1", "text": " \\u3000"}', '{"label": "1", "text": "\\ud800好"}',
                                          '{"label": "\\udfff", "text": "好"}', '{"label": "1", "text": "a\\u0000b"}',
                                          "", "[" * 100_000, '{"label": ' + "1" * 5000 + ', "text": "好"}']),
}


# ------------------------------------------------------------------------------------------ CoNLL readers
UPOS = ["NOUN", "VERB", "PUNCT", "PROPN", "PART"]
XPOS = ["NN", "VV", "PU", "NR", "DEC"]
RELS = ["nsubj", "obj", "punct", "root", "case:dec"]
COMMENTS = ["# sent_id = 1", "# text = 中文", "#"]


def _form(alphabet):
    """A FORM: 1-3 characters, sometimes with a space inside (CoNLL-U allows it; it is not a character)."""
    return st.text(alphabet=alphabet, min_size=1, max_size=3).flatmap(
        lambda form: st.sampled_from([form, form[:1] + " " + form[1:]]) if len(form) > 1 else st.just(form))


def conll_sentence(conllu: bool):
    def factory(alphabet):
        @st.composite
        def sentence(draw):
            n = draw(st.integers(1, 5))
            words = [(draw(_form(alphabet)), draw(st.sampled_from(UPOS)), draw(st.sampled_from(XPOS)))
                     for _ in range(n)]
            heads = rels = None
            if draw(st.booleans()):  # annotated: a head on every word (not itself), or '_' on every word
                heads = [h if h < i else h + 1 for i, h in enumerate(draw(st.lists(st.integers(0, n - 1),
                                                                                 min_size=n, max_size=n)), 1)]
                rels = draw(st.lists(st.sampled_from(RELS), min_size=n, max_size=n))
            mwt = empty = None
            if conllu and n >= 2 and draw(st.booleans()):  # a multi-word token covering words a..b
                a = draw(st.integers(1, n - 1))
                mwt = (a, draw(st.integers(a + 1, n)))
            if conllu and draw(st.booleans()):  # an empty node after word k (0: before the first word)
                empty = draw(st.integers(0, n))
            comments = draw(st.lists(st.sampled_from(COMMENTS), max_size=2))
            return {"words": words, "heads": heads, "rels": rels, "mwt": mwt, "empty": empty, "comments": comments}
        return sentence()
    return factory


def conll_write(sentence, draw):
    lines = list(sentence["comments"])
    words, heads, rels, mwt, empty = (sentence[k] for k in ("words", "heads", "rels", "mwt", "empty"))
    if empty == 0:
        lines.append("0.1\t空\t_\tNOUN\tNN\t_\t_\t_\t0:dep\t_")
    for i, (form, upos, xpos) in enumerate(words, 1):
        if mwt is not None and mwt[0] == i:
            surface = "".join(w[0] for w in words[mwt[0] - 1: mwt[1]])
            lines.append(f"{i}-{mwt[1]}\t{surface}\t_\t_\t_\t_\t_\t_\t_\t_")
        head = "_" if heads is None else str(heads[i - 1])
        rel = "_" if rels is None else rels[i - 1]
        lemma = draw(st.sampled_from(["_", form]))
        lines.append("\t".join([str(i), form, lemma, upos, xpos, "_", head, rel, "_", "_"]))
        if empty == i:
            lines.append(f"{i}.1\t{form}\t_\t{upos}\t{xpos}\t_\t_\t_\t{i}:dep\t_")
    return lines


def dependency_record(instance):
    heads = list(instance["head_indices"].labels) if "head_indices" in instance.fields else None
    rels = list(instance["head_tags"].labels) if "head_tags" in instance.fields else None
    return _tokens(instance["words"]), list(instance["pos_tags"].labels), heads, rels


def dependency_expected(pos_column):
    def expected(sentence):
        words = sentence["words"]
        return ([w[0] for w in words], [w[pos_column] for w in words], sentence["heads"], sentence["rels"])
    return expected


def char_pos_expected(pos_column):
    def expected(sentence):
        chars, tags = [], []
        for word in sentence["words"]:
            word_chars = _chars(word[0])
            chars.extend(word_chars)
            tags.extend(f"{b}-{word[pos_column]}" for b in _bmes("".join(word_chars)))
        return chars, tags
    return expected


CONLL_ID = re.compile(r"[1-9][0-9]*")
CONLL_RANGE = re.compile(r"([1-9][0-9]*)-([1-9][0-9]*)")
CONLL_EMPTY = re.compile(r"([0-9]+)\.([1-9][0-9]*)")
CONLL_HEAD = re.compile(r"0|[1-9][0-9]*")


def conll_parse(conllu: bool, record: Callable):
    """Oracle of CoNLL-U (``conllu``) / CoNLL-X: 10 columns per word line (CoNLL-X: whitespace-separated if there is
    no tab), ids 1..n in order, CoNLL-U ranges ``a-b`` announcing words a..b, empty nodes ``k.m`` after word k, HEAD
    and DEPREL both given or both ``_``, every word of a sentence with a head or none, heads in 0..n and not the word
    itself. Line errors are found in file order, sentence errors at the blank line that ends the sentence.
    ``record(rows)`` (``rows``: (line, columns) of the words) → the record, or ``OracleError``."""
    def parse(lines):
        records = []
        rows, ranges, open_range, first = [], [], None, None

        def end_sentence():
            if not rows:
                if first is not None:  # only ranges / empty nodes
                    raise OracleError({first})
                return
            n = len(rows)
            for lineno, _, b in ranges:
                if b > n:
                    raise OracleError({lineno})
            given = [cols[6] != "_" for _, cols in rows]
            if any(given) and not all(given):
                raise OracleError({rows[given.index(False)][0]})
            if all(given):
                for k, (lineno, cols) in enumerate(rows, 1):
                    if int(cols[6]) > n or int(cols[6]) == k:
                        raise OracleError({lineno})
            records.append(record(rows))

        for i, line in enumerate(lines, 1):
            if line is None:
                raise OracleError({i})
            if not line.strip():
                if open_range is not None:
                    raise OracleError({open_range[0]})
                end_sentence()
                rows, ranges, open_range, first = [], [], None, None
                continue
            if line.startswith("#"):
                continue
            cols = line.split("\t")
            if not conllu and len(cols) == 1:
                cols = line.split()
            if len(cols) != 10:
                raise OracleError({i})
            first = first or i
            following = len(rows) + 1
            if CONLL_ID.fullmatch(cols[0]):
                bad_head = not (cols[6] == "_" or CONLL_HEAD.fullmatch(cols[6]))
                if (int(cols[0]) != following or cols[1] == "" or bad_head or (cols[6] == "_") != (cols[7] == "_")
                        or cols[7] == ""):
                    raise OracleError({i})
                rows.append((i, cols))
                if open_range is not None and following >= open_range[2]:
                    open_range = None
            elif conllu and CONLL_RANGE.fullmatch(cols[0]):
                a, b = map(int, cols[0].split("-"))
                if open_range is not None or a != following or b <= a or cols[1] == "":
                    raise OracleError({i})
                open_range = (i, a, b)
                ranges.append(open_range)
            elif conllu and CONLL_EMPTY.fullmatch(cols[0]):
                if int(cols[0].split(".")[0]) != len(rows):
                    raise OracleError({i})
            else:
                raise OracleError({i})
        if open_range is not None:
            raise OracleError({open_range[0]})
        end_sentence()
        return records
    return parse


def _oov(label: str) -> str:
    return "@@UNKNOWN@@" if label == "" else label


def dependency_rows(pos_column):
    def record(rows):
        heads = rels = None
        if rows[0][1][6] != "_":
            heads, rels = [int(cols[6]) for _, cols in rows], [cols[7] for _, cols in rows]
        return ([cols[1] for _, cols in rows], [_oov(cols[pos_column]) for _, cols in rows], heads, rels)
    return record


def char_pos_rows(rows):
    chars = [c for _, cols in rows for c in _chars(cols[1])]
    if not chars:  # every FORM is whitespace
        raise OracleError({rows[0][0]})
    return chars


def _row(i, form="的", head="3", rel="case"):
    return f"{i}\t{form}\t{form}\tPART\tDEC\t_\t{head}\t{rel}\t_\t_"


CONLL_BAD_LINES = ["4\t的", _row("x"), _row(9), _row(0), _row("04"), _row(4, form=""), _row(4, head="x"),
                   _row(4, head="-1"), _row(4, head="３"), _row(4, rel="_"), _row(4, head="_"), _row(4, rel=""),
                   _row(4) + "\t_", _row(4).replace("\t", " ")]


def _conll_format(reader, conllu, params, fixture, expected, record, bad_lines):
    extract = dependency_record if reader == "conll_dependencies" else tagged_record
    return Format(reader, {"format": "conllu" if conllu else "conllx", **params}, fixture, conll_sentence(conllu),
                  conll_write, expected, conll_parse(conllu, record), blank_line_between_sentences=True,
                  bad_lines=bad_lines, extract=extract,
                  **({"key": lambda r: r, "sanity": None} if reader == "conll_dependencies" else {}))


CONLL_FORMATS = {
    "dependencies_conllu": _conll_format("conll_dependencies", True, {"pos": "upos"}, "ud/train.conllu",
                                         dependency_expected(1), dependency_rows(3),
                                         CONLL_BAD_LINES + [_row("4-4"), _row("4-9"), _row("4.0")]),
    "dependencies_conllx": _conll_format("conll_dependencies", False, {"pos": "xpos"}, "ud/train.conllx",
                                         dependency_expected(2), dependency_rows(4),
                                         CONLL_BAD_LINES[:-1] + [_row("4-5"), _row("3.1")]),
    "char_pos_conllu": _conll_format("conll_char_pos", True, {"pos": "upos"}, "ud/train.conllu", char_pos_expected(1),
                                     char_pos_rows, CONLL_BAD_LINES),
    "char_pos_conllx": _conll_format("conll_char_pos", False, {"pos": "xpos"}, "ud/train.conllx",
                                     char_pos_expected(2), char_pos_rows, CONLL_BAD_LINES[:-1]),
}


# --------------------------------------------------------------------------------------- CoNLL-2009 reader
SRL_POS = ["NN", "VV", "PU", "NR", "_"]
ROLES = ["_", "-", "A0", "A1", "TMP", "A0|A1"]
EMPTY_CELLS = ("_", "-")


def _tree(draw, n):
    """CoNLL heads (1-based, 0 = root) of a random tree over n words."""
    order = draw(st.permutations(range(1, n + 1)))
    heads = [0] * n
    for k, word in enumerate(order[1:], 1):
        heads[word - 1] = order[draw(st.integers(0, k - 1))]
    return heads


def srl_sentence(heads_required: bool):
    def factory(alphabet):
        return _srl_sentence(alphabet, heads_required)
    return factory


def _srl_sentence(alphabet, heads_required: bool):
    @st.composite
    def sentence(draw):
        n = draw(st.integers(1, 5))
        forms = [draw(_form(alphabet)) for _ in range(n)]
        rows = []
        heads = _tree(draw, n)
        pheads = _tree(draw, n) if heads_required or draw(st.booleans()) else None
        fill = draw(st.lists(st.booleans(), min_size=n, max_size=n))
        for i, form in enumerate(forms):
            lemma, plemma = draw(st.sampled_from(["_", form])), draw(st.sampled_from(["_", form, "龍"]))
            if fill[i]:
                pred = draw(st.sampled_from(["_", "-", f"{form}.01", "01", "a.b.c", f"{lemma}.02"]))
            else:
                pred = draw(st.sampled_from(EMPTY_CELLS))
            rows.append([str(i + 1), form, lemma, plemma, draw(st.sampled_from(SRL_POS)),
                         draw(st.sampled_from(SRL_POS)), "_", "_", str(heads[i]),
                         "_" if pheads is None else str(pheads[i]), draw(st.sampled_from(RELS + ["_"])),
                         draw(st.sampled_from(RELS + ["_"])), "Y" if fill[i] else "_", pred])
        if any(fill) and draw(st.booleans()):  # annotated: one APRED column per predicate
            for row in rows:
                row.extend(draw(st.sampled_from(ROLES)) for _ in range(sum(fill)))
        comments = draw(st.lists(st.sampled_from(COMMENTS), max_size=1))
        return {"rows": rows, "comments": comments}
    return sentence()


def srl_write(sentence, draw):
    return sentence["comments"] + ["\t".join(row) for row in sentence["rows"]]


def _sense_label(pred: str) -> str:  # "发现.01" → "01"; a PRED without exactly one inner "." is all label
    parts = pred.split(".")
    return parts[1] if len(parts) == 2 and all(parts) else pred


def srl_records(rows, predicted: bool):
    """One record per predicate: (words, POS labels, predicate index, roles or None, sense label or None)."""
    words = [cols[1] for cols in rows]
    pos = ["@@UNKNOWN@@" if cols[5 if predicted else 4] == "_" else cols[5 if predicted else 4] for cols in rows]
    predicates = [k for k, cols in enumerate(rows) if cols[12] == "Y"]
    annotated = len(rows[0]) - 14 == len(predicates)
    records = []
    for number, k in enumerate(predicates):
        roles = sense = None
        if annotated:
            roles = ["_" if cols[14 + number] in EMPTY_CELLS else cols[14 + number] for cols in rows]
            sense = _sense_label("_" if rows[k][13] in EMPTY_CELLS else rows[k][13])
        records.append((words, pos, k, roles, sense))
    return records


def srl_record(instance):
    roles = list(instance["roles"].labels) if "roles" in instance.fields else None
    sense = instance["sense"].label if "sense" in instance.fields else None
    return (_tokens(instance["tokens"]), list(instance["pos_tags"].labels), instance["predicate_index"].sequence_index,
            roles, sense)


def _check_tree(cells, linenos):
    if all(c == "_" for c in cells):
        return
    if "_" in cells:
        raise OracleError({linenos[cells.index("_")]})
    n = len(cells)
    for k, cell in enumerate(cells, 1):
        if not CONLL_HEAD.fullmatch(cell) or int(cell) > n or int(cell) == k:
            raise OracleError({linenos[k - 1]})
    heads, reaches_root = [int(c) for c in cells], {0}
    for start in range(1, n + 1):
        path, node = [], start
        while node not in reaches_root:
            if node in path:
                raise OracleError({linenos[node - 1]})
            path.append(node)
            node = heads[node - 1]
        reaches_root.update(path)


def srl_block(block, predicted: bool, pruning: bool):
    rows, linenos = [], []
    for lineno, line in block:
        cols = line.split("\t") if "\t" in line else line.split()
        if (len(cols) < 14 or (rows and len(cols) != len(rows[0])) or "" in cols or cols[0] != str(len(rows) + 1)
                or cols[12] not in ("Y", "_") or (cols[12] == "_" and cols[13] not in EMPTY_CELLS)):
            raise OracleError({lineno})
        rows.append(cols)
        linenos.append(lineno)
    if len(rows[0]) - 14 not in (0, sum(cols[12] == "Y" for cols in rows)):
        raise OracleError({linenos[0]})
    _check_tree([cols[8] for cols in rows], linenos)
    _check_tree([cols[9] for cols in rows], linenos)
    if pruning and rows[0][9 if predicted else 8] == "_" and any(cols[12] == "Y" for cols in rows):
        raise OracleError({linenos[0]})
    return srl_records(rows, predicted)


def srl_parse(predicted: bool = False, pruning: bool = False):
    """Oracle of CoNLL-2009: blank lines end sentences, '#' lines before a sentence are comments; a sentence is
    checked when it ends (so a later undecodable line of the same sentence is reported first)."""
    def parse(lines):
        records, block = [], []
        for i, line in enumerate(lines, 1):
            if line is None:
                raise OracleError({i})
            if not line.strip():
                if block:
                    records.extend(srl_block(block, predicted, pruning))
                block = []
                continue
            if line.startswith("#") and not block:
                continue
            block.append((i, line))
        if block:
            records.extend(srl_block(block, predicted, pruning))
        return records
    return parse


def _srl_row(i="6", fill="_", pred="_", columns=15):
    cells = [str(i), "会议", "会议", "会议", "NN", "NN", "_", "_", "5", "5", "OBJ", "OBJ", fill, pred, "A1"]
    return "\t".join((cells + ["_"] * 20)[:columns])


SRL_BAD_LINES = ["6\t会议", _srl_row(columns=13), _srl_row(columns=16), _srl_row(i="x"), _srl_row(i="7"),
                 _srl_row(fill="N"), _srl_row(pred="会议.01"), _srl_row().replace("NN", "", 1), "6"]


def _srl_format(params, predicted, pruning):
    return Format("conll2009_srl", params, "srl/train.txt", srl_sentence(pruning), srl_write, None,
                  srl_parse(predicted, pruning), blank_line_between_sentences=True, bad_lines=SRL_BAD_LINES,
                  extract=srl_record, key=lambda r: r, sanity=None,
                  instances=lambda sentence: srl_records(sentence["rows"], predicted))


SRL_FORMATS = {
    "srl_gold": _srl_format({}, predicted=False, pruning=False),
    "srl_predicted_pruned": _srl_format({"columns": "predicted", "pruning_k": 2}, predicted=True, pruning=True),
}


FORMATS = {
    "sighan_cws": Format("sighan_cws", {}, "cws/train.txt", _words, cws_write, cws_expected, cws_parse,
                         bad_lines=[]),
    "ctb_pos": Format("ctb_pos", {}, "pos/train.txt", pos_sentence, pos_write, pos_expected, pos_parse,
                      bad_lines=["张三", "张三_", "_NN", "好_NN 坏"]),
    "char_ner": Format("char_ner", {"tag_scheme": "auto", "ill_formed": "repair"}, "ner/train.bmes", ner_sentence,
                       ner_write, ner_expected, ner_parse, blank_line_between_sentences=True, in_order_errors=False,
                       bad_lines=["张", "张 B-PER extra", "张三 O", "张 X-PER", "张 B-"],
                       prepare=_ner_one_scheme),
    **SENTENCE_LEVEL_FORMATS,
    **CONLL_FORMATS,
    **SRL_FORMATS,
}


# ------------------------------------------------------------------------------------------------------ helpers
def make_reader(fmt: Format, encoding: str):
    from allennlp.common import Params
    from allennlp.data import DatasetReader

    return DatasetReader.from_params(Params({"type": fmt.reader, "encoding": encoding, **fmt.params}))


def read_all(fmt: Format, path: Path, encoding: str):
    """(list of records, e.g. (chars, tags), None) or (None, ReaderError); any other exception propagates (= test
    failure)."""
    try:
        instances = list(make_reader(fmt, encoding).read(str(path)))
    except ReaderError as error:
        return None, error
    return [fmt.extract(i) for i in instances], None


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
    assert [fmt.key(record) for record in got] == expected  # sentences in == instances out, in order, every char
    if fmt.sanity is not None:
        for record in got:
            fmt.sanity(record)
    return "ok"


@st.composite
def files(draw, fmt: Format, encodings=ENCODINGS):
    """(bytes, encoding, gold sentences) for a well-formed file."""
    encoding = draw(st.sampled_from(encodings))
    alphabet = ALPHABET if encoding.startswith("utf-8") else encodable(ALPHABET, encoding)
    sentences = draw(st.lists(fmt.sentence(alphabet), max_size=5))
    if fmt.prepare is not None:
        sentences = fmt.prepare(sentences)
    lines: List[str] = list(fmt.header)
    for k, sentence in enumerate(sentences):
        if fmt.blank_lines:
            blanks = draw(st.lists(st.sampled_from(BLANK_LINES), min_size=1 if fmt.blank_line_between_sentences and k
                                   else 0, max_size=2))
            lines.extend(blanks)
        lines.extend(fmt.write(sentence, draw))
    if fmt.blank_lines:
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
        if fmt.instances is None:
            assert len(got) == len(sentences), "sentences in != instances out"
        assert got == fmt.gold(sentences)
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
    if not FORMATS[name].blank_lines and content.replace(b"\xef\xbb\xbf", b""):  # TSV, CSV, JSON lines
        assert isinstance(error, ReaderError) and str(error).startswith(f"{path}:1: "), error
        return
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
    text = data.decode("utf-8")
    first_non_ascii = next(i for i, ch in enumerate(text) if ord(ch) > 127)
    assert error.lineno == text.count("\n", 0, first_non_ascii) + 1  # (line 1 unless there is a header / comment)
    path.write_bytes(b"\xef\xbb\xbf" + data)
    _, error = read_all(fmt, path, encoding)
    assert isinstance(error, ReaderError) and "byte-order mark" in str(error)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_bad_lines_name_file_and_line(name, tmp_path, components):
    fmt = FORMATS[name]
    good = (FIXTURES / fmt.fixture).read_text(encoding="utf-8").split("\n")[:12]
    while good and not good[-1]:  # a fixture shorter than 12 lines: no blank line after its end
        good.pop()
    at = min(5, len(good))
    for bad in fmt.bad_lines:
        lines = good[:at] + [bad] + good[at:]
        path = tmp_path / "bad.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        _, error = read_all(fmt, path, "utf-8")
        assert isinstance(error, ReaderError), bad
        assert str(error).startswith(f"{path}:{at + 1}: "), str(error)


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
    i = next((i for i in range(3, len(lines)) if lines[i]), max(i for i, line in enumerate(lines) if line))
    lines[i] = lines[i][:1] + "\x00" + lines[i][1:]
    path.write_text("\n".join(lines), encoding="utf-8")
    _, error = read_all(fmt, path, "utf-8")
    assert isinstance(error, ReaderError)
    assert str(error).startswith(f"{path}:{i + 1}: NUL character (U+0000) at column 2"), str(error)
