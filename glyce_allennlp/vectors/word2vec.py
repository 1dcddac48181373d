"""Train character, character-bigram and word vectors on raw text with gensim's Word2Vec (no AllenNLP).

:func:`train_vectors` reads every input once and writes one token file per kind (one sentence per line, tokens
separated by spaces), then trains one Word2Vec model per kind on its token file (gensim's ``corpus_file`` mode) and
writes the vectors in word2vec text format, gzip-compressed, most frequent token first:

* ``chars.vec.gz``: one vector per character (whitespace is never a token);
* ``bigrams.vec.gz``: one vector per character bigram, as :func:`~glyce_allennlp.vectors.text.char_bigrams` makes
  them (the bigram each character starts; the last character of a line pairs with ``</s>``), i.e. exactly the tokens
  the ``char_bigrams`` token indexer looks up;
* ``words.vec.gz``: one vector per word. Words come from a segmented text (``segmented`` inputs: words separated by
  whitespace) or from jieba (``texts`` inputs; jieba's default dictionary, plus ``user_dict`` if given).

A line is one sentence (a Weibo post, a news document); a line without characters is skipped. ``manifest.json`` beside
the vectors records the inputs (path, size, sha256: see :mod:`~glyce_allennlp.vectors.manifest`), the parameters,
the library versions, and per kind the vocabulary size, the number of training tokens, the file size and the seconds.

Reproducibility: the initial vectors come from ``seed``; with ``workers=1`` two runs on the same machine give
identical files. With more workers gensim's threads update the vectors concurrently and the last digits differ from
run to run. Another processor can give other bytes with one worker too: gensim's dot products and updates call the
BLAS that scipy bundles (OpenBLAS), which picks its kernels for the processor it runs on, and another kernel sums in
another order. The manifest's ``"blas"`` records the kernels that trained the vectors (and ``OPENBLAS_CORETYPE`` if it
was set); running with the same ``OPENBLAS_CORETYPE`` (e.g. ``Haswell`` on any x86-64 processor with AVX2) gives the
same bytes on another processor.
"""
import os
import shutil
import tempfile
import time
from multiprocessing import Pool
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from glyce_allennlp.vectors.manifest import describe_input, write_manifest
from glyce_allennlp.vectors.text import char_bigrams, read_text_lines, reproducible_gzip, sentence_chars

__all__ = ["KINDS", "MANIFEST_NAME", "vector_file_name", "train_vectors", "blas_kernels", "cpu_flags"]

KINDS = ("chars", "bigrams", "words")
MANIFEST_NAME = "manifest.json"
_CHUNK_LINES = 2000


