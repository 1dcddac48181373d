"""Pretrained inputs for the taggers, AllenNLP-free: character, character-bigram and word vectors trained with gensim's
Word2Vec (:mod:`~glyce_allennlp.vectors.word2vec`), the manifest that records what went into them
(:mod:`~glyce_allennlp.vectors.manifest`), and the word lexicon with training-text frequencies used by SoftLexicon
(:mod:`~glyce_allennlp.vectors.lexicon`). :mod:`~glyce_allennlp.vectors.text` holds what they share: reading raw text
(plain or gzip) and the character-bigram convention of the ``char_bigrams`` token indexer.

The command line is ``glyce-allennlp embeddings`` and ``glyce-allennlp lexicon`` (:mod:`~glyce_allennlp.vectors.cli`).
Importing this package imports neither gensim nor jieba; the functions that need them import them when called.
"""
