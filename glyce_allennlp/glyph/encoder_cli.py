"""``glyce-allennlp glyph-encoder``: pretrain a glyph encoder, check one. The parser imports nothing heavy; torch loads
when a subcommand runs.

    glyce-allennlp glyph-encoder pretrain --out FILE.safetensors [--fonts song ...] [--image-size 12]
        [--glyph-dim 256] [--groups 16] [--chars TEXT] [--epochs 12] [--seed 13] [--threads 1] [--device cpu]
        [--resume] ...
    glyce-allennlp glyph-encoder check [default | FILE.safetensors]
"""
import argparse
import json
import sys


def add_glyph_encoder_parser(sub) -> None:
    parser = sub.add_parser("glyph-encoder", help="pretrain a glyph encoder (Tianzige-CNN) or check one")
    actions = parser.add_subparsers(dest="action", required=True)
    pretrain = actions.add_parser(
        "pretrain", argument_default=argparse.SUPPRESS,
        help="train the Tianzige-CNN to recognise every character from its script images",
        description="Train the Tianzige-CNN to recognise characters (default: U+4E00-U+9FFF + GB2312) from their "
                    "stacked script images, with random shifts, scales and dropped script channels; write the "
                    "encoder (.safetensors, no classification head) and its manifest (.json). A checkpoint is "
                    "written after every epoch (--resume continues from it). Options left out take the values of "
                    "glyce_allennlp.glyph.pretrain.PretrainOptions, those of the shipped default encoder.")
    pretrain.add_argument("--out", required=True, help="the .safetensors file to write (manifest: .json beside it)")
    pretrain.add_argument("--fonts", nargs="+", help="one image channel per font, as in the glyce embedder")
    pretrain.add_argument("--image-size", type=int)
    pretrain.add_argument("--glyph-dim", type=int, help="D, the glyph vector size")
    pretrain.add_argument("--groups", type=int)
    pretrain.add_argument("--chars", default=None, help="learn these characters instead of U+4E00-U+9FFF + GB2312")
    pretrain.add_argument("--epochs", type=int)
    pretrain.add_argument("--batch-size", type=int)
    pretrain.add_argument("--lr", type=float)
    pretrain.add_argument("--weight-decay", type=float)
    pretrain.add_argument("--dropout", type=float, help="dropout on the glyph vector")
    pretrain.add_argument("--label-smoothing", type=float)
    pretrain.add_argument("--scale", type=float, help="scale of the cosine classifier's logits")
    pretrain.add_argument("--max-shift", type=float, help="pixels, each axis")
    pretrain.add_argument("--max-scale", type=float, help="relative, each axis")
    pretrain.add_argument("--channel-drop", type=float, help="probability of dropping each script channel")
    pretrain.add_argument("--clean-fraction", type=float, help="share of renders left unaugmented")
    pretrain.add_argument("--seed", type=int)
    pretrain.add_argument("--heldout-seed", type=int, help="random stream of the held-out augmented renders")
    pretrain.add_argument("--sample-size", type=int, help="characters of the manifest's reproducible sample check")
    pretrain.add_argument("--threads", type=int, help="torch threads on the CPU")
    pretrain.add_argument("--device", help="cpu, cuda, cuda:1, ...")
    pretrain.add_argument("--checkpoint", default=None, help="default: OUT.checkpoint.pt")
    pretrain.add_argument("--resume", action="store_true", default=False, help="continue from the checkpoint")
    pretrain.add_argument("--cache-dir", default=None, help="rendered glyph tables (default: $GLYCE_HOME/glyphs)")
    pretrain.add_argument("--quiet", action="store_true", default=False, help="no progress bars or per-epoch lines")
    check = actions.add_parser("check", help="load an encoder, check its weights and fonts, and recompute its "
                                             "sample accuracy from the weights alone")
    check.add_argument("encoder", nargs="?", default="default", help="'default' or a .safetensors file")
    parser.set_defaults(run_glyph_encoder=run_glyph_encoder)


def options_from_args(args):
    """The :class:`~glyce_allennlp.glyph.pretrain.PretrainOptions` of a parsed ``pretrain`` command line."""
    from .augment import Augmentation
    from .pretrain import PretrainOptions

    given = {k: v for k, v in vars(args).items() if k not in ("command", "action", "run_glyph_encoder", "quiet")}
    augmentation = {k: given.pop(k) for k in ("max_shift", "max_scale", "channel_drop", "clean_fraction")
                    if k in given}
    return PretrainOptions(**given, augmentation=Augmentation(**augmentation), progress=not args.quiet)


def run_glyph_encoder(args) -> int:
    from .encoder import GlyphEncoderError
    from .fonts import FontError

    try:
        if args.action == "pretrain":
            from .pretrain import pretrain

            print(pretrain(options_from_args(args)))
            return 0
        return _check(args.encoder)
    except (GlyphEncoderError, FontError) as error:
        print(f"glyph-encoder {args.action}: {error}", file=sys.stderr)
        return 2


def _check(pretrained: str) -> int:
    from .encoder import SAMPLE_TOLERANCE, load_encoder, sample_accuracy

    encoder = load_encoder(pretrained)
    correct = sample_accuracy(encoder)
    sample = encoder.manifest["sample"]
    total = len(sample["characters"])
    ok = abs(correct - sample["correct"]) <= SAMPLE_TOLERANCE
    print(json.dumps({"encoder": str(encoder.path), "fonts": encoder.fonts, "image_size": encoder.image_size,
                      "glyph_dim": encoder.glyph_dim, "groups": encoder.groups,
                      "characters": encoder.manifest["characters"]["trained"], "heldout": encoder.manifest["heldout"],
                      "sample": {"characters": total, "manifest_correct": sample["correct"], "correct": correct,
                                 "accuracy": round(correct / total, 4), "matches": ok}}, ensure_ascii=False, indent=1))
    if not ok:
        print(f"glyph-encoder check: the sample accuracy recomputed from {encoder.path} ({correct}/{total}) differs "
              f"from its manifest's ({sample['correct']}/{total}) by more than {SAMPLE_TOLERANCE}", file=sys.stderr)
        return 1
    return 0
