"""``glyce-allennlp srl-pruning FILE [FILE ...] --k 1 2 3 4``: how much k-order pruning keeps and removes.

For each k, over every predicate of the CoNLL-2009 file(s): the share of gold arguments that remain candidates
(``coverage``; the model can never find the others) and the share of (predicate, word) pairs removed (``removed``;
what the model no longer has to score). ``k = 0`` means no pruning. ``--json`` prints the numbers (and the roles of
the lost arguments) as JSON.
"""
import argparse
import json
import sys
from typing import List

from glyce_allennlp.formats.conll2009 import read_conll2009
from glyce_allennlp.formats.io import ReaderError
from glyce_allennlp.formats.srl_pruning import format_pruning_table, pruning_stats

__all__ = ["add_srl_pruning_parser", "run_srl_pruning", "srl_pruning_report"]


def add_srl_pruning_parser(sub) -> argparse.ArgumentParser:
    parser = sub.add_parser("srl-pruning", help="k-order argument pruning coverage of CoNLL-2009 file(s)",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+", metavar="FILE", help="CoNLL-2009 file(s) with APRED columns")
    parser.add_argument("--k", nargs="+", type=int, default=[1, 2, 3, 4], help="orders to report (0 = no pruning)")
    parser.add_argument("--columns", choices=["gold", "predicted"], default="gold",
                        help="HEAD (gold, default) or PHEAD (predicted) column")
    parser.add_argument("--encoding", default="utf-8")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    return parser


def srl_pruning_report(files: List[str], ks: List[int], columns: str = "gold", encoding: str = "utf-8"):
    """The :class:`~glyce_allennlp.formats.srl_pruning.PruningStats` of each k over the files' annotated sentences."""

    def views():
        for path in files:
            for sentence in read_conll2009(path, encoding):
                view = sentence.view(columns)
                if not view.predicates:
                    continue
                if view.arguments is None:
                    raise ReaderError(path, sentence.linenos[0], "no APRED columns: coverage needs gold arguments")
                if view.heads is None:
                    column = "PHEAD" if columns == "predicted" else "HEAD"
                    raise ReaderError(path, sentence.linenos[0], f"the {column} column is '_': pruning needs heads")
                yield view

    return pruning_stats(views(), ks)


def run_srl_pruning(args: argparse.Namespace) -> int:
    if any(k < 0 for k in args.k):
        raise SystemExit("srl-pruning: --k values must be >= 0 (0 = no pruning)")
    try:
        stats = srl_pruning_report(args.files, args.k, args.columns, args.encoding)
    except (ReaderError, OSError) as error:
        print(f"srl-pruning: {error}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps([s.as_dict() for s in stats], ensure_ascii=False, indent=1))
    else:
        print(f"k-order pruning (He et al. 2018) on {', '.join(args.files)} ({args.columns} heads); "
              f"coverage = gold arguments kept, removed = (predicate, word) pairs pruned")
        print(format_pruning_table(stats))
    return 0
