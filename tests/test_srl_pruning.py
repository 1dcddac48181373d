"""k-order argument pruning (glyce_allennlp.formats.srl_pruning, He et al. 2018): hand-built trees with known candidate sets,
the reading of Algorithm 1 documented in the module, the coverage statistics and the `srl-pruning` command."""
import json
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest

from conftest import FIXTURES, REPO
from glyce_allennlp.formats.srl_pruning import PruningStats, children_lists, k_order_candidates, pruning_stats

TRIAL = os.path.join(os.path.dirname(REPO), "shared", "data", "srl_format_samples", "conll2009_zh_trial",
                     "CoNLL2009-ST-Chinese-trial.txt")

# A hand-built tree (CoNLL ids; 0 = the artificial root):
#
#        0
#        |
#        2 ─┬─ 1
#           ├─ 3 ── 4 (the predicate) ── 5 ── 6 ── 7
#           └─ 8 ── 9 ── 10
HEADS = [2, 0, 2, 3, 4, 5, 6, 2, 8, 9]
PREDICATE = 3  # 0-based position of word 4


def ids(positions):
    return sorted(p + 1 for p in positions)


def test_module_is_pure_python():
    # pruning and the metric must be usable (and testable) without AllenNLP or torch
    code = ("import sys, glyce_allennlp.formats.srl_pruning, glyce_allennlp.formats.srl_scores; "
            "bad = [m for m in ('allennlp', 'torch', 'numpy') if m in sys.modules]; print(bad); sys.exit(bool(bad))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_k1_children_of_the_predicate_and_of_every_ancestor_plus_the_root():
    # visited nodes: 4, 3, 2, 0; their children: {5}, {4}, {1, 3, 8}, {2}
    assert ids(k_order_candidates(HEADS, PREDICATE, 1)) == [1, 2, 3, 4, 5, 8]


def test_k2_adds_the_grandchildren_of_every_visited_node():
    # + grandchildren of 4: {6}; of 3: {5}; of 2: {4, 9}; of 0: {1, 3, 8}
    assert ids(k_order_candidates(HEADS, PREDICATE, 2)) == [1, 2, 3, 4, 5, 6, 8, 9]


def test_k_all_keeps_every_word():
    every = list(range(len(HEADS)))
    assert k_order_candidates(HEADS, PREDICATE, 3) == every  # 5, 6, 7 below 4; 9, 10 below 2 (via 8)
    assert k_order_candidates(HEADS, PREDICATE, 100) == every
    assert k_order_candidates(HEADS, PREDICATE, 0) == every  # k = 0: no pruning


def test_candidates_grow_with_k():
    previous = set()
    for k in range(1, 5):
        current = set(k_order_candidates(HEADS, PREDICATE, k))
        assert previous <= current
        previous = current


def test_the_ascent_is_not_bounded_by_k():
    # The swapped-bounds reading ("descendants within distance 1 of p's ancestors up to the k-th order") would give,
    # for k = 1, only p, its head and their children: {3, 4, 5}. The paper visits every ancestor up to the root.
    assert set(ids(k_order_candidates(HEADS, PREDICATE, 1))) > {3, 4, 5}
    assert 8 in ids(k_order_candidates(HEADS, PREDICATE, 1))  # a child of the grandparent


def test_paper_example_keeps_the_subject_of_the_control_verb():
    # "She began to trade the art for money ." (Figure 3 of the paper): began is the root, to ← began, trade ← to,
    # art ← trade, the ← art, for ← trade, money ← for. For the predicate "trade", k = 1 keeps "She", the A0.
    words = "She began to trade the art for money .".split()
    heads = [2, 0, 2, 3, 6, 4, 4, 7, 2]
    kept = [words[i] for i in k_order_candidates(heads, 3, 1)]
    assert kept == ["She", "began", "to", "trade", "art", "for", "."]
    assert k_order_candidates(heads, 3, 2) == list(range(9))


def test_predicate_is_always_a_candidate_and_the_root_is_collected():
    for k in (1, 2, 3):
        for p in range(len(HEADS)):
            kept = k_order_candidates(HEADS, p, k)
            assert p in kept and 1 in kept  # position 1 = word 2, the root word
    # predicate = root word: its children within k, and itself
    assert ids(k_order_candidates(HEADS, 1, 1)) == [1, 2, 3, 8]


def test_forest_with_two_root_words():
    # predicted columns may have several roots: 1 ← 0, 2 ← 1, 3 ← 0, 4 ← 3
    heads = [0, 1, 0, 3]
    assert ids(k_order_candidates(heads, 1, 1)) == [1, 2, 3]
    assert ids(k_order_candidates(heads, 1, 2)) == [1, 2, 3, 4]


@pytest.mark.parametrize("heads,predicate,k,message", [
    (HEADS, PREDICATE, -1, "k must be >= 0"),
    (HEADS, 10, 1, "outside the sentence"),
    ([2, 0, 9], 0, 1, "outside 0..3"),
    ([1, 0], 1, 1, "own head"),
    ([2, 1, 0], 0, 1, "cycle"),
])
def test_bad_input(heads, predicate, k, message):
    with pytest.raises(ValueError, match=message):
        k_order_candidates(heads, predicate, k)


def test_children_lists():
    assert children_lists([2, 0, 2]) == [[2], [], [1, 3], []]  # index = head id (0 = root)


def test_pruning_stats_counts():
    sentences = [
        SimpleNamespace(heads=HEADS, predicates=[PREDICATE, 1],
                        arguments=[{0: "A0", 6: "A1", 4: "ADV"}, {2: "A1"}]),
        SimpleNamespace(heads=[0], predicates=[], arguments=[]),
    ]
    k1, k3 = pruning_stats(sentences, [1, 3])
    assert (k1.sentences, k1.predicates, k1.tokens) == (2, 2, 20)
    assert k1.candidates == 6 + 4 and k1.arguments == 4
    assert k1.arguments_kept == 3 and k1.lost_by_label == {"A1": 1}  # word 7 is 3 below the predicate
    assert k1.argument_coverage == pytest.approx(0.75) and type(k1.argument_coverage) is float
    assert k1.removed_share == pytest.approx(0.5) and type(k1.removed_share) is float
    # predicate = the root word (2): k = 3 reaches 5 and 10 but not 6, 7 (4 and 5 levels down)
    assert (k3.arguments_kept, k3.candidates) == (4, 10 + 8) and k3.removed_share == pytest.approx(0.1)
    assert PruningStats(k=1).argument_coverage == 1.0
    assert json.loads(json.dumps(k1.as_dict())) == k1.as_dict()  # plain JSON types only


def test_srl_pruning_command_on_the_fixtures(capsys):
    from glyce_allennlp.cli import main

    assert main(["srl-pruning", os.path.join(FIXTURES, "srl", "train.txt"), "--k", "1", "3", "0", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["k"] for r in rows] == [1, 3, 0]
    assert [r["arguments"] for r in rows] == [36, 36, 36]
    # 去年 (TMP of 增长) hangs three levels below the predicate in the gold tree: lost at k = 1, kept at k = 3
    assert rows[0]["arguments_kept"] == 35 and rows[0]["lost_by_label"] == {"TMP": 1}
    assert rows[1]["argument_coverage"] == 1.0 and rows[2]["removed_share"] == 0.0
    # with the predicted heads (the parser attached 去年 to the verb) k = 1 keeps it
    assert main(["srl-pruning", os.path.join(FIXTURES, "srl", "train.txt"), "--k", "1", "--columns", "predicted",
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["arguments_kept"] == 36
    assert main(["srl-pruning", os.path.join(FIXTURES, "srl", "dev.txt"), "--k", "1", "2"]) == 0
    table = capsys.readouterr().out
    assert "coverage" in table and "removed" in table
    # unannotated input: a clear error with file and line, exit status 1
    assert main(["srl-pruning", os.path.join(FIXTURES, "srl", "test_srl_only.txt")]) == 1
    assert "test_srl_only.txt:1: no APRED columns" in capsys.readouterr().err


@pytest.mark.skipif(not os.path.exists(TRIAL), reason="the CoNLL-2009 Chinese trial file is not in ../shared")
def test_coverage_on_the_conll2009_chinese_trial_file():
    # the numbers reported in docs/srl.md
    from glyce_allennlp.formats.srl_report import srl_pruning_report

    stats = srl_pruning_report([TRIAL], [1, 2, 3, 4])
    assert [(s.predicates, s.arguments, s.tokens) for s in stats] == [(116, 261, 4781)] * 4
    assert [s.arguments_kept for s in stats] == [258, 261, 261, 261]
    assert [s.candidates for s in stats] == [1504, 2285, 3120, 3810]
