"""Pretraining a glyph encoder (``glyce-allennlp glyph-encoder pretrain``): the Tianzige-CNN learns to recognise each
character of a character set from its stacked script images. No AllenNLP.

* Data: every character of the set (default: U+4E00–U+9FFF plus GB2312) drawn by the fonts at ``image_size`` with the
  :class:`~glyce_allennlp.glyph.render.GlyphRenderer` (its fallback policy: a channel whose font lacks the character
  is drawn with the first font that has it); characters no font draws are skipped and counted.
* Objective: a cosine classifier over the characters (:class:`CosineClassifier`: ``scale`` × cosine between the
  CNN's output, with its dropout, and one learned vector per character, initialised with the untrained CNN's vectors
  of the clean renders), cross-entropy with label smoothing, over
  :class:`~glyce_allennlp.glyph.augment.Augmentation` of the renders (random small shifts and scales, whole script
  channels dropped, a share left clean). Each character is one class with one image per epoch: a plain linear
  softmax head barely moves in this budget (few updates per class), the cosine classifier does. AdamW (no weight
  decay on the classifier); the learning rate warms up linearly over the first epoch, then follows a cosine to 2 %
  of ``lr``. Only the CNN is kept (:func:`~glyce_allennlp.glyph.encoder.save_encoder`).
* Held-out check: one augmentation of every trained character drawn from a random stream of its own
  (``heldout_seed``), never used in training: accuracy of the head on it (and on the clean renders), and of the
  nearest clean glyph by cosine of the encoder's vectors; a fixed sample of ``sample_size`` characters gets the same
  nearest-glyph check, which the manifest stores to be recomputed from the weights alone.
* Reproducible and resumable: the weights are initialised from ``seed``, and each epoch's order, augmentations and
  dropout come from random streams derived from (``seed``, epoch), so a run resumed from its checkpoint (written
  after every epoch) gives the weights of an uninterrupted one. Same seed, same torch version and threads, same
  device → same weights on a CPU; CUDA kernels may add nondeterminism.
"""
import json
import math
import os
import shlex
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np
import torch
from torch import nn

from .augment import Augmentation
from .cnn import TianzigeCNN, glyph_features
from .coverage import FontCoverage
from .encoder import (CJK_SOURCE, GlyphEncoderError, cjk_characters, derived_seed, generator, heldout_images,
                      nearest_glyph_accuracy, sample_rows, save_encoder)
from .render import GlyphRenderer

DEFAULT_FONTS = ["song", "traditional", "fangsong", "kai", "cursive"]
# options that define the result: a checkpoint resumes only under the same values
_RUN_OPTIONS = ("fonts", "image_size", "glyph_dim", "groups", "chars", "epochs", "batch_size", "lr", "weight_decay",
                "dropout", "label_smoothing", "scale", "augmentation", "seed", "heldout_seed", "sample_size")


