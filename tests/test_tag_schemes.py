"""Tag-scheme utilities (glyce_allennlp.formats.tag_schemes): hand examples and properties."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allennlp.data.dataset_readers.dataset_utils.span_utils import InvalidTagSequence, bioul_tags_to_spans
from glyce_allennlp.formats.tag_schemes import (
    bio_to_bioul,
    bioes_to_bioul,
    bioul_to_spans,
    bmes_pos_to_pairs,
    bmes_to_bioul,
    bmes_to_words,
    detect_scheme,
    is_valid_bioul,
    repair_bioul,
    to_bioul,
    words_to_bmes,
)


# ---------------------------------------------------------------- conversions
def test_words_to_bmes():
    assert words_to_bmes(["张伟", "在", "乌鲁木齐", "工作", "。"]) == ["B", "E", "S", "B", "M", "M", "E", "B", "E", "S"]
    assert words_to_bmes([]) == []
    with pytest.raises(ValueError):
        words_to_bmes(["张伟", ""])


def test_bmes_to_bioul():
    assert bmes_to_bioul(["B-PER", "M-PER", "E-PER", "O", "S-LOC"]) == ["B-PER", "I-PER", "L-PER", "O", "U-LOC"]
    assert bmes_to_bioul(["S", "B", "E"]) == ["U", "B", "L"]  # untyped
    assert bmes_to_bioul(["B-GPE.NAM", "E-GPE.NAM"]) == ["B-GPE.NAM", "L-GPE.NAM"]
    # no repair: ill-formed stays ill-formed
    assert bmes_to_bioul(["S-ORG", "M-ORG", "E-ORG"]) == ["U-ORG", "I-ORG", "L-ORG"]
    with pytest.raises(ValueError):
        bmes_to_bioul(["I-PER"])


def test_bioes_to_bioul():
    assert bioes_to_bioul(["B-PER", "I-PER", "E-PER", "O", "S-LOC"]) == ["B-PER", "I-PER", "L-PER", "O", "U-LOC"]
    with pytest.raises(ValueError):
        bioes_to_bioul(["M-PER"])


def test_bio_to_bioul():
    assert bio_to_bioul(["B-PER", "I-PER", "O", "B-LOC", "O"]) == ["B-PER", "L-PER", "O", "U-LOC", "O"]
    assert bio_to_bioul(["B-PER", "I-PER", "I-PER"]) == ["B-PER", "I-PER", "L-PER"]
    assert bio_to_bioul(["B-PER", "B-PER"]) == ["U-PER", "U-PER"]
    assert bio_to_bioul(["B-PER", "I-LOC"]) == ["U-PER", "L-LOC"]  # type change: left invalid for repair
    assert bio_to_bioul(["O", "I-LOC", "I-LOC"]) == ["O", "I-LOC", "L-LOC"]  # orphan I: left invalid
    assert not is_valid_bioul(bio_to_bioul(["O", "I-LOC"]))
    with pytest.raises(ValueError):
        bio_to_bioul(["E-PER"])


def test_to_bioul_dispatch():
    assert to_bioul(["M-X", "E-X"], "BMES") == ["I-X", "L-X"]
    assert to_bioul(["B-X", "I-X"], "BIO") == ["B-X", "L-X"]
    assert to_bioul(["B-X", "E-X"], "BIOES") == ["B-X", "L-X"]
    assert to_bioul(["B-X", "L-X"], "BIOUL") == ["B-X", "L-X"]
    with pytest.raises(ValueError):
        to_bioul(["B-X"], "IOB1")
    with pytest.raises(ValueError):
        to_bioul(["E-X"], "BIOUL")


@pytest.mark.parametrize(
    "tags, scheme",
    [
        (["B-PER", "M-PER", "E-PER", "O"], "BMES"),
        (["B-PER", "E-PER", "S-LOC", "O"], "BIOES"),  # E/S without M (a BMES file without M converts the same)
        (["B-PER", "I-PER", "E-PER", "S-LOC"], "BIOES"),
        (["B-PER", "I-PER", "O"], "BIO"),
        (["B-PER", "O"], "BIO"),
        (["O", "O"], "BIO"),
        ([], "BIO"),
        (["B-PER", "I-PER", "L-PER", "U-LOC"], "BIOUL"),
        (["B", "M", "E", "S"], "BMES"),
    ],
)
def test_detect_scheme(tags, scheme):
    assert detect_scheme(tags) == scheme


@pytest.mark.parametrize("tags", [["M-PER", "I-PER"], ["E-PER", "L-PER"], ["M-X", "U-X"], ["X-PER"]])
def test_detect_scheme_rejects_mixtures(tags):
    with pytest.raises(ValueError):
        detect_scheme(tags)


# ---------------------------------------------------------------- validity and repair
@pytest.mark.parametrize(
    "tags, valid",
    [
        ([], True),
        (["O", "U-PER", "B-LOC", "I-LOC", "L-LOC", "O"], True),
        (["B", "L", "U"], True),
        (["B-PER", "L-PER", "B-PER", "L-PER"], True),
        (["I-PER", "L-PER"], False),  # starts inside a span
        (["L-PER"], False),
        (["B-PER"], False),  # never closed
        (["B-PER", "O"], False),
        (["B-PER", "U-PER"], False),
        (["B-PER", "I-PER", "L-ORG"], False),  # type change inside a span (AllenNLP would accept it)
        (["B-PER", "B-PER", "L-PER"], False),
        (["M-PER"], False),  # not a BIOUL prefix
        (["O-PER"], False),
    ],
)
def test_is_valid_bioul(tags, valid):
    assert is_valid_bioul(tags) is valid


@pytest.mark.parametrize(
    "tags, repaired",
    [
        # BMES S-ORG M-ORG E-ORG → U-ORG I-ORG L-ORG: the orphan I starts a new span
        (["U-ORG", "I-ORG", "L-ORG"], ["U-ORG", "B-ORG", "L-ORG"]),
        (["U-ORG", "I-ORG", "I-ORG", "L-ORG", "O"], ["U-ORG", "B-ORG", "I-ORG", "L-ORG", "O"]),
        # a sentence starting with E-PER (BMES) → L-PER → U-PER
        (["L-PER", "O", "O"], ["U-PER", "O", "O"]),
        # starting with M-/E- of an entity
        (["I-PER", "L-PER", "O"], ["B-PER", "L-PER", "O"]),
        (["I-PER", "O"], ["U-PER", "O"]),
        # B/I not followed by a continuation is closed
        (["B-PER"], ["U-PER"]),
        (["B-PER", "O", "B-LOC", "I-LOC", "O"], ["U-PER", "O", "B-LOC", "L-LOC", "O"]),
        (["B-PER", "B-PER", "L-PER"], ["U-PER", "B-PER", "L-PER"]),
        (["B-PER", "U-LOC"], ["U-PER", "U-LOC"]),
        # type change inside a span: closes the first, starts a second
        (["B-PER", "I-PER", "I-ORG", "L-ORG"], ["B-PER", "L-PER", "B-ORG", "L-ORG"]),
        (["B-PER", "L-ORG"], ["U-PER", "U-ORG"]),
        # an L closes; a following I of the same type starts a new span
        (["B-X", "L-X", "I-X", "L-X"], ["B-X", "L-X", "B-X", "L-X"]),
        (["U-X", "L-X"], ["U-X", "U-X"]),
        (["O", "I-X", "O"], ["O", "U-X", "O"]),
        (["I", "I", "U"], ["B", "L", "U"]),  # untyped
    ],
)
def test_repair_bioul_hand_examples(tags, repaired):
    out, changed = repair_bioul(tags)
    assert out == repaired
    assert changed is True
    assert is_valid_bioul(out)
    bioul_tags_to_spans(out)  # AllenNLP accepts it


@pytest.mark.parametrize("tags", [[], ["O"], ["U-PER", "B-LOC", "I-LOC", "L-LOC", "O"], ["B", "L"]])
def test_repair_bioul_keeps_valid_sequences(tags):
    assert repair_bioul(tags) == (tags, False)


def test_repair_bioul_rejects_unknown_prefixes():
    with pytest.raises(ValueError):
        repair_bioul(["M-PER"])
    with pytest.raises(ValueError):
        repair_bioul(["O-PER"])


_BIOUL_TAG = st.one_of(st.just("O"), st.builds(lambda p, t: f"{p}-{t}", st.sampled_from("BILU"),
                                                st.sampled_from(["PER", "LOC"])))


@settings(max_examples=400, deadline=None)
@given(st.lists(_BIOUL_TAG, max_size=12))
def test_repair_bioul_always_valid(tags):
    out, changed = repair_bioul(tags)
    assert len(out) == len(tags)
    assert is_valid_bioul(out)
    bioul_tags_to_spans(out)  # never InvalidTagSequence
    assert changed == (out != tags)
    assert changed == (not is_valid_bioul(tags))
    assert repair_bioul(out) == (out, False)  # idempotent
    # O positions and types are never changed: only prefixes
    assert [t.partition("-")[2] for t in out] == [t.partition("-")[2] for t in tags]
    assert [t == "O" for t in out] == [t == "O" for t in tags]


@settings(max_examples=200, deadline=None)
@given(st.lists(_BIOUL_TAG, max_size=12))
def test_bioul_to_spans_matches_allennlp_after_repair(tags):
    repaired, _ = repair_bioul(tags)
    ours = [(label, (start, end)) for label, start, end in bioul_to_spans(tags)]
    assert sorted(ours) == sorted(bioul_tags_to_spans(repaired))


def test_allennlp_rejects_the_unrepaired_examples():
    # the ill-formed BMES shapes of the real data really are rejected by AllenNLP before the repair
    for tags in (["S-ORG", "M-ORG", "E-ORG"], ["E-PER", "O"], ["M-PER", "E-PER"]):
        with pytest.raises(InvalidTagSequence):
            bioul_tags_to_spans(bmes_to_bioul(tags))


# ---------------------------------------------------------------- decoding predictions
def test_bioul_to_spans():
    tags = ["B-PER", "L-PER", "O", "U-LOC", "B-ORG", "I-ORG", "L-ORG"]
    assert bioul_to_spans(tags) == [("PER", 0, 1), ("LOC", 3, 3), ("ORG", 4, 6)]
    assert bioul_to_spans([]) == []
    assert bioul_to_spans(["O", "O"]) == []


def test_bioul_to_spans_ill_formed_predictions():
    assert bioul_to_spans(["I-PER", "L-PER", "O"]) == [("PER", 0, 1)]
    assert bioul_to_spans(["B-PER"]) == [("PER", 0, 0)]
    assert bioul_to_spans(["B-PER", "I-PER", "O", "L-LOC"]) == [("PER", 0, 1), ("LOC", 3, 3)]
    assert bioul_to_spans(["B-PER", "L-ORG"]) == [("PER", 0, 0), ("ORG", 1, 1)]
    assert bioul_to_spans(["U-ORG", "I-ORG", "L-ORG"]) == [("ORG", 0, 0), ("ORG", 1, 2)]
    # BIO tags decode to their spans too
    assert bioul_to_spans(["B-PER", "I-PER", "I-PER", "O", "B-LOC"]) == [("PER", 0, 2), ("LOC", 4, 4)]


def test_bmes_to_words():
    chars = list("张伟在北京工作。")
    assert bmes_to_words(chars, ["B", "E", "S", "B", "E", "B", "E", "S"]) == ["张伟", "在", "北京", "工作", "。"]
    assert bmes_to_words("张伟在", ["B", "E", "S"]) == ["张伟", "在"]  # a string works too
    assert bmes_to_words([], []) == []
    assert bmes_to_words(list("一二"), ["B-CD", "E-CD"]) == ["一二"]  # typed tags


def test_bmes_to_words_ill_formed_predictions():
    chars = list("abcd")
    assert bmes_to_words(chars, ["M", "E", "B", "E"]) == ["ab", "cd"]  # leading M/E starts a word
    assert bmes_to_words(chars, ["E", "S", "S", "S"]) == ["a", "b", "c", "d"]
    assert bmes_to_words(chars, ["B", "E", "M", "E"]) == ["ab", "cd"]  # an E ends a word
    assert bmes_to_words(chars, ["S", "M", "E", "S"]) == ["a", "bc", "d"]  # an S is a word of its own
    assert bmes_to_words(chars, ["B", "B", "M", "M"]) == ["a", "bcd"]  # B never closed: runs to the next B/S
    assert bmes_to_words(chars, ["B", "M", "M", "E"]) == ["abcd"]  # M continues the current word
    assert bmes_to_words(chars, ["B", "E", "E", "E"]) == ["ab", "c", "d"]  # each E closes a word
    assert "".join(bmes_to_words(chars, ["E", "M", "B", "S"])) == "abcd"
    with pytest.raises(ValueError):
        bmes_to_words(chars, ["B", "E"])  # length mismatch
    with pytest.raises(ValueError):
        bmes_to_words(chars, ["B", "E", "O", "S"])  # not a BMES tag


def test_bmes_pos_to_pairs():
    chars = list("张伟在北京工作。")
    tags = ["B-NR", "E-NR", "S-P", "B-NR", "E-NR", "B-VV", "E-VV", "S-PU"]
    assert bmes_pos_to_pairs(chars, tags) == [("张伟", "NR"), ("在", "P"), ("北京", "NR"), ("工作", "VV"), ("。", "PU")]
    assert bmes_pos_to_pairs([], []) == []


def test_bmes_pos_to_pairs_ill_formed_predictions():
    chars = list("张伟在北京")
    # an E closes a word; the POS is that of the word's first character; a type change inside a word is ignored
    assert bmes_pos_to_pairs(chars, ["M-NR", "E-NN", "S-P", "B-NR", "M-NN"]) == [("张伟", "NR"), ("在", "P"),
                                                                               ("北京", "NR")]
    assert bmes_pos_to_pairs(list("ab"), ["S-PU", "S-PU"]) == [("a", "PU"), ("b", "PU")]
    assert bmes_pos_to_pairs(list("a-b"), ["B-NN-X", "M-NN-X", "E-NN-X"]) == [("a-b", "NN-X")]
    with pytest.raises(ValueError):
        bmes_pos_to_pairs(chars, ["B-NR"])
