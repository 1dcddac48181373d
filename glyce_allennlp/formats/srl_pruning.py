"""k-order argument pruning (He, Li, Zhao and Bai 2018, "Syntax for Semantic Role Labeling, To Be, Or Not To Be",
ACL 2018, section 3.2 and Algorithm 1). Pure Python: no AllenNLP, no torch.

Definitions (the paper's): for a node ``n`` and a descendant ``d`` of ``n`` in the dependency tree, the *order*
``D(n, d)`` is their distance (1 for a child, 2 for a grandchild, ...). The *k-order traversal* of ``n`` visits the
descendants ``d`` of ``n`` with ``D(n, d) <= k``.

Algorithm 1, for a predicate ``p``::

    c = p
    loop:
        S += every descendant d of c with D(c, d) <= k          # k-order traversal of c
        c = head(c)
        if c is the root: S += root; stop

So **every** node on the path from the predicate up to the root is visited (the ascent is not bounded by ``k``); ``k``
bounds how deep below each of them candidates are collected. With ``k = 1`` this is the classic pruning of Zhao et al.
(2009): the children of the predicate and of each of its ancestors. (A common one-line summary, "the descendants within
distance 1 of p's ancestors up to the k-th order", swaps the two bounds; we follow the paper. See docs/srl.md.)

How "the root" is read. CoNLL trees hang from an artificial node 0 (``HEAD = 0``). We read Algorithm 1's root ``r`` as
that artificial node, and "collect the root" as collecting the root *word* (the word whose HEAD is 0): the loop visits
``p``, its head, ..., the root word (each with its k-order traversal), then the artificial node, whose only candidates
at distance 1 are the root words. This is exactly what the authors' released code computes (``srl_syn_pruning``,
``data_utils.make_k_order_pruning_dataset_input``: it walks from ``p`` up to and including node 0, collecting the
descendants of order 1..k of each visited node); since the traversal of the root word already covers its subtree to
depth k, the artificial node adds nothing but the root word itself. The other reading (``r`` = the root word, whose
subtree is then *not* traversed) would drop, for example, every other dependent of the main verb when ``p`` is a direct
child of it — including the subject of a control verb, the classic argument that pruning must keep.

Consequences, all checked by ``tests/test_srl_pruning.py``: ``p`` itself is always a candidate (as a child of its head,
or as the root word); the path from ``p`` to the root is always kept; in a forest with several root words (predicted
columns may have one) the artificial node's traversal keeps every root word and their descendants down to depth k − 1,
as the authors' code does; ``k >= height of the tree`` keeps every word; ``k = 0`` means **no pruning** (every word is
a candidate), for a baseline without pruning (the paper has no k = 0).

Indexing used here: ``heads`` is the CoNLL HEAD column of a sentence, as integers: ``heads[i]`` is the head of word
``i + 1`` (1-based word ids, 0 = the artificial root). ``predicate`` and the returned candidates are **0-based** word
positions (``heads[predicate]`` is the predicate's head).
"""
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Sequence, Set

__all__ = ["k_order_candidates", "children_lists", "PruningStats", "pruning_stats", "format_pruning_table"]


def children_lists(heads: Sequence[int]) -> List[List[int]]:
    """``children[h]`` = the 1-based ids of the words whose head is ``h`` (``h = 0``: the root words), in order."""
    n = len(heads)
    children: List[List[int]] = [[] for _ in range(n + 1)]
    for i, head in enumerate(heads, start=1):
        head = int(head)
        if not 0 <= head <= n:
            raise ValueError(f"word {i}: head {head} is outside 0..{n}")
        if head == i:
            raise ValueError(f"word {i} is its own head")
        children[head].append(i)
    return children


def _descendants_within(children: List[List[int]], node: int, k: int, into: Set[int]) -> None:
    """Add the descendants of ``node`` (1-based; 0 = artificial root) at distance 1..k to ``into``."""
    frontier = [node]
    for _ in range(k):
        frontier = [child for parent in frontier for child in children[parent]]
        if not frontier:
            return
        into.update(frontier)


