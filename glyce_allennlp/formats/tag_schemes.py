"""Tag-scheme utilities for character tagging (pure Python: no AllenNLP, no torch).

A tag is ``"O"``, a bare prefix (``"B"``, used by word segmentation), or ``"PREFIX-TYPE"`` (``"B-PER"``, ``"S-NN"``);
the type is everything after the first ``"-"``.

Schemes (prefixes): BIO = B/I/O (IOB2), BIOES = B/I/E/S/O, BMES = B/M/E/S (+O for NER), BIOUL = B/I/L/U/O. The NER
models use BIOUL (AllenNLP's ``crf_tagger`` + ``SpanBasedF1Measure``); word segmentation and POS use BMES.

Conversions to BIOUL are **per tag** (BMES: B→B, M→I, E→L, S→U; BIOES: B→B, I→I, E→L, S→U; BIO: B→B if the next
tag continues the span (is ``I-`` of the same type), else U; I→I if the next tag continues it, else L). They do not
repair anything: an ill-formed input stays ill-formed (:func:`is_valid_bioul` is False) and :func:`repair_bioul`
decides what it becomes.

Repair rule (:func:`repair_bioul`), scanning left to right, where a span is "open" after a B or I:

1. ``O`` stays ``O`` (and closes any open span);
2. a tag *continues* iff it is ``I``/``L``, a span is open, and its type equals the open span's type;
3. a continuing ``L`` stays ``L``; a continuing ``I`` stays ``I`` if the next tag continues it, else becomes ``L``;
4. any other tag starts a new span: ``B`` (or an orphan ``I``) becomes ``B`` if the next tag continues it, else
   ``U``; ``U`` stays ``U``; an orphan ``L`` becomes ``U``.

So an ``I``/``L`` (from BMES ``M``/``E``) that does not continue an open span of its type starts a new span, and a
``B``/``I`` not followed by a continuation is closed. Example: ``S-ORG M-ORG E-ORG`` (BMES) → ``U-ORG I-ORG L-ORG``
→ ``U-ORG B-ORG L-ORG``; a sentence starting ``E-PER`` → ``U-PER``. The output always satisfies
:func:`is_valid_bioul` (and AllenNLP's ``bioul_tags_to_spans``), and a valid input is returned unchanged.

Decoding predicted tags is robust to ill-formed sequences: :func:`bioul_to_spans` repairs first (so it also reads
BIO tags correctly); :func:`bmes_to_words` starts a word at every ``B``/``S`` (and at a leading ``M``/``E``) and
appends every ``M``/``E`` to the current word.
"""
from typing import Iterable, List, Sequence, Set, Tuple

__all__ = [
    "SCHEMES",
    "split_tag",
    "bmes_to_bioul",
    "bioes_to_bioul",
    "bio_to_bioul",
    "to_bioul",
    "detect_scheme",
    "is_valid_bioul",
    "repair_bioul",
    "bioul_to_spans",
    "words_to_bmes",
    "bmes_to_words",
    "bmes_pos_to_pairs",
]

SCHEMES = {
    "BIO": frozenset("BIO"),
    "BIOES": frozenset("BIOES"),
    "BMES": frozenset("BMESO"),
    "BIOUL": frozenset("BIOUL"),
}


def split_tag(tag: str) -> Tuple[str, str]:
    """``"B-PER"`` → ``("B", "PER")``; ``"O"`` → ``("O", "")``; ``"S"`` → ``("S", "")``."""
    prefix, _, label = tag.partition("-")
    return prefix, label


def _join(prefix: str, label: str) -> str:
    return f"{prefix}-{label}" if label else prefix


def _map_prefixes(tags: Sequence[str], mapping: dict, scheme: str) -> List[str]:
    out = []
    for tag in tags:
        prefix, label = split_tag(tag)
        if prefix not in mapping or (prefix == "O" and label):
            raise ValueError(f"tag {tag!r} is not a {scheme} tag")
        out.append(_join(mapping[prefix], label))
    return out


