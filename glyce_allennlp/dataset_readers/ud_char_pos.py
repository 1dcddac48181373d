import logging
from typing import Dict, Iterable, Optional

from allennlp.common.file_utils import cached_path
from allennlp.data.dataset_readers.dataset_reader import DatasetReader
from allennlp.data.instance import Instance
from allennlp.data.token_indexers import TokenIndexer

from glyce_allennlp.dataset_readers.ctb_pos import CtbPosDatasetReader
from glyce_allennlp.formats.char_pos import read_conll_char_pos
from glyce_allennlp.formats.conll import FORMATS, POS_COLUMNS
from glyce_allennlp.formats.io import warn_if_empty

logger = logging.getLogger(__name__)


@DatasetReader.register("conll_char_pos")
class ConllCharPosDatasetReader(CtbPosDatasetReader):
    """Joint word segmentation + POS tagging from CoNLL-U / CoNLL-X treebanks, as per-character typed BMES tagging
    (UD1 POS in the Glyce paper): each word's characters get ``B-POS M-POS … E-POS`` (``S-POS`` for a one-character
    word), e.g. ``看似/VERB 簡單/ADJ`` → ``看 似 簡 單`` / ``B-VERB E-VERB B-ADJ E-ADJ``.

    The instances are exactly those of the ``ctb_pos`` reader (this class subclasses it; the tagging
    ``crf_tagger`` configs and the ``chinese_tagger`` predictor work unchanged):

    * ``tokens``: one ``Token`` per character (whitespace inside a word form is not a character: ``10 000`` is
      tagged as the 5-character word ``10000``);
    * ``tags``: ``SequenceLabelField`` in namespace ``"labels"``;
    * ``metadata``: ``{"chars", "words", "pos"}`` (gold words and POS).

    The words are the treebank's **syntactic words** (as for the ``conll_dependencies`` reader): multi-word token
    ranges contribute their words' forms, empty nodes are skipped. (Chinese treebanks have neither.) Heads and
    relations are not needed and may be ``_``. Malformed rows raise ``ReaderError`` ``"{path}:{lineno}: ..."``.

    Registered as ``"conll_char_pos"``. ``tag_output = "word_pos"``, as for ``ctb_pos``.

    Parameters
    ----------
    format : ``"conllu"`` (default) or ``"conllx"``.
    pos : ``"upos"`` (default; 4th column) or ``"xpos"`` (5th column).
    encoding, token_indexers, **kwargs : as for ``ctb_pos``.
    """

    tag_output = "word_pos"

    def __init__(self, format: str = "conllu", pos: str = "upos", encoding: str = "utf-8",
                 token_indexers: Optional[Dict[str, TokenIndexer]] = None, **kwargs) -> None:
        super().__init__(encoding=encoding, token_indexers=token_indexers, **kwargs)
        if format not in FORMATS:
            raise ValueError(f"format must be one of {FORMATS}, got {format!r}")
        if pos not in POS_COLUMNS:
            raise ValueError(f"pos must be one of {POS_COLUMNS}, got {pos!r}")
        self.format = format
        self.pos = pos

    def _read(self, file_path) -> Iterable[Instance]:
        path = str(cached_path(file_path))
        logger.info("Reading %s words as character BMES-%s tags from %s", self.format, self.pos, path)
        sentences = read_conll_char_pos(path, self._encoding, self.format, self.pos)
        for _lineno, chars, tags in warn_if_empty(sentences, path, "blank lines and comments", logger):
            yield self.text_to_instance(chars, tags)