@dataclass
class PretrainOptions:
    """Options of :func:`pretrain` (the command's flags; see ``glyce-allennlp glyph-encoder pretrain --help``).

    out : the ``.safetensors`` file to write (its manifest goes beside it, ``.json``).
    chars : the characters to learn (each distinct non-space character, in order); ``None``: U+4E00–U+9FFF + GB2312.
    checkpoint : the per-epoch checkpoint (default: ``out`` + ``.checkpoint.pt``); deleted once ``out`` is written.
    threads : torch's intra-op threads on the CPU.
    device : ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ...
    """

    out: str
    fonts: List[str] = field(default_factory=lambda: list(DEFAULT_FONTS))
    image_size: int = 12
    glyph_dim: int = 256
    groups: int = 16
    chars: Optional[str] = None
    epochs: int = 16
    batch_size: int = 64
    lr: float = 0.003
    weight_decay: float = 0.0001
    dropout: float = 0.1
    label_smoothing: float = 0.1
    scale: float = 30.0
    augmentation: Augmentation = field(default_factory=Augmentation)
    seed: int = 13
    heldout_seed: int = 2019
    sample_size: int = 500
    checkpoint: Optional[str] = None
    threads: int = 1
    device: str = "cpu"
    cache_dir: Optional[str] = None
    resume: bool = False
    progress: bool = True

    @property
    def checkpoint_path(self) -> Path:
        return Path(self.checkpoint) if self.checkpoint else Path(f"{self.out}.checkpoint.pt")

    def run_options(self) -> Dict:
        values = {name: getattr(self, name) for name in _RUN_OPTIONS}
        values["augmentation"] = self.augmentation.as_dict()
        return values

    def command(self) -> str:
        """The full command line that reproduces this run."""
        args = ["glyce-allennlp", "glyph-encoder", "pretrain", "--out", self.out, "--fonts", *self.fonts,
                "--image-size", self.image_size, "--glyph-dim", self.glyph_dim, "--groups", self.groups]
        if self.chars is not None:
            args += ["--chars", self.chars]
        aug = self.augmentation
        args += ["--epochs", self.epochs, "--batch-size", self.batch_size, "--lr", self.lr, "--weight-decay",
                 self.weight_decay, "--dropout", self.dropout, "--label-smoothing", self.label_smoothing,
                 "--scale", self.scale,
                 "--max-shift", aug.max_shift, "--max-scale", aug.max_scale, "--channel-drop", aug.channel_drop,
                 "--clean-fraction", aug.clean_fraction, "--seed", self.seed, "--heldout-seed", self.heldout_seed,
                 "--sample-size", self.sample_size, "--threads", self.threads, "--device", self.device]
        return shlex.join(str(a) for a in args)


def requested_characters(chars: Optional[str]) -> List[str]:
    if chars is None:
        return cjk_characters()
    return list(dict.fromkeys(c for c in chars if not c.isspace()))


def learning_rate(options: PretrainOptions, step: int, steps_per_epoch: int) -> float:
    total = options.epochs * steps_per_epoch
    warmup = min(steps_per_epoch, max(1, total // 10))
    if step < warmup:
        return options.lr * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    floor = 0.02
    return options.lr * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress)))


class CosineClassifier(nn.Module):
    """``scale · cos(vector, weight_c)`` for every class ``c``: ``(n, D)`` → ``(n, classes)`` logits.

    ``prototypes``: ``(classes, D)`` initial weights (pretraining gives each character's glyph vector under the
    untrained CNN, so that recognition starts from nearest-glyph matching)."""

    def __init__(self, prototypes: torch.Tensor, scale: float):
        super().__init__()
        self.weight = nn.Parameter(prototypes.detach().clone())
        self.scale = scale

    def forward(self, vectors: torch.Tensor) -> torch.Tensor:
        return self.scale * nn.functional.normalize(vectors, dim=1) @ nn.functional.normalize(self.weight, dim=1).T


@torch.no_grad()
def head_accuracy(cnn: TianzigeCNN, head: nn.Module, images: torch.Tensor, classes: torch.Tensor,
                  device: torch.device) -> float:
    """Top-1 accuracy of the classification head on ``images`` (uint8 or float), evaluation mode."""
    correct = 0
    for start in range(0, images.shape[0], 2048):
        features = glyph_features(cnn, images[start:start + 2048], device)
        correct += int((head(features).argmax(1).cpu() == classes[start:start + 2048]).sum())
    return correct / max(1, images.shape[0])


