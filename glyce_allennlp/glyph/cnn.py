"""The Tianzige-CNN of Glyce (Meng et al., 2019, section 2.2 / Figure 1). No AllenNLP here."""
import contextlib
import functools

import torch
from torch import nn

PRECISIONS = ("float32", "bfloat16", "auto")


@functools.lru_cache(maxsize=None)
def native_bfloat16(device_type: str) -> bool:
    """Whether ``device_type`` ("cpu", "cuda") runs bfloat16 convolutions natively."""
    if device_type == "cpu":
        try:
            return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
        except (AttributeError, RuntimeError):  # a torch build without oneDNN
            return False
    if device_type == "cuda":
        return torch.cuda.is_available() and torch.cuda.is_bf16_supported()
    return False


class TianzigeCNN(nn.Module):
    """Glyph images → glyph vectors, exactly the paper's stack::

        conv 5×5 (in = number of scripts, out = D) → ReLU
        → max-pool to a 2×2 grid (the 田字格 "Tianzige")
        → 1×1 grouped conv down to D/4
        → 2×2 grouped conv back to D (output 1×1)
        → ReLU → dropout

    Parameters
    ----------
    in_channels : number of scripts (fonts), one image channel each.
    output_dim : D, the glyph vector size (paper: 1024).
    groups : groups of the 1×1 and 2×2 convolutions (paper: 16). ``output_dim`` must be divisible by ``4 * groups``.
    dropout : dropout on the output vector.
    image_size : side of the input images; must be at least 6 (a 5×5 conv leaves ≥ 2×2 for the Tianzige pool).
    precision : ``"float32"`` (default) or ``"bfloat16"``: run the convolutions under bfloat16 autocast (weights and
        output stay float32; the output differs from float32 by ~0.3 % of its scale). On a CPU with native bfloat16
        (AVX512-BF16 / AMX) the CNN's forward + backward is ~2.5× faster (measured: 600 glyphs, 1 thread); on a CPU
        without it bfloat16 is emulated and slower. ``"auto"``: bfloat16 where the device has it natively (CPU:
        oneDNN reports bfloat16 support; CUDA: ``torch.cuda.is_bf16_supported()``), else float32 — so results then
        depend on the machine.

    Shapes: ``(N, in_channels, image_size, image_size)`` float in [0, 1] → ``(N, output_dim)``.
    """

    def __init__(self, in_channels: int, output_dim: int = 1024, groups: int = 16, dropout: float = 0.0,
                 image_size: int = 12, precision: str = "float32"):
        super().__init__()
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
        if output_dim % (4 * groups) != 0:
            raise ValueError(f"output_dim ({output_dim}) must be divisible by 4 * groups ({4 * groups})")
        if image_size < 6:
            raise ValueError(f"image_size must be at least 6, got {image_size}")
        self.in_channels = in_channels
        self.output_dim = output_dim
        self.conv = nn.Conv2d(in_channels, output_dim, kernel_size=5)
        self.tianzige_pool = nn.AdaptiveMaxPool2d(2)  # image_size-4 → 2×2, e.g. 8×8 → 2×2 for 12 px
        self.down = nn.Conv2d(output_dim, output_dim // 4, kernel_size=1, groups=groups)
        self.up = nn.Conv2d(output_dim // 4, output_dim, kernel_size=2, groups=groups)
        self.dropout = nn.Dropout(dropout)
        self.precision = precision

    def uses_bfloat16(self, device: torch.device) -> bool:
        return self.precision == "bfloat16" or (self.precision == "auto" and native_bfloat16(device.type))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.features(images))

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """The glyph vectors before the output dropout (what :meth:`forward` returns in evaluation mode)."""
        if images.device.type == "cpu":
            # channels-last input: oneDNN's faster convolution path on CPU (same weights, same result up to float
            # rounding; measured 1.6x for forward + backward over 600 glyphs, 1 thread)
            images = images.contiguous(memory_format=torch.channels_last)
        # float32: no autocast context of our own, so an outer one (e.g. the trainer's AMP) still applies
        bfloat16 = self.uses_bfloat16(images.device)
        with torch.autocast(images.device.type, dtype=torch.bfloat16) if bfloat16 else contextlib.nullcontext():
            # ReLU after the pool: max-pool(ReLU(x)) == ReLU(max-pool(x)) (ReLU is monotone; same gradients too),
            # and the ReLU then runs over the 2×2 grid instead of the whole conv output (forward + backward 1.35×)
            x = torch.relu(self.tianzige_pool(self.conv(images)))
            x = self.down(x)
            x = torch.relu(self.up(x))  # (N, D, 1, 1)
        return x.flatten(1).float()


@torch.no_grad()
def glyph_features(cnn: TianzigeCNN, images: torch.Tensor, device: torch.device, batch_size: int = 2048
                   ) -> torch.Tensor:
    """``(n, D)`` glyph vectors (no dropout) of ``(n, channels, size, size)`` images — uint8 in [0, 255] or float in
    [0, 1] — computed in batches on ``device``, returned on ``device``."""
    outputs = []
    for start in range(0, images.shape[0], batch_size):
        chunk = images[start:start + batch_size].to(device)
        chunk = chunk.float().div_(255.0) if chunk.dtype == torch.uint8 else chunk.float()
        outputs.append(cnn.features(chunk))
    return torch.cat(outputs) if outputs else torch.zeros(0, cnn.output_dim, device=device)
