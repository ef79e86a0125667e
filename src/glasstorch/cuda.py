"""``torch.cuda`` without a GPU: nothing is available, and asking for it is an error."""

from __future__ import annotations

from ._device import _no_cuda


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def manual_seed(seed: int) -> None:
    """Accepted and ignored, as torch does when no GPU is present."""


def manual_seed_all(seed: int) -> None:
    """Accepted and ignored, as torch does when no GPU is present."""


def synchronize(device=None) -> None:
    """Nothing to wait for on the CPU."""


def empty_cache() -> None:
    """No GPU memory cache to free."""


def current_device() -> int:
    _no_cuda()


def get_device_name(device=None) -> str:
    _no_cuda()
