"""``glyce-allennlp`` command line: font installation and inspection, glyph sheets.

    glyce-allennlp fonts install [NAME ...] [--all]   fetch free fonts (Debian/npm registries), verify sha256
    glyce-allennlp fonts list                         scripts, install state, GB2312 coverage, licences
    glyce-allennlp glyphs TEXT [--out glyphs.png] [--fonts song kai ...] [--size 12]
                                                      PNG of each character in every installed font (or --fonts),
                                                      exactly the images the CNN sees
    glyce-allennlp srl-pruning FILE [FILE ...] [--k 1 2 3 4] [--columns gold|predicted] [--json]
                                                      CoNLL-2009 k-order pruning: gold arguments kept, pairs removed
"""
import argparse
import sys
from typing import List, Optional

from glyce_allennlp.glyph.fonts import font_dir, install_fonts, main_list


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="glyce-allennlp", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    fonts = sub.add_parser("fonts", help="install and list the free fonts")
    fonts_sub = fonts.add_subparsers(dest="action", required=True)
    install = fonts_sub.add_parser("install", help=f"fetch free fonts into the font folder ($GLYCE_FONT_DIR)")
    install.add_argument("names", nargs="*", help="font names (default: the default font of every free script)")
    install.add_argument("--all", action="store_true", help="also the alternative fonts (Noto Serif CJK, LXGW)")
    fonts_sub.add_parser("list", help="show fonts, coverage of GB2312 and licences")
    glyphs = sub.add_parser("glyphs", help="write a PNG sheet: one row per character, one column per font")
    glyphs.add_argument("text")
    glyphs.add_argument("-o", "--out", default="glyphs.png")
    glyphs.add_argument("--fonts", nargs="+", default=None, help="default: every installed registry font")
    glyphs.add_argument("--size", type=int, default=12, help="image size the model sees (px)")
    glyphs.add_argument("--scale", type=int, default=4, help="enlargement in the PNG (nearest neighbour)")
    from glyce_allennlp.srl.report import add_srl_pruning_parser, run_srl_pruning  # issue 5 (SRL)

    add_srl_pruning_parser(sub)
    neighbors = sub.add_parser("neighbors", help="nearest characters by cosine of a trained model's glyph vectors")
    neighbors.add_argument("archive", help="model.tar.gz of a model with a glyce embedder")
    neighbors.add_argument("chars", help="query character(s); each gets its own list")
    neighbors.add_argument("--top", type=int, default=10)
    neighbors.add_argument("--png", default=None, help="also write a PNG sheet (one per query character: a second "
                                                        "query's sheet gets its code point in the file name)")
    neighbors.add_argument("--embedding", default=None, help="module path of the glyph embedding, if several")
    neighbors.add_argument("--cuda-device", type=int, default=-1)
    from glyce_allennlp.vectors.cli import add_vector_parsers  # `embeddings`, `lexicon`: gensim/jieba load when run

    add_vector_parsers(sub)
    args = parser.parse_args(argv)

    if args.command == "srl-pruning":
        return run_srl_pruning(args)
    if args.command in ("embeddings", "lexicon"):
        return args.run_vectors(args)

    if args.command == "fonts" and args.action == "install":
        print(f"font folder: {font_dir()}")
        status = install_fonts(args.names or None, include_alternatives=args.all)
        failed = [n for n, s in status.items() if s.startswith("unavailable")]
        if failed:
            print(f"{len(failed)} font(s) could not be installed here: {', '.join(failed)}. Configs that name them "
                  f"will fail with a clear error; the others work.")
        return 0
    if args.command == "fonts" and args.action == "list":
        main_list()
        return 0
    if args.command == "glyphs":
        from glyce_allennlp.glyph.fonts import is_installed, load_registry
        from glyce_allennlp.glyph.sheet import glyph_sheet

        fonts = args.fonts or [s.name for s in load_registry().values() if is_installed(s)]
        chars = [c for c in args.text if not c.isspace()]
        print(glyph_sheet(chars, fonts, args.size, args.scale, args.out))
        return 0
    if args.command == "neighbors":
        return _neighbors(args)
    return 1


def _neighbors(args) -> int:
    import os

    from glyce_allennlp.glyph.neighbors import glyph_neighbors, known_characters, load_glyph_embedding, neighbor_sheet

    queries = [c for c in args.chars if not c.isspace()]
    if not queries:
        print("no query character given", file=sys.stderr)
        return 2
    glyph = load_glyph_embedding(args.archive, args.embedding, args.cuda_device)
    known = set(known_characters(glyph))
    for n, query in enumerate(queries):
        try:
            found = glyph_neighbors(glyph, query, args.top)
        except ValueError as error:
            print(error, file=sys.stderr)
            return 2
        status = "seen in training" if query in known else "not seen in training: rendered now"
        print(f"{query} (U+{ord(query):04X}, {status}): {len(found)} nearest of {len(known)} training characters")
        for rank, (char, cosine) in enumerate(found, 1):
            print(f"{rank:3d}  {char}  {cosine:.4f}")
        if args.png:
            path = args.png
            if n:
                root, ext = os.path.splitext(args.png)
                path = f"{root}-U{ord(query):04X}{ext or '.png'}"
            print(f"sheet: {neighbor_sheet(glyph, query, found, path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
