from typing import Dict, List

import torch
from allennlp.data.token_indexers import TokenIndexer
from allennlp.data.token_indexers.token_indexer import IndexedTokenList
from allennlp.data.tokenizers import Token
from allennlp.data.vocabulary import Vocabulary

from glyce_allennlp.data.single_characters import single_characters
from glyce_allennlp.vectors.lexicon import PADDING_ID, Lexicon, softlexicon_inputs


@TokenIndexer.register("softlexicon")
class SoftLexiconIndexer(TokenIndexer):
    """SoftLexicon inputs (Ma et al., ACL 2020) of each character: the ids and weights of the lexicon words in its
    B/M/E/S word sets, for the ``softlexicon`` token embedder (see :mod:`glyce_allennlp.vectors.lexicon` for the sets,
    the weights ``4 · z(w) / Z``, the NONE word of an empty set and the lexicon file).

    The lexicon and the word frequencies ``z(w)`` come from one file, ``lexicon_file`` (``word<TAB>count`` a line),
    written by ``glyce-allennlp lexicon`` with the counts taken on the training text; ids are the file's line order
    (line ``k`` → id ``k + 1``; 0 padding, 1 NONE), not a vocabulary namespace: nothing is counted into the
    vocabulary. Give the ``softlexicon`` embedder the same file. The file is read again when a trained model is loaded
    (``allennlp predict``), so keep it at the path the config names.

    Parameters
    ----------
    lexicon_file : the lexicon file.
    token_min_padding_length : see :class:`TokenIndexer`.

    Output per field: ``{"lexicon_ids": (num_tokens, 4, words_per_set) long, "lexicon_weights": (num_tokens, 4,
    words_per_set) float}`` → tensors ``(batch, num_tokens, 4, words_per_set)``; sets are padded with id 0 and
    weight 0 to the longest set of the batch. A token that is not exactly one character raises ``ValueError`` naming
    it.
    """

    def __init__(self, lexicon_file: str, token_min_padding_length: int = 0) -> None:
        super().__init__(token_min_padding_length)
        self.lexicon_file = lexicon_file
        self.lexicon = Lexicon.read(lexicon_file)

    def count_vocab_items(self, token: Token, counter: Dict[str, Dict[str, int]]):
        pass  # ids come from the lexicon file

    def tokens_to_indices(self, tokens: List[Token], vocabulary: Vocabulary) -> IndexedTokenList:
        chars = single_characters(tokens, "softlexicon")
        ids, weights = softlexicon_inputs(chars, self.lexicon)
        return {"lexicon_ids": ids, "lexicon_weights": weights}

    def get_empty_token_list(self) -> IndexedTokenList:
        return {"lexicon_ids": [], "lexicon_weights": []}

    def get_padding_lengths(self, indexed_tokens: IndexedTokenList) -> Dict[str, int]:
        ids = indexed_tokens["lexicon_ids"]
        return {"lexicon_ids": max(len(ids), self._token_min_padding_length),
                "words_per_set": max((len(word_ids) for char_sets in ids for word_ids in char_sets), default=1)}

    def as_padded_tensor_dict(self, tokens: IndexedTokenList,
                              padding_lengths: Dict[str, int]) -> Dict[str, torch.Tensor]:
        num_tokens, width = padding_lengths["lexicon_ids"], padding_lengths["words_per_set"]
        empty = [[PADDING_ID] * width for _ in range(4)]
        ids = [[word_ids + [PADDING_ID] * (width - len(word_ids)) for word_ids in char_ids]
               for char_ids in tokens["lexicon_ids"][:num_tokens]]
        weights = [[set_weights + [0.0] * (width - len(set_weights)) for set_weights in char_weights]
                   for char_weights in tokens["lexicon_weights"][:num_tokens]]
        missing = num_tokens - len(ids)
        return {"lexicon_ids": torch.tensor(ids + [empty] * missing, dtype=torch.long).view(num_tokens, 4, width),
                "lexicon_weights": torch.tensor(weights + [[[0.0] * width] * 4] * missing,
                                                dtype=torch.float).view(num_tokens, 4, width)}
