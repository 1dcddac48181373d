"""CoNLL-2009 semantic scores, computed as the official scorer ``eval09.pl`` does (pure Python, no AllenNLP).

Every predicate is given (CoNLL-2009's FILLPRED column), so the scores count **semantic dependencies**:

* an *argument* dependency ``(predicate, argument word, role)`` for every non-``_`` APRED cell;
* with senses, also one *sense* dependency per predicate (the predicate's attachment to a virtual root, labelled with
  its sense); ``eval09.pl``'s "labeled precision/recall/F1" in its SEMANTIC SCORES block include them.

Two sets of scores, both labelled:

* ``arg_precision``, ``arg_recall``, ``arg_f1``: arguments only (senses not included);
* ``sem_precision``, ``sem_recall``, ``sem_f1``: arguments **and** senses, i.e. the CoNLL-2009 official semantic
  labelled P/R/F1: (correct arguments + correct senses) / (system arguments + predicates), resp. / (gold arguments +
  predicates); only for a scorer made with ``score_senses=True``, which also reports ``sense_accuracy``.

``arg_unlabelled_f1`` (a word found as an argument of the right predicate, whatever its role) is reported too.

An argument is correct when the same word has the same role for the same predicate. As in ``eval09.pl``, a cell with
several roles (``A0|A1``) is several arguments, unlabelled matches pair each gold and system argument of a word at most
once, and senses are compared as numbers when both are digits (``01`` = ``1``), else as strings (give the sense label,
``01`` of ``发现.01``: the scorer compares the part after the dot; see
:func:`glyce_allennlp.formats.conll2009.split_sense`). Gold arguments that a pruning step removed from the candidates
still count in the recall denominator (the model could never find them). A ratio with a zero denominator is 0.0; every
value is a Python ``float``.
"""
import re
from typing import Dict, Mapping, Optional

__all__ = ["SrlScorer", "prf", "same_sense"]

_DIGITS = re.compile(r"^[0-9]+$")


def same_sense(gold: str, system: str) -> bool:
    """``eval09.pl``'s sense comparison: as integers when both are digits, else as strings."""
    if _DIGITS.match(gold) and _DIGITS.match(system):
        return int(gold) == int(system)
    return gold == system


def _roles(cell: str) -> set:
    return {role for role in cell.split("|") if role.strip()}


def prf(correct: int, predicted: int, gold: int) -> Dict[str, float]:
    """Precision, recall and F1 (0.0 where a denominator is 0) as Python floats."""
    precision = float(correct / predicted) if predicted else 0.0
    recall = float(correct / gold) if gold else 0.0
    f1 = float(2 * precision * recall / (precision + recall)) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


class SrlScorer:
    """Accumulates CoNLL-2009 semantic counts predicate by predicate.

    ``add(gold, predicted, gold_sense=None, predicted_sense=None)``: ``gold`` / ``predicted`` map word positions to
    roles (the ``_`` "no role" entries must be left out). With ``score_senses=True`` every ``add`` needs both senses
    (``ValueError`` otherwise). ``get_metric(reset)`` returns the dict described in the module docstring, always with
    the same keys.
    """

    def __init__(self, score_senses: bool = False) -> None:
        self.score_senses = bool(score_senses)
        self.reset()

    def reset(self) -> None:
        self.predicates = 0
        self.gold_arguments = 0
        self.predicted_arguments = 0
        self.correct_arguments = 0
        self.correct_unlabelled = 0
        self.senses_scored = 0
        self.correct_senses = 0

    def add(self, gold: Mapping[int, str], predicted: Mapping[int, str], gold_sense: Optional[str] = None,
            predicted_sense: Optional[str] = None) -> None:
        self.predicates += 1
        for position in set(gold) | set(predicted):
            gold_roles = _roles(gold[position]) if position in gold else set()
            system_roles = _roles(predicted[position]) if position in predicted else set()
            self.gold_arguments += len(gold_roles)
            self.predicted_arguments += len(system_roles)
            self.correct_arguments += len(gold_roles & system_roles)
            self.correct_unlabelled += min(len(gold_roles), len(system_roles))
        if self.score_senses:
            if gold_sense is None or predicted_sense is None:
                raise ValueError("this scorer scores senses: give gold_sense and predicted_sense")
            self.senses_scored += 1
            if same_sense(gold_sense, predicted_sense):
                self.correct_senses += 1

    def merge_counts(self, counts: Mapping[str, int]) -> None:
        """Add counts (the :meth:`counts` of another scorer, e.g. of another worker)."""
        for name, value in counts.items():
            setattr(self, name, getattr(self, name) + int(value))

    def counts(self) -> Dict[str, int]:
        return {name: getattr(self, name) for name in ("predicates", "gold_arguments", "predicted_arguments",
                                                        "correct_arguments", "correct_unlabelled", "senses_scored",
                                                        "correct_senses")}

    def get_metric(self, reset: bool = False) -> Dict[str, float]:
        metrics: Dict[str, float] = {}
        for name, value in prf(self.correct_arguments, self.predicted_arguments, self.gold_arguments).items():
            metrics[f"arg_{name}"] = value
        metrics["arg_unlabelled_f1"] = prf(self.correct_unlabelled, self.predicted_arguments,
                                           self.gold_arguments)["f1"]
        if self.score_senses:
            sem = prf(self.correct_arguments + self.correct_senses, self.predicted_arguments + self.predicates,
                      self.gold_arguments + self.predicates)
            for name, value in sem.items():
                metrics[f"sem_{name}"] = value
            metrics["sense_accuracy"] = float(self.correct_senses / self.predicates) if self.predicates else 0.0
        if reset:
            self.reset()
        return metrics
