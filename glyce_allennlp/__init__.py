"""glyce-allennlp: Glyce glyph vectors for Chinese as AllenNLP components.

Importing this package is cheap and does not import AllenNLP: the glyph core (:mod:`glyce_allennlp.glyph`) and the
``glyce-allennlp`` command line work without it. The AllenNLP components (readers, the ``glyce_characters`` indexer,
the ``glyce`` token embedder, the ``glyce_aux_loss`` model wrapper, the ``glyce_aux_lambda`` callback, predictors) are
registered by ``--include-package glyce_allennlp`` (AllenNLP imports every submodule), or from Python by
:func:`load_components`; the runtime patches of AllenNLP (:mod:`glyce_allennlp.patches`) are applied whenever one of
those AllenNLP-facing subpackages is imported.
"""
import os
import sys

__version__ = "0.1.0"

# Optional config variables read with std.extVar(): unset means "" (jsonnet has no default for extVar). AllenNLP
# passes the environment to jsonnet, and `--include-package glyce_allennlp` imports us before the config is parsed.
for _name in ("TEST_DATA_PATH", "CHAR_VECTORS", "BIGRAM_VECTORS", "WORD_VECTORS", "LEXICON_FILE"):
    os.environ.setdefault(_name, "")


def vector_dim(path: str) -> str:
    """The vector size of the word2vec text file ``path`` (plain or ``.gz``), as a string: the second number of a
    ``"<count> <dim>"`` first line, else the number of fields after the token of the first line; "" when the file
    cannot be read."""
    import gzip

    try:
        with (gzip.open if path.endswith(".gz") else open)(path, "rt", encoding="utf-8") as handle:
            fields = handle.readline().split()
    except (OSError, UnicodeDecodeError, EOFError):
        return ""
    if len(fields) == 2 and all(f.isdigit() for f in fields):
        return fields[1]
    return str(len(fields) - 1) if len(fields) > 1 else ""


def _set_vector_dims() -> None:
    """The sizes of the pretrained-input configs' vectors (training_configs/pretrained_inputs.libsonnet): CHAR_DIM,
    BIGRAM_DIM and WORD_DIM, when unset or empty, become the size written in the files CHAR_VECTORS, BIGRAM_VECTORS
    and WORD_VECTORS ("" without a file); a value given is kept."""
    for path_name, dim_name in (("CHAR_VECTORS", "CHAR_DIM"), ("BIGRAM_VECTORS", "BIGRAM_DIM"),
                                ("WORD_VECTORS", "WORD_DIM")):
        if not os.environ.get(dim_name):
            os.environ[dim_name] = vector_dim(os.environ.get(path_name, "")) if os.environ.get(path_name) else ""


_set_vector_dims()


def _bert_dim() -> str:
    """Default of BERT_DIM (the Glyce-BERT configs' BERT hidden size): ``hidden_size`` from
    ``$BERT_MODEL/config.json`` when that file can be read, else "" (those configs then stop with a message)."""
    import json

    try:
        with open(os.path.join(os.environ["BERT_MODEL"], "config.json"), encoding="utf-8") as f:
            return str(int(json.load(f)["hidden_size"]))
    except (KeyError, OSError, ValueError, TypeError):
        return ""


if "BERT_DIM" not in os.environ:
    os.environ["BERT_DIM"] = _bert_dim()


def _cuda_device() -> str:
    """Default of CUDA_DEVICE (the configs' ``trainer.cuda_device``): "0" (the first GPU) when torch sees a GPU, else
    "-1" (the CPU). Imports torch."""
    import torch

    return "0" if torch.cuda.is_available() else "-1"


def _set_cuda_device_default() -> None:
    """Set CUDA_DEVICE to :func:`_cuda_device` when it is unset or empty; a value given is kept (the configs check it)."""
    if not os.environ.get("CUDA_DEVICE"):
        os.environ["CUDA_DEVICE"] = _cuda_device()


# Only when torch is already loaded (always so under `allennlp train`, which imports it before --include-package):
# importing this package must stay cheap. load_components() sets it too.
if sys.modules.get("torch") is not None:  # (None: an import of torch is blocked)
    _set_cuda_device_default()


def set_config_defaults() -> None:
    """Give every environment variable the configs read with ``std.extVar`` its default, as ``--include-package
    glyce_allennlp`` does before AllenNLP parses a config: "" for the optional paths, CHAR_DIM / BIGRAM_DIM /
    WORD_DIM from the vector files, BERT_DIM from ``$BERT_MODEL/config.json``, CUDA_DEVICE from torch (imports torch).
    Values already set are kept. For code that evaluates configs itself (e.g. the benchmark harness)."""
    for name in ("TEST_DATA_PATH", "CHAR_VECTORS", "BIGRAM_VECTORS", "WORD_VECTORS", "LEXICON_FILE"):
        os.environ.setdefault(name, "")
    _set_vector_dims()
    if not os.environ.get("BERT_DIM"):
        os.environ["BERT_DIM"] = _bert_dim()
    _set_cuda_device_default()


def load_components() -> None:
    """Register every glyce_allennlp component with AllenNLP (and allennlp-models' plugins, e.g. ``crf_tagger``),
    exactly as ``allennlp ... --include-package glyce_allennlp`` does."""
    from allennlp.common.plugins import import_plugins
    from allennlp.common.util import import_module_and_submodules

    from glyce_allennlp import patches

    patches.apply()
    import_plugins()
    import_module_and_submodules("glyce_allennlp")
    set_config_defaults()