def bmes_to_bioul(tags: Sequence[str]) -> List[str]:
    """B→B, M→I, E→L, S→U, O→O (types kept). No repair."""
    return _map_prefixes(tags, {"B": "B", "M": "I", "E": "L", "S": "U", "O": "O"}, "BMES")


def bioes_to_bioul(tags: Sequence[str]) -> List[str]:
    """B→B, I→I, E→L, S→U, O→O (types kept). No repair."""
    return _map_prefixes(tags, {"B": "B", "I": "I", "E": "L", "S": "U", "O": "O"}, "BIOES")


def bio_to_bioul(tags: Sequence[str]) -> List[str]:
    """BIO (IOB2) → BIOUL by span logic: a B/I whose next tag is ``I`` of the same type stays B/I, otherwise
    B→U and I→L. No repair: an ``I`` that starts a span (after ``O`` or another type) stays I/L and is invalid."""
    _map_prefixes(tags, {"B": "B", "I": "I", "O": "O"}, "BIO")  # validates
    out = []
    for i, tag in enumerate(tags):
        prefix, label = split_tag(tag)
        if prefix == "O":
            out.append("O")
            continue
        continues = i + 1 < len(tags) and split_tag(tags[i + 1]) == ("I", label)
        if prefix == "B":
            out.append(_join("B" if continues else "U", label))
        else:
            out.append(_join("I" if continues else "L", label))
    return out


def to_bioul(tags: Sequence[str], scheme: str) -> List[str]:
    """Convert ``tags`` from ``scheme`` (``BIO``, ``BIOES``, ``BMES`` or ``BIOUL``) to BIOUL, without repair."""
    if scheme == "BIO":
        return bio_to_bioul(tags)
    if scheme == "BIOES":
        return bioes_to_bioul(tags)
    if scheme == "BMES":
        return bmes_to_bioul(tags)
    if scheme == "BIOUL":
        return _map_prefixes(tags, {p: p for p in "BIOUL"}, "BIOUL")
    raise ValueError(f"unknown tag scheme {scheme!r}; use one of {', '.join(SCHEMES)}")


def _scheme_of_prefixes(prefixes: Set[str]) -> str:
    entity = set(prefixes) - {"O"}
    if entity <= {"B", "I"}:
        return "BIO"
    if "M" in entity and entity <= {"B", "M", "E", "S"}:
        return "BMES"
    if entity <= {"B", "I", "E", "S"}:
        return "BIOES"
    if entity <= {"B", "I", "L", "U"}:
        return "BIOUL"
    raise ValueError(f"cannot detect the tag scheme: the prefixes {sorted(prefixes)} fit none of BIO, BIOES, "
                     f"BMES, BIOUL")


def detect_scheme(tags: Iterable[str]) -> str:
    """The scheme the tags' prefixes belong to.

    ``M`` means BMES; ``E``/``S`` without ``M`` mean BIOES (for a BMES sentence without ``M`` the conversion to
    BIOUL is the same); ``L``/``U`` mean BIOUL; only B/I/O (or only O, or nothing) means BIO. ``ValueError`` on a
    mixture that fits no scheme (e.g. ``M`` with ``I``).
    """
    return _scheme_of_prefixes({split_tag(tag)[0] for tag in tags})


def is_valid_bioul(tags: Sequence[str]) -> bool:
    """True iff ``tags`` is a well-formed BIOUL sequence: every span is ``U`` or ``B I* L`` with one type, no
    ``I``/``L`` outside a span, no span left open, no unknown prefix."""
    open_label = None
    for tag in tags:
        prefix, label = split_tag(tag)
        if prefix == "O":
            if label or open_label is not None:
                return False
        elif prefix in ("B", "U"):
            if open_label is not None:
                return False
            if prefix == "B":
                open_label = label
        elif prefix in ("I", "L"):
            if open_label != label:
                return False
            if prefix == "L":
                open_label = None
        else:
            return False
    return open_label is None


