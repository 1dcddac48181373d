"""Pretrained glyph encoders: the weights of a Tianzige-CNN trained to recognise characters from their glyph images
(``glyce-allennlp glyph-encoder pretrain``, :mod:`.pretrain`), with a manifest saying what they were trained on.
No AllenNLP.

An encoder is two files: ``NAME.safetensors``, the CNN's ``state_dict`` (``conv``, ``down``, ``up`` weights and
biases; not the classification head of pretraining), and ``NAME.json`` beside it, the manifest::

    format, version          "glyce-glyph-encoder", 1
    weights                  {"file", "sha256"}: the .safetensors file
    fonts                    [{"label", "sha256", "face", "convert"}]: one per image channel, in channel order
    image_size, glyph_dim, groups   the CNN's options (the ``glyce`` embedder's image_size, glyph_dim, groups)
    characters               {"source", "requested", "trained", "skipped", "skipped_characters", "fallback",
                              "list"}: the character set asked for, the characters no font draws (skipped, left
                              out), channels drawn with a fallback font per font (see :mod:`.render`), and the
                              trained characters in class order
    training                 {"command", "seed", "epochs", "seconds", "threads", "device", "torch", "options",
                              "history"}
    heldout                  {"seed", "size", "accuracy", "clean_accuracy", "nearest_glyph_accuracy"}: recognition
                             accuracy (classification head) on augmented renders of every trained character that
                             training never used, on the renders themselves, and by the nearest clean glyph (cosine
                             of the encoder's vectors, no head)
    sample                   {"characters", "seed", "correct", "accuracy"}: :func:`nearest_glyph_accuracy` on a small
                             fixed sample, reproducible from the weights alone

``"default"`` names the encoder shipped in this package (``glyph_encoder_default.safetensors`` + ``.json``; fonts
song, traditional, fangsong, kai, cursive; image size 12; D 256; groups 16: the training configs' defaults).
:data:`FROM_ARCHIVE` names no file: the embedders' ``glyph_encoder`` takes it for a CNN whose weights are loaded after
it is built (a model archive's; :mod:`glyce_allennlp.patches.archived_glyph_encoders`).

Loading checks that the weights are the ones the manifest describes (sha256) and, for whoever uses them, that the
fonts are the files the CNN was trained on: a different file behind a font raises
:class:`~glyce_allennlp.glyph.fonts.FontError` naming the font and both digests (``GLYCE_FONT_MISMATCH=warn`` only
logs it), exactly as for the weights of a trained model.
"""
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

from .augment import Augmentation
from .cnn import TianzigeCNN, glyph_features
from .fonts import ResolvedFont, gb2312_chars, report_font_mismatch, sha256_of

FORMAT = "glyce-glyph-encoder"
VERSION = 1
DEFAULT_ENCODER = Path(__file__).with_name("glyph_encoder_default.safetensors")
FROM_ARCHIVE = "from_archive"  # a ``pretrained`` value that is no encoder: the weights come from a model archive
CJK_SOURCE = "U+4E00-U+9FFF + GB2312"
# a recomputed sample check may differ from the manifest's by this many characters (float rounding of another CPU
# can flip a near tie); on the machine and torch version that trained the encoder it is exact
SAMPLE_TOLERANCE = 1


class GlyphEncoderError(ValueError):
    """A glyph encoder that cannot be used: missing files, weights that are not the manifest's, or options that differ
    from those of the embedder asking for it."""


def cjk_characters() -> List[str]:
    """The pretraining character set: every CJK Unified Ideograph (U+4E00–U+9FFF) plus the GB2312 hanzi (all of which
    lie in that block), by code point."""
    return sorted(set(chr(cp) for cp in range(0x4E00, 0xA000)) | set(gb2312_chars()))


def encoder_path(pretrained: str) -> Path:
    """``"default"`` → the shipped encoder; otherwise a path to a ``.safetensors`` file (or its ``.json`` manifest)."""
    if pretrained == "default":
        return DEFAULT_ENCODER
    path = Path(pretrained).expanduser()
    return path.with_suffix(".safetensors") if path.suffix == ".json" else path


def manifest_path(weights: Path) -> Path:
    return Path(weights).with_suffix(".json")


