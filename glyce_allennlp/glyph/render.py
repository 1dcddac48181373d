"""Character → grayscale glyph images, one channel per font (script). No AllenNLP here.

Rendering contract
------------------
* Each character is drawn white-on-black (ink = 255, background = 0) into an ``image_size × image_size`` square,
  the glyph's ink bounding box centred, the font size chosen so that a full-width CJK glyph fills the square.
* A font *can draw* a character when its cmap maps the (converted, for ``s2t`` fonts) character to a real glyph
  (not ``.notdef``) and the render has ink. Whitespace characters are legitimately blank (all-zero image).
* **Fallback policy** for a channel whose font cannot draw the character: the channel is drawn with the first font of
  the same renderer (in config order) that can draw it, and the event is counted as a *fallback*. When no font of the
  renderer can draw it, every channel stays all-zero and the character is counted as *missing* (``missing`` flag
  returned); an embedder then relies on its char-ID part, if it has one. Nothing is silently drawn as a .notdef box.
* **Broken font files**: a file that FreeType or fontTools cannot open, or whose glyphs cannot be drawn at all (probed
  when the renderer is built), raises :class:`~glyce_allennlp.glyph.fonts.FontError` naming the file and what to do.
  A single glyph that fails to draw (a damaged outline in an otherwise readable font) is treated as a character
  that font cannot draw (fallback policy above), counted in ``stats.errors`` and logged once per font.
* Tables of many characters are rendered once and cached on disk (``$GLYCE_HOME/glyphs``) keyed by the fonts' sha256,
  face, conversion, image size, renderer version and the character set. A cache file is written to a temporary name
  and renamed, and carries a checksum: a half-written or corrupt file is detected, logged and rebuilt, never loaded.
  Temporary files left by a process killed mid-write are deleted by the next successful write of the same table.
  An unwritable cache folder only disables the cache (logged; set ``GLYCE_HOME`` to a writable folder).
"""
import hashlib
import json
import logging
import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .coverage import FONT_FILE_HINT, FontCoverage, to_traditional
from .fonts import FontError, ResolvedFont, glyce_home, resolve_font

logger = logging.getLogger(__name__)

RENDERER_VERSION = "1"


@dataclass
class RenderStats:
    """Counts of fallback renders per font and of characters no font could draw."""

    fallback: Dict[str, int] = field(default_factory=dict)
    missing: List[str] = field(default_factory=list)
    errors: Dict[str, int] = field(default_factory=dict)  # glyphs a font failed to draw (damaged outlines)

    def summary(self) -> str:
        parts = [f"{label}: {n}" for label, n in self.fallback.items() if n]
        text = f"{len(self.missing)} character(s) no font can draw"
        if self.missing:
            text += " (" + "".join(self.missing[:20]) + ("…" if len(self.missing) > 20 else "") + ")"
        if parts:
            text += "; channels drawn with a fallback font: " + ", ".join(parts)
        errors = [f"{label}: {n}" for label, n in self.errors.items() if n]
        if errors:
            text += "; glyphs that failed to draw (damaged font data): " + ", ".join(errors)
        return text


