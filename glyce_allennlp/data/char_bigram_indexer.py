from typing import Dict, List

from allennlp.common.checks import ConfigurationError
from allennlp.data.token_indexers import TokenIndexer
from allennlp.data.token_indexers.token_indexer import IndexedTokenList
from allennlp.data.tokenizers import Token
from allennlp.data.vocabulary import Vocabulary

from glyce_allennlp.data.single_characters import single_characters
from glyce_allennlp.vectors.text import BIGRAM_END, char_bigrams


@TokenIndexer.register("char_bigrams")
class CharBigramIndexer(TokenIndexer):
    """Gives each character token the vocabulary id of the bigram it starts: ``c_i c_{i+1}``, the last character paired
    with ``end_marker`` (:func:`glyce_allennlp.vectors.text.char_bigrams`, the convention of the bigram vectors that
    ``glyce-allennlp embeddings`` trains). Embed the ids with AllenNLP's standard ``embedding`` token embedder
    (``vocab_namespace`` = ``namespace``, ``pretrained_file`` = the bigram vectors).

    The bigram vocabulary comes from the pretrained bigram file, not from counting: AllenNLP counts vocabulary items
    one token at a time, without its neighbours, so an indexer cannot count the bigrams of the training data. This
    indexer only declares its namespace while counting; build the vocabulary with::

        "vocabulary": {"type": "from_instances",
                       "pretrained_files": {"char_bigrams": "<bigrams.vec.gz>"},
                       "min_pretrained_embeddings": {"char_bigrams": -1}}

    (``-1``: every bigram of the file; ``N``: the ``N`` most frequent, since the file lists them by decreasing
    frequency). A bigram missing from the vocabulary gets the OOV id (1). Indexing with a vocabulary whose namespace
    holds no bigram raises ``ConfigurationError`` (every id would be OOV).

    Parameters
    ----------
    namespace : vocabulary namespace of the bigrams (default ``"char_bigrams"``).
    end_marker : what the last character pairs with (default ``"</s>"``, as in the trained bigram vectors).
    token_min_padding_length : see :class:`TokenIndexer`.

    Output: ``{"bigram_ids": List[int]}`` per field → tensor ``(batch, num_tokens)``, 0 = padding. A token that is not
    exactly one character raises ``ValueError`` naming it.
    """

    def __init__(self, namespace: str = "char_bigrams", end_marker: str = BIGRAM_END,
                 token_min_padding_length: int = 0) -> None:
        super().__init__(token_min_padding_length)
        self.namespace = namespace
        self.end_marker = end_marker

    def count_vocab_items(self, token: Token, counter: Dict[str, Dict[str, int]]):
        counter[self.namespace]  # declares the namespace, so that its pretrained_files entry is applied

    def tokens_to_indices(self, tokens: List[Token], vocabulary: Vocabulary) -> IndexedTokenList:
        chars = single_characters(tokens, "char_bigrams")
        if vocabulary.get_vocab_size(self.namespace) <= 2:
            raise ConfigurationError(
                f"the vocabulary namespace {self.namespace!r} holds no bigram: build the vocabulary with "
                f"\"pretrained_files\": {{\"{self.namespace}\": <bigram vectors>}} and \"min_pretrained_embeddings\": "
                f"{{\"{self.namespace}\": -1}} (see the char_bigrams indexer's docstring)")
        return {"bigram_ids": [vocabulary.get_token_index(bigram, self.namespace)
                               for bigram in char_bigrams(chars, self.end_marker)]}

    def get_empty_token_list(self) -> IndexedTokenList:
        return {"bigram_ids": []}
