"""``bert_sentence_input``: turns the character fields of a sentence-level reader into one BERT input field.

BERT classifies a text from its ``[CLS]`` vector, and a sentence pair as one sequence ``[CLS] s1 [SEP] s2 [SEP]``
(segment ids 0 … 0 1 … 1). The sentence-level readers (``chinese_text_classification``: a ``tokens`` field;
``chinese_sentence_pair``: ``premise`` and ``hypothesis``) give character tokens. This reader wraps any of them
(``"reader": {...}``, with all its options: formats, labels, ``max_chars``, encodings, errors) and replaces those
fields by a single ``tokens`` field, so that AllenNLP's stock ``basic_classifier`` (with a ``cls_pooler``) is
BERT's classifier, and BERT ⊕ glyph is the same model with one more indexer/embedder:

* one token per character, whitespace dropped (as the wrapped reader does), in the same positions on every side:
  the ``pretrained_transformer`` indexer reads the token's ``text_id`` (its wordpiece id, set here) and
  ``type_id``; the ``glyce_characters`` indexer reads its text (list ``[CLS]`` and ``[SEP]`` in its
  ``special_tokens``: they get code point 0, i.e. the zero glyph vector);
* a character's wordpiece is what the BERT tokenizer makes of that character alone (so ``A`` → ``a`` for an
  uncased/Chinese BERT); when it makes several pieces or none (rare: e.g. a character that the tokenizer strips),
  the character is ``[UNK]``. Latin words and numbers inside Chinese text are thus spelled letter by letter and digit
  by digit, each looked up as a word-initial wordpiece (``iPhone`` → ``i p h o n e``, ``2019`` → ``2 0 1 9``, where
  BERT's own tokenizer would give ``iphone`` / ``2019`` pieces): the price of one glyph per BERT position.
  Chinese characters are unchanged (BERT's tokenizer splits them one by one anyway);
* sequences longer than the transformer allows (``max_length``, default the model's ``max_position_embeddings``,
  512 for BERT) are **truncated**: a text keeps its first ``max_length − 2`` characters; a pair is cut longest first
  (the longer sentence loses its last character until both fit in ``max_length − 3``), as BERT's reference code does.
  The number of truncated instances is logged per file; prediction truncates the same way (never an error).

Other fields of the wrapped reader's instances (``label``) are kept. :meth:`text_to_instance` takes what the wrapped
reader's takes (``text`` / ``premise, hypothesis``), so the ``chinese_text_classifier`` and
``chinese_pair_classifier`` predictors work unchanged.
"""
import logging
from typing import Dict, Iterable, List, Optional

from allennlp.common.checks import ConfigurationError
from allennlp.data.dataset_readers.dataset_reader import DatasetReader
from allennlp.data.fields import TextField
from allennlp.data.instance import Instance
from allennlp.data.token_indexers import PretrainedTransformerIndexer, TokenIndexer
from allennlp.data.tokenizers import PretrainedTransformerTokenizer, Token

logger = logging.getLogger(__name__)


def model_max_length(model_name: str) -> int:
    """Positions of the transformer at ``model_name``: its config's ``max_position_embeddings``."""
    from transformers import AutoConfig

    return int(AutoConfig.from_pretrained(model_name).max_position_embeddings)