def repair_bioul(tags: Sequence[str]) -> Tuple[List[str], bool]:
    """Repair a BIOUL sequence by the rule in the module docstring. Returns ``(tags, changed)``.

    ``ValueError`` on a tag whose prefix is not B/I/O/U/L."""
    out: List[str] = []
    open_label = None
    n = len(tags)
    for i, tag in enumerate(tags):
        prefix, label = split_tag(tag)
        if prefix == "O":
            if label:
                raise ValueError(f"tag {tag!r} is not a BIOUL tag")
            out.append("O")
            open_label = None
            continue
        if prefix not in ("B", "I", "L", "U"):
            raise ValueError(f"tag {tag!r} is not a BIOUL tag")
        next_continues = False
        if i + 1 < n:
            next_prefix, next_label = split_tag(tags[i + 1])
            next_continues = next_prefix in ("I", "L") and next_label == label
        if prefix in ("I", "L") and open_label == label:  # continues the open span
            new = "L" if prefix == "L" or not next_continues else "I"
        else:  # starts a new span
            new = "U" if prefix in ("U", "L") or not next_continues else "B"
        out.append(_join(new, label))
        open_label = label if new in ("B", "I") else None
    return out, out != list(tags)


def bioul_to_spans(tags: Sequence[str]) -> List[Tuple[str, int, int]]:
    """Typed spans ``(label, start, end_inclusive)`` of a (possibly ill-formed) BIOUL sequence, after
    :func:`repair_bioul`. BIO tags give their correct spans too."""
    repaired, _ = repair_bioul(tags)
    spans = []
    start = None
    for i, tag in enumerate(repaired):
        prefix, label = split_tag(tag)
        if prefix == "U":
            spans.append((label, i, i))
        elif prefix == "B":
            start = i
        elif prefix == "L":
            spans.append((label, start, i))
    return spans


def words_to_bmes(words: Sequence[str]) -> List[str]:
    """Per-character segmentation tags: ``S`` for a 1-character word, else ``B M* E``. ``ValueError`` on an empty
    word."""
    tags: List[str] = []
    for word in words:
        if not word:
            raise ValueError("empty word")
        if len(word) == 1:
            tags.append("S")
        else:
            tags.extend(["B"] + ["M"] * (len(word) - 2) + ["E"])
    return tags


def _segment(chars: Sequence[str], tags: Sequence[str]) -> List[Tuple[int, int]]:
    """``[start, end)`` word boundaries: a word starts at position 0, at every B/S tag and right after an E/S tag;
    otherwise M/E continue the current word."""
    if len(chars) != len(tags):
        raise ValueError(f"{len(chars)} characters but {len(tags)} tags")
    starts = []
    for i, tag in enumerate(tags):
        prefix = split_tag(tag)[0]
        if prefix not in ("B", "M", "E", "S"):
            raise ValueError(f"tag {tag!r} is not a BMES tag")
        previous = split_tag(tags[i - 1])[0] if i else None
        if i == 0 or prefix in ("B", "S") or previous in ("E", "S"):
            starts.append(i)
    return [(s, e) for s, e in zip(starts, starts[1:] + [len(tags)])]


def bmes_to_words(chars: Sequence[str], tags: Sequence[str]) -> List[str]:
    """Join characters into words by (possibly ill-formed) BMES tags, plain (``B``) or typed (``B-NN``): a word
    starts at B or S, at the start and after E or S; M/E otherwise continue the current word."""
    return ["".join(chars[s:e]) for s, e in _segment(chars, tags)]


def bmes_pos_to_pairs(chars: Sequence[str], tags: Sequence[str]) -> List[Tuple[str, str]]:
    """``[(word, pos), ...]`` from typed BMES tags (``B-NN``): words as in :func:`bmes_to_words`; a word's POS is
    the type of its first character's tag (``""`` if that tag has no type)."""
    return [("".join(chars[s:e]), split_tag(tags[s])[1]) for s, e in _segment(chars, tags)]
