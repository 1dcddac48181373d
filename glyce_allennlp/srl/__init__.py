"""Dependency-based semantic role labelling (CoNLL-2009) support, issue 5.

* :mod:`.pruning`: k-order argument pruning (He et al., 2018) and its coverage statistics — pure Python;
* :mod:`.metric`: CoNLL-2009 semantic labelled precision / recall / F1 — pure Python;
* :mod:`.conll2009`: strict CoNLL-2009 reading and writing (imports :mod:`glyce_allennlp.dataset_readers.io` for
  :class:`~glyce_allennlp.dataset_readers.io.ReaderError`, whose package imports AllenNLP; so it is not imported here).

The AllenNLP parts are the ``conll2009_srl`` reader (:mod:`glyce_allennlp.dataset_readers.conll2009_srl`), the
``k_order_srl`` model (:mod:`glyce_allennlp.models.k_order_srl`) and the ``chinese_srl`` predictor
(:mod:`glyce_allennlp.predictors.chinese_srl`).
"""
from glyce_allennlp.srl.metric import SrlScorer, prf
from glyce_allennlp.srl.pruning import PruningStats, format_pruning_table, k_order_candidates, pruning_stats
