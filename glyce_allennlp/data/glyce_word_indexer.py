from typing import Dict, List, Optional

import torch
from allennlp.data.token_indexers import TokenIndexer
from allennlp.data.token_indexers.token_indexer import IndexedTokenList
from allennlp.data.tokenizers import Token
from allennlp.data.vocabulary import Vocabulary


@TokenIndexer.register("glyce_word_characters")
class GlyceWordCharactersIndexer(TokenIndexer):
    """Indexes each **word** token by the Unicode code points of its characters, for the ``glyce_word`` embedder.

    Code points (not vocabulary ids) reach the embedder, so a word made of characters never seen in training still
    gets real glyph vectors. Whitespace characters inside a word are skipped (they have no glyph).

    Parameters
    ----------
    char_namespace : namespace the word's characters are counted into (default ``"glyce_chars"``, the same as the
        ``glyce_characters`` indexer): the vocabulary then holds the training characters (the classes of the auxiliary
        glyph loss, the ids of an optional char-ID embedding).
    word_namespace : namespace the words are counted into (default ``"glyce_words"``), and output ``word_ids`` (the
        word's id there; unknown words → OOV id) for the embedder's optional word-ID embedding. ``None``: no word
        counting and no ``word_ids`` output (use it when another indexer already gives word ids).
    max_chars_per_word : keep at most this many characters of a word (``None``: all).
    min_chars_per_word : pad the character dimension to at least this length (e.g. the widest CNN filter).
    token_min_padding_length : see :class:`TokenIndexer`.

    Output per field: ``{"codepoints": (num_words, max_chars)}`` LongTensor (0 = padding, both for padded
    characters and padded words) and, unless ``word_namespace`` is ``None``, ``{"word_ids": (num_words,)}``
    (0 = padding). Batched: ``(batch, num_words, max_chars)`` and ``(batch, num_words)``.
    """

    def __init__(self, char_namespace: str = "glyce_chars", word_namespace: Optional[str] = "glyce_words",
                 max_chars_per_word: Optional[int] = None, min_chars_per_word: int = 1,
                 token_min_padding_length: int = 0) -> None:
        super().__init__(token_min_padding_length)
        if max_chars_per_word is not None and max_chars_per_word < 1:
            raise ValueError(f"max_chars_per_word must be >= 1 or None, got {max_chars_per_word}")
        self.char_namespace = char_namespace
        self.word_namespace = word_namespace
        self.max_chars_per_word = max_chars_per_word
        self.min_chars_per_word = max(1, int(min_chars_per_word))

    def _chars(self, token: Token) -> List[str]:
        text = token.text
        if text is None:
            raise ValueError("glyce_word_characters cannot index a token without text")
        chars = [c for c in text if not c.isspace()]
        return chars[: self.max_chars_per_word] if self.max_chars_per_word else chars

    def count_vocab_items(self, token: Token, counter: Dict[str, Dict[str, int]]):
        for char in self._chars(token):
            counter[self.char_namespace][char] += 1
        if self.word_namespace is not None:
            counter[self.word_namespace][token.text] += 1

    def tokens_to_indices(self, tokens: List[Token], vocabulary: Vocabulary) -> IndexedTokenList:
        indexed: IndexedTokenList = {"codepoints": [[ord(c) for c in self._chars(t)] for t in tokens]}
        if self.word_namespace is not None:
            indexed["word_ids"] = [vocabulary.get_token_index(t.text, self.word_namespace) for t in tokens]
        return indexed

    def get_empty_token_list(self) -> IndexedTokenList:
        empty: IndexedTokenList = {"codepoints": []}
        if self.word_namespace is not None:
            empty["word_ids"] = []
        return empty

    def get_padding_lengths(self, indexed_tokens: IndexedTokenList) -> Dict[str, int]:
        num_words = max(len(indexed_tokens["codepoints"]), self._token_min_padding_length)
        max_chars = max([len(word) for word in indexed_tokens["codepoints"]] + [self.min_chars_per_word])
        lengths = {"codepoints": num_words, "num_word_chars": max_chars}
        if self.word_namespace is not None:
            lengths["word_ids"] = num_words
        return lengths

    def as_padded_tensor_dict(self, tokens: IndexedTokenList,
                              padding_lengths: Dict[str, int]) -> Dict[str, torch.Tensor]:
        num_words = padding_lengths["codepoints"]
        max_chars = padding_lengths["num_word_chars"]
        codepoints = torch.zeros(num_words, max_chars, dtype=torch.long)
        for i, word in enumerate(tokens["codepoints"][:num_words]):
            word = word[:max_chars]
            if word:
                codepoints[i, : len(word)] = torch.tensor(word, dtype=torch.long)
        result = {"codepoints": codepoints}
        if self.word_namespace is not None:
            ids = torch.zeros(padding_lengths["word_ids"], dtype=torch.long)
            given = tokens["word_ids"][: padding_lengths["word_ids"]]
            if given:
                ids[: len(given)] = torch.tensor(given, dtype=torch.long)
            result["word_ids"] = ids
        return result