def _atomic_save(state: Dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def _load_checkpoint(options: PretrainOptions, trained: str) -> Dict:
    path = options.checkpoint_path
    state = torch.load(path, map_location="cpu", weights_only=True)
    differences = [f"{k}: {state['options'].get(k)!r} (now {v!r})" for k, v in options.run_options().items()
                   if state["options"].get(k) != v]
    if state.get("characters") != trained:
        differences.append("the trained characters (other fonts or character set)")
    if differences:
        raise GlyphEncoderError(f"The checkpoint {path} belongs to another pretraining run: {'; '.join(differences)}. "
                                f"Resume with the same options, or delete it to start afresh.")
    return state


def _log(options: PretrainOptions, text: str) -> None:
    if options.progress:
        from tqdm import tqdm

        tqdm.write(text)


def pretrain(options: PretrainOptions) -> Path:
    """Train, check and write the encoder (see the module docstring). Returns the ``.safetensors`` path."""
    from tqdm import tqdm

    started = time.time()
    checkpoint = options.checkpoint_path
    if checkpoint.exists() and not options.resume:
        raise GlyphEncoderError(f"{checkpoint} exists (an unfinished pretraining run): pass --resume to continue it, "
                                f"or delete it to start afresh.")
    if options.resume and not checkpoint.exists():
        raise GlyphEncoderError(f"--resume: there is no checkpoint {checkpoint} to resume from.")
    device = torch.device(options.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise GlyphEncoderError(f"--device {options.device}: torch sees no CUDA GPU on this machine.")
    threads_before = torch.get_num_threads()
    torch.set_num_threads(options.threads)
    try:
        return _pretrain(options, device, started, tqdm)
    finally:
        torch.set_num_threads(threads_before)


def _pretrain(options: PretrainOptions, device: torch.device, started: float, tqdm) -> Path:
    renderer = GlyphRenderer(options.fonts, options.image_size)
    requested = requested_characters(options.chars)
    images, missing = renderer.render_table(requested, cache_dir=options.cache_dir, progress=options.progress)
    trained = [c for c, m in zip(requested, missing) if not m]
    skipped = [c for c, m in zip(requested, missing) if m]
    if not trained:
        raise GlyphEncoderError(f"No font of {options.fonts} draws any of the {len(requested)} characters.")
    coverage = [FontCoverage(f.path, f.face, f.convert) for f in renderer.fonts]
    fallback = {f.label: sum(not cov.has(c) for c in trained) for f, cov in zip(renderer.fonts, coverage)}
    table = torch.from_numpy(np.ascontiguousarray(images[~missing]))  # (n, channels, size, size) uint8
    n = len(trained)
    classes = torch.arange(n)
    trained_text = "".join(trained)
    rendered_seconds = time.time() - started

    torch.manual_seed(derived_seed("init", options.seed))
    cnn = TianzigeCNN(renderer.num_channels, options.glyph_dim, options.groups, options.dropout,
                      options.image_size).to(device)
    cnn.eval()
    head = CosineClassifier(glyph_features(cnn, table, device), options.scale).to(device)
    optimizer = torch.optim.AdamW([{"params": list(cnn.parameters())},
                                   {"params": list(head.parameters()), "weight_decay": 0.0}],
                                  lr=options.lr, weight_decay=options.weight_decay)
    history: List[Dict] = []
    start_epoch, seconds_before = 0, 0.0
    if options.resume:
        state = _load_checkpoint(options, trained_text)
        cnn.load_state_dict(state["cnn"])
        head.load_state_dict(state["head"])
        optimizer.load_state_dict(state["optimizer"])
        start_epoch, history, seconds_before = int(state["epoch"]), list(state["history"]), float(state["seconds"])
        _log(options, f"resuming {options.checkpoint_path} after epoch {start_epoch}")

    heldout = heldout_images(table, options.augmentation, options.heldout_seed)
    monitor = torch.tensor([i * n // min(n, 4096) for i in range(min(n, 4096))])
    table_on_device = table.to(device)
    steps = math.ceil(n / options.batch_size)
    for epoch in range(start_epoch, options.epochs):
        epoch_started = time.time()
        torch.manual_seed(derived_seed("dropout", options.seed, epoch))
        random = generator("train", options.seed, epoch)
        order = torch.randperm(n, generator=random)
        cnn.train()
        head.train()
        total_loss, total_correct = 0.0, 0
        bar = tqdm(range(steps), desc=f"epoch {epoch + 1}/{options.epochs}", unit="batch",
                   disable=not options.progress, leave=False)
        for step in bar:
            index = order[step * options.batch_size:(step + 1) * options.batch_size]
            batch = options.augmentation(table_on_device[index.to(device)].float().div_(255.0), random)
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(options, epoch * steps + step, steps)
            logits = head(cnn(batch))
            target = index.to(device)
            loss = nn.functional.cross_entropy(logits, target, label_smoothing=options.label_smoothing)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total_loss += float(loss.detach()) * index.numel()
            total_correct += int((logits.argmax(1) == target).sum())
            bar.set_postfix(loss=f"{float(loss.detach()):.3f}")
        cnn.eval()
        head.eval()
        record = {"epoch": epoch + 1, "loss": round(total_loss / n, 4), "train_accuracy": round(total_correct / n, 4),
                  "heldout_accuracy_monitor": round(head_accuracy(cnn, head, heldout[monitor], classes[monitor],
                                                                  device), 4),
                  "seconds": round(time.time() - epoch_started, 1)}
        history.append(record)
        _log(options, "epoch {epoch}: loss {loss}, training accuracy {train_accuracy}, held-out accuracy "
                      "(monitor sample) {heldout_accuracy_monitor}, {seconds} s".format(**record))
        _atomic_save({"options": options.run_options(), "characters": trained_text, "epoch": epoch + 1,
                      "cnn": cnn.state_dict(), "head": head.state_dict(), "optimizer": optimizer.state_dict(),
                      "history": history, "seconds": seconds_before + time.time() - started}, options.checkpoint_path)

    cnn.eval()
    head.eval()
    rows = sample_rows(n, options.sample_size)
    sample = "".join(trained[i] for i in rows)
    # on the CPU, where a check of the weights alone recomputes it (glyph.encoder.sample_accuracy)
    sample_correct = nearest_glyph_accuracy(cnn.cpu(), table[rows], options.augmentation, options.heldout_seed)
    cnn.to(device)
    heldout_result = {
        "seed": options.heldout_seed,
        "size": n,
        "accuracy": round(head_accuracy(cnn, head, heldout, classes, device), 4),
        "clean_accuracy": round(head_accuracy(cnn, head, table, classes, device), 4),
        "nearest_glyph_accuracy": round(nearest_glyph_accuracy(cnn, table, options.augmentation,
                                                               options.heldout_seed, device) / n, 4),
    }
    seconds = seconds_before + time.time() - started
    manifest = {
        "fonts": [{"label": f.label, "sha256": f.sha256, "face": f.face, "convert": f.convert}
                  for f in renderer.fonts],
        "image_size": options.image_size,
        "glyph_dim": options.glyph_dim,
        "groups": options.groups,
        "training": {
            "command": options.command(),
            "seed": options.seed,
            "epochs": options.epochs,
            "seconds": round(seconds, 1),
            "rendering_seconds": round(rendered_seconds, 1),
            "threads": options.threads,
            "device": str(device),
            "torch": torch.__version__,
            "objective": "character recognition: cosine classifier (cross-entropy, label smoothing) over "
                         "augmented renders",
            "options": options.run_options(),
            "history": history,
        },
        "heldout": heldout_result,
        "sample": {"characters": sample, "seed": options.heldout_seed, "correct": sample_correct,
                   "accuracy": round(sample_correct / len(sample), 4)},
        "characters": {
            "source": CJK_SOURCE if options.chars is None else "given",
            "requested": len(requested),
            "trained": n,
            "skipped": len(skipped),
            "skipped_characters": "".join(skipped),
            "fallback": fallback,
            "list": trained_text,
        },
    }
    path = save_encoder(cnn, manifest, options.out)
    options.checkpoint_path.unlink(missing_ok=True)
    _log(options, json.dumps({"encoder": str(path), "seconds": manifest["training"]["seconds"],
                              "characters": {k: manifest["characters"][k] for k in ("trained", "skipped")},
                              "heldout": heldout_result, "sample_accuracy": manifest["sample"]["accuracy"]},
                             ensure_ascii=False))
    return path
