"""``glyce-allennlp`` command line: font installation and inspection, glyph sheets.

    glyce-allennlp fonts install [NAME ...] [--all] [--allow-missing]
                                                      fetch free fonts (Debian/npm registries), verify sha256; exits
                                                      1 when a requested font could not be installed (named on
                                                      stderr) unless --allow-missing
    glyce-allennlp fonts list                         scripts, install state, GB2312 coverage, licences
    glyce-allennlp glyphs TEXT [--out glyphs.png] [--fonts song kai ...] [--size 12]
                                                      PNG of each character in every installed font (or --fonts),
                                                      exactly the images the CNN sees
    glyce-allennlp srl-pruning FILE [FILE ...] [--k 1 2 3 4] [--columns gold|predicted] [--json]
                                                      CoNLL-2009 k-order pruning: gold arguments kept, pairs removed
    glyce-allennlp neighbors ARCHIVE CHARS [--top 10] [--png neighbors.png] [--embedding PATH] [--cuda-device -1]
                                                      nearest training characters by cosine of the learned glyph
                                                      vectors of a trained model
    glyce-allennlp neighbors --encoder default|PATH CHARS [--top 10] [--png neighbors.png]
                                                      the same for a pretrained glyph encoder alone, among the
                                                      characters it was pretrained on
    glyce-allennlp glyph-encoder pretrain --out FILE.safetensors [--fonts ...] [--epochs N] [--seed S] [--resume] ...
                                                      pretrain the Tianzige-CNN to recognise every CJK character
                                                      from its script images (encoder + JSON manifest)
    glyce-allennlp glyph-encoder check [default|FILE.safetensors]
                                                      check an encoder's weights, fonts and sample accuracy
    glyce-allennlp serve ARCHIVE [ARCHIVE ...] [--host 127.0.0.1] [--port 8000]
                                                      HTTP JSON API and a web page for trained models
"""
import argparse
import sys
from typing import List, Optional

# Each subcommand imports what it needs when it runs: `fonts` and `srl-pruning` never import torch or AllenNLP.
from glyce_allennlp.formats.srl_report import add_srl_pruning_parser, run_srl_pruning


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="glyce-allennlp", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    fonts = sub.add_parser("fonts", help="install and list the free fonts")
    fonts_sub = fonts.add_subparsers(dest="action", required=True)
    install = fonts_sub.add_parser("install", help=f"fetch free fonts into the font folder ($GLYCE_FONT_DIR)")
    install.add_argument("names", nargs="*", help="font names (default: the default font of every free script)")
    install.add_argument("--all", action="store_true", help="also the alternative fonts (Noto Serif CJK, LXGW)")
    install.add_argument("--allow-missing", action="store_true",
                         help="exit 0 even when a requested font could not be installed")
    fonts_sub.add_parser("list", help="show fonts, coverage of GB2312 and licences")
    glyphs = sub.add_parser("glyphs", help="write a PNG sheet: one row per character, one column per font")
    glyphs.add_argument("text")
    glyphs.add_argument("-o", "--out", default="glyphs.png")
    glyphs.add_argument("--fonts", nargs="+", default=None, help="default: every installed registry font")
    glyphs.add_argument("--size", type=int, default=12, help="image size the model sees (px)")
    glyphs.add_argument("--scale", type=int, default=4, help="enlargement in the PNG (nearest neighbour)")
    add_srl_pruning_parser(sub)
    neighbors = sub.add_parser("neighbors", help="nearest characters by cosine of a trained model's (or a pretrained "
                                                 "glyph encoder's) glyph vectors")
    neighbors.add_argument("archive", nargs="?", default=None,
                           help="model.tar.gz of a model with a glyce embedder (not with --encoder)")
    neighbors.add_argument("chars", help="query character(s); each gets its own list")
    neighbors.add_argument("--encoder", default=None,
                           help="a pretrained glyph encoder ('default' or a .safetensors file) instead of an archive")
    neighbors.add_argument("--top", type=int, default=10)
    neighbors.add_argument("--png", default=None, help="also write a PNG sheet: one panel per query character, side "
                                                        "by side")
    neighbors.add_argument("--embedding", default=None, help="module path of the glyph embedding, if several")
    neighbors.add_argument("--cuda-device", type=int, default=-1)
    from glyce_allennlp.vectors.cli import add_vector_parsers  # `embeddings`, `lexicon`: gensim/jieba load when run

    add_vector_parsers(sub)
    from glyce_allennlp.serve.command import add_serve_parser, run_serve  # FastAPI/AllenNLP load when it runs

    add_serve_parser(sub)
    from glyce_allennlp.glyph.encoder_cli import add_glyph_encoder_parser  # torch loads when it runs

    add_glyph_encoder_parser(sub)
    args = parser.parse_args(argv)

    if args.command == "srl-pruning":
        return run_srl_pruning(args)
    if args.command in ("embeddings", "lexicon"):
        return args.run_vectors(args)
    if args.command == "serve":
        return run_serve(args)
    if args.command == "glyph-encoder":
        return args.run_glyph_encoder(args)

    if args.command == "fonts" and args.action == "install":
        return _fonts_install(args)
    if args.command == "fonts" and args.action == "list":
        from glyce_allennlp.glyph.font_list import print_font_list

        print_font_list()
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


