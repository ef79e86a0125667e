"""Devices: glasstorch computes on the CPU; ``torch.device('cpu')`` and friends behave as in torch.

Asking for CUDA (or any other accelerator) raises a clear error instead of silently using the CPU.
"""

from __future__ import annotations


class device:
    """A device name such as ``device('cpu')`` or ``device('cuda', 0)``."""

    __slots__ = ("type", "index")

    def __new__(cls, type_or_device="cpu", index: int | None = None):
        if isinstance(type_or_device, device):
            return type_or_device
        if isinstance(type_or_device, int):
            type_or_device, index = "cuda", type_or_device
        kind = str(type_or_device)
        if ":" in kind:
            kind, _, idx = kind.partition(":")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type_or_device}'")
            index = int(idx)
        if kind not in ("cpu", "cuda", "mps", "meta", "xpu"):
            raise RuntimeError(
                "Expected one of cpu, cuda, mps, meta, xpu device type at start of device "
                f"string: {type_or_device}"
            )
        obj = object.__new__(cls)
        object.__setattr__(obj, "type", kind)
        object.__setattr__(obj, "index", index)
        return obj

    def __setattr__(self, name, value):
        raise AttributeError("device objects are immutable")

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


cpu = device("cpu")


def _no_cuda():
    raise AssertionError(
        "Torch not compiled with CUDA enabled (glasstorch computes on the CPU only: use "
        "device='cpu', or d2l.try_gpu(), which returns the CPU here)"
    )


def check_device(dev) -> None:
    """Accept None or a CPU device; raise the CUDA error for anything else."""
    if dev is None:
        return
    d = device(dev)
    if d.type not in ("cpu", "meta"):
        _no_cuda()
