from typing import Dict, List, Optional

from allennlp.data.token_indexers import TokenIndexer
from allennlp.data.tokenizers import Token
from allennlp.data.vocabulary import Vocabulary
from allennlp.data.token_indexers.token_indexer import IndexedTokenList

from glyce_allennlp.data.single_characters import single_character


@TokenIndexer.register("glyce_characters")
class GlyceCharacterIndexer(TokenIndexer):
    """Indexes each single-character token by its Unicode **code point**, for the ``glyce`` token embedder.

    Code points (not vocabulary ids) reach the embedder, so a character never seen in training is still rendered and
    gets its real glyph vector. The indexer still counts characters into ``namespace`` so that the vocabulary holds the
    training characters (the classes of the auxiliary glyph loss, and the ids of an optional char-ID embedding).

    Parameters
    ----------
    namespace : vocabulary namespace for the character counts (default ``"glyce_chars"``).
    token_min_padding_length : see :class:`TokenIndexer`.
    special_tokens : token texts that are not characters but get a defined glyph input, code point 0, i.e. the zero
        glyph vector (and the char-ID padding id); they are not counted into ``namespace``. For Glyce-BERT inputs:
        ``["[CLS]", "[SEP]"]``, so that the glyph side lines up with BERT's wordpieces. Default: none.

    Output: ``{"codepoints": List[int]}`` per field → tensor ``(batch, num_tokens)``, 0 = padding.
    A token that is not exactly one character (nor one of ``special_tokens``) raises ``ValueError`` naming it
    (tokenise text into characters).
    """

    def __init__(self, namespace: str = "glyce_chars", token_min_padding_length: int = 0,
                 special_tokens: Optional[List[str]] = None) -> None:
        super().__init__(token_min_padding_length)
        self.namespace = namespace
        self.special_tokens = frozenset(special_tokens or ())

    def _codepoint(self, token: Token) -> int:
        if token.text in self.special_tokens:
            return 0
        return ord(single_character(token, "glyce_characters", " (the glyce readers do), list special tokens such "
                                    "as [CLS] in `special_tokens`, or use a word-level embedder."))

    def count_vocab_items(self, token: Token, counter: Dict[str, Dict[str, int]]):
        if token.text in self.special_tokens:
            return
        self._codepoint(token)
        counter[self.namespace][token.text] += 1

    def tokens_to_indices(self, tokens: List[Token], vocabulary: Vocabulary) -> IndexedTokenList:
        return {"codepoints": [self._codepoint(t) for t in tokens]}

    def get_empty_token_list(self) -> IndexedTokenList:
        return {"codepoints": []}
