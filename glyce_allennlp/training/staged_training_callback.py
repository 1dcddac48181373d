"""``glyce_bert_stages``: the paper's BERT-glyce-joint training recipe (Meng et al. 2019, §4.7 / Tables 8–11) as a
trainer callback.

Stage 1 (``bert_epochs`` epochs): fine-tune BERT, glyph side frozen. Stage 2 (``glyph_epochs`` epochs): BERT frozen,
glyph side trained. Stage 3 (the remaining epochs of ``trainer.num_epochs``): everything trained jointly. The task
layers (the Glyce transformer layers, the CRF / classification head) train in every stage.

Freezing sets ``requires_grad = False``: the frozen parameters get no gradient (``grad`` stays ``None``), so the
optimizer (Adam/AdamW, weight decay included) leaves them — and their moment estimates — unchanged. The optimizer is
built before training with every parameter, so nothing has to be rebuilt when a stage starts. Frozen modules stay in
training mode (their dropout is active).
"""
import logging
import re
from typing import Any, Dict, List, Optional, Tuple

from allennlp.common.checks import ConfigurationError
from allennlp.training.callbacks.callback import TrainerCallback

logger = logging.getLogger(__name__)

STAGE_NAMES = {1: "fine-tune BERT, glyph side frozen", 2: "BERT frozen, train the glyph side",
               3: "train BERT and glyph side jointly"}


def _model(trainer):
    return getattr(trainer, "model", None) or getattr(trainer, "_pytorch_model", None)