def vector_file_name(kind: str) -> str:
    """``"chars.vec.gz"``, ``"bigrams.vec.gz"`` or ``"words.vec.gz"``."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    return f"{kind}.vec.gz"


# ---------------------------------------------------------------- segmentation (jieba, optionally in worker processes)
_JIEBA = None


def _init_jieba(user_dict: Optional[str], hmm: bool) -> None:
    global _JIEBA
    import jieba

    jieba.setLogLevel(60)  # no "Building prefix dict" chatter from every worker
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    if user_dict:
        tokenizer.load_userdict(user_dict)
    _JIEBA = (tokenizer, hmm)


def _tokenize(chunk: Tuple[bool, List[str]]) -> List[Tuple[List[str], List[str]]]:
    """``(characters, words)`` of each line of a chunk ``(segmented, lines)``."""
    segmented, lines = chunk
    if segmented:
        return [(sentence_chars(line), line.split()) for line in lines]
    tokenizer, hmm = _JIEBA
    return [(sentence_chars(line), [piece for token in tokenizer.cut(line, HMM=hmm) for piece in token.split()])
            for line in lines]


def _chunks(path: str, segmented: bool, size: int = _CHUNK_LINES) -> Iterator[Tuple[bool, List[str]]]:
    chunk = []
    for _, line in read_text_lines(path):
        chunk.append(line)
        if len(chunk) == size:
            yield segmented, chunk
            chunk = []
    if chunk:
        yield segmented, chunk


# ---------------------------------------------------------------- token files
def _write_token_files(inputs: Sequence[Tuple[str, bool]], kinds: Sequence[str], folder: str, workers: int,
                       user_dict: Optional[str], hmm: bool, progress: bool) -> List[Dict]:
    """Write ``folder/<kind>.txt`` for each kind; return per input its number of lines and of sentences (lines with
    characters)."""
    from tqdm import tqdm

    jieba_needed = "words" in kinds and not all(segmented for _, segmented in inputs)
    pool = None
    if jieba_needed and workers > 1:
        pool = Pool(workers, initializer=_init_jieba, initargs=(user_dict, hmm))
    elif jieba_needed:
        _init_jieba(user_dict, hmm)
    handles = {kind: open(os.path.join(folder, f"{kind}.txt"), "w", encoding="utf-8") for kind in kinds}
    counts = []
    try:
        for path, segmented in inputs:
            lines = sentences = 0
            chunks = _chunks(path, segmented or not jieba_needed)
            tokenized = pool.imap(_tokenize, chunks) if pool is not None else map(_tokenize, chunks)
            with tqdm(desc=f"reading {os.path.basename(path)}", unit=" lines", disable=not progress) as bar:
                for chunk in tokenized:
                    for chars, words in chunk:
                        lines += 1
                        if not chars:
                            continue
                        sentences += 1
                        if "chars" in handles:
                            handles["chars"].write(" ".join(chars) + "\n")
                        if "bigrams" in handles:
                            handles["bigrams"].write(" ".join(char_bigrams(chars)) + "\n")
                        if "words" in handles and words:
                            handles["words"].write(" ".join(words) + "\n")
                    bar.update(len(chunk))
            counts.append({"lines": lines, "sentences": sentences})
    finally:
        for handle in handles.values():
            handle.close()
        if pool is not None:
            pool.close()
            pool.join()
    return counts


# ---------------------------------------------------------------- Word2Vec
def _epoch_bar(total: int, desc: str, progress: bool):
    from gensim.models.callbacks import CallbackAny2Vec
    from tqdm import tqdm

    class EpochBar(CallbackAny2Vec):
        def __init__(self):
            self.bar = tqdm(total=total, desc=desc, unit=" epochs", disable=not progress)

        def on_epoch_end(self, model):
            self.bar.update(1)

        def on_train_end(self, model):
            self.bar.close()

    return EpochBar()


def _train_one(corpus_file: str, out_file: str, dim: int, params: Dict, workers: int, seed: int,
               progress: bool, kind: str) -> Dict:
    from gensim.models import Word2Vec

    start = time.time()
    model = Word2Vec(vector_size=dim, window=params["window"], min_count=params["min_count"], sg=params["sg"],
                     negative=params["negative"], sample=params["sample"], workers=workers, seed=seed)
    model.build_vocab(corpus_file=corpus_file)
    if len(model.wv) == 0:
        raise ValueError(f"no {kind} occurs min_count={params['min_count']} times in the input: nothing to train")
    model.train(corpus_file=corpus_file, total_examples=model.corpus_count, total_words=model.corpus_total_words,
                epochs=params["epochs"], callbacks=[_epoch_bar(params["epochs"], f"training {kind}", progress)])
    plain = os.path.join(os.path.dirname(corpus_file), f"{kind}.vec")  # the temporary folder of the corpus
    model.wv.save_word2vec_format(plain, binary=False)
    with open(plain, "rb") as source, reproducible_gzip(out_file) as target:
        shutil.copyfileobj(source, target, 1 << 20)
    os.remove(plain)
    return {"file": os.path.basename(out_file), "dim": dim, "vocabulary_size": len(model.wv),
            "training_tokens": int(model.corpus_total_words), "bytes": os.path.getsize(out_file),
            "seconds": round(time.time() - start, 1)}


def train_vectors(out_dir, texts: Sequence = (), segmented: Sequence = (), kinds: Sequence[str] = KINDS,
                  dims: Optional[Dict[str, int]] = None, dim: int = 100, window: int = 5, min_count: int = 5,
                  epochs: int = 5, sg: int = 1, negative: int = 5, sample: float = 1e-3, seed: int = 13,
                  workers: int = 1, user_dict: Optional[str] = None, hmm: bool = True,
                  progress: bool = True) -> Dict:
    """Train the vectors of ``kinds`` on the files ``texts`` (raw text; words by jieba) and ``segmented`` (words
    separated by whitespace), plain or ``.gz``, UTF-8; write ``<kind>.vec.gz`` and ``manifest.json`` into ``out_dir``
    (created if needed) and return the manifest.

    ``dim`` is the vector size of every kind unless ``dims`` (kind → size) says otherwise. ``window``, ``min_count``
    (a token seen fewer times gets no vector), ``epochs``, ``sg`` (1 skip-gram, 0 CBOW), ``negative``, ``sample``,
    ``seed`` and ``workers`` are gensim's Word2Vec parameters; ``workers`` also runs jieba in that many processes.
    ``user_dict``: a jieba user dictionary (``word [freq] [tag]`` per line); ``hmm``: jieba's HMM for words missing
    from its dictionary (jieba's default: on).
    """
    kinds = list(dict.fromkeys(kinds))
    for kind in kinds:
        vector_file_name(kind)
    if not kinds:
        raise ValueError("no kind of vectors asked for")
    inputs = [(str(p), False) for p in texts] + [(str(p), True) for p in segmented]
    if not inputs:
        raise ValueError("no input text given")
    for path, _ in inputs:
        if not os.path.isfile(path):
            raise FileNotFoundError(f"input text {path} does not exist")
    dims = {kind: int((dims or {}).get(kind, dim)) for kind in kinds}
    params = {"window": window, "min_count": min_count, "epochs": epochs, "sg": sg, "negative": negative,
              "sample": sample}
    os.makedirs(out_dir, exist_ok=True)
    started = time.time()
    manifest = {
        "kind": "glyce-allennlp embeddings",
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "versions": _versions(need_jieba="words" in kinds and any(not s for _, s in inputs)),
        "blas": blas_kernels(),
        "inputs": [describe_input(path, segmented=seg) for path, seg in inputs],
        "parameters": dict(params, dims=dims, seed=seed, workers=workers, jieba_hmm=hmm,
                           jieba_user_dict=describe_input(user_dict) if user_dict else None),
        "vectors": {},
    }
    folder = tempfile.mkdtemp(prefix="glyce-vectors-")
    try:
        prepared = time.time()
        counts = _write_token_files(inputs, kinds, folder, workers, user_dict, hmm, progress)
        for record, count in zip(manifest["inputs"], counts):
            record.update(count)
        manifest["seconds_reading"] = round(time.time() - prepared, 1)
        for kind in kinds:
            manifest["vectors"][kind] = _train_one(os.path.join(folder, f"{kind}.txt"),
                                                   os.path.join(out_dir, vector_file_name(kind)), dims[kind], params,
                                                   workers, seed, progress, kind)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    manifest["seconds"] = round(time.time() - started, 1)
    write_manifest(manifest, os.path.join(out_dir, MANIFEST_NAME))
    return manifest


def blas_kernels() -> Dict:
    """The BLAS libraries loaded in this process, as ``{"OPENBLAS_CORETYPE": value or None, "libraries": [{"library":
    file name, "version", "architecture": the kernel set it picked, e.g. "Haswell", "SkylakeX"}]}`` (threadpoolctl's
    view). gensim's training calls scipy's; numpy's is listed too once loaded."""
    import scipy.linalg  # noqa: F401  (loads scipy's BLAS, the one gensim calls)
    from threadpoolctl import threadpool_info

    libraries = [{"library": os.path.basename(info.get("filepath", "")), "version": info.get("version"),
                  "architecture": info.get("architecture")}
                 for info in threadpool_info() if info.get("user_api") == "blas"]
    return {"OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"), "libraries": libraries}


def cpu_flags() -> List[str]:
    """The processor's feature flags as /proc/cpuinfo lists them (e.g. "avx2": whether OpenBLAS's Haswell kernels can
    run); ``[]`` where there is no /proc/cpuinfo (not Linux)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            return next((line.split(":", 1)[1].split() for line in handle if line.startswith("flags")), [])
    except OSError:
        return []


def _versions(need_jieba: bool) -> Dict[str, Optional[str]]:
    import gensim

    from glyce_allennlp import __version__

    versions = {"glyce_allennlp": __version__, "gensim": gensim.__version__, "jieba": None}
    if need_jieba:
        import jieba

        versions["jieba"] = jieba.__version__
    return versions