class GlyphRenderer:
    """Renders characters with several fonts into ``uint8`` arrays of shape ``(n_chars, n_fonts, size, size)``.

    Parameters
    ----------
    fonts : list of font references (see :mod:`glyce_allennlp.glyph.fonts`), one image channel each.
    image_size : side of the square image in pixels (paper: 12 for CNN-only models, 18-24 with BERT).
    """

    def __init__(self, fonts: Sequence[str], image_size: int = 12):
        if not fonts:
            raise FontError("GlyphRenderer needs at least one font")
        if image_size < 6:
            raise ValueError(f"image_size must be at least 6 pixels, got {image_size}")
        self.fonts: List[ResolvedFont] = [resolve_font(ref) for ref in fonts]
        self.image_size = image_size
        self._pil = [_open_font(f, image_size) for f in self.fonts]
        self._coverage = [FontCoverage(f.path, f.face, f.convert) for f in self.fonts]
        self.stats = RenderStats(fallback={f.label: 0 for f in self.fonts}, errors={f.label: 0 for f in self.fonts})
        for i in range(len(self.fonts)):
            self._probe(i)

    @property
    def num_channels(self) -> int:
        return len(self.fonts)

    def identity(self) -> str:
        """A string that changes whenever any input to rendering changes (cache key material)."""
        fonts = [[f.sha256, f.face, f.convert] for f in self.fonts]
        return json.dumps({"v": RENDERER_VERSION, "size": self.image_size, "fonts": fonts}, sort_keys=True)

    # -------------------------------------------------------------------------------------------------- rendering
    def _draw(self, font_index: int, ch: str) -> np.ndarray:
        return self._draw_text(self._pil[font_index], self._coverage[font_index].target(ch))

    def _probe(self, font_index: int) -> None:
        """Fail early, with a clear message, on a font whose glyphs cannot be drawn at all."""
        font = self.fonts[font_index]
        codepoints = sorted(self._coverage[font_index].codepoints)
        if not codepoints:
            raise FontError(f"The font file {font.path} (face {font.face}, font {font.label!r}) maps no character to "
                            f"a glyph (empty or broken cmap). {FONT_FILE_HINT}")
        cjk = [cp for cp in codepoints if 0x4E00 <= cp <= 0x9FFF] or codepoints
        sample = cjk[:: max(1, len(cjk) // 4)][:4]
        errors = []
        for cp in sample:
            try:
                self._draw_text(self._pil[font_index], chr(cp))
                return
            except (OSError, ValueError) as e:
                errors.append(f"U+{cp:04X}: {e}")
        raise FontError(f"The font file {font.path} (face {font.face}, font {font.label!r}) cannot draw its own "
                        f"characters ({'; '.join(errors)}): it is truncated or corrupt. {FONT_FILE_HINT}")

    def _can_draw(self, font_index: int, ch: str) -> Tuple[bool, Optional[np.ndarray]]:
        if not self._coverage[font_index].has(ch):
            return False, None
        try:
            image = self._draw(font_index, ch)
        except (OSError, ValueError) as e:  # a damaged glyph: treat as a character this font cannot draw
            label = self.fonts[font_index].label
            if not self.stats.errors.get(label):
                logger.warning("Font %r (%s) failed to draw %r (U+%04X): %s. Treated as a character it cannot draw "
                               "(fallback to another font); further failures of this font are only counted.",
                               label, self.fonts[font_index].path, ch, ord(ch), e)
            self.stats.errors[label] = self.stats.errors.get(label, 0) + 1
            return False, None
        return bool(image.any()), image

    def render_char(self, ch: str) -> Tuple[np.ndarray, bool]:
        """One character → (``(n_fonts, size, size)`` uint8 image, missing flag)."""
        if len(ch) != 1:
            raise ValueError(f"render_char expects one character, got {ch!r}")
        channels = np.zeros((self.num_channels, self.image_size, self.image_size), dtype=np.uint8)
        if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zs", "Zl", "Zp"):
            return channels, False  # legitimately blank: not a glyph
        drawn: List[Optional[np.ndarray]] = []
        for i in range(self.num_channels):
            ok, image = self._can_draw(i, ch)
            drawn.append(image if ok else None)
        if all(d is None for d in drawn):
            self.stats.missing.append(ch)
            return channels, True
        first_ok = next(i for i, d in enumerate(drawn) if d is not None)
        for i, image in enumerate(drawn):
            if image is None:
                self.stats.fallback[self.fonts[i].label] += 1
                image = drawn[first_ok] if self.fonts[first_ok].convert == self.fonts[i].convert \
                    else self._draw_with(first_ok, ch, self.fonts[i].convert)
            channels[i] = image
        return channels, False

    def _draw_with(self, font_index: int, ch: str, convert: Optional[str]) -> np.ndarray:
        # a fallback channel keeps its own conversion when the fallback font can draw that form, else the plain form
        if convert == "s2t":
            trad = to_traditional(ch)
            if ord(trad) in self._coverage[font_index].codepoints:
                try:
                    return self._draw_text(self._pil[font_index], trad)
                except (OSError, ValueError):
                    pass  # damaged glyph: the plain form (already drawn once by this font) below
        return self._draw(font_index, ch)

    def _draw_text(self, font: ImageFont.FreeTypeFont, text: str) -> np.ndarray:
        """Draw ``text`` white-on-black with its ink bounding box centred in the square."""
        size = self.image_size
        left, top, right, bottom = font.getbbox(text)
        image = Image.new("L", (size, size), 0)
        if right > left and bottom > top:
            ImageDraw.Draw(image).text(((size - (right - left)) / 2 - left, (size - (bottom - top)) / 2 - top),
                                       text, font=font, fill=255)
        return np.asarray(image, dtype=np.uint8)

    def render(self, chars: Sequence[str], progress: bool = False) -> Tuple[np.ndarray, np.ndarray]:
        """Characters → (``(n, n_fonts, size, size)`` uint8 images, ``(n,)`` bool missing flags)."""
        images = np.zeros((len(chars), self.num_channels, self.image_size, self.image_size), dtype=np.uint8)
        missing = np.zeros(len(chars), dtype=bool)
        iterator: Iterable = enumerate(chars)
        if progress and len(chars) > 200:
            from tqdm import tqdm

            iterator = tqdm(iterator, total=len(chars), desc=f"rendering glyphs ({self.num_channels} fonts)",
                            unit="char")
        for i, ch in iterator:
            images[i], missing[i] = self.render_char(ch)
        return images, missing

    # ------------------------------------------------------------------------------------------------------ cache
    def cache_key(self, chars: Sequence[str]) -> str:
        material = self.identity() + "\n" + "".join(chars)
        return hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]

    def render_table(self, chars: Sequence[str], cache_dir: Optional[os.PathLike] = None,
                     progress: bool = True) -> Tuple[np.ndarray, np.ndarray]:
        """Like :meth:`render`, but cached on disk. An unwritable cache folder only disables the cache (logged)."""
        chars = list(chars)
        folder = Path(cache_dir) if cache_dir is not None else glyce_home() / "glyphs"
        path = folder / f"{self.cache_key(chars)}.npz"
        loaded = _load_cache(path, len(chars), self.num_channels, self.image_size)
        if loaded is not None:
            images, missing = loaded
            self.stats.missing.extend(c for c, m in zip(chars, missing) if m)
            return images, missing
        images, missing = self.render(chars, progress=progress)
        _save_cache(path, images, missing)
        return images, missing


def _open_font(font: ResolvedFont, image_size: int) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(font.path, size=image_size, index=font.face)
    except (OSError, ValueError) as e:  # FreeType: "unknown file format", "... table missing", bad face index, ...
        raise FontError(f"Cannot read the font file {font.path} (face {font.face}, font {font.label!r}): {e}. It is "
                        f"truncated, corrupt, or not a TrueType/OpenType font. {FONT_FILE_HINT}") from e


def _checksum(images: np.ndarray, missing: np.ndarray) -> str:
    return hashlib.sha256(images.tobytes() + missing.tobytes()).hexdigest()


def _load_cache(path: Path, n: int, channels: int, size: int) -> Optional[Tuple[np.ndarray, np.ndarray]]:
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            images, missing, checksum = data["images"], data["missing"], str(data["checksum"])
        if images.shape != (n, channels, size, size) or missing.shape != (n,) or checksum != _checksum(images, missing):
            raise ValueError("shape or checksum mismatch")
        return images, missing
    except Exception as e:  # truncated zip, bad checksum, …: rebuild
        logger.warning("Glyph cache %s is corrupt or half-written (%s); rebuilding it.", path, e)
        return None


def _save_cache(path: Path, images: np.ndarray, missing: np.ndarray) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
        np.savez(tmp, images=images, missing=missing, checksum=np.array(_checksum(images, missing)))
        os.replace(tmp, path)
        _remove_stale_temporaries(path)
    except OSError as e:
        logger.warning("Cannot write the glyph cache %s (%s); glyphs will be rendered again next time. Set GLYCE_HOME "
                       "to a writable folder to enable the cache.", path, e)


def _remove_stale_temporaries(path: Path) -> None:
    """Delete ``{stem}.{pid}.tmp.npz`` files of this table left by processes that no longer run (killed mid-write)."""
    for tmp in path.parent.glob(f"{path.stem}.*.tmp.npz"):
        pid = tmp.name[len(path.stem) + 1:-len(".tmp.npz")]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
            continue  # still running: maybe writing right now
        except ProcessLookupError:
            pass
        except OSError:
            continue  # exists but not ours (PermissionError): leave it
        try:
            tmp.unlink()
            logger.info("Removed %s, left by a glyph cache write that did not finish.", tmp)
        except OSError:
            pass
