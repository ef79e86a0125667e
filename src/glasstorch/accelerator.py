"""``torch.accelerator``: the current accelerator (a GPU or similar), answered as PyTorch answers
on a CPU-only machine: there is none, so code that picks
``torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"``
(the tutorials' first lines) runs on the CPU."""

from __future__ import annotations

_NONE = "Cannot access accelerator device when none is available."


def is_available() -> bool:
    """False: glasstorch computes on the CPU only."""
    return False


def current_accelerator(check_available: bool = False):
    """None: no accelerator (the CPU is not one)."""
    return None


def device_count() -> int:
    return 0


def current_device_index() -> int:
    raise RuntimeError(_NONE)


current_device_idx = current_device_index


def set_device_index(device) -> None:
    raise RuntimeError(_NONE)


set_device_idx = set_device_index


def synchronize(device=None) -> None:
    raise RuntimeError(_NONE)
