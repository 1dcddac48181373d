"""Character-level Chinese NER in the CoNLL layout (``char_ner`` reader).

Tags are converted to BIOUL for ``crf_tagger`` and ``SpanBasedF1Measure`` (which mis-count BMES ``O`` tags and raise
``InvalidTagSequence`` on ill-formed BIOUL): BMES B→B, M→I, E→L, S→U, O→O; BIOES B→B, I→I, E→L, S→U, O→O; BIO by span
logic (a B/I whose next tag is ``I`` of the same type stays B/I, else B→U, I→L); BIOUL as is.

Ill-formed gold sequences
-------------------------
Some public files hold sentences whose gold tags are not valid spans (``S-ORG M-ORG E-ORG``, a sentence starting
with ``M-``/``E-``/``I-``, a type change inside a span, a ``B-`` with no end). After conversion, a sentence is
ill-formed iff its BIOUL tags fail :func:`~glyce_allennlp.formats.tag_schemes.is_valid_bioul` (stricter than
AllenNLP's ``bioul_tags_to_spans``, which ignores type changes inside a span). Policy ``ill_formed``:

* ``"error"``: raise :class:`~glyce_allennlp.formats.io.ReaderError` ``"{path}:{first line of the
  sentence}: ill-formed ..."``.
* ``"repair"`` (default): rewrite it to the nearest valid BIOUL spans by this rule (scan left to right; a span is
  open after a B or I):

  1. ``O`` stays ``O`` and closes any open span;
  2. an I/L (from BMES M/E, BIOES I/E, BIO I) *continues* iff a span of the same type is open: a continuing L stays
     L, a continuing I stays I if the next tag continues it, else becomes L;
  3. any other tag starts a new span: B, or an I/L that does not continue an open span of its type, becomes B if the
     next tag continues it, else U (an orphan L always becomes U); U stays U.

  Hence ``S-ORG M-ORG E-ORG`` → ``U-ORG B-ORG L-ORG``, a sentence starting ``E-PER`` → ``U-PER``, ``B-PER E-ORG``
  → ``U-PER U-ORG``. The reader counts the repaired sentences per file in ``self.repair_counts`` (path → count,
  updated as it reads) and logs the count once per file (``logger.warning`` when it is not 0) at the end of
  ``_read``. Repairing a **test** file changes the benchmark: report it with any number measured on it.
"""
import logging
from typing import Dict, Iterable, List, Optional

from allennlp.common.checks import ConfigurationError
from allennlp.common.file_utils import cached_path
from allennlp.data.dataset_readers.dataset_reader import DatasetReader
from allennlp.data.fields import MetadataField, SequenceLabelField, TextField
from allennlp.data.instance import Instance
from allennlp.data.token_indexers import SingleIdTokenIndexer, TokenIndexer
from allennlp.data.tokenizers import Token

from glyce_allennlp.formats.char_ner import (ILL_FORMED_POLICIES, TAG_SCHEMES, detect_file_scheme, read_char_ner,
                                             sentence_to_bioul)
from glyce_allennlp.formats.io import drop_whitespace, normalize_encoding, warn_if_empty

logger = logging.getLogger(__name__)