@DatasetReader.register("bert_sentence_input")
class BertSentenceInputReader(DatasetReader):
    """Wraps a sentence-level reader; gives ``tokens = [CLS] text [SEP]`` or ``[CLS] premise [SEP] hypothesis [SEP]``
    (see the module docstring). Registered as ``"bert_sentence_input"``.

    Parameters
    ----------
    reader : the wrapped reader, e.g. ``{"type": "chinese_sentence_pair", "format": "lcqmc"}`` (its
        ``token_indexers`` are not used).
    model_name : the BERT folder (same as the indexer's / embedder's), for the wordpiece ids and special tokens.
    max_length : wordpieces per instance, special tokens included (default: the model's ``max_position_embeddings``).
    token_indexers : indexers of the ``tokens`` field (default: ``{"bert": pretrained_transformer}``).
    tokenizer_kwargs : passed to the tokenizer (as for ``pretrained_transformer``).
    """

    def __init__(self, reader: DatasetReader, model_name: str, max_length: Optional[int] = None,
                 token_indexers: Optional[Dict[str, TokenIndexer]] = None,
                 tokenizer_kwargs: Optional[Dict] = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self._reader = reader
        self._tokenizer = PretrainedTransformerTokenizer(model_name, tokenizer_kwargs=tokenizer_kwargs)
        self._hf = self._tokenizer.tokenizer
        self.max_length = int(max_length) if max_length is not None else model_max_length(model_name)
        if self.max_length - self._tokenizer.num_special_tokens_for_pair() < 2:
            raise ConfigurationError(f"max_length={self.max_length} leaves no room for a sentence pair")
        self._token_indexers = token_indexers or {"bert": PretrainedTransformerIndexer(model_name)}
        self._unk_id = self._hf.unk_token_id
        self._wordpiece: Dict[str, int] = {}
        self.num_truncated = 0

    # ------------------------------------------------------------------ characters → tokens
    def wordpiece_id(self, char: str) -> int:
        """The wordpiece id of one character (``[UNK]`` unless the tokenizer makes exactly one piece of it)."""
        wid = self._wordpiece.get(char)
        if wid is None:
            pieces = self._hf.tokenize(char)
            wid = self._hf.convert_tokens_to_ids(pieces[0]) if len(pieces) == 1 else self._unk_id
            self._wordpiece[char] = wid
        return wid

    def _char_tokens(self, chars: List[str]) -> List[Token]:
        return [Token(c, text_id=self.wordpiece_id(c)) for c in chars]

    def truncate(self, chars1: List[str], chars2: Optional[List[str]] = None):
        """Cut to ``max_length`` wordpieces with the special tokens (first characters kept; pairs longest first)."""
        if chars2 is None:
            budget = self.max_length - self._tokenizer.num_special_tokens_for_sequence()
            return chars1[:budget], None
        budget = self.max_length - self._tokenizer.num_special_tokens_for_pair()
        n1, n2 = len(chars1), len(chars2)
        while n1 + n2 > budget:
            if n1 > n2:
                n1 -= 1
            else:
                n2 -= 1
        return chars1[:n1], chars2[:n2]

    def _convert(self, instance: Instance) -> Instance:
        fields = dict(instance.fields)
        if "premise" in fields and "hypothesis" in fields:
            chars1 = [t.text for t in fields.pop("premise").tokens]
            chars2 = [t.text for t in fields.pop("hypothesis").tokens]
        elif "tokens" in fields:
            chars1, chars2 = [t.text for t in fields.pop("tokens").tokens], None
        else:
            raise ConfigurationError(f"bert_sentence_input needs a reader giving a `tokens` field or `premise` and "
                                     f"`hypothesis` fields, got {sorted(fields)}")
        cut1, cut2 = self.truncate(chars1, chars2)
        if len(cut1) < len(chars1) or (chars2 is not None and len(cut2) < len(chars2)):
            self.num_truncated += 1
        tokens = self._tokenizer.add_special_tokens(self._char_tokens(cut1),
                                                    None if cut2 is None else self._char_tokens(cut2))
        fields["tokens"] = TextField(tokens, self._token_indexers)
        return Instance(fields)

    # ------------------------------------------------------------------ reading
    def _read(self, file_path) -> Iterable[Instance]:
        self.num_truncated = 0
        for instance in self._reader._read(file_path):
            yield self._convert(instance)
        if self.num_truncated:
            logger.info("%s: %d instance(s) truncated to max_length=%d wordpieces", file_path, self.num_truncated,
                        self.max_length)

    def text_to_instance(self, *args, **kwargs) -> Instance:  # type: ignore[override]
        """The wrapped reader's ``text_to_instance(...)``, converted."""
        return self._convert(self._reader.text_to_instance(*args, **kwargs))
