"""What one request to ``glyce-allennlp serve`` may ask for (no heavy imports: the command line reads the defaults)."""
from dataclasses import asdict, dataclass
from typing import Dict


@dataclass(frozen=True)
class Limits:
    """What one request may ask for (defaults of ``glyce-allennlp serve``).

    max_body_bytes : size of a request body (413 above).
    max_chars : characters of one text, one sentence of a pair, one parser line (413 above).
    max_lines : inputs in one request: lines, pairs or SRL blocks (413 above).
    max_srl_words : rows (words) of one CoNLL-2009 sentence (413 above).
    max_glyph_chars : characters of one ``/glyphs`` sheet (413 above).
    """

    max_body_bytes: int = 1 << 20
    max_chars: int = 1000
    max_lines: int = 64
    max_srl_words: int = 300
    max_glyph_chars: int = 32

    def as_dict(self) -> Dict[str, int]:
        return asdict(self)
