"""The models a server holds: one trained archive each, with its predictor, task, labels and fonts.

Only AllenNLP's public predictor API is used: ``Predictor.from_archive(archive, name)``, ``predictor.load_line``
(the same line format as ``allennlp predict``) and ``predictor.predict_batch_json``; the results are exactly the
predictors' JSON records.

Tasks (from the archive's dataset reader; a ``bert_sentence_input`` reader counts as the reader it wraps):

========== ================================ ======================== ================================================
task       reader                           predictor                one input
========== ================================ ======================== ================================================
cws        tag_output = "words"             chinese_tagger           a raw text
pos        tag_output = "word_pos"          chinese_tagger           a raw text
ner        tag_output = "entities"          chinese_tagger           a raw text
classifier chinese_text_classification      chinese_text_classifier  a raw text
pair       chinese_sentence_pair            chinese_pair_classifier  two sentences (one ``s1<TAB>s2`` line)
parser     conll_dependencies               chinese_dependency_parser a line of words (``word`` or ``word_POS``)
srl        conll2009_srl                    chinese_srl              one CoNLL-2009 sentence (its rows)
========== ================================ ======================== ================================================
"""
import logging
import os
import threading
from dataclasses import dataclass, field
from typing import Dict, List, Optional

logger = logging.getLogger(__name__)

TAGGING_TASKS = {"words": "cws", "word_pos": "pos", "entities": "ner"}  # reader tag_output → task
READER_TASKS = {"chinese_text_classification": "classifier", "chinese_sentence_pair": "pair",
                "conll_dependencies": "parser", "conll2009_srl": "srl"}
PREDICTORS = {"cws": "chinese_tagger", "pos": "chinese_tagger", "ner": "chinese_tagger",
              "classifier": "chinese_text_classifier", "pair": "chinese_pair_classifier",
              "parser": "chinese_dependency_parser", "srl": "chinese_srl"}
TASKS = tuple(PREDICTORS)
# where a model keeps the name of its label namespace, and the namespace when it names none
LABEL_NAMESPACE_ATTRIBUTES = ("label_namespace", "_label_namespace", "role_namespace")
DEFAULT_LABEL_NAMESPACE = {"parser": "head_tags"}
NOT_LABELS = ("@@PADDING@@", "@@UNKNOWN@@")


class ServeError(ValueError):
    """An archive that cannot be served (names the archive and why)."""


@dataclass
class ServedModel:
    """One loaded archive. ``lock`` serialises every use of the model (prediction, glyph vectors): AllenNLP models
    are not safe to call from two threads at once."""

    name: str
    task: str
    archive: str
    predictor: object  # allennlp Predictor
    labels: List[str]
    fonts: List[str]  # the glyph embedder's fonts as configured (registry names or font files), [] without one
    glyph: Optional[object] = None  # the GlyphEmbedding, None for a model without glyph vectors
    lock: threading.Lock = field(default_factory=threading.Lock)

    def predict_lines(self, lines: List[str]) -> List[Dict]:
        """One predictor record per line (each line as ``allennlp predict`` reads one), in order."""
        with self.lock:
            return self.predictor.predict_batch_json([self.predictor.load_line(line) for line in lines])

    def predict_json(self, inputs: List[Dict]) -> List[Dict]:
        """One predictor record per JSON input (e.g. ``{"conll2009": block}`` for SRL), in order."""
        with self.lock:
            return self.predictor.predict_batch_json(inputs)

    def describe(self) -> Dict:
        return {"name": self.name, "task": self.task, "predictor": PREDICTORS[self.task],
                "archive": os.path.basename(self.archive), "labels": self.labels,
                "fonts": [font_display_name(f) for f in self.fonts],
                "image_size": self.glyph.renderer.image_size if self.glyph is not None else None}


def font_display_name(font: str) -> str:
    """A registry name as it is; a font file by its file name (a server path is not shown to clients)."""
    return os.path.basename(font) if os.sep in font or "/" in font else font


def reader_type(config) -> str:
    """The dataset reader's registered name; for ``bert_sentence_input``, that of the reader it wraps."""
    reader = config.get("dataset_reader")
    name = reader.get("type")
    if name == "bert_sentence_input":
        name = reader.get("reader").get("type")
    return name


def task_of(config, archive: str) -> str:
    """The task of an archive (see the module docstring), from its config's dataset reader."""
    from allennlp.data import DatasetReader

    name = reader_type(config)
    if name in READER_TASKS:
        return READER_TASKS[name]
    try:
        reader_class = DatasetReader.by_name(name)
    except Exception as error:  # an unregistered reader
        raise ServeError(f"{archive}: unknown dataset reader {name!r}: {error}") from error
    tag_output = getattr(reader_class, "tag_output", None)
    if tag_output in TAGGING_TASKS:
        return TAGGING_TASKS[tag_output]
    raise ServeError(f"{archive}: cannot serve a model trained with the {name!r} reader (served: the readers of "
                     f"glyce_allennlp's taggers, classifiers, pair classifiers, parsers and SRL models)")


def label_namespace(model, task: str) -> str:
    from glyce_allennlp.models.glyce_aux_loss import unwrap_model

    inner = unwrap_model(model)
    for attribute in LABEL_NAMESPACE_ATTRIBUTES:
        value = getattr(inner, attribute, None)
        if isinstance(value, str):
            return value
    return DEFAULT_LABEL_NAMESPACE.get(task, "labels")


def model_labels(model, task: str) -> List[str]:
    """The tokens of the model's label namespace, in index order (padding / unknown entries left out)."""
    vocabulary = model.vocab.get_index_to_token_vocabulary(label_namespace(model, task))
    return [token for _, token in sorted(vocabulary.items()) if token not in NOT_LABELS]


def load_served_model(archive: str, name: Optional[str] = None, cuda_device: int = -1) -> ServedModel:
    """Load ``archive`` (a ``model.tar.gz`` or a serialization folder) with the predictor of its task.
    ``name`` defaults to the task."""
    from allennlp.models.archival import load_archive
    from allennlp.predictors import Predictor

    import glyce_allennlp
    from glyce_allennlp.glyph_archive import find_glyph_embeddings

    glyce_allennlp.load_components()
    if not os.path.exists(archive):
        raise ServeError(f"{archive}: no such archive")
    if os.path.isdir(archive):
        archive = os.path.join(archive, "model.tar.gz")
        if not os.path.exists(archive):
            raise ServeError(f"{os.path.dirname(archive)}: a folder without model.tar.gz")
    loaded = load_archive(archive, cuda_device=cuda_device)
    task = task_of(loaded.config, archive)
    predictor = Predictor.from_archive(loaded, PREDICTORS[task])
    glyphs = find_glyph_embeddings(loaded.model)
    glyph = glyphs[0][1] if glyphs else None
    fonts = [font.label for font in glyph.renderer.fonts] if glyph is not None else []
    logger.info("serving %s (%s) from %s", name or task, task, archive)
    return ServedModel(name=name or task, task=task, archive=archive, predictor=predictor,
                       labels=model_labels(loaded.model, task), fonts=fonts, glyph=glyph)
