from glyce_allennlp.data.glyce_character_indexer import GlyceCharacterIndexer
from glyce_allennlp.data.glyce_word_indexer import GlyceWordCharactersIndexer
from glyce_allennlp.data.char_bigram_indexer import CharBigramIndexer
from glyce_allennlp.data.softlexicon_indexer import SoftLexiconIndexer

from glyce_allennlp.patches import apply as _apply_patches  # noqa: E402

_apply_patches()  # AllenNLP's runtime patches (glyce_allennlp.patches) for every use of this subpackage
