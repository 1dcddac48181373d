from glyce_allennlp.modules.glyce_token_embedder import GlyceTokenEmbedder
from glyce_allennlp.modules.glyce_word_embedder import GlyceWordEmbedder
from glyce_allennlp.modules.sliding_window_embedder import SlidingWindowMismatchedEmbedder
from glyce_allennlp.modules.softlexicon_embedder import SoftLexiconEmbedder

from glyce_allennlp.patches import apply as _apply_patches  # noqa: E402

_apply_patches()  # AllenNLP's runtime patches (glyce_allennlp.patches) for every use of this subpackage
