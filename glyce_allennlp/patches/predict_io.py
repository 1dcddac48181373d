"""``allennlp predict`` for line-oriented predictors: one output line per input line, UTF-8 in and out.

What AllenNLP 2.10.1 does wrong (``allennlp.commands.predict._PredictManager``):

* ``_get_json_data`` drops whitespace-only input lines, so the n-th output line no longer belongs to the n-th input
  line;
* it reads the input in Python's text mode with the locale's encoding: a lone ``"\\r"`` starts a new line there, and
  one line that is not valid UTF-8 aborts the whole run (``UnicodeDecodeError``);
* it opens the output file with the locale's encoding: with an ASCII locale (``LANG=C``, many containers), the first
  Chinese character aborts the run.

What this module does, for predictors whose class declares ``keep_blank_lines = True`` (glyce_allennlp's); every
other predictor keeps AllenNLP's behaviour:

* every input line is passed to the predictor's ``load_line``, blank or not;
* the input (a file, or ``-`` for standard input) is read as bytes split on ``b"\\n"`` only, like the dataset
  readers; a line that is not valid UTF-8 is decoded with U+FFFD replacement characters, and logged with the input
  file and line number;
* the output file is written as UTF-8 with ``"\\n"`` line ends, whatever the locale.
"""
import functools
import logging
import sys

from allennlp.commands import predict as _predict
from allennlp.common.file_utils import cached_path, open_compressed

logger = logging.getLogger(__name__)

_original_get_json_data = _predict._PredictManager._get_json_data
_original_init = _predict._PredictManager.__init__


def _keeps_blank_lines(predictor) -> bool:
    return bool(getattr(predictor, "keep_blank_lines", False))


def decoded_lines(binary_lines, source: str):
    """Decode each line of ``binary_lines`` (bytes) as UTF-8; a line that is not valid UTF-8 is logged (``source``
    and line number) and decoded with U+FFFD replacement characters."""
    for lineno, raw in enumerate(binary_lines, start=1):
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as error:
            logger.warning("%s:%d: not valid UTF-8 (%s); predicting it with U+FFFD replacement characters",
                           source, lineno, error)
            yield raw.decode("utf-8", errors="replace")


@functools.wraps(_original_get_json_data)
def _get_json_data_keeping_blank_lines(self):
    if not _keeps_blank_lines(self._predictor):
        yield from _original_get_json_data(self)
        return
    if self._input_file == "-":
        stream = getattr(sys.stdin, "buffer", None)
        lines = decoded_lines(stream, "<stdin>") if stream is not None else sys.stdin
        for line in lines:
            yield self._predictor.load_line(line)
    else:
        with open_compressed(cached_path(self._input_file), mode="rb", encoding=None) as file_input:
            for line in decoded_lines(file_input, str(self._input_file)):  # binary iteration: split on b"\n"
                yield self._predictor.load_line(line)


@functools.wraps(_original_init)
def _init_with_utf8_output(self, predictor, input_file, output_file, *args, **kwargs):
    _original_init(self, predictor, input_file, output_file, *args, **kwargs)
    if output_file is not None and _keeps_blank_lines(predictor):
        self._output_file.close()
        self._output_file = open(output_file, "w", encoding="utf-8", newline="\n")


def apply() -> None:
    _predict._PredictManager._get_json_data = _get_json_data_keeping_blank_lines
    _predict._PredictManager.__init__ = _init_with_utf8_output