@DatasetReader.register("char_ner")
class CharNerDatasetReader(DatasetReader):
    """Character-level NER in the CoNLL layout, tags converted to BIOUL (see the module docstring for the conversion
    and the ill-formed-sequence policy).

    File format: one ``char<whitespace>tag`` per line (space or tab), a blank (empty or whitespace-only) line between
    sentences; extra blank lines and a missing final blank line are fine. E.g. (BMES)::

        张 B-PER
        伟 E-PER
        在 O
        京 S-LOC

    Errors, all :class:`~glyce_allennlp.formats.io.ReaderError` ``"{path}:{lineno}: ..."``: a line with a
    number of columns other than 2; a first column that is not exactly one character (after
    ``strip_char_suffix_digits``); a tag that is not ``O`` or ``PREFIX-TYPE`` with a prefix of the scheme; with
    ``tag_scheme="auto"``, a file whose prefixes fit no single scheme (at the line of the first conflicting tag); an
    ill-formed sentence under ``ill_formed="error"`` (at the sentence's first line); undecodable bytes.

    Instance fields: ``tokens`` (``TextField``, one ``Token`` per character), ``tags`` (``SequenceLabelField`` of
    BIOUL tags in the ``"labels"`` namespace; omitted when there are no tags), ``metadata``
    (``MetadataField({"chars": [...], "words": [...]})``, ``"words"`` being the characters too: ``crf_tagger``
    reads ``metadata["words"]``).

    Registered as a ``DatasetReader`` with name ``"char_ner"``. ``tag_output = "entities"``: the tags are BIOUL
    entity spans.

    Parameters
    ----------
    tag_scheme : ``str``, optional (default ``"auto"``)
        The file's scheme: ``"BIO"`` (IOB2), ``"BIOES"``, ``"BMES"``, ``"BIOUL"``, or ``"auto"``: detected from the
        tag prefixes of the **whole file** (a first pass): ``M-`` means BMES; ``E-``/``S-`` without ``M-`` mean
        BIOES; ``L-``/``U-`` mean BIOUL; only ``B-``/``I-``/``O`` means BIO.
    ill_formed : ``str``, optional (default ``"repair"``)
        ``"repair"`` or ``"error"``: what to do with a sentence whose gold tags are not valid spans.
    strip_char_suffix_digits : ``bool``, optional (default ``False``)
        For Weibo's ``weiboNER_2nd_conll.*`` files, whose characters carry a trailing word-position digit
        (``科0``, ``技1``, ``80`` = the digit ``8`` at position 0): a first column of exactly one character followed
        by ASCII digits becomes that character. Any other first column is kept as is.
    encoding : ``str``, optional (default ``"utf-8"``)
        One of ``"utf-8"``, ``"utf-8-sig"``, ``"gbk"``, ``"gb18030"``, ``"big5"``, ``"cp950"``.
    token_indexers : ``Dict[str, TokenIndexer]``, optional (default ``{"tokens": SingleIdTokenIndexer()}``)
        Indexers for the character tokens.
    **kwargs
        Passed to :class:`~allennlp.data.dataset_readers.DatasetReader` (e.g. ``max_instances``).
    """

    tag_output = "entities"

    def __init__(
        self,
        tag_scheme: str = "auto",
        ill_formed: str = "repair",
        strip_char_suffix_digits: bool = False,
        encoding: str = "utf-8",
        token_indexers: Optional[Dict[str, TokenIndexer]] = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if tag_scheme not in TAG_SCHEMES:
            raise ConfigurationError(f"tag_scheme must be one of {TAG_SCHEMES}, got {tag_scheme!r}")
        if ill_formed not in ILL_FORMED_POLICIES:
            raise ConfigurationError(f"ill_formed must be one of {ILL_FORMED_POLICIES}, got {ill_formed!r}")
        normalize_encoding(encoding)
        self._tag_scheme = tag_scheme
        self._ill_formed = ill_formed
        self._strip_char_suffix_digits = strip_char_suffix_digits
        self._encoding = encoding
        self._token_indexers = token_indexers or {"tokens": SingleIdTokenIndexer()}
        self.repair_counts: Dict[str, int] = {}

    def _read(self, file_path) -> Iterable[Instance]:
        path = str(cached_path(file_path))
        scheme = detect_file_scheme(path, self._encoding) if self._tag_scheme == "auto" else self._tag_scheme
        logger.info("Reading character NER data from %s (tag scheme %s, ill_formed=%s)", path, scheme,
                    self._ill_formed)
        repaired = 0
        self.repair_counts[path] = 0
        sentences = read_char_ner(path, self._encoding, scheme, self._strip_char_suffix_digits)
        for first, chars, tags in warn_if_empty(sentences, path, "blank lines", logger):
            bioul, was_repaired = sentence_to_bioul(path, first, tags, scheme, self._ill_formed)
            if was_repaired:
                repaired += 1
                self.repair_counts[path] = repaired
            yield self.text_to_instance(chars, bioul)
        log = logger.warning if repaired else logger.info
        log("%s: repaired %d ill-formed sentence(s) (tag scheme %s, ill_formed='repair')", path, repaired, scheme)

    def text_to_instance(self, chars: List[str], tags: List[str] = None) -> Instance:  # type: ignore[override]
        """One instance from characters (a list, or a string) and optional tags, used **as given** (the reader
        passes converted, valid BIOUL tags). Whitespace characters are dropped (with their tags)."""
        chars, tags = drop_whitespace(chars, tags)
        fields = {"tokens": TextField([Token(c) for c in chars], self._token_indexers)}
        if tags is not None:
            fields["tags"] = SequenceLabelField(tags, fields["tokens"], label_namespace="labels")
        # crf_tagger echoes metadata["words"] into its output: the tagged units, i.e. the characters
        fields["metadata"] = MetadataField({"chars": chars, "words": list(chars)})
        return Instance(fields)
