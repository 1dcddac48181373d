from typing import Optional

import torch
from allennlp.data import Vocabulary
from allennlp.modules.token_embedders import Embedding, TokenEmbedder
from allennlp.modules.token_embedders.embedding import _read_pretrained_embeddings_file

from glyce_allennlp.vectors.lexicon import PADDING_ID, Lexicon

_NAMESPACE = "softlexicon_words"


@TokenEmbedder.register("softlexicon")
class SoftLexiconEmbedder(TokenEmbedder):
    """SoftLexicon (Ma et al., ACL 2020): for each character, the four weighted word-set vectors
    ``v(B) ⊕ v(M) ⊕ v(E) ⊕ v(S)``, ``v(S) = Σ_{w∈S} weight(w) · e(w)`` with the weights ``4 · z(w) / Z`` of the
    ``softlexicon`` indexer (see :mod:`glyce_allennlp.vectors.lexicon`). Put it beside the character embedders of the
    text field; the concatenation is the character representation of the paper.

    ``e`` is a word embedding of ``len(lexicon) + 2`` rows (0 padding, 1 NONE, then the lexicon file's words in
    order). With ``pretrained_file`` (word2vec text, plain or ``.gz``, e.g. the ``words.vec.gz`` of ``glyce-allennlp
    embeddings``), a lexicon word found there starts from its vector, and every other row (NONE included) from a
    normal distribution with the pretrained vectors' mean and standard deviation (AllenNLP's ``embedding`` rule);
    without it, every row starts xavier-uniform. ``trainable=True`` (default) fine-tunes the word vectors, as the
    authors' implementation does.

    Parameters
    ----------
    lexicon_file : the lexicon file of the ``softlexicon`` indexer (the same file).
    embedding_dim : size of a word vector ``D`` (the pretrained file's size).
    pretrained_file : optional word vectors. Not read when a trained model is loaded (its weights are in the archive).
    trainable : fine-tune the word vectors (default ``True``).

    Input: ``lexicon_ids`` and ``lexicon_weights``, ``(batch, num_tokens, 4, words_per_set)``.
    Output: ``(batch, num_tokens, 4 · D)``; :meth:`get_output_dim` is ``4 · D``.
    """

    def __init__(self, lexicon_file: str, embedding_dim: int, pretrained_file: Optional[str] = None,
                 trainable: bool = True) -> None:
        super().__init__()
        words = Lexicon.read(lexicon_file).words
        weight = None
        if pretrained_file:
            vocab = Vocabulary(tokens_to_add={_NAMESPACE: words})  # row 0 padding, row 1 OOV (= NONE), then words
            if vocab.get_vocab_size(_NAMESPACE) != len(words) + 2:
                raise ValueError(f"{lexicon_file}: a lexicon word is spelt like AllenNLP's padding or OOV token")
            weight = _read_pretrained_embeddings_file(pretrained_file, embedding_dim, vocab, _NAMESPACE)
        self.embedding = Embedding(embedding_dim=embedding_dim, num_embeddings=len(words) + 2, weight=weight,
                                   padding_index=PADDING_ID, trainable=trainable)
        self.embedding_dim = embedding_dim

    def get_output_dim(self) -> int:
        return 4 * self.embedding_dim

    def forward(self, lexicon_ids: torch.Tensor, lexicon_weights: torch.Tensor) -> torch.Tensor:
        vectors = self.embedding(lexicon_ids)  # (batch, tokens, 4, words, D)
        pooled = (lexicon_weights.unsqueeze(-1) * vectors).sum(dim=-2)  # (batch, tokens, 4, D)
        return pooled.reshape(*pooled.shape[:-2], 4 * self.embedding_dim)
