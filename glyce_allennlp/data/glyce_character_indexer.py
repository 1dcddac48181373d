from typing import Dict, List

from allennlp.data.token_indexers import TokenIndexer
from allennlp.data.tokenizers import Token
from allennlp.data.vocabulary import Vocabulary
from allennlp.data.token_indexers.token_indexer import IndexedTokenList


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

    Output: ``{"codepoints": List[int]}`` per field → tensor ``(batch, num_tokens)``, 0 = padding.
    A token that is not exactly one character raises ``ValueError`` naming it (tokenise text into characters).
    """

    def __init__(self, namespace: str = "glyce_chars", token_min_padding_length: int = 0) -> None:
        super().__init__(token_min_padding_length)
        self.namespace = namespace

    @staticmethod
    def _codepoint(token: Token) -> int:
        text = token.text
        if text is None or len(text) != 1:
            raise ValueError(f"glyce_characters indexes single characters, got the token {text!r}; tokenise the text "
                             f"into characters (the glyce readers do) or use a word-level embedder.")
        return ord(text)

    def count_vocab_items(self, token: Token, counter: Dict[str, Dict[str, int]]):
        self._codepoint(token)
        counter[self.namespace][token.text] += 1

    def tokens_to_indices(self, tokens: List[Token], vocabulary: Vocabulary) -> IndexedTokenList:
        return {"codepoints": [self._codepoint(t) for t in tokens]}

    def get_empty_token_list(self) -> IndexedTokenList:
        return {"codepoints": []}