def derived_seed(*parts) -> int:
    """A 63-bit seed from any parts (e.g. ``("heldout", 2019)``): distinct parts give unrelated random streams."""
    digest = hashlib.sha256(" ".join(str(p) for p in parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "little") >> 1


def generator(*parts) -> torch.Generator:
    return torch.Generator().manual_seed(derived_seed(*parts))


def heldout_images(images: torch.Tensor, augmentation: Augmentation, seed: int) -> torch.Tensor:
    """The held-out renders: ``augmentation`` of every image (uint8 ``(n, channels, size, size)``) with the random stream
    of ``seed`` (``derived_seed("heldout", seed)``), as float in [0, 1] on the CPU."""
    return augmentation(images.float().div(255.0), generator("heldout", seed))


@torch.no_grad()
def nearest_glyph_accuracy(cnn: TianzigeCNN, images: torch.Tensor, augmentation: Augmentation, seed: int,
                           device: torch.device = torch.device("cpu")) -> int:
    """How many of the :func:`heldout_images` of ``images`` have their own clean render as the nearest (cosine of the
    encoder's vectors) among the clean renders of all of ``images``: recognition by the encoder alone, no head."""
    prototypes = torch.nn.functional.normalize(glyph_features(cnn, images, device), dim=1)
    queries = torch.nn.functional.normalize(glyph_features(cnn, heldout_images(images, augmentation, seed), device),
                                            dim=1)
    correct = 0
    for start in range(0, queries.shape[0], 2048):
        nearest = (queries[start:start + 2048] @ prototypes.T).argmax(dim=1)
        correct += int((nearest == torch.arange(start, start + nearest.shape[0], device=device)).sum())
    return correct


def sample_rows(n: int, size: int) -> List[int]:
    """``size`` indices spread evenly over ``range(n)`` (all of them when ``n <= size``)."""
    return list(range(n)) if n <= size else [i * n // size for i in range(size)]


# --------------------------------------------------------------------------------------------------- the encoder
@dataclass
class GlyphEncoder:
    """A loaded encoder: where it is, its manifest, and its weights (CPU tensors)."""

    path: Path
    manifest: Dict
    state_dict: Dict[str, torch.Tensor]

    @property
    def fonts(self) -> List[str]:
        """The font references (as written in the pretraining command) of the image channels, in order."""
        return [font["label"] for font in self.manifest["fonts"]]

    @property
    def image_size(self) -> int:
        return int(self.manifest["image_size"])

    @property
    def glyph_dim(self) -> int:
        return int(self.manifest["glyph_dim"])

    @property
    def groups(self) -> int:
        return int(self.manifest["groups"])

    @property
    def characters(self) -> List[str]:
        """The trained characters, in class order."""
        return list(self.manifest["characters"]["list"])

    @property
    def augmentation(self) -> Augmentation:
        return Augmentation(**self.manifest["training"]["options"]["augmentation"])

    def cnn(self, dropout: float = 0.0, precision: str = "float32") -> TianzigeCNN:
        """A new :class:`TianzigeCNN` with these weights."""
        cnn = TianzigeCNN(len(self.fonts), self.glyph_dim, self.groups, dropout, self.image_size, precision)
        cnn.load_state_dict(self.state_dict)
        return cnn

    def check_fonts(self, fonts: Sequence[ResolvedFont]) -> None:
        """``fonts`` (in channel order) must be the files the encoder was trained on: a font whose sha256 differs is
        reported by :func:`~glyce_allennlp.glyph.fonts.report_font_mismatch` (``FontError`` naming it, or a warning
        with ``GLYCE_FONT_MISMATCH=warn``)."""
        report_font_mismatch([(font, trained["sha256"]) for font, trained in zip(fonts, self.manifest["fonts"])
                              if font.sha256 != trained["sha256"]], f"the weights of the glyph encoder {self.path}")

    def check_options(self, fonts: Sequence[ResolvedFont], image_size: int, glyph_dim: int, groups: int,
                      who: str = "this embedder") -> None:
        """Whoever loads these weights must have the encoder's fonts (the same references in the same order, or the
        same files), image size, D and groups: :class:`GlyphEncoderError` listing every difference otherwise. Then
        the font files are checked as by :meth:`check_fonts`."""
        trained = self.manifest["fonts"]
        same_fonts = len(fonts) == len(trained) and all(
            font.label == t["label"] or font.sha256 == t["sha256"] for font, t in zip(fonts, trained))
        problems = []
        if not same_fonts:
            problems.append(f"fonts {[f.label for f in fonts]} (encoder: {self.fonts})")
        for name, value, expected in (("image_size", image_size, self.image_size),
                                      ("glyph_dim", glyph_dim, self.glyph_dim), ("groups", groups, self.groups)):
            if value != expected:
                problems.append(f"{name} {value} (encoder: {expected})")
        if problems:
            raise GlyphEncoderError(
                f"The glyph encoder {self.path} does not fit {who}: {'; '.join(problems)}. Give {who} the encoder's "
                f"options (fonts {self.fonts}, image_size {self.image_size}, glyph_dim {self.glyph_dim}, groups "
                f"{self.groups}), or pretrain an encoder with yours: `glyce-allennlp glyph-encoder pretrain --fonts "
                f"{' '.join(f.label for f in fonts)} --image-size {image_size} --glyph-dim {glyph_dim} --groups "
                f"{groups} --out FILE.safetensors`.")
        self.check_fonts(fonts)

    def glyph_embedding(self, cache_dir: Optional[str] = None, progress: bool = True):
        """A frozen :class:`~glyce_allennlp.glyph.embedding.GlyphEmbedding` over the encoder's fonts, with the
        trained characters as its known characters (for nearest-glyph queries); fonts checked by :meth:`check_fonts`."""
        from .embedding import GlyphEmbedding
        from .render import GlyphRenderer

        renderer = GlyphRenderer(self.fonts, self.image_size)
        self.check_fonts(renderer.fonts)
        glyph = GlyphEmbedding(renderer, self.characters, self.glyph_dim, self.groups, aux_classifier=False,
                               cache_dir=cache_dir, progress=progress)
        glyph.cnn.load_state_dict(self.state_dict)
        glyph.freeze_cnn()
        return glyph


def load_encoder(pretrained: str) -> GlyphEncoder:
    """Read the encoder ``pretrained`` (``"default"`` or a path): :class:`GlyphEncoderError` when a file is missing,
    the manifest is not one, or the weights are not the ones it describes (sha256). Fonts are checked by whoever uses
    it (:meth:`GlyphEncoder.check_options`, :meth:`GlyphEncoder.check_fonts`)."""
    from safetensors.torch import load_file

    path = encoder_path(pretrained)
    manifest_file = manifest_path(path)
    for needed in (path, manifest_file):
        if not needed.is_file():
            raise GlyphEncoderError(f"Glyph encoder {pretrained!r}: {needed} does not exist (an encoder is a "
                                    f".safetensors file and its .json manifest, written by `glyce-allennlp "
                                    f"glyph-encoder pretrain`).")
    try:
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise GlyphEncoderError(f"Glyph encoder manifest {manifest_file} cannot be read: {error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise GlyphEncoderError(f"{manifest_file} is not a glyph encoder manifest (format {FORMAT!r}, version "
                                f"{VERSION}).")
    digest = sha256_of(path)
    if digest != manifest["weights"]["sha256"]:
        raise GlyphEncoderError(f"The glyph encoder weights {path} (sha256 {digest[:16]}…) are not the ones its "
                                f"manifest {manifest_file} describes ({manifest['weights']['sha256'][:16]}…): the two "
                                f"files come from different runs. Keep the pair `glyce-allennlp glyph-encoder "
                                f"pretrain` wrote together.")
    return GlyphEncoder(path, manifest, load_file(str(path)))


def save_encoder(cnn: TianzigeCNN, manifest: Dict, path: os.PathLike) -> Path:
    """Write ``cnn``'s weights to ``path`` (``.safetensors``) and ``manifest`` (with ``format``, ``version`` and
    ``weights`` filled in) to the ``.json`` beside it, each through a temporary file. Returns the weights' path."""
    from safetensors.torch import save_file

    path = Path(path)
    if path.suffix != ".safetensors":
        raise GlyphEncoderError(f"The glyph encoder file must end in .safetensors, got {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {name: tensor.detach().cpu().contiguous() for name, tensor in cnn.state_dict().items()}
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    save_file(tensors, str(tmp), metadata={"format": FORMAT})
    os.chmod(tmp, 0o644)  # a shareable file, like the manifest (the writer creates it private)
    os.replace(tmp, path)
    manifest = {"format": FORMAT, "version": VERSION, "weights": {"file": path.name, "sha256": sha256_of(path)},
                **{k: v for k, v in manifest.items() if k not in ("format", "version", "weights")}}
    manifest_file = manifest_path(path)
    tmp = manifest_file.with_name(f"{manifest_file.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, manifest_file)
    return path


def sample_accuracy(encoder: GlyphEncoder, cache_dir: Optional[str] = None) -> int:
    """Recompute the manifest's ``sample`` check from the weights: :func:`nearest_glyph_accuracy` of the sample
    characters (rendered with the encoder's fonts, checked by :meth:`GlyphEncoder.check_fonts`) with the manifest's
    augmentation and seed. Returns the number correct (compare with ``manifest["sample"]["correct"]``)."""
    from .render import GlyphRenderer

    sample = encoder.manifest["sample"]
    renderer = GlyphRenderer(encoder.fonts, encoder.image_size)
    encoder.check_fonts(renderer.fonts)
    images, _ = renderer.render(list(sample["characters"]))
    cnn = encoder.cnn().eval()
    return nearest_glyph_accuracy(cnn, torch.from_numpy(np.ascontiguousarray(images)), encoder.augmentation,
                                  int(sample["seed"]))
