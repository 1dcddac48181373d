"""Random small shifts and scales of glyph images and dropped script channels: the augmentations of glyph-encoder
pretraining (:mod:`.pretrain`) and of its held-out check (:mod:`.encoder`). No AllenNLP.

Every random number comes from a ``torch.Generator`` on the CPU, drawn in a fixed amount per image, so a seed gives
the same augmentations on any device and whatever the images look like.
"""
from dataclasses import asdict, dataclass
from typing import Dict

import torch
from torch.nn import functional


@dataclass(frozen=True)
class Augmentation:
    """What :meth:`__call__` does to each image (independently):

    * with probability ``clean_fraction`` nothing (the image as rendered, what an embedder sees);
    * else shift it by ``U(-max_shift, max_shift)`` pixels along each axis and scale it by ``U(1 - max_scale,
      1 + max_scale)`` along each axis, around the centre (bilinear resampling, zeros outside), and zero each script
      channel with probability ``channel_drop``, keeping at least one (a random one) when all would go.

    Shapes: ``images`` ``(n, channels, size, size)`` float → the same shape, on the images' device.
    """

    max_shift: float = 1.5
    max_scale: float = 0.12
    channel_drop: float = 0.2
    clean_fraction: float = 0.25

    def __post_init__(self):
        if self.max_shift < 0 or not 0 <= self.max_scale < 1:
            raise ValueError(f"max_shift must be >= 0 and max_scale in [0, 1), got {self.max_shift}, {self.max_scale}")
        if not (0 <= self.channel_drop <= 1 and 0 <= self.clean_fraction <= 1):
            raise ValueError(f"channel_drop and clean_fraction must be in [0, 1], got {self.channel_drop}, "
                             f"{self.clean_fraction}")

    def as_dict(self) -> Dict[str, float]:
        return asdict(self)

    def __call__(self, images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        n, channels, height, width = images.shape
        uniform = torch.rand(n, 5, generator=generator) * 2 - 1  # shift x, shift y, scale x, scale y, clean
        drop = torch.rand(n, channels, generator=generator) < self.channel_drop
        kept_if_all_dropped = torch.randint(channels, (n,), generator=generator)
        clean = (uniform[:, 4] + 1) / 2 < self.clean_fraction
        shift = uniform[:, :2] * self.max_shift
        scale = 1 + uniform[:, 2:4] * self.max_scale
        # affine_grid maps output coordinates to input coordinates (normalised to [-1, 1]): the inverse transform
        theta = torch.zeros(n, 2, 3)
        theta[:, 0, 0] = 1 / scale[:, 0]
        theta[:, 1, 1] = 1 / scale[:, 1]
        theta[:, 0, 2] = -2 * shift[:, 0] / width
        theta[:, 1, 2] = -2 * shift[:, 1] / height
        grid = functional.affine_grid(theta.to(images.device), [n, channels, height, width], align_corners=False)
        moved = functional.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
        all_dropped = drop.all(dim=1)
        drop[all_dropped, kept_if_all_dropped[all_dropped]] = False
        drop[clean] = False
        keep = (~drop).to(images.device, images.dtype)[:, :, None, None]
        return torch.where(clean.to(images.device)[:, None, None, None], images, moved * keep)
