"""Model archives are self-contained: loading a model reads no glyph encoder file.

What AllenNLP 2.10.1 does (``allennlp.models.model``): a model loaded from its weights (``Model.load`` → ``_load``,
the path of ``load_archive``, ``allennlp predict`` / ``evaluate``, a ``from_archive`` model) is first built from its
training config, then its weights are loaded from ``weights.th``. To keep that build from reading files whose
contents the weights replace, ``_load`` passes the model's params through ``remove_keys_from_params``, which drops
every ``pretrained_file`` (``embedding``'s pretrained vectors) and ``initializer``; models that override ``_load`` do
the same through ``remove_weights_related_keys_from_params``. It knows nothing of the ``glyce`` and ``glyce_word``
embedders' ``glyph_encoder: {"pretrained": "default" | PATH, "freeze": ...}``, so loading an archive read the encoder
file and checked it against its manifest: an archive trained with a PATH could not be loaded where that file is
missing, and one trained with ``"default"`` broke when the package's default encoder changed its options, although
the encoder's weights are in ``weights.th`` either way.

What this module does: ``remove_keys_from_params`` as ``allennlp.models.model`` calls it (both paths above) also
sets the ``pretrained`` of every ``glyph_encoder`` in the params to
:data:`~glyce_allennlp.glyph.encoder.FROM_ARCHIVE` (``"from_archive"``), whenever it drops ``pretrained_file``: the
embedder then builds its CNN from the config's options with no file read, keeps ``freeze`` (no gradient into a
frozen CNN, whose glyph-vector table is computed from the loaded weights at the first forward pass), and the loaded
weights' fonts are still checked against the fonts they recorded (``font_sha256``,
:class:`~glyce_allennlp.glyph.embedding.GlyphEmbedding`).

Why there: it is the point where AllenNLP itself decides that the weights come from a state dict, so it covers every
way a model is loaded and nothing else. ``allennlp train`` (``--recover`` included) builds its model with
``Model.from_params`` and never calls it, so training still reads and checks the encoder file; ``--recover`` needs the
file like the training start did, then the checkpoint's weights replace the encoder's. The alternatives are worse:
wrapping ``load_archive`` misses ``Model.load`` on a serialization folder; rewriting ``config.json`` when archiving
would misstate how the model was trained and leave existing archives as they are; copying the encoder file into the
archive would store weights ``weights.th`` already holds. The config keeps ``pretrained`` (a marker, not a removal,
unlike ``pretrained_file``) because the embedder must know that the weights come afterwards: it defers the frozen
table, and refuses a forward pass before the weights arrive.

Only ``allennlp.models.model``'s binding is replaced: ``allennlp.common.params.remove_keys_from_params`` (the
function itself, also recursive) stays as it is for any other caller.
"""
import functools
from typing import Any

from allennlp.common import params as _params
from allennlp.models import model as _model

from glyce_allennlp.glyph.encoder import FROM_ARCHIVE

_original_remove_keys_from_params = _params.remove_keys_from_params


def mark_glyph_encoders_from_archive(config: Any) -> None:
    """Set ``pretrained`` to :data:`FROM_ARCHIVE` in every ``glyph_encoder`` mapping found in ``config`` (a ``Params``,
    dict or list, searched through nested dicts and lists), in place. Anything else is left as it is (a
    ``glyph_encoder`` of ``None``, one without ``pretrained``: the embedder reports those)."""
    if isinstance(config, _params.Params):
        config = config.params
    if isinstance(config, dict):
        encoder = config.get("glyph_encoder")
        if isinstance(encoder, dict) and "pretrained" in encoder:
            encoder["pretrained"] = FROM_ARCHIVE
        for value in config.values():
            mark_glyph_encoders_from_archive(value)
    elif isinstance(config, list):
        for value in config:
            mark_glyph_encoders_from_archive(value)


@functools.wraps(_original_remove_keys_from_params)
def remove_keys_and_archived_glyph_encoders(params, keys=("pretrained_file", "initializer")):
    _original_remove_keys_from_params(params, list(keys))
    if "pretrained_file" in keys:
        mark_glyph_encoders_from_archive(params)


def apply() -> None:
    current = _model.remove_keys_from_params
    if current is remove_keys_and_archived_glyph_encoders:
        return
    if current is not _original_remove_keys_from_params:
        raise RuntimeError("allennlp.models.model.remove_keys_from_params is not AllenNLP's own: something else "
                           "replaced it, and glyce_allennlp.patches.archived_glyph_encoders would hide that.")
    _model.remove_keys_from_params = remove_keys_and_archived_glyph_encoders