@TrainerCallback.register("glyce_bert_stages")
class GlyceBertStagesCallback(TrainerCallback):
    """Staged Glyce-BERT training (see the module docstring): stage 1 for epochs ``[0, bert_epochs)``, stage 2 for
    ``[bert_epochs, bert_epochs + glyph_epochs)``, stage 3 afterwards. The active stage is logged at the start of
    every epoch (``glyce_bert_stages: epoch 3: stage 2 (BERT frozen, train the glyph side) …``).

    Works with ``allennlp train --recover``: at start it reads the number of epochs the trainer has already completed
    and sets that epoch's stage. At the end of training every parameter is trainable again (except those the
    configuration itself froze, e.g. ``train_parameters: false``, which no stage unfreezes).

    Parameters
    ----------
    serialization_dir : passed by AllenNLP.
    bert_epochs : length of stage 1 in epochs (0 skips it).
    glyph_epochs : length of stage 2 in epochs (0 skips it).
    bert_parameters, glyph_parameters : regexes of parameter names (``re.search``) of the BERT side and of the glyph
        side. Default: found by module type — BERT = every ``pretrained_transformer`` embedder (also inside
        ``pretrained_transformer_mismatched[_sliding]``); glyph side = every ``glyce`` / ``glyce_word`` token embedder
        (glyph CNN, auxiliary classifier, char-ID and position embeddings, highway) and any other glyph embedding.
    """

    def __init__(self, serialization_dir: str, bert_epochs: int = 1, glyph_epochs: int = 1,
                 bert_parameters: Optional[List[str]] = None, glyph_parameters: Optional[List[str]] = None) -> None:
        super().__init__(serialization_dir)
        if bert_epochs < 0 or glyph_epochs < 0:
            raise ConfigurationError(f"bert_epochs and glyph_epochs must be >= 0, got {bert_epochs}, {glyph_epochs}")
        self.bert_epochs = int(bert_epochs)
        self.glyph_epochs = int(glyph_epochs)
        self.bert_parameters = bert_parameters
        self.glyph_parameters = glyph_parameters
        self.stage: Optional[int] = None
        self._trainable: Optional[set] = None  # parameters trainable before the first stage (config's own freezing)

    def stage_of(self, epoch: int) -> int:
        """The stage (1, 2 or 3) of a 0-based epoch."""
        if epoch < self.bert_epochs:
            return 1
        if epoch < self.bert_epochs + self.glyph_epochs:
            return 2
        return 3

    # ------------------------------------------------------------------------------------------------ groups
    def parameter_groups(self, model) -> Tuple[List[str], List[str]]:
        """Names of the BERT-side and of the glyph-side parameters of ``model``."""
        named = list(model.named_parameters())
        if self.bert_parameters is not None:
            bert = [n for n, _ in named if any(re.search(r, n) for r in self.bert_parameters)]
        else:
            from allennlp.modules.token_embedders import PretrainedTransformerEmbedder

            ids = {id(p) for m in model.modules() if isinstance(m, PretrainedTransformerEmbedder)
                   for p in m.parameters()}
            bert = [n for n, p in named if id(p) in ids]
        if self.glyph_parameters is not None:
            glyph = [n for n, _ in named if any(re.search(r, n) for r in self.glyph_parameters)]
        else:
            from glyce_allennlp.glyph import GlyphEmbedding
            from glyce_allennlp.modules.glyce_token_embedder import GlyceTokenEmbedder
            from glyce_allennlp.modules.glyce_word_embedder import GlyceWordEmbedder

            kinds = (GlyceTokenEmbedder, GlyceWordEmbedder, GlyphEmbedding)
            ids = {id(p) for m in model.modules() if isinstance(m, kinds) for p in m.parameters()}
            glyph = [n for n, p in named if id(p) in ids]
        both = set(bert) & set(glyph)
        if both:
            raise ConfigurationError(f"parameters on both the BERT and the glyph side: {sorted(both)[:5]}")
        if not bert or not glyph:
            raise ConfigurationError(f"glyce_bert_stages needs a model with a BERT side and a glyph side; found "
                                     f"{len(bert)} BERT and {len(glyph)} glyph parameters")
        return bert, glyph

    def set_stage(self, model, stage: int, epoch: Optional[int] = None) -> None:
        """Set ``requires_grad`` of every parameter of ``model`` for ``stage``."""
        bert, glyph = self.parameter_groups(model)
        if self._trainable is None:
            self._trainable = {name for name, p in model.named_parameters() if p.requires_grad}
        frozen = set(glyph) if stage == 1 else set(bert) if stage == 2 else set()
        for name, parameter in model.named_parameters():
            parameter.requires_grad_(name in self._trainable and name not in frozen)
        self.stage = stage
        side = {1: "glyph", 2: "BERT"}.get(stage)
        logger.info("glyce_bert_stages: epoch %s: stage %d (%s): %s", epoch if epoch is not None else "-", stage,
                    STAGE_NAMES[stage], f"{len(frozen)} {side} parameter tensors frozen" if side else "all trainable")

    # ------------------------------------------------------------------------------------------------ callbacks
    def on_start(self, trainer, is_primary: bool = True, **kwargs) -> None:
        epoch = max(int(getattr(trainer, "_epochs_completed", 0) or 0),
                    int(getattr(trainer, "_start_after_epochs_completed", 0) or 0))
        num_epochs = getattr(trainer, "_num_epochs", None)
        if num_epochs is not None and num_epochs <= self.bert_epochs + self.glyph_epochs:
            logger.warning("glyce_bert_stages: num_epochs=%d ends before stage 3 (bert_epochs=%d, glyph_epochs=%d)",
                           num_epochs, self.bert_epochs, self.glyph_epochs)
        self.set_stage(_model(trainer), self.stage_of(epoch), epoch)

    def on_epoch(self, trainer, metrics: Dict[str, Any], epoch: int, is_primary: bool = True, **kwargs) -> None:
        num_epochs = getattr(trainer, "_num_epochs", None)
        if num_epochs is not None and epoch + 1 >= num_epochs:
            return
        stage = self.stage_of(epoch + 1)
        if stage != self.stage:
            self.set_stage(_model(trainer), stage, epoch + 1)
        else:
            logger.info("glyce_bert_stages: epoch %d: stage %d (%s)", epoch + 1, stage, STAGE_NAMES[stage])

    def on_end(self, trainer, metrics: Dict[str, Any] = None, epoch: int = None, is_primary: bool = True,
               **kwargs) -> None:
        model = _model(trainer)
        if model is not None and self._trainable is not None:
            for name, parameter in model.named_parameters():
                parameter.requires_grad_(name in self._trainable)
