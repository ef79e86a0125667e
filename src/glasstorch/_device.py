"""Devices: ``torch.device('cpu')``, ``torch.device('cuda', 0)`` and where a tensor's array lives.

The CPU computes with NumPy; a CUDA GPU with CuPy (``_array.py`` loads it). Without CuPy or
without a GPU, asking for CUDA raises torch's "Torch not compiled with CUDA enabled" instead of
silently using the CPU; other accelerators (mps, xpu) always do.
"""

from __future__ import annotations

from . import _array


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
    _array.cuda()  # raises torch's error, saying why the device library is missing
    raise AssertionError("Torch not compiled with CUDA enabled")


_current = [0]  # torch.cuda.current_device()


def gpu_index(dev) -> int | None:
    """The GPU number ``dev`` names (``'cuda'`` is the current GPU), or None for the CPU (and for
    None). Raises torch's errors for a missing CUDA, another accelerator, or a GPU that is not
    there."""
    if dev is None:
        return None
    d = device(dev)
    if d.type in ("cpu", "meta"):
        return None
    if d.type != "cuda":
        raise AssertionError(f"Torch not compiled with {d.type.upper()} enabled")
    lib = _array.cuda()
    index = _current[0] if d.index is None else d.index
    if index >= lib.device_count():
        raise RuntimeError(
            f"CUDA error: invalid device ordinal (device cuda:{index} was asked for; this machine "
            f"has {lib.device_count()} GPU(s): cuda:0 to cuda:{lib.device_count() - 1})"
        )
    return index


check_device = gpu_index  # the factories' check of ``device=``


def place(arr, dev):
    """``arr`` (made by a factory) on the device ``dev`` names."""
    index = gpu_index(dev)
    return _array.to_host(arr) if index is None else _array.to_device(arr, index)


def of_array(arr) -> device:
    """The device an array lives on: ``cpu`` or ``cuda:N``."""
    index = _array.device_index(arr)
    return cpu if index < 0 else _CUDA[index] if index < len(_CUDA) else device("cuda", index)


_CUDA = [device("cuda", i) for i in range(8)]


def mixed(a, b) -> RuntimeError:
    """torch's error for two arrays on different devices in one op."""
    da, db = of_array(a), of_array(b)
    if da.type == "cpu":
        da, db = db, da
    return RuntimeError(
        f"Expected all tensors to be on the same device, but found at least two devices, {da} "
        f"and {db}!"
    )


_default = [None]  # the device factories use when not given one (None: the CPU)


def set_default_device(device_) -> None:
    """Make factories (``torch.zeros``, ``torch.tensor``, ``torch.rand``, ...) create tensors on
    ``device_`` when they are not given ``device=`` (``None`` or ``'cpu'``: back to the CPU)."""
    if device_ is None or device(device_).type == "cpu":
        _default[0] = None
        return
    index = gpu_index(device_)
    _default[0] = device("cuda", index)


def get_default_device() -> device:
    """The device factories create tensors on when not given one."""
    return cpu if _default[0] is None else _default[0]