def _fonts_install(args) -> int:
    """Install the requested fonts; 1 (naming them on stderr) when some could not be, unless ``--allow-missing``."""
    from glyce_allennlp.glyph.fonts import FontError, font_dir, install_fonts

    print(f"font folder: {font_dir()}")
    try:
        status = install_fonts(args.names or None, include_alternatives=args.all)
    except FontError as error:  # an unknown font name
        print(f"fonts install: {error}", file=sys.stderr)
        return 2
    failed = [name for name, state in status.items() if state.startswith("unavailable")]
    if not failed:
        return 0
    for name in failed:
        print(f"fonts install: {name}: {status[name]}", file=sys.stderr)
    if args.allow_missing:
        print(f"fonts install: {len(failed)} font(s) not installed ({', '.join(failed)}), allowed by --allow-missing: "
              f"configs that name them fail with a clear error, the others work.", file=sys.stderr)
        return 0
    print(f"fonts install: {len(failed)} font(s) could not be installed: {', '.join(failed)}. Fix the cause above and "
          f"rerun, or pass --allow-missing to go on without them.", file=sys.stderr)
    return 1


def _neighbors(args) -> int:
    from glyce_allennlp.glyph.neighbors import glyph_neighbors, known_characters, neighbor_sheets

    queries = [c for c in args.chars if not c.isspace()]
    if not queries:
        print("no query character given", file=sys.stderr)
        return 2
    if (args.archive is None) == (args.encoder is None):
        print("neighbors: give either a model archive or --encoder (default or a .safetensors file)", file=sys.stderr)
        return 2
    if args.encoder is not None:
        from glyce_allennlp.glyph.encoder import GlyphEncoderError, load_encoder
        from glyce_allennlp.glyph.fonts import FontError

        try:
            glyph = load_encoder(args.encoder).glyph_embedding()
        except (GlyphEncoderError, FontError) as error:
            print(f"neighbors: {error}", file=sys.stderr)
            return 2
        seen, unseen, pool = "pretrained on", "not pretrained on: rendered now", "pretrained characters"
    else:
        from glyce_allennlp.glyph_archive import load_glyph_embedding

        glyph = load_glyph_embedding(args.archive, args.embedding, args.cuda_device)
        seen, unseen, pool = "seen in training", "not seen in training: rendered now", "training characters"
    known = set(known_characters(glyph))
    results = []
    for query in queries:
        try:
            found = glyph_neighbors(glyph, query, args.top)
        except ValueError as error:
            print(error, file=sys.stderr)
            return 2
        print(f"{query} (U+{ord(query):04X}, {seen if query in known else unseen}): {len(found)} nearest of "
              f"{len(known)} {pool}")
        for rank, (char, cosine) in enumerate(found, 1):
            print(f"{rank:3d}  {char}  {cosine:.4f}")
        results.append((query, found))
    if args.png:
        print(f"sheet: {neighbor_sheets(glyph, results, args.png)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