def k_order_candidates(heads: Sequence[int], predicate: int, k: int) -> List[int]:
    """The k-order pruning candidates of ``predicate`` (0-based) in the tree ``heads`` (CoNLL HEADs, see the module
    docstring), as sorted 0-based positions. ``k = 0``: every word (no pruning). ``ValueError`` for a negative ``k``,
    a predicate outside the sentence, or heads that are not a forest hanging from 0 (a head outside ``0..n``, a word
    that is its own head, a cycle on the predicate's path)."""
    n = len(heads)
    if k < 0:
        raise ValueError(f"k must be >= 0 (0 = no pruning), got {k}")
    if not 0 <= predicate < n:
        raise ValueError(f"predicate position {predicate} is outside the sentence (0..{n - 1})")
    if k == 0:
        return list(range(n))
    children = children_lists(heads)
    selected: Set[int] = set()  # 1-based ids
    current = predicate + 1
    visited: Set[int] = set()
    while True:
        if current in visited:
            raise ValueError(f"the heads have a cycle through word {current}")
        visited.add(current)
        _descendants_within(children, current, k, selected)
        if current == 0:
            break
        current = int(heads[current - 1])
    return sorted(i - 1 for i in selected)


@dataclass
class PruningStats:
    """Counts for one k over a set of predicates. ``tokens`` = sum over predicates of the sentence length (every word
    is a possible argument without pruning); ``candidates`` = the words kept; ``arguments`` = gold arguments;
    ``arguments_kept`` = gold arguments among the candidates."""

    k: int
    sentences: int = 0
    predicates: int = 0
    tokens: int = 0
    candidates: int = 0
    arguments: int = 0
    arguments_kept: int = 0
    lost_by_label: Dict[str, int] = field(default_factory=dict)

    @property
    def argument_coverage(self) -> float:
        """Share of gold arguments kept by the pruning (1.0 when there are no arguments)."""
        return float(self.arguments_kept / self.arguments) if self.arguments else 1.0

    @property
    def removed_share(self) -> float:
        """Share of the (predicate, word) pairs removed by the pruning."""
        return float(1.0 - self.candidates / self.tokens) if self.tokens else 0.0

    def as_dict(self) -> Dict[str, object]:
        return {"k": self.k, "sentences": self.sentences, "predicates": self.predicates, "tokens": self.tokens,
                "candidates": self.candidates, "arguments": self.arguments, "arguments_kept": self.arguments_kept,
                "argument_coverage": self.argument_coverage, "removed_share": self.removed_share,
                "lost_by_label": dict(sorted(self.lost_by_label.items(), key=lambda kv: (-kv[1], kv[0])))}


def pruning_stats(sentences: Iterable, ks: Sequence[int]) -> List[PruningStats]:
    """Coverage of k-order pruning for each ``k`` in ``ks``.

    ``sentences``: objects with ``heads`` (CoNLL HEADs as ints, see the module docstring), ``predicates`` (0-based
    positions) and ``arguments`` (one ``{position: label}`` dict per predicate, in the same order) — e.g. the
    :class:`~glyce_allennlp.formats.conll2009.SrlView` that ``Conll2009Sentence.view(columns)`` returns for a sentence
    of :func:`~glyce_allennlp.formats.conll2009.read_conll2009`. Sentences without predicates count as sentences
    only.
    """
    stats = [PruningStats(k=int(k)) for k in ks]
    for sentence in sentences:
        n = len(sentence.heads)
        for s in stats:
            s.sentences += 1
        for predicate, arguments in zip(sentence.predicates, sentence.arguments):
            for s in stats:
                kept = set(k_order_candidates(sentence.heads, predicate, s.k))
                s.predicates += 1
                s.tokens += n
                s.candidates += len(kept)
                s.arguments += len(arguments)
                for position, label in arguments.items():
                    if position in kept:
                        s.arguments_kept += 1
                    else:
                        s.lost_by_label[label] = s.lost_by_label.get(label, 0) + 1
    return stats


def format_pruning_table(stats: Sequence[PruningStats]) -> str:
    """A plain-text table (one row per k) of :func:`pruning_stats`."""
    header = f"{'k':>4} {'predicates':>10} {'arguments':>9} {'kept':>7} {'coverage':>9} {'pairs':>8} " \
             f"{'candidates':>10} {'removed':>8}"
    lines = [header]
    for s in stats:
        k = "none" if s.k == 0 else str(s.k)
        lines.append(f"{k:>4} {s.predicates:>10} {s.arguments:>9} {s.arguments_kept:>7} "
                     f"{100 * s.argument_coverage:>8.2f}% {s.tokens:>8} {s.candidates:>10} "
                     f"{100 * s.removed_share:>7.2f}%")
    return "\n".join(lines)
