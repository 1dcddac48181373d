"""The check shared by the character-level token indexers: every token is exactly one character."""
from typing import List, Sequence

from allennlp.data.tokenizers import Token


def single_character(token: Token, indexer: str, hint: str = "") -> str:
    """``token.text`` when it is exactly one character, else ``ValueError`` naming the indexer and the token."""
    text = token.text
    if text is None or len(text) != 1:
        raise ValueError(f"{indexer} indexes single characters, got the token {text!r}; tokenise the text into "
                         f"characters{hint}")
    return text


def single_characters(tokens: Sequence[Token], indexer: str) -> List[str]:
    """The text of every token, each checked by :func:`single_character`."""
    return [single_character(token, indexer) for token in tokens]
