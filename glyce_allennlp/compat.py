"""Runtime patches for AllenNLP 2.10.1 on a modern stack (see README, "Compatibility layer").

Import-time breakages are handled by pins in requirements/constraints.txt; what can only be fixed at run time is here,
applied once when ``glyce_allennlp`` is imported (``--include-package glyce_allennlp``).

1. ``allennlp predict`` drops whitespace-only input lines (``_PredictManager._get_json_data``), which breaks "one
   output line per input line". For predictors that declare ``keep_blank_lines = True`` (ours), every line is passed
   to ``load_line``; other predictors keep AllenNLP's behaviour.
2. torch ≥ 2.6 loads training states with ``weights_only=True``; numpy scalars that reach a saved metric dict would
   make ``train --recover`` fail (COMPAT.md F9). Our metrics return Python floats; numpy scalar types are also
   registered as safe globals so third-party metrics cannot break recovery.
"""
import sys

import numpy
import torch
from allennlp.commands import predict as _predict
from allennlp.common.file_utils import cached_path, open_compressed

_original_get_json_data = _predict._PredictManager._get_json_data


def _get_json_data_keeping_blank_lines(self):
    if not getattr(self._predictor, "keep_blank_lines", False):
        yield from _original_get_json_data(self)
        return
    if self._input_file == "-":
        for line in sys.stdin:
            yield self._predictor.load_line(line)
    else:
        with open_compressed(cached_path(self._input_file)) as file_input:
            for line in file_input:
                yield self._predictor.load_line(line)


def apply() -> None:
    if _predict._PredictManager._get_json_data is not _get_json_data_keeping_blank_lines:
        _predict._PredictManager._get_json_data = _get_json_data_keeping_blank_lines
    safe = [numpy.float64, numpy.float32, numpy.int64, numpy.int32, numpy.bool_, numpy.dtype]
    try:
        safe.append(numpy._core.multiarray.scalar)  # type: ignore[attr-defined]
    except AttributeError:
        pass
    torch.serialization.add_safe_globals(safe)


apply()  # imported by `--include-package glyce_allennlp` (AllenNLP imports every submodule) or load_components()
