"""Runtime patches of AllenNLP 2.10.1, applied by :func:`apply`.

Import-time breakages of AllenNLP on this stack are handled by the pins in ``requirements/constraints.txt``; what can
only be fixed at run time is here, one module per concern (each module's docstring says what upstream does wrong and
what the patch does):

* :mod:`.predict_io`: ``allennlp predict`` keeps blank input lines for our predictors (one output line per input
  line), reads input as UTF-8 split on ``"\\n"`` only, survives invalid UTF-8, writes UTF-8 output;
* :mod:`.checkpoints`: atomic checkpoint writes, incomplete checkpoints skipped by ``--recover``, temporary files of
  killed writers removed at the next start, torch RNG state saved and restored for ``--recover``;
* :mod:`.archives`: atomic ``model.tar.gz``, verification before loading (:mod:`glyce_allennlp.archive_check`);
* :mod:`.archived_glyph_encoders`: a model loaded from its weights (an archive) builds its glyph encoders without
  reading the encoder files, whose weights the archive holds;
* :mod:`.distributed_metrics`: ``SpanBasedF1Measure`` aggregated over the workers of distributed training;
* :mod:`.distributed_evaluation`: the test set is evaluated after distributed training (it crashed upstream);
* :mod:`.nltk_downloads`: no NLTK downloads (and no ``[nltk_data] Error loading punkt`` lines) when AllenNLP imports
  allennlp-models. This one must act before AllenNLP imports its plugins, which is before ``--include-package``:
  ``make setup`` installs it into the environment's interpreter start (see the module); :func:`apply` installs it
  in-process too.

(:mod:`.atomic_files` holds the AllenNLP-free file helpers the checkpoint and archive patches share.)

How the patches get applied: :func:`apply` is the one entry point. It checks the installed AllenNLP version, then
patches, once per process (later calls return at once). Importing this package does not patch and does not import
AllenNLP. It is called

* by every AllenNLP-facing subpackage of glyce_allennlp (``data``, ``dataset_readers``, ``models``, ``modules``,
  ``predictors``, ``training``) at the end of its ``__init__``: so ``allennlp ... --include-package
  glyce_allennlp`` (AllenNLP imports every submodule, in every distributed worker too), ``--include-package
  glyce_allennlp.predictors``, and a user's ``import glyce_allennlp.predictors`` all get the patches before any
  component is used;
* by :func:`glyce_allennlp.load_components`.

``import glyce_allennlp`` alone (the glyph core, the ``glyce-allennlp`` command) imports neither AllenNLP nor torch
and patches nothing.
"""

SUPPORTED_ALLENNLP_VERSION = "2.10.1"

_applied = False


class UnsupportedAllenNLPVersion(RuntimeError):
    """The installed AllenNLP is not the version these patches were written against."""


def check_allennlp_version() -> None:
    """Raise :class:`UnsupportedAllenNLPVersion` unless ``allennlp.version.VERSION`` is
    :data:`SUPPORTED_ALLENNLP_VERSION`: the patches replace and wrap AllenNLP internals of that exact release."""
    from allennlp import version

    if version.VERSION != SUPPORTED_ALLENNLP_VERSION:
        raise UnsupportedAllenNLPVersion(
            f"glyce-allennlp supports AllenNLP {SUPPORTED_ALLENNLP_VERSION}, but AllenNLP {version.VERSION} is "
            f"installed: its runtime patches (glyce_allennlp.patches) wrap internals of AllenNLP "
            f"{SUPPORTED_ALLENNLP_VERSION}. Install allennlp=={SUPPORTED_ALLENNLP_VERSION} and "
            f"allennlp-models=={SUPPORTED_ALLENNLP_VERSION} (pip install --no-deps -c requirements/constraints.txt "
            f"allennlp allennlp-models).")


def apply() -> None:
    """Check the AllenNLP version (every call), then apply every patch of this package once per process."""
    global _applied
    check_allennlp_version()
    if _applied:
        return
    from glyce_allennlp.patches import (archived_glyph_encoders, archives, checkpoints, distributed_evaluation,
                                        distributed_metrics, nltk_downloads, predict_io)

    nltk_downloads.install_finder()
    for patch in (predict_io, checkpoints, archives, archived_glyph_encoders, distributed_metrics,
                  distributed_evaluation):
        patch.apply()
    _applied = True
