"""The ``embeddings`` and ``lexicon`` subcommands of ``glyce-allennlp`` (argument parsing only: gensim and jieba are
imported when a command runs).

    glyce-allennlp embeddings OUT_DIR --text FILE [FILE ...] [--segmented FILE ...] [--kinds chars bigrams words]
                              [--dim N] [--char-dim N] [--bigram-dim N] [--word-dim N] [--min-count N] [--epochs N]
                              [--window N] [--cbow] [--workers N] [--seed N] [--user-dict FILE] [--no-hmm]
    glyce-allennlp lexicon OUT.tsv [--jieba] [--words FILE ...] [--vectors FILE] [--max-word-length N]
                           [--count FILE ...] [--restrict-to FILE ...] [--format text|char_ner|cws]
"""
import argparse
import json
import sys

__all__ = ["add_vector_parsers"]


def add_vector_parsers(sub: argparse._SubParsersAction) -> None:
    """Add ``embeddings`` and ``lexicon`` to the subcommands ``sub``; each sets ``args.run_vectors`` to its runner
    (``runner(args) -> exit status``)."""
    embeddings = sub.add_parser(
        "embeddings", help="train character, bigram and word vectors on raw text (gensim Word2Vec)",
        description="Train character, character-bigram and word vectors with gensim's Word2Vec and write "
                    "OUT_DIR/{chars,bigrams,words}.vec.gz (word2vec text format) and OUT_DIR/manifest.json (inputs "
                    "with sha256, parameters, vocabulary sizes, seconds). Never give it dev or test text of a "
                    "benchmark: only unlabelled text and training splits.")
    embeddings.add_argument("out_dir")
    embeddings.add_argument("--text", nargs="+", default=[], metavar="FILE",
                            help="raw text, one sentence/post/document a line, plain or .gz; words by jieba")
    embeddings.add_argument("--segmented", nargs="+", default=[], metavar="FILE",
                            help="segmented text: words separated by whitespace, plain or .gz")
    embeddings.add_argument("--kinds", nargs="+", default=["chars", "bigrams", "words"],
                            choices=["chars", "bigrams", "words"])
    embeddings.add_argument("--dim", type=int, default=100, help="vector size of every kind (default 100)")
    embeddings.add_argument("--char-dim", type=int, default=None, help="vector size of the characters (else --dim)")
    embeddings.add_argument("--bigram-dim", type=int, default=None, help="vector size of the bigrams (else --dim)")
    embeddings.add_argument("--word-dim", type=int, default=None, help="vector size of the words (else --dim)")
    embeddings.add_argument("--min-count", type=int, default=5, help="tokens seen fewer times get no vector")
    embeddings.add_argument("--epochs", type=int, default=5)
    embeddings.add_argument("--window", type=int, default=5)
    embeddings.add_argument("--negative", type=int, default=5)
    embeddings.add_argument("--cbow", action="store_true", help="CBOW instead of skip-gram")
    embeddings.add_argument("--workers", type=int, default=1, help="gensim threads and jieba processes")
    embeddings.add_argument("--seed", type=int, default=13)
    embeddings.add_argument("--user-dict", default=None, help="jieba user dictionary (word [freq] [tag] a line)")
    embeddings.add_argument("--no-hmm", action="store_true", help="jieba without its HMM for unknown words")
    embeddings.add_argument("--quiet", action="store_true", help="no progress bars")
    embeddings.set_defaults(run_vectors=run_embeddings)

    lexicon = sub.add_parser(
        "lexicon", help="write a word lexicon with frequencies counted on training text (for SoftLexicon)",
        description="Write OUT.tsv (word<TAB>count a line, the order of the softlexicon ids) and OUT.tsv.json (its "
                    "manifest). The words: the union of --jieba and --words, kept only if they have a vector in "
                    "--vectors (the vectors' words alone when neither is given). The counts: occurrences in the "
                    "--count texts that no longer matched lexicon word covers (Ma et al. 2020); give training text "
                    "only. --restrict-to keeps only the words that occur in those texts (e.g. a task's "
                    "train+dev+test: on them the model behaves exactly as with the whole lexicon).")
    lexicon.add_argument("out")
    lexicon.add_argument("--jieba", action="store_true", help="the words of jieba's dictionary (dict.txt)")
    lexicon.add_argument("--words", nargs="+", default=[], metavar="FILE",
                         help="word lists: the first whitespace-separated field of each line")
    lexicon.add_argument("--vectors", default=None, metavar="FILE",
                         help="word vectors (word2vec text, plain or .gz): keep only words that have one")
    lexicon.add_argument("--max-word-length", type=int, default=None, help="leave out longer words")
    lexicon.add_argument("--count", nargs="+", default=[], metavar="FILE", help="training text to count on")
    lexicon.add_argument("--restrict-to", nargs="+", default=[], metavar="FILE",
                         help="keep only words that occur in these texts")
    lexicon.add_argument("--format", default="text", choices=["text", "char_ner", "cws"],
                         help="format of the --count and --restrict-to files: text (a sentence a line, plain or "
                              ".gz), char_ner (CoNLL char<TAB>tag), cws (words separated by spaces)")
    lexicon.set_defaults(run_vectors=run_lexicon)


def run_embeddings(args) -> int:
    from glyce_allennlp.vectors.word2vec import train_vectors

    if not args.text and not args.segmented:
        print("give at least one input: --text FILE or --segmented FILE", file=sys.stderr)
        return 2
    dims = {kind: value for kind, value in (("chars", args.char_dim), ("bigrams", args.bigram_dim),
                                            ("words", args.word_dim)) if value is not None}
    manifest = train_vectors(args.out_dir, texts=args.text, segmented=args.segmented, kinds=args.kinds, dims=dims,
                             dim=args.dim, window=args.window, min_count=args.min_count, epochs=args.epochs,
                             sg=0 if args.cbow else 1, negative=args.negative, seed=args.seed, workers=args.workers,
                             user_dict=args.user_dict, hmm=not args.no_hmm, progress=not args.quiet)
    print(json.dumps({kind: {k: v[k] for k in ("file", "dim", "vocabulary_size", "bytes", "seconds")}
                      for kind, v in manifest["vectors"].items()}, indent=1))
    print(f"{manifest['seconds']} s in all; manifest: {args.out_dir}/manifest.json")
    return 0


def run_lexicon(args) -> int:
    from glyce_allennlp.vectors.lexicon import build_lexicon

    manifest = build_lexicon(args.out, jieba=args.jieba, word_lists=args.words, vectors=args.vectors,
                             max_word_length=args.max_word_length, count_files=args.count,
                             restrict_to=args.restrict_to, fmt=args.format)
    print(f"{args.out}: {manifest['words']} words, {manifest['words_counted']} seen in the --count texts; "
          f"manifest: {args.out}.json")
    return 0
